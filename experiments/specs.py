"""Experiment specs: one frozen dataclass per run, checked once against the settings table (fields.py), and
grids as lists of them.

Also the rules every part of the project shares about a run: its data options filled in from its dataset,
its layers as run on the data, and which runs train together in lockstep.
"""
import itertools
from dataclasses import dataclass, replace
from typing import NamedTuple

import nn
from nn.validation import check_choice

from .architectures import adapt_layers, format_architecture, has_hidden_layer, parse_architecture
from .architectures import count_params, hidden_layers  # noqa: F401 (re-exported: what a run's layers are)
from .datasets import DATASETS, as_catalog, check_options
from .fields import FIELDS, NO_ACTIVATION, check, data_options
from .fields import MAX_SEED  # noqa: F401 (re-exported: the highest seed a run may have; store/boards.py)


class GridTooLarge(ValueError):
    """A request over the caps (``limits.Limits``); the message says what to shrink and by how much."""


def check_run_count(count, max_runs):
    """GridTooLarge if ``count`` runs are more than ``max_runs`` (None: no cap)."""
    if max_runs is not None and count > max_runs:
        raise GridTooLarge(f"This comparison has {count} runs; the limit is {max_runs} ({count / max_runs:.1f}x "
                           "over). Choose fewer datasets, architectures, activations, learning rates, optimizers "
                           "or seeds.")


@dataclass(frozen=True)
class RunSpec:
    """Everything that defines one training run. ``batch_size=None`` means full batch; dataset options
    left as None take the dataset's defaults. ``check_spec`` returns it checked once for all: canonical (the
    architecture written one way, a built-in dataset's default options written out) and carrying its parsed
    layer widths (``sizes``), so that nothing downstream checks or parses it again."""

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

    @property
    def sizes(self):
        """The architecture as a list of layer widths: parsed once by check_spec, else now."""
        sizes = self.__dict__.get("_sizes")
        return list(sizes) if sizes is not None else parse_architecture(self.architecture)

    @property
    def checked(self):
        """Whether this spec came out of check_spec (and need not be checked again)."""
        return "_sizes" in self.__dict__


class LockstepKey(NamedTuple):
    """What runs that train together as one stack share (``lockstep_key``)."""

    data_key: tuple
    layers: tuple  # as run on the data: its inputs and classes at either end
    optimizer: str
    epochs: int
    batch_size: int | None


# ----- validation of one spec -----
def check_spec(spec, catalog=None):
    """A RunSpec with every field checked, canonical (see RunSpec) and carrying its parsed layer widths;
    ValueError if a field is not allowed. The dataset must be in ``catalog`` (default: the built-in datasets).
    A spec that came out of check_spec is returned as it is."""
    if not isinstance(spec, RunSpec):
        raise ValueError(f"expected a RunSpec; got {spec!r}.")
    as_catalog(catalog).check_name(spec.dataset)
    if spec.checked:
        return spec
    options = _check_options(spec)
    sizes = parse_architecture(spec.architecture)
    values = {"architecture": format_architecture(sizes), "activation": _check_activation(spec.activation, sizes)}
    for row in FIELDS:  # every other field against its row of the settings table: type, bounds, choices
        if row.name not in values and row.name != "dataset" and not row.per_dataset:
            values[row.name] = check(row, getattr(spec, row.name))
    checked = canonical_spec(replace(spec, **values, **options))
    object.__setattr__(checked, "_sizes", tuple(sizes))  # a frozen dataclass: set once, here
    return checked


def _check_activation(activation, sizes):
    """A network with a hidden layer needs one of nn.ACTIVATIONS; one without has none, whatever was asked
    ("none", or any activation name: [25, 2] with tanh is the same network as with relu)."""
    if len(sizes) > 2:
        if activation == NO_ACTIVATION:
            raise ValueError(f"'activation' {NO_ACTIVATION!r} is only for a network without a hidden layer; "
                             f"{format_architecture(sizes)} needs one of {sorted(nn.ACTIVATIONS)}.")
        return check_choice("activation", activation, nn.ACTIVATIONS)
    if activation != NO_ACTIVATION:
        check_choice("activation", activation, [*nn.ACTIVATIONS, NO_ACTIVATION])
    return NO_ACTIVATION


