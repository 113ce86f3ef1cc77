"""Results saved as CSV read back: runs.csv and history.csv (written by ``Results.to_csv``, the app's download
buttons or the command line), checked at the door, with messages that name the file, the column and the
row: a value no run can have is refused, never shown as something else."""
import os

import numpy as np
import pandas as pd

from .architectures import format_architecture, hidden_layers, parse_architecture
from .fields import FIELDS, NO_ACTIVATION, data_options, field_named
from .registry import DATASETS
from .results import (GRAD_NORM_PREFIX, HISTORY_COLUMNS, INT_COLUMNS, RUN_COLUMNS, RUN_STATUSES, STRING_COLUMNS,
                      Results, _check_columns)
from .tables import numeric_column, read_csv


def _read_csv(source, what):
    frame = read_csv(source, what, float_precision="round_trip", keep_default_na=False, na_values=["", "nan", "NaN"])
    frame.columns = [_unescape_text(str(column)) for column in frame.columns]
    return frame


def _to_numeric(frame, columns, what, integer=False):
    for column in columns:
        frame[column] = numeric_column(frame, column, what, integer=integer, allow_empty=not integer)
    return frame


def _check_range(frame, column, what, low, high=np.inf, allow_nan=True):
    values = frame[column].to_numpy(dtype=float)
    ok = (values >= low) & (values <= high)
    if allow_nan:
        ok |= np.isnan(values)
    if not ok.all():
        row = int(np.flatnonzero(~ok)[0])
        raise ValueError(f"{what} column {column!r} must lie in [{low:g}, {high:g}]; row {row + 2} has "
                         f"{values[row]:g}.")


def _unescape_text(value):
    """Undo ``tables.spreadsheet_safe``: a leading apostrophe before a formula character was added on export."""
    return value[1:] if value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r" else value


def run_ranges():
    """{runs.csv column: (lowest, highest)} of every number a run has, one per row of the settings table (the
    bounds check_spec holds a spec to): a saved value outside is no run's, and is refused. A data option's
    bounds are its dataset's (``_check_options``); the batch size may also be "full" (``_batch_size``)."""
    return {row.name: (row.low, np.inf if row.high is None else row.high) for row in FIELDS
            if row.type in (int, float) and not row.per_dataset and not row.none_as}


def runs_from_csv(source, what="runs.csv"):
    """A runs table from a path, bytes or file object, checked column by column: a value that no run can
    have is refused, naming its row, its column and what is allowed."""
    runs = _read_csv(source, what)
    _check_columns(runs, RUN_COLUMNS, what)
    if runs.empty:
        raise ValueError(f"{what} has a header but no runs.")
    runs = runs[RUN_COLUMNS + [c for c in runs.columns if c not in RUN_COLUMNS]].copy()
    for column in STRING_COLUMNS:
        runs[column] = runs[column].fillna("").astype(str).map(_unescape_text)
    for column in ("architecture", "layers"):
        runs[column] = _architectures(runs[column], what)
    numeric = [c for c in RUN_COLUMNS if c not in STRING_COLUMNS + INT_COLUMNS + ["batch_size"]]
    runs = _to_numeric(runs, numeric + INT_COLUMNS, what)  # numbers first: a range is checked before wholeness
    for column, (low, high) in run_ranges().items():
        _check_range(runs, column, what, low, high, allow_nan=False)
    _check_options(runs, what)
    runs = _to_numeric(runs, INT_COLUMNS, what, integer=True)
    runs["batch_size"] = [_batch_size(value, row, what) for row, value in enumerate(runs["batch_size"])]
    # files saved before networks without a hidden layer had activation "none" name the one they were asked with
    runs.loc[runs["layers"].map(hidden_layers) == 0, "activation"] = NO_ACTIVATION
    unknown = sorted(set(runs["status"]) - set(RUN_STATUSES))
    if unknown:
        raise ValueError(f"{what} column 'status' has {unknown[:5]}; allowed: {list(RUN_STATUSES)}.")
    if runs["run_id"].duplicated().any():
        raise ValueError(f"{what} has repeated run_id values.")
    for column in ("train_acc", "test_acc", "best_test_acc"):
        _check_range(runs, column, what, 0, 1)
    for column in ("epochs_run", "run_id"):
        _check_range(runs, column, what, 0)
    return runs


