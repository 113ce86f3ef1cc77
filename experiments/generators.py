"""The built-in datasets' generators: ``make(rng, n_samples, noise, seed) -> (X, y)``, each with balanced
classes (and what their class sizes are, so that a split's sizes are known before any data is made).
scikit-learn is imported only by the generators that use it."""
import numpy as np


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
