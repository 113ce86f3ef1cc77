"""Datasets, one registry entry each, and the Catalog a comparison draws them from.

Every dataset gives a train/test split, deterministic for its seed. What a view needs to know about a
dataset (image shape, pixel range, how to colour it, whether it was standardised) lives on its entry, so
adding an image dataset is one registry line. scikit-learn is imported only by the datasets that use it.
"""
from dataclasses import dataclass, field

import numpy as np

from nn.validation import check_choice, check_fraction, check_int, check_positive_float

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

    @property
    def n_pixels(self):
        return self.shape[0] * self.shape[1]


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


# ----- generators: (rng, n_samples, noise, seed) -> X, y with balanced classes -----
def balanced_labels(rng, n_samples, n_classes):
    """Labels 0..n_classes-1 in equal shares (to within one), in random order."""
    return rng.permutation(np.arange(n_samples) % n_classes)


def balanced_sizes(n_samples, n_classes):
    """The class sizes of ``balanced_labels`` (and of make_circles and make_moons, which give n // 2 of one
    class and the rest of the other): equal shares, the first n_samples % n_classes classes one larger."""
    return [n_samples // n_classes + (label < n_samples % n_classes) for label in range(n_classes)]


def make_edge(rng, n_samples, noise, seed):
    """5x5 patches: 0 = a dark-to-bright vertical edge, 1 = no edge (flat grey, or the reversed step)."""
    y = balanced_labels(rng, n_samples, 2)
    X = np.empty((n_samples, 5, 5))
    columns = np.arange(5)
    edge_at = rng.integers(1, 4, size=n_samples)  # first bright column, 1..3
    X[:] = np.where(columns >= edge_at[:, None], 0.9, 0.1)[:, None, :]
    flat = rng.random(n_samples) < 0.5
    grey = rng.uniform(0.3, 0.7, size=n_samples)
    no_edge = y == 1
    X[no_edge & flat] = grey[no_edge & flat, None, None]
    X[no_edge & ~flat] = np.where(columns >= 2, 0.1, 0.9)
    X = X.reshape(n_samples, 25)
    if noise:
        X = np.clip(X + rng.normal(0.0, noise, size=X.shape), 0.0, 1.0)
    return X, y


def make_lines(rng, n_samples, noise, seed):
    """6x6 images of a horizontal line, a vertical line or an X, with pixel noise."""
    y = balanced_labels(rng, n_samples, 3)
    X = np.zeros((n_samples, 6, 6))
    position = rng.integers(0, 6, size=n_samples)
    rows = np.arange(n_samples)
    X[rows[y == 0], position[y == 0], :] = 1.0
    X[rows[y == 1], :, position[y == 1]] = 1.0
    diagonals = np.eye(6) + np.fliplr(np.eye(6)) > 0
    X[y == 2] = diagonals
    X = X.reshape(n_samples, 36)
    if noise:
        X = np.clip(X + rng.normal(0.0, noise, size=X.shape), 0.0, 1.0)
    return X, y


def make_xor(rng, n_samples, noise, seed):
    """Points from N(0, 2^2) in 2-D; class 1 when both coordinates have the same sign."""
    X = rng.normal(0.0, 2.0, size=(n_samples, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    if noise:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return X, y


def make_xor4(rng, n_samples, noise, seed):
    """The four corners of the unit square, labelled by XOR."""
    return np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float), np.array([0, 1, 1, 0])


def make_circles_data(rng, n_samples, noise, seed):
    from sklearn.datasets import make_circles
    X, y = make_circles(n_samples=n_samples, noise=noise, factor=0.5, random_state=seed)
    return X, y.astype(np.int64)


def make_moons_data(rng, n_samples, noise, seed):
    from sklearn.datasets import make_moons
    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return X, y.astype(np.int64)


def make_spiral(rng, n_samples, noise, seed):
    """Two interleaved spirals (as in TensorFlow Playground), radius up to 1."""
    y = balanced_labels(rng, n_samples, 2)
    t = rng.uniform(0.0, 1.0, size=n_samples)
    angle = 1.75 * 2 * np.pi * t + np.pi * y
    X = np.column_stack([t * np.cos(angle), t * np.sin(angle)])
    if noise:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return X, y


def make_gaussians(rng, n_samples, noise, seed):
    """Two round blobs centred at (-1, -1) and (1, 1) with standard deviation ``noise``."""
    y = balanced_labels(rng, n_samples, 2)
    X = np.where(y[:, None] == 1, 1.0, -1.0) + rng.normal(0.0, noise, size=(n_samples, 2))
    return X, y


DIGITS_CLASS_SIZES = (178, 182, 177, 183, 181, 182, 181, 179, 174, 180)  # scikit-learn's bundled digits, 0-9


def digits_sizes(n_samples, n_classes):
    """All 1797 digits have known class sizes; a random subset's depend on the draw."""
    return DIGITS_CLASS_SIZES if n_samples == sum(DIGITS_CLASS_SIZES) else None


def make_digits(rng, n_samples, noise, seed):
    """scikit-learn's bundled 8x8 digits (1797 images, no download); a random subset if n_samples < 1797."""
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    keep = np.sort(rng.permutation(len(y))[:n_samples])
    return X[keep].astype(float), y[keep].astype(np.int64)


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

    def with_dataset(self, data):
        """A new catalog that also holds ``data`` (replacing an own dataset of the same name)."""
        return Catalog([*[d for n, d in self.own.items() if n != data.name], data], self.max_samples)

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


# ----- the user's own data -----
MAX_CUSTOM_CLASSES = 20
MAX_CUSTOM_FEATURES = 256
CUSTOM_PREFIX = "csv:"
MAX_CUSTOM_MAGNITUDE = 1e150  # beyond this, squaring in the standardisation overflows


def csv_columns(data):
    """The column names of a CSV file's bytes (to offer as the label column); ValueError if unreadable."""
    return [str(column) for column in _read_user_csv(data, nrows=5).columns]


def _read_user_csv(data, nrows=None, label_column=None):
    from .tables import SEPARATORS, read_csv
    # wider than a dataset may be: said from the first line alone (a 10^5-column file costs no parse)
    head = data[:data.find(b"\n") % (len(data) + 1)] if isinstance(data, bytes) else b""
    columns = max(head.count(separator.encode()) for separator in SEPARATORS) + 1
    if columns > MAX_CUSTOM_FEATURES + 1:
        raise ValueError(f"the file has {columns} columns; at most {MAX_CUSTOM_FEATURES + 1} "
                         f"({MAX_CUSTOM_FEATURES} features and a label) can be used.")
    # the labels as written: "NA" is a class name, not a missing value, and "1.0" is not turned into 1
    options = {} if label_column is None else {"converters": {label_column: str}}
    frame = read_csv(data, "the file", nrows=nrows, **options)
    if frame.shape[1] < 2:
        hint = ""
        text_start = frame.columns[0] if len(frame.columns) else ""
        if any(sep in str(text_start) for sep in ";\t|"):
            hint = " It seems to use another separator than commas; save it with commas."
        raise ValueError("the file needs at least two columns: one or more numeric features and a label column."
                         + hint)
    return frame


def _classes(labels):
    """(each row's class name, the class names in order, the distinct writings of the labels). Labels that
    are all numbers name their class by the number, so "1", "1.0" and "01" are one class, "1", and classes
    sort as numbers (2 before 10); other labels are their own text, sorted as text."""
    import pandas as pd
    written = list(dict.fromkeys(labels))
    numbers = pd.to_numeric(labels, errors="coerce")
    if numbers.isna().any() or not np.isfinite(numbers).all():
        return labels, sorted(set(labels)), written
    names = numbers.map(lambda value: str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value))
    return names, sorted(set(names), key=float), written


def dataset_from_csv(data, label_column, name="my data", test_fraction=0.25, seed=0, max_samples=MAX_SAMPLES):
    """A Dataset from a CSV file's bytes: numeric feature columns and a label column (any values; each
    distinct value is a class). Features are standardised with statistics of the training part only.
    The separator (comma, semicolon, tab or '|') is detected."""
    from .tables import numeric_column
    frame = _read_user_csv(data, label_column=label_column)
    frame.columns = [str(column) for column in frame.columns]
    if label_column not in frame.columns:
        raise ValueError(f"there is no column {label_column!r}; the columns are {', '.join(frame.columns)}.")
    if frame.empty:
        raise ValueError("the file has a header but no rows of data.")
    if len(frame) > max_samples:
        raise ValueError(f"the file has {len(frame)} rows; this server's limit is {max_samples}. Use fewer rows.")
    labels = frame[label_column].astype(str).str.strip()
    empty = (labels == "").to_numpy()
    if empty.any():
        raise ValueError(f"the label column {label_column!r} has {int(empty.sum())} empty cell(s) "
                         f"(first in row {int(empty.argmax()) + 2}); every row needs a label.")
    features = frame.drop(columns=[label_column])
    if features.shape[1] > MAX_CUSTOM_FEATURES:
        raise ValueError(f"the file has {features.shape[1]} feature columns; the limit is {MAX_CUSTOM_FEATURES}.")
    for column in features.columns:
        features[column] = numeric_column(features, column, "the feature", allow_empty=False,
                                          hint=" (or choose it as the label column)")
    labels, class_values, written = _classes(labels)
    if len(class_values) < 2:
        alike = f": {' and '.join(written[:2])} are the same number" if len(written) > 1 else ""
        raise ValueError(f"the label column {label_column!r} holds one class only{alike}; a classifier needs at least "
                         "2 classes.")
    if len(class_values) > MAX_CUSTOM_CLASSES:
        raise ValueError(f"the label column {label_column!r} has {len(class_values)} distinct values; the limit is "
                         f"{MAX_CUSTOM_CLASSES} classes. Is it the right column?")
    test_fraction = check_fraction("test_fraction", test_fraction, low=MIN_TEST_FRACTION, high=MAX_TEST_FRACTION,
                                   inclusive_high=True)
    X = features.to_numpy(dtype=float)
    if not np.isfinite(X).all():
        raise ValueError("the feature columns contain infinite values.")
    too_large = np.abs(X) > MAX_CUSTOM_MAGNITUDE
    if too_large.any():
        row, col = np.argwhere(too_large)[0]
        raise ValueError(f"column {features.columns[col]!r} has {X[row, col]:.3g} in row {row + 2}; values must lie "
                         f"within ±{MAX_CUSTOM_MAGNITUDE:.0e} (rescale the column).")
    y = labels.map({value: index for index, value in enumerate(class_values)}).to_numpy(np.int64)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    train, test = stratified_split(rng, y, test_fraction)
    if len(test) == 0 or len(train) == 0:
        raise ValueError("the file has too few rows to hold out a test set; add rows or raise the test fraction.")
    scaler = _training_scaler(X[train])
    X = (X - scaler[0]) / scaler[1]
    options = {"n_samples": len(y), "test_fraction": test_fraction, "seed": seed}
    return Dataset(CUSTOM_PREFIX + name, X[train], y[train], X[test], y[test], tuple(class_values),
                   f"your data: {len(y)} rows, {X.shape[1]} features, label {label_column!r}", None, options, scaler)
