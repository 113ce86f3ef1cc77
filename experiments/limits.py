"""The caps on what one request may ask of a shared server (Limits, from the operator's environment), and the
check of a comparison against them, reading the cost models of costs.py."""
import math
import os
from dataclasses import dataclass, fields
from nn.validation import MAX_UNITS
from nn.training import MAX_EPOCHS

from .numbers import PLAIN_NUMBER  # numbers as typed, read as the app and the command line read them
from .costs import MB, estimate_memory, estimate_seconds, grid_work
from .specs import GridTooLarge, check_run_count


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