def _architectures(column, what):
    """Layer widths as this app writes them ("[2, 8, 2]"), read with the one parser of architectures; a
    spreadsheet's "[2; 8; 2]" is the same list. Anything else is refused with its row."""
    written = {}
    for row, text in enumerate(column):
        if text not in written:
            try:
                written[text] = format_architecture(parse_architecture(text.replace(";", ",")))
            except ValueError:
                raise ValueError(f"{what} column {column.name!r} must hold layer widths written like [2, 8, 2]; "
                                 f"row {row + 2} has {_cell(text)}.") from None
    return column.map(written)


def _check_options(runs, what):
    """The data options of each built-in dataset's runs lie in its range (the settings table's, for it)."""
    for name, members in runs[runs["dataset"].isin(list(DATASETS))].groupby("dataset", sort=False):
        for row in data_options():
            if getattr(DATASETS[name], row.name) is None:  # the dataset has no such option: the run wrote what it used
                continue
            column, bounds = row.name, row.bounds(DATASETS[name])
            values = members[column].to_numpy(dtype=float)
            bad = np.flatnonzero((values < bounds[0]) | (values > bounds[1]))
            if len(bad):
                row = runs.index.get_loc(members.index[bad[0]])
                raise ValueError(f"{what} column {column!r} must lie in [{bounds[0]:g}, {bounds[1]:g}] for {name}; "
                                 f"row {row + 2} has {values[bad[0]]:g}.")


def _cell(value, limit=40):
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _batch_size(value, row, what):
    batch = field_named("batch_size")
    text = str(value).strip()
    if text == batch.none_as:
        return text
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not (np.isfinite(number) and number == int(number)):
        raise ValueError(f"{what} column 'batch_size' must be a whole number or {batch.none_as!r}; got {value!r}.")
    low, high = batch.bounds()
    if not low <= number <= high:
        raise ValueError(f"{what} column 'batch_size' must lie in [{low}, {high}] (or be {batch.none_as!r}); row "
                         f"{row + 2} has {number:g}.")
    return int(number)


def history_from_csv(source, what="history.csv"):
    history = _read_csv(source, what)
    _check_columns(history, HISTORY_COLUMNS, what)
    grad_columns = [c for c in history.columns if str(c).startswith(GRAD_NORM_PREFIX)]
    history = history[HISTORY_COLUMNS + grad_columns].copy()
    history = _to_numeric(history, HISTORY_COLUMNS[2:] + grad_columns, what)
    history = _to_numeric(history, ["run_id", "epoch"], what, integer=True)
    _check_range(history, "epoch", what, 1, allow_nan=False)
    for column in ("train_acc", "test_acc"):
        _check_range(history, column, what, 0, 1)
    if history.duplicated(["run_id", "epoch"]).any():
        row = int(np.flatnonzero(history.duplicated(["run_id", "epoch"]).to_numpy())[0])
        raise ValueError(f"{what} has the same run_id and epoch twice (row {row + 2}).")
    return history


def results_from_csv(runs_source, history_source=None):
    """Results from a runs CSV and, optionally, a history CSV (each a path, bytes or a file object)."""
    if runs_source is None:
        raise ValueError("'runs_source' must be a path, bytes or a file object holding runs.csv; got None.")
    runs = runs_from_csv(runs_source, "the runs CSV")
    if history_source is None:
        history = pd.DataFrame(columns=HISTORY_COLUMNS)
    else:
        history = history_from_csv(history_source, "the history CSV")
        unknown = sorted(set(history["run_id"]) - set(runs["run_id"]))
        if unknown:
            raise ValueError(f"the history CSV has run_id values {unknown[:5]} that the runs CSV does not; "
                             "upload the two files saved together.")
    return Results(runs, history)


def csv_kind(data):
    """"runs", "history" or None, from the header line of a CSV file's bytes."""
    header = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip().lstrip("\ufeff")
    columns = {column.strip().strip('"') for column in header.split(",")}
    if {"run_id", "epoch"} <= columns:
        return "history"
    if {"run_id", "status"} <= columns:
        return "runs"
    return None


def read_results(folder):
    """Read ``runs.csv`` and ``history.csv`` written by ``Results.to_csv``, with the same checks as
    ``results_from_csv``."""
    if not isinstance(folder, (str, os.PathLike)):
        raise ValueError(f"'folder' must be a path to a folder holding runs.csv and history.csv; got {folder!r}.")
    paths = [os.path.join(folder, name) for name in ("runs.csv", "history.csv")]
    for path in paths:
        if not os.path.isfile(path):
            raise ValueError(f"{path} does not exist; expected runs.csv and history.csv written by to_csv.")
    return results_from_csv(*paths)
