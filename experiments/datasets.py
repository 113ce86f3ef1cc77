"""Loading a dataset: its options checked against the settings table's data options (fields.py), made by its
generator, split into training and test parts, and the Catalog a comparison draws datasets from (the
built-ins and a visitor's own, own_data.py). The registry of built-in datasets is registry.py.

Every dataset gives a train/test split, deterministic for its seed.
"""
import numpy as np

from nn.validation import check_choice, check_int

from .fields import (MAX_NOISE, MAX_TEST_FRACTION, MIN_SAMPLES, MIN_TEST_FRACTION,  # noqa: F401 (the sidebar's)
                     check, data_options)
from .registry import (DATASETS, MAX_SAMPLES, Dataset, DatasetInfo, ImageFormat,  # noqa: F401 (re-exported)
                       held_out_count, image_dataset_names)


def stratified_split(rng, y, test_fraction):
    """Indices (train, test) with each class split in the same proportion."""
    train, test = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = held_out_count(len(members), test_fraction)
        test.append(members[:n_test])
        train.append(members[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def _check_split(name, y_train, y_test, n_classes):
    """Refuse a split a network cannot be trained and tested on, saying what to change."""
    if len(y_train) == 0 or len(y_test) == 0:
        part = "training" if len(y_train) == 0 else "test"
        raise ValueError(f"{name}: {len(y_train) + len(y_test)} samples with this test fraction leave no "
                         f"{part} samples; use more samples or a {'smaller' if part == 'training' else 'larger'} "
                         "test fraction.")
    missing = n_classes - len(np.unique(y_train))
    if missing:
        raise ValueError(f"{name}: the training part has no sample of {missing} of the {n_classes} classes; "
                         "use more samples or a smaller test fraction.")


def check_options(name, **options):
    """The options of built-in dataset ``name``, checked, with its defaults for those left out or None:
    {"n_samples", "noise", "test_fraction"}, only those it has. Giving one it does not have (samples for
    xor4, noise for digits) is a ValueError, not silently ignored."""
    info = DATASETS[check_choice("dataset", name, DATASETS)]
    rows = data_options()
    unknown = [option for option in options if option not in {row.name for row in rows}]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a data option; allowed: {[row.name for row in rows]}.")
    for row in rows:
        if options.get(row.name) is not None and getattr(info, row.name) is None:
            raise ValueError(f"'{row.name}' does not apply to {name} ({row.absent}); leave it out.")
    return {row.name: getattr(info, row.name) if options.get(row.name) is None else check(row, options[row.name], info)
            for row in rows if getattr(info, row.name) is not None}


def load_dataset(name, n_samples=None, noise=None, test_fraction=None, seed=0):
    """Make dataset ``name`` with its defaults for every option left as None; see DATASETS. A split that
    leaves no training or no test rows, or misses a class in training, is a ValueError saying what to change."""
    options = check_options(name, n_samples=n_samples, noise=noise, test_fraction=test_fraction)
    info = DATASETS[name]
    seed = check_int("data seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    X, y = info.make(rng, options.get("n_samples"), options.get("noise"), seed)
    scaler = None
    if info.test_fraction is None:
        X_train, y_train, X_test, y_test = X, y, X, y
    else:
        train, test = stratified_split(rng, y, options["test_fraction"])
        X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
        _check_split(name, y_train, y_test, info.n_classes)
        if info.standardise:  # with statistics of the training part only
            scaler = _training_scaler(X_train)
            X_train, X_test = (X_train - scaler[0]) / scaler[1], (X_test - scaler[0]) / scaler[1]
    return Dataset(name, X_train, y_train, X_test, y_test, info.class_names, info.description, info.image,
                   {**options, "seed": seed}, scaler)


def _training_scaler(X_train):
    """(mean, std) of the training features; a constant feature gets std 1 so it stays finite."""
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[~(std > 0)] = 1.0
    return mean, std


# ----- the catalog: built-in datasets plus a visitor's own -----
class Catalog:
    """Where a comparison finds its data: the built-in registry plus datasets of the user's own (made by
    ``dataset_from_csv``), by name. ``max_samples`` caps what any load may ask for (a public server's
    limit); ``Catalog()`` is the built-ins with their own limits."""

    def __init__(self, own=(), max_samples=MAX_SAMPLES):
        own = list(own.values()) if isinstance(own, dict) else own
        if isinstance(own, (str, bytes)) or not hasattr(own, "__iter__"):
            raise ValueError(f"'own' must be a list of Datasets made by dataset_from_csv; got {own!r}.")
        own = list(own)
        for data in own:
            if not isinstance(data, Dataset):
                raise ValueError(f"'own' must hold Datasets made by dataset_from_csv; got {data!r}.")
            if data.name in DATASETS:
                raise ValueError(f"an own dataset cannot be called {data.name!r}, the name of a built-in one.")
        self.own = {data.name: data for data in own}
        self.max_samples = check_int("max_samples", max_samples, minimum=MIN_SAMPLES)

    def names(self):
        return [*DATASETS, *self.own]

    def __contains__(self, name):
        return isinstance(name, str) and (name in DATASETS or name in self.own)

    def check_name(self, name):
        if name not in self:
            check_choice("dataset", name, self.names())
        return name

    def info(self, name):
        """What is known before loading: description, features, classes, image format (a DatasetInfo, or
        the Dataset itself for the user's own)."""
        return DATASETS[name] if name in DATASETS else self.own[self.check_name(name)]

    def max_samples_of(self, name):
        return min(self.max_samples, self.info(name).max_samples) if name in DATASETS else self.max_samples

    def load(self, name, n_samples=None, noise=None, test_fraction=None, seed=0):
        """The Dataset ``name`` with these options (None: the dataset's default)."""
        self.check_name(name)
        if name in self.own:
            return self.own[name]
        limit = self.max_samples_of(name)
        if n_samples is not None and not isinstance(n_samples, bool) and isinstance(n_samples, (int, np.integer)) \
                and n_samples > limit:
            raise ValueError(f"{n_samples} samples for {name} is over the limit of {limit}; use fewer samples.")
        return load_dataset(name, n_samples, noise, test_fraction, seed)

    def __eq__(self, other):
        return isinstance(other, Catalog) and self.max_samples == other.max_samples and \
            list(self.own) == list(other.own) and all(a is b for a, b in zip(self.own.values(), other.own.values()))

    __hash__ = None

    def __repr__(self):
        return f"Catalog(own={list(self.own)}, max_samples={self.max_samples})"


def as_catalog(catalog):
    """``catalog`` if it is one, the built-ins for None; ValueError for anything else."""
    if catalog is None:
        return Catalog()
    if not isinstance(catalog, Catalog):
        raise ValueError(f"'catalog' must be an experiments.Catalog (or None for the built-in datasets); "
                         f"got {catalog!r}.")
    return catalog
