"""The caps on what one request may ask of a shared server, and the time and memory models behind them."""
import math
import os
from dataclasses import dataclass, fields
from typing import NamedTuple

import nn
from nn.validation import MAX_UNITS
from nn.training import MAX_EPOCHS

from .numbers import PLAIN_NUMBER  # numbers as typed, read as the app and the command line read them
from .specs import GridTooLarge, check_run_count, count_params, layers_as_run, lockstep_key


@dataclass(frozen=True)
class Limits:
    """How much work one request may ask for. Defaults suit a small shared server; see ``from_env``."""

    max_runs: int = 200
    max_work: float = 2e10  # sum over runs of parameters x training samples x epochs (~10 s of CPU at most)
    max_seconds: float = 180.0  # seconds of training workers' time, as the time model estimates it
    max_memory_mb: float = 300.0  # peak memory of the training and the results kept, as the memory model says
    max_epochs: int = 2000
    max_units: int = 256  # per hidden layer
    max_samples: int = 5000  # per dataset

    ENV_PREFIX = "NN_LAB_"

    def __post_init__(self):
        for field in fields(self):
            value = getattr(self, field.name)
            whole = field.type is not float
            ok = (isinstance(value, int) and not isinstance(value, bool)) if whole else isinstance(value, (int, float))
            if not ok or not value > 0 or (not whole and math.isnan(value)):
                kind = "a whole number" if whole else "a number"
                raise ValueError(f"'{field.name}' must be {kind} > 0; got {value!r}.")

    @classmethod
    def from_env(cls, environ=None):
        """Defaults overridden by NN_LAB_MAX_RUNS, NN_LAB_MAX_WORK, NN_LAB_MAX_SECONDS, NN_LAB_MAX_MEMORY_MB,
        NN_LAB_MAX_EPOCHS, NN_LAB_MAX_UNITS and NN_LAB_MAX_SAMPLES. A value that is not a positive number (a
        whole one for the counts) is an error naming the variable, so a mistyped setting fails once at
        start-up instead of being ignored."""
        environ = os.environ if environ is None else environ
        values = {}
        for field in fields(cls):
            variable = cls.ENV_PREFIX + field.name.upper()
            raw = environ.get(variable)
            if raw is None:
                continue
            whole = field.type is not float
            kind = "a whole number > 0" if whole else "a number > 0"
            value = float(raw) if PLAIN_NUMBER.fullmatch(str(raw)) else math.nan
            if not (math.isfinite(value) and value > 0) or (whole and value != int(value)):
                raise ValueError(f"environment variable {variable} must be {kind}; got {raw!r}.")
            values[field.name] = int(value) if whole else value
        return cls(**values)


UNLIMITED = Limits(max_runs=10**9, max_work=float("inf"), max_seconds=float("inf"), max_memory_mb=float("inf"),
                   max_epochs=MAX_EPOCHS, max_units=MAX_UNITS, max_samples=10**9)


def run_work(spec, n_train, layers):
    """Parameters x training samples x epochs: what one run costs, roughly."""
    return count_params(layers) * n_train * spec.epochs


def grid_work(specs, datasets):
    """Total work of checked specs; ``datasets`` is {data_key: Dataset} from ``load_grid_data``."""
    total = 0.0
    for spec in specs:
        data = datasets[spec.data_key()]
        total += run_work(spec, len(data.y_train), layers_as_run(spec, data.n_features, data.n_classes))
    return total


def check_limits(specs, limits, datasets, work=None, snapshots=0):
    """Raise GridTooLarge when ``specs`` ask for more than ``limits`` allow; return the total work.
    ``work`` replaces the grid's work when a caller trains differently (the learning-rate finder), and then
    the time and memory models, which know only how a grid trains, are not asked. ``snapshots``: the weight
    snapshots kept per drawn run (they cost memory)."""
    check_run_count(len(specs), limits.max_runs)
    for spec in specs:
        if spec.epochs > limits.max_epochs:
            raise GridTooLarge(f"{spec.epochs} epochs is over the limit of {limits.max_epochs}; lower the epochs.")
        widest = max(spec.sizes[1:-1], default=0)
        if widest > limits.max_units:
            raise GridTooLarge(f"architecture {spec.architecture} has a hidden layer of {widest} units; "
                               f"the limit is {limits.max_units}. Use narrower layers.")
        n_samples = spec.n_samples
        if n_samples is None:
            data = datasets[spec.data_key()]
            n_samples = len(data.y_train) + (0 if data.X_test is data.X_train else len(data.y_test))
        if n_samples > limits.max_samples:
            raise GridTooLarge(f"{n_samples} samples for {spec.dataset} is over the limit of "
                               f"{limits.max_samples}; use fewer samples.")
    total = grid_work(specs, datasets) if work is None else work
    if total > limits.max_work:
        raise GridTooLarge(f"This comparison asks for {total:.2g} units of work (parameters x samples x epochs); "
                           f"the limit is {limits.max_work:.2g} ({total / limits.max_work:.1f}x over). Use fewer "
                           "epochs, runs or samples, or smaller networks.")
    if work is None:
        seconds = estimate_seconds(specs, datasets)
        if seconds > limits.max_seconds:
            raise GridTooLarge(f"This comparison would keep the training workers busy for about {seconds:.0f} s; "
                               f"the limit is {limits.max_seconds:.0f} s ({seconds / limits.max_seconds:.1f}x "
                               f"over). {_time_advice(specs, datasets)}")
        memory = estimate_memory(specs, datasets, snapshots)
        if memory.total > limits.max_memory_mb * MB:
            raise GridTooLarge(f"This comparison needs about {memory.total / MB:.0f} MB of memory (its networks, "
                               f"their optimizer state and the weights kept to draw them over time); the limit is "
                               f"{limits.max_memory_mb:.0f} MB ({memory.total / MB / limits.max_memory_mb:.1f}x "
                               "over). Use narrower or fewer hidden layers, or fewer runs (learning rates, seeds).")
    return total


