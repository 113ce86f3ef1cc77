"""The plane a boundary panel is drawn in, and a network's answer over it as a few bytes.

NumPy only (no pandas, no Plotly): the training workers call it for the networks they hold, and the server
for finished ones, so both draw the same grid over the same plane.

A panel's plane is the data itself when it has two features, else the first two principal components of
its training part (``projection``); it spans the training and test points, padded by 8% on each side.
A grid is ``resolution`` x ``resolution`` points of that plane in image order: the first row is the top
(the largest y), each row runs left to right (increasing x), as a canvas's ``putImageData`` reads pixels.

``probability_grid`` quantises the network's prediction at those points to bytes:
- two classes: one byte per point, P(class 1) x 255 rounded (0: surely class 0, 255: surely class 1);
- more classes: two planes of one byte per point, first the predicted class of every point, then its
  probability x 255 rounded (the confidence): 2 x resolution^2 bytes.
A point whose prediction is not finite (a network that diverged) reads 128 (binary) or class 0 with
confidence 0.
"""
import numpy as np

GRID_RESOLUTION = 40  # points per side: a few KB a panel, and smooth once the browser scales it up
PAD = 0.08  # the plane's margin around the data, as a fraction of its extent


def projection(X_train):
    """(to_plane, from_plane, axis names): identity for 2-D data, else the first two principal components."""
    if X_train.shape[1] == 2:
        return (lambda X: X), (lambda P: P), ("x1", "x2")
    mean = X_train.mean(axis=0)
    _, _, components = np.linalg.svd(X_train - mean, full_matrices=False)
    basis = components[:2]  # (2, n_features)
    return (lambda X: (X - mean) @ basis.T), (lambda P: mean + P @ basis), ("PC 1", "PC 2")


class Plane:
    """Where a dataset's panels are drawn: ``to_plane``/``from_plane`` between input space and the plane,
    ``axis_names`` ("x1", "x2" or "PC 1", "PC 2"), and the padded extent ``x_range``, ``y_range``."""

    def __init__(self, X_train, X_test=None, pad=PAD):
        self.to_plane, self.from_plane, self.axis_names = projection(X_train)
        points = self.to_plane(X_train if X_test is None or not len(X_test) else np.vstack([X_train, X_test]))
        low, high = points.min(axis=0), points.max(axis=0)
        margin = pad * (high - low) + 1e-9
        self.x_range = (float(low[0] - margin[0]), float(high[0] + margin[0]))
        self.y_range = (float(low[1] - margin[1]), float(high[1] + margin[1]))
        self.n_features = X_train.shape[1]

    def axes(self, resolution):
        """(gx, gy): the grid's x values left to right and y values bottom to top."""
        return np.linspace(*self.x_range, resolution), np.linspace(*self.y_range, resolution)

    def grid_inputs(self, resolution=GRID_RESOLUTION):
        """The grid's points in input space, (resolution^2, n_features), in image order (top row first)."""
        gx, gy = self.axes(resolution)
        xs, ys = np.meshgrid(gx, gy[::-1])
        return self.from_plane(np.column_stack([xs.ravel(), ys.ravel()]))


def dataset_plane(data):
    """The Plane of a Dataset (anything with X_train and X_test)."""
    return Plane(data.X_train, data.X_test)


def quantise(proba):
    """Probabilities (points, classes) as the bytes ``probability_grid`` describes."""
    proba = np.asarray(proba, dtype=float)
    finite = np.isfinite(proba).all(axis=1)
    if proba.shape[1] == 2:
        return np.where(finite, np.rint(np.nan_to_num(proba[:, 1]) * 255), 128).astype(np.uint8).tobytes()
    safe = np.where(finite[:, None], proba, 0.0)
    classes = safe.argmax(axis=1).astype(np.uint8)
    confidence = np.rint(safe.max(axis=1) * 255).astype(np.uint8)
    return classes.tobytes() + confidence.tobytes()


def probability_grid(network, grid_inputs, n_classes):
    """The network's prediction over ``grid_inputs`` (``Plane.grid_inputs``), quantised to bytes (see the
    module's docstring); ``n_classes`` says which encoding, and is checked against the network's output."""
    with np.errstate(all="ignore"):
        proba = network.predict_proba(grid_inputs)
    if proba.shape[1] != n_classes:
        raise ValueError(f"the network predicts {proba.shape[1]} classes; the grid was asked for {n_classes}.")
    return quantise(proba)


def grid_bytes(n_classes, resolution=GRID_RESOLUTION):
    """How many bytes one grid of ``n_classes`` takes."""
    return resolution * resolution * (1 if n_classes == 2 else 2)
