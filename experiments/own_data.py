"""A visitor's own data: a CSV file's bytes turned into a Dataset (numeric features and a label column),
checked with messages that say what to change, standardised with the training part's statistics. Never
shared with other visitors, never stored."""
import numpy as np

from nn.validation import check_fraction, check_int

from .datasets import _training_scaler, stratified_split
from .fields import MAX_TEST_FRACTION, MIN_TEST_FRACTION
from .registry import MAX_SAMPLES, Dataset

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
        raise ValueError(f"the file has {len(y)} rows, too few to hold out {test_fraction:.0%} of each class for "
                         "testing and train on the rest; add rows.")
    scaler = _training_scaler(X[train])
    X = (X - scaler[0]) / scaler[1]
    options = {"n_samples": len(y), "test_fraction": test_fraction, "seed": seed}
    return Dataset(CUSTOM_PREFIX + name, X[train], y[train], X[test], y[test], tuple(class_values),
                   f"your data: {len(y)} rows, {X.shape[1]} features, label {label_column!r}", None, options, scaler)
