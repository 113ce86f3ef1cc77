"""Datasets, one registry entry each. Every dataset gives a train/test split, deterministic for its seed."""
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits, make_circles, make_moons

from nn._checks import check_choice, check_fraction, check_int, check_positive_float

MIN_SAMPLES, MAX_SAMPLES = 8, 100_000


class _Classes:
    """What a dataset and its registry entry both answer: how many classes, and whether it is 2-D."""

    @property
    def n_classes(self):
        return len(self.class_names)

    @property
    def is_2d(self):
        return self.n_features == 2


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
    image_shape: tuple | None = None
    options: dict = field(default_factory=dict)
    scaler: tuple | None = None  # (mean, std) if the features were standardised; raw input -> (x - mean) / std
    pixel_max: float = 1.0  # the brightest pixel of an image dataset, in raw units (16 for digits)

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
    image_shape: tuple | None = None
    max_samples: int = MAX_SAMPLES


# ----- generators: (rng, n_samples, noise, seed) -> X, y with balanced classes -----
def balanced_labels(rng, n_samples, n_classes):
    """Labels 0..n_classes-1 in equal shares (to within one), in random order."""
    return rng.permutation(np.arange(n_samples) % n_classes)


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
    X, y = make_circles(n_samples=n_samples, noise=noise, factor=0.5, random_state=seed)
    return X, y.astype(np.int64)


def make_moons_data(rng, n_samples, noise, seed):
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


def make_digits(rng, n_samples, noise, seed):
    """scikit-learn's bundled 8x8 digits (1797 images, no download); a random subset if n_samples < 1797."""
    X, y = load_digits(return_X_y=True)
    keep = np.sort(rng.permutation(len(y))[:n_samples])
    return X[keep].astype(float), y[keep].astype(np.int64)


DATASETS = {info.name: info for info in [
    DatasetInfo("edge", "5x5 patches: a dark-to-bright vertical edge, or none", make_edge, 25,
                ("edge", "no edge"), n_samples=250, noise=0.0, test_fraction=0.2, image_shape=(5, 5)),
    DatasetInfo("xor", "XOR cloud: class 1 where both coordinates share a sign", make_xor, 2,
                ("different signs", "same sign"), n_samples=1000, noise=0.0),
    DatasetInfo("xor4", "the four XOR corners (training set = test set)", make_xor4, 2, ("0", "1"),
                test_fraction=None),
    DatasetInfo("circles", "two concentric rings (make_circles, factor 0.5)", make_circles_data, 2,
                ("outer", "inner"), n_samples=500, noise=0.1),
    DatasetInfo("moons", "two interleaving half circles (make_moons)", make_moons_data, 2,
                ("upper", "lower"), n_samples=500, noise=0.1),
    DatasetInfo("spiral", "two interleaved spirals", make_spiral, 2, ("spiral A", "spiral B"),
                n_samples=500, noise=0.0),
    DatasetInfo("gaussians", "two Gaussian blobs", make_gaussians, 2, ("blob A", "blob B"),
                n_samples=500, noise=0.7),
    DatasetInfo("lines", "6x6 images: a horizontal line, a vertical line or an X", make_lines, 36,
                ("horizontal", "vertical", "X"), n_samples=300, noise=0.1, image_shape=(6, 6)),
    DatasetInfo("digits", "scikit-learn's 8x8 handwritten digits, standardised", make_digits, 64,
                tuple(str(d) for d in range(10)), n_samples=1797, image_shape=(8, 8), max_samples=1797),
]}


