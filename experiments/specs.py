"""Experiment specs: one frozen dataclass per run, grids as lists of them, and the caps on a grid's size."""
import itertools
import math
import os
import re
from dataclasses import dataclass, fields, replace

import nn
from nn._checks import (MAX_UNITS, MAX_WEIGHT_LAYERS, check_choice, check_int, check_layer_sizes,
                        check_positive_float)

from .datasets import DATASETS, load_dataset

MAX_EPOCHS = 100_000
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class RunSpec:
    """Everything that defines one training run. ``batch_size=None`` means full batch; dataset options
    left as None take the dataset's defaults."""

    dataset: str = "edge"
    architecture: str = "[25, 8, 2]"  # as asked; the run adapts its first and last width to the dataset
    activation: str = "relu"
    optimizer: str = "sgd"
    lr: float = 0.1
    epochs: int = 200
    batch_size: int | None = 16
    l2: float = 0.0
    seed: int = 0
    n_samples: int | None = None
    noise: float | None = None
    test_fraction: float | None = None
    data_seed: int = 0

    def data_key(self):
        """What identifies this run's data split: runs with equal keys train on identical data."""
        return (self.dataset, self.n_samples, self.noise, self.test_fraction, self.data_seed)

    def config(self):
        """Everything but the replicate seed: runs that differ only in seed are one configuration."""
        return replace(self, seed=0)


SPEC_FIELDS = [f.name for f in fields(RunSpec)]


# ----- architectures -----
def parse_architecture(text):
    """'[25, 8, 2]', '25,8,2', '25-8-2' or '25 8 2' (or a list of ints) -> [25, 8, 2]."""
    name = f"architecture {text!r}"
    if isinstance(text, (list, tuple)):
        return check_layer_sizes(list(text), name=name)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"architecture must be written like [25, 8, 2]; got {text!r}.")
    body = text.strip()
    if body[:1] in "[(" and body[-1:] in "])":
        body = body[1:-1].strip()
    if re.search(r"[,\s]", body):
        parts = [part.strip() for part in re.split(r"\s*,\s*|\s+", body)]
    else:  # 25-8-2
        parts = body.split("-")
    if any(part == "" for part in parts):
        raise ValueError(f"{name} has an empty entry; write it like [25, 8, 2].")
    for part in parts:
        if not re.fullmatch(r"[+-]?\d+", part):
            raise ValueError(f"{name} has {part!r}, which is not a whole number; write it like [25, 8, 2].")
    return check_layer_sizes([int(part) for part in parts], name=name)


def format_architecture(sizes):
    return "[" + ", ".join(str(size) for size in sizes) + "]"


def adapt_layers(sizes, n_features, n_classes):
    """Keep the hidden layers; take the input and output widths from the dataset."""
    return [n_features, *sizes[1:-1], n_classes]


# ----- validation of one spec -----
def check_spec(spec, custom_datasets=None):
    """A RunSpec with every field checked and the architecture written canonically; ValueError if not.
    ``custom_datasets`` maps the names of the user's own datasets to them."""
    if not isinstance(spec, RunSpec):
        raise ValueError(f"expected a RunSpec; got {spec!r}.")
    if spec.dataset not in (custom_datasets or {}):
        check_choice("dataset", spec.dataset, {**DATASETS, **(custom_datasets or {})})
    sizes = parse_architecture(spec.architecture)
    check_choice("activation", spec.activation, nn.ACTIVATIONS)
    check_choice("optimizer", spec.optimizer, nn.OPTIMIZERS)
    lr = check_positive_float("lr", spec.lr)
    epochs = check_int("epochs", spec.epochs, minimum=1, maximum=MAX_EPOCHS)
    batch_size = None if spec.batch_size is None else check_int("batch_size", spec.batch_size, minimum=1)
    l2 = check_positive_float("l2", spec.l2, allow_zero=True)
    seed = check_int("seed", spec.seed, minimum=0, maximum=MAX_SEED)
    data_seed = check_int("data_seed", spec.data_seed, minimum=0, maximum=MAX_SEED)
    return replace(spec, architecture=format_architecture(sizes), lr=lr, epochs=epochs, batch_size=batch_size,
                   l2=l2, seed=seed, data_seed=data_seed)


def layers_as_run(spec, n_features, n_classes):
    return adapt_layers(parse_architecture(spec.architecture), n_features, n_classes)


def make_optimizer(spec):
    return nn.OPTIMIZERS[spec.optimizer](spec.lr, weight_decay=spec.l2)


# ----- grids -----
def expand_grid(datasets=("edge",), architectures=("[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"),
                activations=("relu",), lrs=(0.1,), optimizers=("sgd",), seeds=(0,), epochs=200, batch_size=16,
                l2=0.0, dataset_options=None, data_seed=0, custom_datasets=None):
    """The Cartesian product of the chosen values, as checked RunSpecs in a stable order.

    ``dataset_options`` maps a dataset name to {"n_samples", "noise", "test_fraction"}. Every run of one
    dataset shares its data split; replicate seeds change only initialisation and shuffling.
    """
    dataset_options = dataset_options or {}
    for name, values in [("datasets", datasets), ("architectures", architectures), ("activations", activations),
                         ("lrs", lrs), ("optimizers", optimizers), ("seeds", seeds)]:
        if isinstance(values, str) or not len(values):
            raise ValueError(f"'{name}' must be a non-empty list; got {values!r}.")
    specs = []
    for dataset, architecture, activation, optimizer, lr, seed in itertools.product(
            datasets, architectures, activations, optimizers, lrs, seeds):
        options = dataset_options.get(dataset, {})
        specs.append(check_spec(RunSpec(dataset=dataset, architecture=architecture, activation=activation,
                                        optimizer=optimizer, lr=lr, epochs=epochs, batch_size=batch_size, l2=l2,
                                        seed=seed, data_seed=data_seed, **options), custom_datasets))
    return specs


