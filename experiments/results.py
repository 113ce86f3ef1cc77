"""Results of a grid: a runs table, a per-epoch history table, the trained networks, and CSV files."""
import os
import uuid
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nn.training import MAX_EPOCHS

from .datasets import DATASETS, option_range
from .specs import MAX_BATCH_SIZE, MAX_SEED, MIN_LR, NO_ACTIVATION, format_architecture, parse_architecture
from .tables import numeric_column, read_csv, to_csv_text, write_csv

RUN_STATUSES = ("ok", "diverged", "stopped", "error")
RUNNING, WAITING = "running", "waiting"  # runs in training and not started yet, while a comparison trains
# nn calls the held-out data "validation" (its History.val_*); the experiments' tables call it test data
METRIC_NAMES = {"train_loss": "train_loss", "train_acc": "train_acc", "val_loss": "test_loss", "val_acc": "test_acc",
                "grad_norm": "grad_norm"}
CONFIG_COLUMNS = ["dataset", "architecture", "layers", "activation", "optimizer", "lr", "epochs", "batch_size",
                  "l2", "n_samples", "noise", "test_fraction", "data_seed"]
METRIC_COLUMNS = ["train_loss", "train_acc", "test_loss", "test_acc", "best_test_acc", "best_epoch"]
RUN_COLUMNS = ["run_id", *CONFIG_COLUMNS[:9], "seed", *CONFIG_COLUMNS[9:], "status", "message", "epochs_run",
               *METRIC_COLUMNS, "n_params", "seconds"]
HISTORY_COLUMNS = ["run_id", "epoch", "train_loss", "train_acc", "test_loss", "test_acc"]
GRAD_NORM_PREFIX = "grad_norm_"
STRING_COLUMNS = ["dataset", "architecture", "layers", "activation", "optimizer", "status", "message"]
INT_COLUMNS = ["run_id", "epochs", "seed", "data_seed", "epochs_run", "n_params"]
# columns a user may vary; the label of a configuration names only those that vary
LABEL_PARTS = [("dataset", "{}"), ("architecture", "{}"), ("activation", "{}"), ("optimizer", "{}"),
               ("lr", "lr {}"), ("batch_size", "batch {}"), ("l2", "L2 {}"), ("epochs", "{} epochs"),
               ("n_samples", "n {}"), ("noise", "noise {}"), ("test_fraction", "test {}"),
               ("data_seed", "data seed {}")]


@dataclass
class Results:
    """``runs`` has one row per run, ``history`` one row per run and epoch. ``networks`` maps run_id to the
    trained nn.Network, ``datasets`` maps run_id to its Dataset and ``snapshots`` run_id to weights saved
    during training; all three are empty for results read from CSV."""

    runs: pd.DataFrame
    history: pd.DataFrame
    networks: dict = field(default_factory=dict)
    datasets: dict = field(default_factory=dict)
    snapshots: dict = field(default_factory=dict)  # run_id -> [(epoch, flat parameters)], for some runs
    token: str = field(default_factory=lambda: uuid.uuid4().hex, compare=False)  # names these results in caches

    @property
    def grad_norm_columns(self):
        return [column for column in self.history.columns if column.startswith(GRAD_NORM_PREFIX)]

    def summary(self):
        """One row per configuration: mean and standard deviation over replicate seeds."""
        return summarize(self.runs)

    def labels(self, include_dataset=False):
        """run_id -> a short name of its configuration, naming only what varies in this grid. Kept for this
        runs table (every figure asks, and a live redraw asks dozens of times); a new table is labelled anew."""
        memo = self.__dict__.setdefault("_labels", {})  # include_dataset -> (runs table, its length, labels)
        runs, length, labels = memo.get(include_dataset, (None, 0, None))
        if runs is not self.runs or length != len(self.runs):
            labels = config_labels(self.runs, include_dataset)
            memo[include_dataset] = (self.runs, len(self.runs), labels)
        return dict(labels)

    def to_csv(self, folder):
        """Write ``runs.csv`` and ``history.csv`` into ``folder`` (created if missing). Text cells that a
        spreadsheet would run as formulas are written with a leading apostrophe (see tables.spreadsheet_safe)."""
        try:
            os.makedirs(folder, exist_ok=True)
            write_csv(self.runs, os.path.join(folder, "runs.csv"))
            write_csv(self.history, os.path.join(folder, "history.csv"))
        except OSError as error:
            raise ValueError(f"cannot write results to {folder!r}: {error.strerror or error}.") from None

    def runs_csv(self):
        return to_csv_text(self.runs)

    def history_csv(self):
        return to_csv_text(self.history)


DATA_OPTION_COLUMNS = ["n_samples", "noise", "test_fraction", "data_seed"]