def _check_options(spec):
    """The spec's data options, checked against its dataset: one the dataset does not have is an error,
    not silently ignored. Returns {option: checked value} for those given."""
    given = {row.name: getattr(spec, row.name) for row in data_options() if getattr(spec, row.name) is not None}
    if spec.dataset not in DATASETS:
        if given:
            raise ValueError(f"'{next(iter(given))}' does not apply to {spec.dataset}: your own data is used as "
                             "uploaded.")
        return {}
    checked = check_options(spec.dataset, **given)
    return {option: checked[option] for option in given}


def canonical_spec(spec):
    """``spec`` with its built-in dataset's default options written out: "lines" and "lines with its
    default 300 samples" are one comparison, so they share one training and one cache entry."""
    info = DATASETS.get(spec.dataset)
    if info is None or spec.checked:
        return spec
    return replace(spec, **{row.name: getattr(info, row.name) for row in data_options()
                            if getattr(spec, row.name) is None})


def comparison_key(specs):
    """What identifies a comparison, whatever way its specs write the default data options."""
    return tuple(canonical_spec(spec) for spec in specs)


def layers_as_run(spec, n_features, n_classes):
    return adapt_layers(spec.sizes, n_features, n_classes)


def lockstep_key(spec, data):
    """Runs with equal keys train together as one stack of networks (``nn.fit_lockstep``): they share data,
    layers as run, optimizer, epochs and batch size, and differ in activation, lr, L2 and seed. The
    runner groups by it and the time estimate counts by it."""
    layers = tuple(layers_as_run(spec, data.n_features, data.n_classes))
    return LockstepKey(spec.data_key(), layers, spec.optimizer, spec.epochs, spec.batch_size)


def load_grid_data(specs, catalog=None):
    """{data_key: Dataset} for checked specs, each distinct dataset loaded once."""
    catalog, datasets = as_catalog(catalog), {}
    for spec in specs:
        key = spec.data_key()
        if key not in datasets:
            datasets[key] = catalog.load(spec.dataset, spec.n_samples, spec.noise, spec.test_fraction, spec.data_seed)
    return datasets


def make_network(spec, layers):
    """The network of a checked spec, with these layer widths as run. A network without a hidden layer
    never applies its activation; nn still wants a name, which picks the initialisation: relu's (He), as
    such networks were trained when their spec said relu, the default."""
    activation = "relu" if spec.activation == NO_ACTIVATION else spec.activation
    return nn.Network(layers, activation=activation, seed=spec.seed)


def make_optimizer(spec):
    return nn.OPTIMIZERS[spec.optimizer](spec.lr, weight_decay=spec.l2)


# ----- grids -----
def expand_grid(datasets=("edge",), architectures=("[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"),
                activations=("relu",), lrs=(0.1,), optimizers=("sgd",), seeds=(0,), epochs=200, batch_size=16,
                l2=0.0, dataset_options=None, data_seed=0, catalog=None, max_runs=None):
    """The Cartesian product of the chosen values, as checked RunSpecs in a stable order.

    Each of ``datasets`` ... ``seeds`` is a non-empty list (or tuple, or other ordered iterable). A value
    given twice (also "25-8-2" next to "[25, 8, 2]", or 0.1 next to 0.10) makes one run, not two.
    ``dataset_options`` maps a dataset name of ``datasets`` to {"n_samples", "noise", "test_fraction"},
    only those the dataset has. Every run of one dataset shares its data split; replicate seeds change
    only initialisation and shuffling. A bad value is a ValueError naming it. With ``max_runs``, a grid of
    more runs is refused (GridTooLarge) from the sizes of its choices, before any run is made.
    """
    axes = {}
    for name, values in [("datasets", datasets), ("architectures", architectures), ("activations", activations),
                         ("lrs", lrs), ("optimizers", optimizers), ("seeds", seeds)]:
        axes[name] = _as_list(name, values)
    check_run_count(grid_size(axes), max_runs)
    dataset_options = _check_dataset_options(dataset_options, axes["datasets"])
    specs = []
    for activation in axes["activations"]:  # each once, so that one skipped below is still checked
        check_choice("activation", activation, [*nn.ACTIVATIONS, NO_ACTIVATION])
    for dataset, architecture, activation, optimizer, lr, seed in itertools.product(
            axes["datasets"], axes["architectures"], axes["activations"], axes["optimizers"], axes["lrs"],
            axes["seeds"]):
        if activation != axes["activations"][0] and not _has_hidden_layer_or_unread(architecture):
            continue  # no hidden layer, no activation: the first one stands for them all (check_spec: "none")
        options = dataset_options.get(dataset, {}) if isinstance(dataset, str) else {}
        specs.append(check_spec(RunSpec(dataset=dataset, architecture=architecture, activation=activation,
                                        optimizer=optimizer, lr=lr, epochs=epochs, batch_size=batch_size, l2=l2,
                                        seed=seed, data_seed=data_seed, **options), catalog))
    return without_repeats(specs)


