"""Datasets, one registry entry each, their options, splitting, and the Catalog a comparison draws them from
(the built-ins and a visitor's own, own_data.py). The generators are in generators.py.

Every dataset gives a train/test split, deterministic for its seed. What a view needs to know about a
dataset (image shape, pixel range, how to colour it, whether it was standardised) lives on its entry, so
adding an image dataset is one generator and one registry line.
"""
from dataclasses import dataclass, field

import numpy as np

from nn.validation import check_choice, check_fraction, check_int, check_positive_float

from .generators import (balanced_sizes, digits_sizes, make_circles_data, make_digits, make_edge, make_gaussians,
                         make_lines, make_moons_data, make_spiral, make_xor, make_xor4)

MIN_SAMPLES, MAX_SAMPLES = 8, 100_000
MAX_NOISE = 10.0
MIN_TEST_FRACTION, MAX_TEST_FRACTION = 0.05, 0.9


@dataclass(frozen=True)
class ImageFormat:
    """How an image dataset's rows are drawn: ``shape`` (rows, columns), raw pixel values from 0 to
    ``pixel_max``, and ``ink``: "bright" (high values drawn white on black, as a brightness) or "dark"
    (high values drawn black on white, as pen on paper). Every view draws the dataset the same way."""

    shape: tuple
    pixel_max: float = 1.0
    ink: str = "bright"

    @property
    def colorscale(self):
        return "gray_r" if self.ink == "dark" else "gray"


class _Classes:
    """What a dataset and its registry entry both answer: how many classes, whether it is 2-D, its image
    shape (None for data that is not made of images)."""

    @property
    def n_classes(self):
        return len(self.class_names)

    @property
    def is_2d(self):
        return self.n_features == 2

    @property
    def image_shape(self):
        return None if self.image is None else self.image.shape


@dataclass(frozen=True)
class Dataset(_Classes):
    """A train/test split and what is needed to show it."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple
    description: str = ""
    image: ImageFormat | None = None
    options: dict = field(default_factory=dict)
    scaler: tuple | None = None  # (mean, std) if the features were standardised; raw input -> (x - mean) / std

    def standardise(self, raw):
        """Raw features (as drawn or typed) -> the inputs the networks were trained on."""
        raw = np.asarray(raw, dtype=float)
        return raw if self.scaler is None else (raw - self.scaler[0]) / self.scaler[1]

    def raw(self, X):
        """The inverse of ``standardise``."""
        return X if self.scaler is None else X * self.scaler[1] + self.scaler[0]

    @property
    def n_features(self):
        return self.X_train.shape[1]

    def pixels(self, X):
        """Rows of an image dataset as images in raw pixel units: (n, rows, columns)."""
        return self.raw(np.asarray(X)).reshape(-1, *self.image.shape)


@dataclass(frozen=True)
class DatasetInfo(_Classes):
    """A registry entry: how to make the data, its defaults and which options apply."""

    name: str
    description: str
    make: object  # make(rng, n_samples, noise, seed) -> (X, y)
    n_features: int
    class_names: tuple
    n_samples: int | None = None  # None: fixed size
    noise: float | None = None  # None: no noise option
    test_fraction: float | None = 0.25  # None: the test set is the training set
    image: ImageFormat | None = None
    max_samples: int = MAX_SAMPLES
    standardise: bool = False  # scale features with the training part's mean and std
    # class_sizes(n_samples, n_classes) -> how many samples of each class ``make`` gives; None (or a
    # function returning None) when that depends on the draw
    class_sizes: object = None

    def split_sizes(self, n_samples=None, test_fraction=None):
        """(training, test) samples that ``load_dataset`` gives with these options (None: the defaults),
        counted without making the data; None when the class sizes depend on the draw."""
        n_samples = self.n_samples if n_samples is None else n_samples
        test_fraction = self.test_fraction if test_fraction is None else test_fraction
        sizes = None if self.class_sizes is None or n_samples is None else self.class_sizes(n_samples, self.n_classes)
        if sizes is None:
            return None
        if self.test_fraction is None:  # the test set is the training set
            return n_samples, n_samples
        n_test = sum(held_out_count(size, test_fraction) for size in sizes)
        return n_samples - n_test, n_test


DATASETS = {info.name: info for info in [
    DatasetInfo("edge", "5x5 patches: a dark-to-bright vertical edge, or none", make_edge, 25,
                ("edge", "no edge"), n_samples=250, noise=0.0, test_fraction=0.2, image=ImageFormat((5, 5)),
                class_sizes=balanced_sizes),
    DatasetInfo("xor", "XOR cloud: class 1 where both coordinates share a sign", make_xor, 2,
                ("different signs", "same sign"), n_samples=1000, noise=0.0),
    DatasetInfo("xor4", "the four XOR corners (training set = test set)", make_xor4, 2, ("0", "1"),
                test_fraction=None),
    DatasetInfo("circles", "two concentric rings (make_circles, factor 0.5)", make_circles_data, 2,
                ("outer", "inner"), n_samples=500, noise=0.1, class_sizes=balanced_sizes),
    DatasetInfo("moons", "two interleaving half circles (make_moons)", make_moons_data, 2,
                ("upper", "lower"), n_samples=500, noise=0.1, class_sizes=balanced_sizes),
    DatasetInfo("spiral", "two interleaved spirals", make_spiral, 2, ("spiral A", "spiral B"),
                n_samples=500, noise=0.0, class_sizes=balanced_sizes),
    DatasetInfo("gaussians", "two Gaussian blobs", make_gaussians, 2, ("blob A", "blob B"),
                n_samples=500, noise=0.7, class_sizes=balanced_sizes),
    DatasetInfo("lines", "6x6 images: a horizontal line, a vertical line or an X", make_lines, 36,
                ("horizontal", "vertical", "X"), n_samples=300, noise=0.1, image=ImageFormat((6, 6)),
                class_sizes=balanced_sizes),
    DatasetInfo("digits", "scikit-learn's 8x8 handwritten digits, standardised", make_digits, 64,
                tuple(str(d) for d in range(10)), n_samples=1797, max_samples=1797, standardise=True,
                image=ImageFormat((8, 8), pixel_max=16.0, ink="dark"), class_sizes=digits_sizes),
]}


def image_dataset_names():
    return [name for name, info in DATASETS.items() if info.image is not None]


def held_out_count(class_size, test_fraction):
    """How many of a class's samples ``stratified_split`` holds out."""
    return int(round(test_fraction * class_size))


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


