"""Experiment specs: one frozen dataclass per run, and grids as lists of them.

Also the rules every part of the project shares about a run: how its architecture is written and adapted
to a dataset, how many parameters it has, and which runs train together in lockstep.
"""
import itertools
import re
from dataclasses import dataclass, fields, replace

import nn
from nn.validation import check_choice, check_int, check_layer_sizes, check_positive_float
from nn.training import MAX_EPOCHS

from .datasets import as_catalog

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
    name = f"architecture {_shown(text)}"
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
        if not re.fullmatch(r"[+-]?[0-9]{1,9}", part):
            raise ValueError(f"{name} has {_shown(part)}, which is not a whole number of units; write it like "
                             "[25, 8, 2].")
    return check_layer_sizes([int(part) for part in parts], name=name)


def _shown(value, limit=40):
    """A value for a message, quoted and cut short: a link or a typo can be thousands of characters."""
    text = repr(value)
    return text if len(text) <= limit + 2 else text[:limit] + "…'"


def format_architecture(sizes):
    return "[" + ", ".join(str(size) for size in sizes) + "]"


def adapt_layers(sizes, n_features, n_classes):
    """Keep the hidden layers; take the input and output widths from the dataset."""
    return [n_features, *sizes[1:-1], n_classes]


# ----- validation of one spec -----
def check_spec(spec, catalog=None):
    """A RunSpec with every field checked and the architecture written canonically; ValueError if not.
    The dataset must be in ``catalog`` (default: the built-in datasets)."""
    if not isinstance(spec, RunSpec):
        raise ValueError(f"expected a RunSpec; got {spec!r}.")
    as_catalog(catalog).check_name(spec.dataset)
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


def count_params(layers):
    """Weights and biases of a network with these layer widths: sum of n_in * n_out + n_out."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(layers[:-1], layers[1:]))


def lockstep_key(spec, data):
    """Runs with equal keys train together as one stack of networks (``nn.fit_lockstep``): they share data,
    layers as run, activation, optimizer, epochs and batch size, and differ in lr, L2 and seed. The
    runner groups by it and the time estimate counts by it."""
    layers = tuple(layers_as_run(spec, data.n_features, data.n_classes))
    return (spec.data_key(), layers, spec.activation, spec.optimizer, spec.epochs, spec.batch_size)


def load_grid_data(specs, catalog=None):
    """{data_key: Dataset} for checked specs, each distinct dataset loaded once."""
    catalog, datasets = as_catalog(catalog), {}
    for spec in specs:
        key = spec.data_key()
        if key not in datasets:
            datasets[key] = catalog.load(spec.dataset, spec.n_samples, spec.noise, spec.test_fraction, spec.data_seed)
    return datasets


def make_optimizer(spec):
    return nn.OPTIMIZERS[spec.optimizer](spec.lr, weight_decay=spec.l2)


# ----- grids -----
def expand_grid(datasets=("edge",), architectures=("[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"),
                activations=("relu",), lrs=(0.1,), optimizers=("sgd",), seeds=(0,), epochs=200, batch_size=16,
                l2=0.0, dataset_options=None, data_seed=0, catalog=None):
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
                                        seed=seed, data_seed=data_seed, **options), catalog))
    return without_repeats(specs)


def has_hidden_layer(architecture):
    return len(parse_architecture(architecture)) > 2


def without_repeats(specs):
    """Each distinct run once. An architecture with no hidden layer has no activation, so of the runs that
    differ only in activation it keeps the first: [25, 2] with relu and tanh would be one network twice."""
    seen, kept = set(), []
    for spec in specs:
        key = spec if has_hidden_layer(spec.architecture) else replace(spec, activation="")
        if key not in seen:
            seen.add(key)
            kept.append(spec)
    return kept
