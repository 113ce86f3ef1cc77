"""Learning-rate range test (Leslie Smith, 2015): train briefly while the rate grows exponentially, and
watch where the loss falls fastest and where it blows up."""
from dataclasses import dataclass

import numpy as np

import nn
from nn.validation import check_int, check_positive_float

from .limits import UNLIMITED, check_limits
from .specs import RunSpec, check_spec, count_params, layers_as_run, load_grid_data


@dataclass
class RangeTest:
    lrs: np.ndarray      # the rate used at each step
    losses: np.ndarray   # the batch loss at each step, smoothed
    suggestion: float    # a rate just before the loss climbs: the rate at the lowest loss, divided by 10
    stopped_early: bool  # the loss blew up before lr_max was reached


def lr_range_test(spec, lr_min=1e-5, lr_max=10.0, steps=200, smoothing=0.9, catalog=None, limits=UNLIMITED):
    """Run the test for ``spec``'s data, architecture, activation, optimizer, batch size and seed.
    ``limits`` caps it like any comparison (units, samples, and the work of ``steps`` batches)."""
    if isinstance(spec, dict):
        spec = RunSpec(**spec)
    spec = check_spec(spec, catalog)
    lr_min, lr_max = check_positive_float("lr_min", lr_min), check_positive_float("lr_max", lr_max)
    if lr_min >= lr_max:
        raise ValueError(f"'lr_min' must be below 'lr_max'; got {lr_min} and {lr_max}.")
    steps = check_int("steps", steps, minimum=10, maximum=5000)
    data = load_grid_data([spec], catalog)[spec.data_key()]
    layers = layers_as_run(spec, data.n_features, data.n_classes)
    batch = min(spec.batch_size or len(data.y_train), len(data.y_train))
    check_limits([spec], limits, {spec.data_key(): data}, work=count_params(layers) * batch * steps)
    net = nn.Network(layers, spec.activation, seed=spec.seed)
    optimizer = nn.OPTIMIZERS[spec.optimizer](lr_min, weight_decay=spec.l2)
    rng = np.random.default_rng(spec.seed)
    n = len(data.y_train)
    lrs = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))  # lr_min ... lr_max, evenly in log
    losses, average, best = [], 0.0, np.inf
    order, position = rng.permutation(n), 0
    with np.errstate(all="ignore"):
        for step, lr in enumerate(lrs):
            if position + batch > n:
                order, position = rng.permutation(n), 0
            index = order[position:position + batch]
            position += batch
            loss = net.loss(net.forward(data.X_train[index]), data.y_train[index])
            net.backward()
            optimizer.lr = lr
            optimizer.step(net.flat_params, net.flat_grads)
            average = smoothing * average + (1 - smoothing) * loss
            smoothed = average / (1 - smoothing ** (step + 1))  # debiased running mean
            losses.append(smoothed)
            if not np.isfinite(smoothed) or smoothed > 4 * best:
                break
            best = min(best, smoothed)
    losses = np.asarray(losses)
    finite = np.where(np.isfinite(losses), losses, np.inf)
    suggestion = float(lrs[int(np.argmin(finite))] / 10)
    return RangeTest(lrs[:len(losses)], losses, max(suggestion, lr_min), len(losses) < steps)