OPTION_ABSENT = {"n_samples": "it has a fixed size", "noise": "it has no noise option",
                 "test_fraction": "its test set is its training set"}


def option_range(name, option):
    """(lowest, highest) of data option ``option`` of built-in dataset ``name``, as check_options holds it
    (and the sidebar's widgets, and a saved runs.csv); None if the dataset has no such option."""
    info = DATASETS[name]
    if getattr(info, option) is None:
        return None
    return {"n_samples": (MIN_SAMPLES, info.max_samples), "noise": (0.0, MAX_NOISE),
            "test_fraction": (MIN_TEST_FRACTION, MAX_TEST_FRACTION)}[option]


def check_options(name, n_samples=None, noise=None, test_fraction=None):
    """The options of built-in dataset ``name``, checked, with its defaults for those left as None:
    {"n_samples", "noise", "test_fraction"}, only those it has. Giving one it does not have (samples for
    xor4, noise for digits) is a ValueError, not silently ignored."""
    info = DATASETS[check_choice("dataset", name, DATASETS)]
    for option, value in (("n_samples", n_samples), ("noise", noise), ("test_fraction", test_fraction)):
        if value is not None and getattr(info, option) is None:
            raise ValueError(f"'{option}' does not apply to {name} ({OPTION_ABSENT[option]}); leave it out.")
    options = {}
    if info.n_samples is not None:
        options["n_samples"] = info.n_samples if n_samples is None else check_int(
            "n_samples", n_samples, minimum=MIN_SAMPLES, maximum=info.max_samples)
    if info.noise is not None:
        options["noise"] = info.noise if noise is None else check_positive_float("noise", noise, allow_zero=True)
        if options["noise"] > MAX_NOISE:
            raise ValueError(f"'noise' must be at most {MAX_NOISE}; got {noise!r}.")
    if info.test_fraction is not None:
        options["test_fraction"] = info.test_fraction if test_fraction is None else check_fraction(
            "test_fraction", test_fraction, low=MIN_TEST_FRACTION, high=MAX_TEST_FRACTION, inclusive_high=True)
    return options


def load_dataset(name, n_samples=None, noise=None, test_fraction=None, seed=0):
    """Make dataset ``name`` with its defaults for every option left as None; see DATASETS. A split that
    leaves no training or no test rows, or misses a class in training, is a ValueError saying what to change."""
    options = check_options(name, n_samples, noise, test_fraction)
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