def grid_size(axes):
    """How many distinct runs ``expand_grid`` makes of these choices ({"datasets": [...], ...}), counted
    without making them: a product of the numbers of distinct values, where a network without a hidden layer
    counts one activation. Values that cannot be read count as they are (expanding then names them)."""
    def distinct(values, key=lambda value: value):
        keys = set()
        for value in values:
            try:
                keys.add(key(value))
            except (ValueError, TypeError):
                keys.add(("unread", repr(value)))
        return keys

    architectures = distinct(axes["architectures"], lambda a: tuple(parse_architecture(a)))
    deep = sum(1 for sizes in architectures if sizes[0] == "unread" or len(sizes) > 2)
    per_dataset = (deep * len(distinct(axes["activations"])) + len(architectures) - deep) \
        * len(distinct(axes["optimizers"])) * len(distinct(axes["lrs"])) * len(distinct(axes["seeds"]))
    return len(distinct(axes["datasets"])) * per_dataset


def _has_hidden_layer_or_unread(architecture):
    try:
        return has_hidden_layer(architecture)
    except (ValueError, TypeError):
        return True  # checking the spec will say what is wrong with it


def without_repeats(specs):
    """Each distinct checked run once, in order. A network with no hidden layer has activation "none"
    (check_spec), so [25, 2] asked for with relu and with tanh is one run, not one network twice."""
    return list(dict.fromkeys(specs))


def _as_list(name, values):
    """``values`` as a non-empty list; strings, mappings, sets and scalars are refused."""
    ordered = not isinstance(values, (str, bytes, dict, set, frozenset)) and hasattr(values, "__iter__")
    listed = list(values) if ordered else None
    if not listed:
        example = {"datasets": '["edge"]', "architectures": '["[25, 8, 2]"]', "activations": '["relu"]',
                   "lrs": "[0.1]", "optimizers": '["sgd"]', "seeds": "[0, 1]"}[name]
        raise ValueError(f"'{name}' must be a non-empty list such as {example}; "
                         f"got {listed if ordered else values!r}.")
    return listed


def _check_dataset_options(dataset_options, datasets):
    """{name: {option: value}} with known datasets of the grid and known option names."""
    if dataset_options is None:
        return {}
    allowed = [row.name for row in data_options()]
    if not isinstance(dataset_options, dict):
        raise ValueError("'dataset_options' must be a dict such as {'circles': {'n_samples': 200}}; "
                         f"got {dataset_options!r}.")
    for name, options in dataset_options.items():
        if name not in datasets:
            raise ValueError(f"'dataset_options' names {name!r}, which is not one of the grid's datasets "
                             f"{datasets!r}.")
        if not isinstance(options, dict):
            raise ValueError(f"'dataset_options' for {name!r} must be a dict of {', '.join(allowed)}; "
                             f"got {options!r}.")
        unknown = [key for key in options if key not in allowed]
        if unknown:
            raise ValueError(f"'dataset_options' for {name!r} has {unknown[0]!r}; allowed: {allowed}.")
    return dataset_options
