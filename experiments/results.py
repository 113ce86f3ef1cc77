"""Results of a grid: a runs table, a per-epoch history table and the trained networks; the tables built
from what trained, configurations labelled and summarised, and written as CSV (saved.py reads them back)."""
import os
import uuid
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from .specs import count_params, format_architecture, hidden_layers
from .tables import to_csv_text, write_csv

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

    def subset(self, run_ids, token=None):
        """These results with only the runs ``run_ids`` (in the runs table's order): their rows, history,
        networks, data and snapshots, shared with these results, not copied. ``token``: its name in caches."""
        keep = set(run_ids)
        runs = self.runs[self.runs["run_id"].isin(keep)].reset_index(drop=True)
        history = self.history[self.history["run_id"].isin(keep)].reset_index(drop=True)

        def pick(mapping):
            return {run_id: value for run_id, value in mapping.items() if run_id in keep}
        return Results(runs, history, pick(self.networks), pick(self.datasets), pick(self.snapshots),
                       **({"token": token} if token is not None else {}))

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

    hidden = runs["layers"].astype(str).map(hidden_layers) > 0 if "layers" in runs else runs["run_id"].notna()

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
        return column != "activation" or hidden_layers(row.layers) > 0

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


def _check_columns(frame, required, what, hint=" Is it a file saved by this app?"):
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise ValueError(f"{what} is missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                         f"it has {_some(frame.columns) or 'none'}.{hint}")


def _some(columns, limit=6):
    names = [str(column) for column in columns]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


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


# ----- building the tables from what trained -----
def build_results(outcomes, datasets):
    """Results of ``runner.RunOutcome``s (one per run, in order), ``datasets`` {data_key: Dataset}."""
    run_rows, histories, networks, run_datasets, snapshots = [], [], {}, {}, {}
    for outcome in outcomes:
        spec, history = outcome.spec, outcome.history
        data = datasets[spec.data_key()]
        run_id = outcome.index
        row = {**asdict(spec), "run_id": run_id, "layers": format_architecture(outcome.layers),
               "batch_size": "full" if spec.batch_size is None else spec.batch_size,
               "n_samples": data.options.get("n_samples", len(data.y_train) + len(data.y_test)),
               "noise": data.options.get("noise", np.nan), "test_fraction": data.options.get("test_fraction", 0.0),
               "status": outcome.status, "message": outcome.message, "seconds": outcome.seconds,
               "n_params": count_params(outcome.layers)}
        if history is None or history.epochs == 0:
            row.update(epochs_run=0, **{key: np.nan for key in
                                        ("train_loss", "train_acc", "test_loss", "test_acc", "best_test_acc",
                                         "best_epoch")})
        else:
            test_acc = np.asarray(history.val_acc)
            best = int(np.nanargmax(test_acc)) if np.isfinite(test_acc).any() else 0
            row.update(epochs_run=history.epochs, train_loss=history.train_loss[-1], train_acc=history.train_acc[-1],
                       test_loss=history.val_loss[-1], test_acc=history.val_acc[-1],
                       best_test_acc=float(test_acc[best]), best_epoch=best + 1)
            histories.append((run_id, history))
            if outcome.network is not None:  # a run in training has one only if it is drawn live
                networks[run_id] = outcome.network
            if history.snapshots:
                snapshots[run_id] = history.snapshots
        run_datasets[run_id] = data
        run_rows.append(row)
    runs = pd.DataFrame(run_rows, columns=RUN_COLUMNS)
    runs["batch_size"] = runs["batch_size"].astype(object)
    return Results(runs, history_table(histories), networks, run_datasets, snapshots)


def history_table(histories):
    """One row per run and epoch from [(run_id, History)], built column by column (one DataFrame, not one per
    run). A run with fewer layers than the deepest has NaN in the extra grad_norm columns."""
    if not histories:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    norms = [np.asarray(history.grad_norm) for _, history in histories]
    n_layers = max(norm.shape[1] for norm in norms)
    table = {"run_id": np.concatenate([np.full(history.epochs, run_id) for run_id, history in histories]),
             "epoch": np.concatenate([np.arange(1, history.epochs + 1) for _, history in histories])}
    for name, column in METRIC_NAMES.items():
        if name == "grad_norm":
            continue
        table[column] = np.concatenate([np.asarray(getattr(history, name), dtype=float) for _, history in histories])
    for layer in range(n_layers):
        table[f"{GRAD_NORM_PREFIX}{layer + 1}"] = np.concatenate(
            [norm[:, layer] if layer < norm.shape[1] else np.full(len(norm), np.nan) for norm in norms])
    return pd.DataFrame(table)