# ----- caps -----
@dataclass(frozen=True)
class Limits:
    """How much work one request may ask for. Defaults suit a small shared server; see ``from_env``."""

    max_runs: int = 200
    max_work: float = 2e10  # sum over runs of parameters x training samples x epochs (~10 s of CPU at most)
    max_epochs: int = 2000
    max_units: int = 256  # per hidden layer
    max_samples: int = 5000  # per dataset

    ENV_PREFIX = "NN_LAB_"

    @classmethod
    def from_env(cls, environ=None):
        """Defaults overridden by NN_LAB_MAX_RUNS, NN_LAB_MAX_WORK, NN_LAB_MAX_EPOCHS, NN_LAB_MAX_UNITS and
        NN_LAB_MAX_SAMPLES."""
        environ = os.environ if environ is None else environ
        values = {}
        for field in fields(cls):
            raw = environ.get(cls.ENV_PREFIX + field.name.upper())
            if raw is None:
                continue
            try:
                value = float(raw)
            except ValueError:
                raise ValueError(f"environment variable {cls.ENV_PREFIX + field.name.upper()} must be a number; "
                                 f"got {raw!r}.") from None
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"environment variable {cls.ENV_PREFIX + field.name.upper()} must be > 0; "
                                 f"got {raw!r}.")
            values[field.name] = value if field.type == "float" else int(value)
        return cls(**values)


UNLIMITED = Limits(max_runs=10**9, max_work=float("inf"), max_epochs=MAX_EPOCHS, max_units=MAX_UNITS,
                   max_samples=10**9)


class GridTooLarge(ValueError):
    """A request over the caps; the message says what to shrink and by how much."""


def run_work(spec, n_train, layers):
    """Parameters x training samples x epochs: what one run costs, roughly."""
    n_params = sum(n_in * n_out + n_out for n_in, n_out in zip(layers[:-1], layers[1:]))
    return n_params * n_train * spec.epochs


def grid_work(specs, custom_datasets=None):
    """(total work, {data_key: Dataset}) for checked specs; loads each distinct dataset once."""
    datasets, custom = {}, custom_datasets or {}
    total = 0.0
    for spec in specs:
        key = spec.data_key()
        if key not in datasets:
            datasets[key] = custom[spec.dataset] if spec.dataset in custom else load_dataset(
                spec.dataset, spec.n_samples, spec.noise, spec.test_fraction, spec.data_seed)
        data = datasets[key]
        total += run_work(spec, len(data.y_train), layers_as_run(spec, data.n_features, data.n_classes))
    return total, datasets


def check_limits(specs, limits, custom_datasets=None, total_work=None):
    """Raise GridTooLarge when ``specs`` ask for more than ``limits`` allow; return the total work.
    ``total_work`` may be passed when ``grid_work`` was already called, to load the data only once."""
    if len(specs) > limits.max_runs:
        raise GridTooLarge(f"This comparison has {len(specs)} runs; the limit is {limits.max_runs} "
                           f"({len(specs) / limits.max_runs:.1f}x over). Choose fewer datasets, architectures, "
                           "activations, learning rates, optimizers or seeds.")
    for spec in specs:
        if spec.epochs > limits.max_epochs:
            raise GridTooLarge(f"{spec.epochs} epochs is over the limit of {limits.max_epochs}; lower the epochs.")
        widest = max(parse_architecture(spec.architecture)[1:-1], default=0)
        if widest > limits.max_units:
            raise GridTooLarge(f"architecture {spec.architecture} has a hidden layer of {widest} units; "
                               f"the limit is {limits.max_units}. Use narrower layers.")
        if spec.n_samples is not None and spec.n_samples > limits.max_samples:
            raise GridTooLarge(f"{spec.n_samples} samples for {spec.dataset} is over the limit of "
                               f"{limits.max_samples}; use fewer samples.")
    total = grid_work(specs, custom_datasets)[0] if total_work is None else total_work
    if total > limits.max_work:
        raise GridTooLarge(f"This comparison asks for {total:.2g} units of work (parameters x samples x epochs); "
                           f"the limit is {limits.max_work:.2g} ({total / limits.max_work:.1f}x over). Use fewer "
                           "epochs, runs or samples, or smaller networks.")
    return total


def estimate_seconds(specs, datasets):
    """A rough training time on one core of this project's CI machine.

    Runs that share data, layers, activation, optimizer, epochs and batch size train in lockstep as a
    stack of K networks. Per step a stack costs about 12 us per layer, times (1 + K/10); the arithmetic
    adds about 0.15 ns per unit of work (parameters x samples x epochs). Fitted on grids from 1 to 108
    runs on edge, circles, xor and digits; measured times were 0.87x to 1.6x the estimate.
    """
    groups = {}
    for spec in specs:
        data = datasets[spec.data_key()]
        layers = tuple(layers_as_run(spec, data.n_features, data.n_classes))
        key = (spec.data_key(), layers, spec.activation, spec.optimizer, spec.epochs, spec.batch_size)
        groups.setdefault(key, []).append(run_work(spec, len(data.y_train), list(layers)))
    seconds = 0.0
    for (data_key, layers, _, _, epochs, batch_size), works in groups.items():
        n_train = len(datasets[data_key].y_train)
        steps = epochs * -(-n_train // (batch_size or n_train))
        seconds += steps * 12e-6 * (len(layers) + 1) * (1 + len(works) / 10) + 1.5e-10 * sum(works)
    return seconds