def stratified_split(rng, y, test_fraction):
    """Indices (train, test) with each class split in the same proportion."""
    train, test = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(test_fraction * len(members)))
        test.append(members[:n_test])
        train.append(members[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def load_dataset(name, n_samples=None, noise=None, test_fraction=None, seed=0):
    """Make dataset ``name`` with its defaults for every option left as None; see DATASETS."""
    info = DATASETS[check_choice("dataset", name, DATASETS)]
    seed = check_int("data seed", seed, minimum=0)
    options = {}
    if info.n_samples is not None:
        options["n_samples"] = info.n_samples if n_samples is None else check_int(
            "n_samples", n_samples, minimum=MIN_SAMPLES, maximum=info.max_samples)
    if info.noise is not None:
        options["noise"] = info.noise if noise is None else check_positive_float("noise", noise, allow_zero=True)
        if options["noise"] > 10:
            raise ValueError(f"'noise' must be at most 10; got {noise!r}.")
    if info.test_fraction is not None:
        options["test_fraction"] = info.test_fraction if test_fraction is None else check_fraction(
            "test_fraction", test_fraction, low=0.05, high=0.9, inclusive_high=True)

    rng = np.random.default_rng(seed)
    X, y = info.make(rng, options.get("n_samples"), options.get("noise"), seed)
    scaler = None
    if info.test_fraction is None:
        X_train, y_train, X_test, y_test = X, y, X, y
    else:
        train, test = stratified_split(rng, y, options["test_fraction"])
        X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
        if name == "digits":  # standardise with statistics of the training part only
            scaler = _training_scaler(X_train)
            X_train, X_test = (X_train - scaler[0]) / scaler[1], (X_test - scaler[0]) / scaler[1]
    return Dataset(name, X_train, y_train, X_test, y_test, info.class_names, info.description,
                   info.image_shape, {**options, "seed": seed}, scaler, 16.0 if name == "digits" else 1.0)


def _training_scaler(X_train):
    """(mean, std) of the training features; a constant feature gets std 1 so it stays finite."""
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0
    return mean, std


# ----- the user's own data -----
MAX_CUSTOM_CLASSES = 20
MAX_CUSTOM_FEATURES = 256
CUSTOM_PREFIX = "csv:"


def csv_columns(data):
    """The column names of a CSV file's bytes (to offer as the label column); ValueError if unreadable."""
    return list(_read_user_csv(data, nrows=5).columns)


def _read_user_csv(data, nrows=None):
    try:
        frame = pd.read_csv(io.BytesIO(data) if isinstance(data, bytes) else data, nrows=nrows)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"the file is not a readable CSV table ({type(error).__name__}: {error}).") from None
    if frame.shape[1] < 2:
        raise ValueError("the file needs at least two columns: one or more numeric features and a label column.")
    return frame


def dataset_from_csv(data, label_column, name="my data", test_fraction=0.25, seed=0, max_samples=MAX_SAMPLES):
    """A Dataset from a CSV file's bytes: numeric feature columns and a label column (any values; each
    distinct value is a class). Features are standardised with statistics of the training part only."""
    frame = _read_user_csv(data)
    if label_column not in frame.columns:
        raise ValueError(f"there is no column {label_column!r}; the columns are {', '.join(map(str, frame.columns))}.")
    if len(frame) > max_samples:
        raise ValueError(f"the file has {len(frame)} rows; this server's limit is {max_samples}. Use fewer rows.")
    labels = frame[label_column]
    if labels.isna().any():
        raise ValueError(f"the label column {label_column!r} has {int(labels.isna().sum())} empty cell(s) "
                         f"(first in row {int(labels.isna().to_numpy().argmax()) + 2}); every row needs a label.")
    features = frame.drop(columns=[label_column])
    if features.shape[1] > MAX_CUSTOM_FEATURES:
        raise ValueError(f"the file has {features.shape[1]} feature columns; the limit is {MAX_CUSTOM_FEATURES}.")
    for column in features.columns:
        values = pd.to_numeric(features[column], errors="coerce")
        bad = values.isna() & features[column].notna()
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise ValueError(f"column {column!r} has a non-numeric value {features[column].iloc[row]!r} in row "
                             f"{row + 2}; feature columns must hold numbers (or choose it as the label column).")
        if values.isna().any():
            raise ValueError(f"column {column!r} has {int(values.isna().sum())} empty cell(s) (first in row "
                             f"{int(values.isna().to_numpy().argmax()) + 2}); fill or remove them.")
        features[column] = values
    class_values = sorted(labels.astype(str).unique())
    if len(class_values) < 2:
        raise ValueError(f"the label column {label_column!r} has a single value; a classifier needs at least 2 classes.")
    if len(class_values) > MAX_CUSTOM_CLASSES:
        raise ValueError(f"the label column {label_column!r} has {len(class_values)} distinct values; the limit is "
                         f"{MAX_CUSTOM_CLASSES} classes. Is it the right column?")
    test_fraction = check_fraction("test_fraction", test_fraction, low=0.05, high=0.9, inclusive_high=True)
    X = features.to_numpy(dtype=float)
    if not np.isfinite(X).all():
        raise ValueError("the feature columns contain infinite values.")
    y = labels.astype(str).map({value: index for index, value in enumerate(class_values)}).to_numpy(np.int64)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    train, test = stratified_split(rng, y, test_fraction)
    if len(test) == 0 or len(train) == 0:
        raise ValueError("the file has too few rows to hold out a test set; add rows or raise the test fraction.")
    scaler = _training_scaler(X[train])
    X = (X - scaler[0]) / scaler[1]
    options = {"n_samples": len(y), "test_fraction": test_fraction, "seed": seed}
    return Dataset(CUSTOM_PREFIX + name, X[train], y[train], X[test], y[test], tuple(class_values),
                   f"your data: {len(y)} rows, {X.shape[1]} features, label {label_column!r}", None, options, scaler)
