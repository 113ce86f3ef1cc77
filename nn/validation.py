"""Validation at the door, in scikit-learn's style: name the parameter, what is allowed, what came in.

Public: ``experiments`` and notebooks check their own parameters with the same functions and messages.
"""
import numbers

import numpy as np

MAX_UNITS = 4096
MAX_WEIGHT_LAYERS = 12


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices`` (a dict or list of names)."""
    allowed = sorted(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"'{name}' must be one of {allowed}; got {value!r}.")
    return value


def check_positive_float(name, value, allow_zero=False):
    """A finite real number > 0 (or >= 0), or an array of them (used for stacked models)."""
    array = np.asarray(value)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise ValueError(f"'{name}' must be a real number; got {value!r}.")
    bound = "a finite number >= 0" if allow_zero else "a finite number > 0"
    ok = np.isfinite(array) & ((array >= 0) if allow_zero else (array > 0))
    if not np.all(ok):
        raise ValueError(f"'{name}' must be {bound}; got {value!r}.")
    return float(value) if array.ndim == 0 else array.astype(np.float64)


def check_dtype(dtype, name="dtype"):
    """numpy's float32 or float64 (given as a dtype, a type or a name such as "float32")."""
    try:
        checked = None if dtype is None else np.dtype(dtype)
    except (TypeError, ValueError):
        checked = None
    if checked not in (np.float32, np.float64):
        raise ValueError(f"'{name}' must be float32 or float64; got {dtype!r}.")
    return checked


def check_fraction(name, value, low=0.0, high=1.0, inclusive_high=False):
    value = check_positive_float(name, value, allow_zero=True)
    if not (low <= value < high or (inclusive_high and value == high)):
        bracket = "]" if inclusive_high else ")"
        raise ValueError(f"'{name}' must be in [{low}, {high}{bracket}; got {value!r}.")
    return value


def check_int(name, value, minimum=1, maximum=None):
    """An integer in [minimum, maximum]; bools and floats such as 2.5 are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"'{name}' must be an integer; got {value!r}.")
    if value < minimum or (maximum is not None and value > maximum):
        allowed = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"'{name}' must be an integer {allowed}; got {value!r}.")
    return int(value)


def check_layer_sizes(layer_sizes, name="'layer_sizes'"):
    """``[n_in, hidden..., n_classes]``: at least two positive widths, each <= MAX_UNITS."""
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise ValueError(f"{name} must be a list of integers such as [25, 8, 2]; got {layer_sizes!r}.")
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"{name} needs at least 2 entries (inputs and classes), such as [25, 2]; got {sizes!r}.")
    if len(sizes) - 1 > MAX_WEIGHT_LAYERS:
        raise ValueError(
            f"{name} allows at most {MAX_WEIGHT_LAYERS} weight layers ({MAX_WEIGHT_LAYERS + 1} entries); "
            f"got {len(sizes) - 1} in {sizes!r}.")
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or not 1 <= size <= MAX_UNITS:
            raise ValueError(
                f"{name} entries must be integers between 1 and {MAX_UNITS}; got {size!r} in {sizes!r}.")
    if sizes[-1] < 2:
        raise ValueError(f"{name} must end with at least 2 classes; got {sizes[-1]} in {sizes!r}.")
    return [int(size) for size in sizes]


def check_X(X, n_features, dtype, name="X"):
    """A finite 2-D float array with ``n_features`` columns."""
    try:
        X = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(f"'{name}' must be a 2-D array of numbers.") from None
    if X.ndim != 2:
        raise ValueError(f"'{name}' must be 2-D (samples, features); got shape {X.shape}.")
    if X.shape[1] != n_features:
        raise ValueError(
            f"'{name}' has {X.shape[1]} features but the network's input layer expects {n_features}.")
    if X.shape[0] == 0:
        raise ValueError(f"'{name}' has no samples.")
    if not np.isfinite(X).all():
        raise ValueError(f"'{name}' contains NaN or infinite values; clean or impute them first.")
    return X


def check_labels(y, n_samples, n_classes, name="y"):
    """Integer labels in [0, n_classes) or a one-hot matrix; returns integer labels."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == n_classes and y.shape[0] == n_samples:
        is_one_hot = np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all()
        if not is_one_hot:
            raise ValueError(f"'{name}' looks one-hot (shape {y.shape}) but its rows are not 0/1 with a single 1.")
        return y.argmax(axis=1)
    if y.ndim != 1:
        raise ValueError(
            f"'{name}' must be integer labels of shape ({n_samples},) or one-hot ({n_samples}, {n_classes}); "
            f"got shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise ValueError(f"'{name}' has {y.shape[0]} labels but X has {n_samples} samples.")
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise ValueError(f"'{name}' must hold integer class labels; got dtype {y.dtype}.")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"'{name}' labels must be in [0, {n_classes}) for a network with {n_classes} outputs; "
            f"got values from {y.min()} to {y.max()}.")
    return y.astype(np.int64)
