"""Tables: the accuracy table of a comparison and every network's prediction for one input."""
import numpy as np
import pandas as pd

from .common import trained_network


TABLE_COLUMNS = ["key", "label", "best", "dataset", "architecture", "runs as", "activation", "optimizer", "lr", "batch",
                 "train acc %", "± train", "test acc %", "± test", "test loss", "loss curve", "seeds", "diverged"]


def accuracy_table(results, max_points=60):
    """One row per configuration: architecture as asked and as run, settings, accuracies (mean and std over
    seeds, in %), the mean test-loss curve as a list (for a sparkline) and a star on the best. ``label`` is
    the configuration's name in the charts (``results.labels()``, which its colour follows) and ``key`` names
    it with its dataset (``results.labels(include_dataset=True)``), to link a row to its own curves and panel.
    When no run finished (none, or every one an error) the table has these columns and no rows."""
    summary = results.summary()
    history = results.history
    labels, keys = results.labels(), results.labels(include_dataset=True)
    rows = []
    for row in summary.itertuples():
        curves = history[history["run_id"].isin(row.run_ids)].groupby("epoch")["test_loss"].mean()
        step = max(1, len(curves) // max_points)
        rows.append({
            "key": keys[row.run_ids[0]], "label": labels[row.run_ids[0]], "best": "",
            "dataset": row.dataset, "architecture": row.architecture, "runs as": row.layers,
            "activation": row.activation, "optimizer": row.optimizer, "lr": row.lr, "batch": str(row.batch_size),
            "train acc %": 100 * row.train_acc_mean, "± train": 100 * row.train_acc_std,
            "test acc %": 100 * row.test_acc_mean, "± test": 100 * row.test_acc_std,
            "test loss": row.test_loss_mean,
            "loss curve": [float(v) for v in curves.to_numpy()[::step] if np.isfinite(v)],
            "seeds": row.runs, "diverged": row.diverged,
        })
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)  # no finished run: no rows, the same columns
    if not table.empty:  # datasets in the order chosen; within each, highest test accuracy, ties to lower loss
        order = {name: i for i, name in enumerate(dict.fromkeys(results.runs["dataset"]))}
        table = table.assign(_dataset=table["dataset"].map(order), _acc=-table["test acc %"].fillna(-1),
                             _loss=table["test loss"].fillna(np.inf))
        table = table.sort_values(["_dataset", "_acc", "_loss"], kind="stable").reset_index(drop=True)
        ranked = table["test acc %"].notna()  # no star where no accuracy is known (every one NaN)
        table.loc[ranked & ~table["_dataset"].where(ranked).duplicated(), "best"] = "★"
        table = table.drop(columns=["_dataset", "_acc", "_loss"])
    return table


def predictions_table(results, run_ids, x):
    """Every chosen network's prediction for one input ``x`` (a 1-D array in the data's input space)."""
    rows = []
    labels = results.labels(include_dataset=True)
    for run_id in run_ids:
        data, net = trained_network(results, run_id)
        proba = net.predict_proba(np.asarray(x, dtype=float).reshape(1, -1))[0]
        best = int(proba.argmax())
        rows.append({"configuration": labels[run_id], "prediction": data.class_names[best],
                     "confidence %": 100 * float(proba[best]),
                     **{f"P({name})": float(p) for name, p in zip(data.class_names, proba)}})
    return pd.DataFrame(rows)

