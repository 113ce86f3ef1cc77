"""The built-in datasets: one registry entry each, with the facts every view needs (features, classes,
image shape and pixel range, whether it is standardised, its default options and how many samples it may
have), and the Dataset a loaded split is. Adding a dataset is one generator (generators.py) and one entry.

Loading a dataset (its options checked against the settings table, split, the Catalog) is datasets.py.
"""
from dataclasses import dataclass, field

import numpy as np

from .generators import (balanced_sizes, digits_sizes, make_circles_data, make_digits, make_edge, make_gaussians,
                         make_lines, make_moons_data, make_spiral, make_xor, make_xor4)

MAX_SAMPLES = 100_000  # what a dataset may have unless its entry says less (digits has 1797)


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
