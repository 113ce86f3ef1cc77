"""Learning-rate range test (Leslie Smith, 2015): train briefly while the rate grows exponentially, and
watch where the loss falls fastest and where it blows up.

The suggestion is the rate where the smoothed loss falls fastest, measured over a fifth of a decade of
rates, between the point where the loss first drops below the loss of guessing from the class frequencies
and its lowest point. Below that level the network learns the data itself; above it, a falling loss only
says that the outputs are shrinking towards the class frequencies, which every network does first (at
rates far too small to train it). A network whose loss never gets clearly below that level learned
nothing in the test (a sigmoid network can sit on such a plateau for many epochs): it gets no suggestion.
"""
from dataclasses import dataclass

import numpy as np

import nn
from nn.validation import check_int, check_positive_float

from .limits import UNLIMITED, check_limits
from .specs import RunSpec, check_spec, count_params, layers_as_run, load_grid_data, make_network

STEPS = 2000  # about 330 per decade: enough training for tanh and sigmoid networks to leave their first plateau
SMOOTHING = 0.98  # the running mean of the batch losses spans about 50 steps
SLOPE_DECADES = 0.1  # the slope at a rate is measured from this many decades below it to as many above
LEARNED = 0.9  # the lowest loss must be below this fraction of the guessing loss for a suggestion


@dataclass
class RangeTest:
    lrs: np.ndarray      # the rate used at each step
    losses: np.ndarray   # the batch loss at each step, smoothed
    suggestion: float | None  # where the loss falls fastest; None if the network learned nothing in the test
    stopped_early: bool  # the loss blew up before lr_max was reached
    guessing_loss: float = float("nan")  # the loss of predicting the class frequencies of the training set


def lr_range_test(spec, lr_min=1e-5, lr_max=10.0, steps=STEPS, smoothing=SMOOTHING, catalog=None, limits=UNLIMITED):
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
    net = make_network(spec, layers)
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
    guessing = guessing_loss(data.y_train)
    tried = lrs[:len(losses)]
    return RangeTest(tried, losses, suggest(tried, losses, guessing, smoothing), len(losses) < steps, guessing)


def guessing_loss(y):
    """Cross-entropy of always predicting the class frequencies of ``y`` (their entropy): ln 2 for two
    balanced classes. A network that has learned anything of the inputs scores below it."""
    shares = np.bincount(y) / len(y)
    shares = shares[shares > 0]
    return float(-(shares * np.log(shares)).sum())


def suggest(lrs, losses, guessing, smoothing=SMOOTHING):
    """The rate where the smoothed loss falls fastest (the steepest slope against log10 of the rate, each
    slope over SLOPE_DECADES either side) from where it first drops below ``guessing`` to its lowest point;
    None if it never gets below LEARNED x ``guessing``. The first steps, where the running mean still
    holds only a few batches, are never chosen: the suggestion cannot be the first rate tried."""
    finite = np.where(np.isfinite(losses), losses, np.inf)
    warm = int(round(1 / (1 - smoothing)))  # steps until the running mean spans its window
    if len(finite) <= warm + 2:
        return None
    lowest = warm + int(np.argmin(finite[warm:]))
    if not finite[lowest] < LEARNED * guessing:
        return None
    x = np.log10(lrs)
    half = max(1, int(round(SLOPE_DECADES * (len(x) - 1) / max(x[-1] - x[0], 1e-12))))
    start = warm + int(np.flatnonzero(finite[warm:lowest + 1] < guessing)[0])
    centres = np.arange(max(start, warm + half), lowest - half + 1)
    if len(centres) == 0:  # the fall is shorter than one slope window: its middle
        return float(lrs[(start + lowest) // 2])
    slopes = (finite[centres + half] - finite[centres - half]) / (x[centres + half] - x[centres - half])
    return float(lrs[centres[int(np.argmin(slopes))]])