def _time_advice(specs, datasets):
    """What to change first: small batches are the usual cause (one step per few samples), else the rest."""
    small = [spec for spec in specs if spec.batch_size is not None
             and spec.batch_size < 16 < len(datasets[spec.data_key()].y_train)]
    if len(small) * 2 >= len(specs):
        return "Use a larger batch size (each step trains on only a few samples), fewer epochs or fewer samples."
    return "Use fewer epochs, samples or runs, a larger batch size, or smaller networks."


def estimate_seconds(specs, datasets):
    """A rough training time on one core of this project's CI machine, as the app's pool trains (test data
    scored every epoch, snapshots and live weights kept).

    Runs that share a lockstep key (``specs.lockstep_key``) train as one stack of K networks. A step costs
    about 25 us, plus 40 us per weight layer, plus 2.2 us per layer and network, plus 17 us per hidden layer
    for each activation the stack mixes in beyond its first; an epoch adds about 150 us and 30 us per
    network (scoring the test data, shuffling, the metrics); the arithmetic adds about 0.45 ns per unit of
    work (parameters x samples x epochs) and 12 ns per hidden unit, sample and epoch of a tanh or sigmoid
    network (an exponential: ``nn`` activations say whether they compute one); a group adds about 50 ms
    (making the networks, sending the results). Fitted
    with ``benchmarks/bench_estimate.py --fit`` on 22 groups from 1 to 36 networks on edge, lines, xor,
    circles, moons and digits, one BLAS thread.
    """
    groups = {}
    for spec in specs:
        data = datasets[spec.data_key()]
        key = lockstep_key(spec, data)
        groups.setdefault(key, []).append((run_work(spec, len(data.y_train), list(key[1])), spec.activation))
    seconds = 0.0
    for key, members in groups.items():
        layers, epochs = key.layers, key.epochs
        n_train = len(datasets[key.data_key].y_train)
        steps = epochs * -(-n_train // (key.batch_size or n_train))
        k, weight_layers, hidden_units = len(members), len(layers) - 1, sum(layers[1:-1])
        activations = {activation for _, activation in members}
        exp_networks = sum(nn.ACTIVATIONS[activation].exponential for _, activation in members
                           if activation in nn.ACTIVATIONS)
        seconds += (steps * (25e-6 + weight_layers * (40e-6 + 2.2e-6 * k)
                             + 17e-6 * (weight_layers - 1) * (len(activations) - 1))
                    + epochs * (150e-6 + 30e-6 * k)
                    + 0.45e-9 * sum(work for work, _ in members)
                    + 12e-9 * epochs * n_train * hidden_units * exp_networks
                    + 0.05)
    return seconds


MB = 2**20
FLOAT_BYTES = 8  # the networks are float64


class MemoryEstimate(NamedTuple):
    """Bytes a comparison needs at its peak: ``workers`` for the groups training at once (two workers), and
    ``server`` for its Results in the server: the pool's copy and one visitor's (networks, snapshots)."""

    workers: float
    server: float

    @property
    def total(self):
        return self.workers + self.server


def group_memory(layers, optimizer, networks, drawn, n_train, n_test, batch_size, snapshot_count):
    """Peak bytes of a worker training one lockstep group of ``networks`` networks with these ``layers``, of
    which ``drawn`` keep ``snapshot_count`` weight snapshots each.

    Per network of the stack: its parameters and gradients alone and stacked, the final weights kept for
    networks that stop early, the squared gradients, and the optimizer's arrays (``nn.Optimizer.arrays``);
    the drawn runs' snapshots; the layers' buffers for a batch (forward and backward, and the last,
    smaller batch) and for the training and test data scored at once; and the outcome sent back, pickled."""
    params = count_params(layers)
    per_network = 2 + 2 + 1 + 1 + nn.OPTIMIZERS[optimizer].arrays
    batch = min(batch_size or n_train, n_train)
    activations = networks * sum(layers[1:]) * (10 * batch + 2 * n_train + 2 * n_test)
    snapshots = drawn * snapshot_count * params
    sent = 2 * (networks * params + snapshots)
    return FLOAT_BYTES * (networks * params * per_network + snapshots + activations + sent)


def estimate_memory(specs, datasets, snapshots=0, workers=2):
    """A MemoryEstimate of checked specs (``datasets`` from ``load_grid_data``), as the app's pool trains them:
    the ``workers`` largest groups at once, and the runs of the lowest seed keeping ``snapshots`` snapshots.
    In the server, a finished network holds its parameters and gradients, in the pool's copy and a visitor's."""
    from .runner import group_runs, snapshot_schedule
    lowest = min(spec.seed for spec in specs)
    peaks, server = [], 0.0
    for data_key, members in group_runs(specs, datasets):
        data, first = datasets[data_key], members[0][1]
        layers = layers_as_run(first, data.n_features, data.n_classes)
        count = len(snapshot_schedule(first.epochs, snapshots))
        drawn = sum(spec.seed == lowest for _, spec in members)
        peaks.append(group_memory(layers, first.optimizer, len(members), drawn, len(data.y_train),
                                  len(data.y_test), first.batch_size, count))
        server += FLOAT_BYTES * count_params(layers) * 2 * (2 * len(members) + count * drawn)
    return MemoryEstimate(sum(sorted(peaks)[-workers:]), server)