def config_labels(runs, include_dataset=False):
    """run_id -> e.g. "[25, 8, 2] · relu · lr 0.1": the values of the columns that vary. Charts are faceted
    by dataset, so the dataset is named only on request, and a data option only if it varies within one.
    No runs: an empty dict."""
    if not isinstance(runs, pd.DataFrame):
        raise ValueError(f"'runs' must be a runs table (a pandas DataFrame); got {type(runs).__name__}.")
    if runs.empty:
        return {}
    _check_columns(runs, ["run_id", "dataset", "architecture"], "the runs table", hint="")

    hidden = runs["layers"].astype(str).str.count(",") > 1 if "layers" in runs else runs["run_id"].notna()

    def varies(column):
        if column not in runs:
            return False
        if column in DATA_OPTION_COLUMNS:
            return bool((runs.groupby("dataset")[column].agg(lambda v: v.astype(str).nunique()) > 1).any())
        values = runs.loc[hidden, column] if column == "activation" else runs[column]  # only networks that have one
        return values.astype(str).nunique() > 1

    varying = [(column, template) for column, template in LABEL_PARTS
               if varies(column) and (include_dataset or column != "dataset")]
    if not varying:
        varying = [("architecture", "{}")]

    def shown(row, column):  # a network without a hidden layer has no activation to name
        return column != "activation" or row.layers.count(",") > 1

    # With one dataset, name networks by the layers they really have ([36, 8, 3] on lines, not [25, 8, 2]);
    # across datasets the architecture as asked names one configuration in every facet.
    as_run = "layers" in runs and runs["dataset"].nunique() == 1

    def value(row, column):
        return row.layers if column == "architecture" and as_run else getattr(row, column)

    return {row.run_id: " · ".join(template.format(_short(value(row, column))) for column, template in varying
                                   if shown(row, column)) or "(one configuration)"
            for row in runs.itertuples()}


def _short(value):
    if isinstance(value, float):
        return "-" if np.isnan(value) else f"{value:g}"
    return str(value)


SUMMARY_NEEDS = ["run_id", "status", "seed", "train_acc", "test_acc", "train_loss", "test_loss", "best_test_acc",
                 "seconds"]


def summarize(runs):
    """One row per configuration of the runs that finished (status other than "error"); an empty table
    with the same columns when none did or there are no runs."""
    if not isinstance(runs, pd.DataFrame):
        raise ValueError(f"'runs' must be a runs table (a pandas DataFrame); got {type(runs).__name__}.")
    _check_columns(runs, SUMMARY_NEEDS + ["dataset"], "the runs table", hint="")
    columns = [column for column in CONFIG_COLUMNS if column in runs]
    finished = runs[runs["status"] != "error"]
    grouped = finished.groupby(columns, dropna=False, sort=False)
    summary = grouped.agg(
        runs=("run_id", "size"),
        diverged=("status", lambda status: int((status == "diverged").sum())),
        **{f"{metric}_{stat}": (metric, stat) for metric in ("train_acc", "test_acc", "train_loss", "test_loss")
           for stat in ("mean", "std")},
        best_test_acc_mean=("best_test_acc", "mean"),
        seconds=("seconds", "sum"),
        run_ids=("run_id", lambda ids: list(ids)),
    ).reset_index()
    return summary.sort_values("test_acc_mean", ascending=False, kind="stable").reset_index(drop=True)


# ----- reading CSV back -----
def _read_csv(source, what):
    frame = read_csv(source, what, float_precision="round_trip", keep_default_na=False, na_values=["", "nan", "NaN"])
    frame.columns = [_unescape_text(str(column)) for column in frame.columns]
    return frame


def _check_columns(frame, required, what, hint=" Is it a file saved by this app?"):
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise ValueError(f"{what} is missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                         f"it has {_some(frame.columns) or 'none'}.{hint}")


def _to_numeric(frame, columns, what, integer=False):
    for column in columns:
        frame[column] = numeric_column(frame, column, what, integer=integer, allow_empty=not integer)
    return frame


def _some(columns, limit=6):
    names = [str(column) for column in columns]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


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


# What any run has (the bounds check_spec holds a spec to): a saved value outside is no run's, and is refused.
RUN_RANGES = {"lr": (MIN_LR, np.inf), "epochs": (1, MAX_EPOCHS), "l2": (0, np.inf), "seed": (0, MAX_SEED),
              "data_seed": (0, MAX_SEED)}


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
    for column, (low, high) in RUN_RANGES.items():
        _check_range(runs, column, what, low, high, allow_nan=False)
    _check_options(runs, what)
    runs = _to_numeric(runs, INT_COLUMNS, what, integer=True)
    runs["batch_size"] = [_batch_size(value, row, what) for row, value in enumerate(runs["batch_size"])]
    # files saved before networks without a hidden layer had activation "none" name the one they were asked with
    runs.loc[runs["layers"].str.count(",") <= 1, "activation"] = NO_ACTIVATION
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
    """The data options of each built-in dataset's runs lie in its range (see datasets.option_range)."""
    for name, members in runs[runs["dataset"].isin(list(DATASETS))].groupby("dataset", sort=False):
        for column in ("n_samples", "noise", "test_fraction"):
            bounds = option_range(name, column)
            if bounds is None:  # the dataset has no such option: the run wrote what it used
                continue
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
    text = str(value).strip()
    if text == "full":
        return "full"
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not (np.isfinite(number) and number == int(number)):
        raise ValueError(f"{what} column 'batch_size' must be a whole number or 'full'; got {value!r}.")
    if not 1 <= number <= MAX_BATCH_SIZE:
        raise ValueError(f"{what} column 'batch_size' must lie in [1, {MAX_BATCH_SIZE}] (or be 'full'); row {row + 2} "
                         f"has {number:g}.")
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
