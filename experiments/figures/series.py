"""The learning curves of a comparison as numbers for the canvas renderer (ui/components: the "curves" view):
what ``learning_curves_figure`` draws with Plotly, without Plotly, so that hundreds of curves stay fast and
the curves' own options (loss or accuracy, log scale, smoothing) run in the browser without a server round
trip. Colour by and facets (which recolour the panels and the table too) are chosen here.

Per configuration and facet: the mean over seeds of every epoch's train and test loss and accuracy (and
the standard deviation when there are several seeds), thinned to about ``max_points`` points keeping the
last epoch: the points are epochs 1, 1 + stride, 1 + 2 stride, … and the last (``epochs``, ``stride``; the
stride also weighs the browser's smoothing); its colour, its key (a configuration includes its dataset),
and ``offscale`` when it diverged or learned nothing stable (its loss would flatten every other curve: it
runs off the top and the legend says so). The values travel as float32 bytes in base64 (``floats``): a
hundred configurations of four metrics are a few hundred KB, where JSON numbers took three times that.
"""
import base64

import numpy as np

from ..results import LABEL_PARTS
from .common import config_colors, label_levels, level_colors
from .curves import _mean_and_std, _unstable_runs, facets

METRICS = ("train_loss", "test_loss", "train_acc", "test_acc")
MARKS = {"diverged": " ✕ diverged", "unstable": " (unstable)"}


def floats(values):
    """Numbers as the browser reads them: float32 bytes (NaN where there is none), in base64."""
    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


def thinned(n, max_points):
    """(indices, stride): every stride-th of ``n`` epochs from the first, and the last one."""
    stride = max(1, -(-n // max_points))
    return np.unique(np.r_[np.arange(0, n, stride), n - 1]), stride


def curves_payload(results, color_by=None, facet_by=None, only=None, max_points=120):
    """The curves of ``results`` for the canvas renderer: ``facets`` (titles), ``series`` (one per
    configuration and facet) and ``legend`` (one entry per configuration, or per level of ``color_by``).
    ``only``: the configurations (keys) to draw, None for all; colours stay those of the whole comparison."""
    runs, history = results.runs, results.history
    labels, keys = results.labels(), results.labels(include_dataset=True)
    colors = config_colors(results, color_by)
    levels = label_levels(results, color_by) if color_by else {}
    per_run = dict(tuple(history.groupby("run_id", sort=False))) if "run_id" in history and len(history) else {}
    diverged = set(runs.loc[runs["status"] == "diverged", "run_id"])
    unstable = _unstable_runs(history, runs) if per_run else set()
    titles, series, marks = [], [], {}
    for facet, (title, members) in enumerate(facets(runs, facet_by)):
        titles.append(title)
        members = runs[members]
        if only is not None:
            members = members[members["run_id"].map(keys).isin(only)]
        for label, run_ids in members.groupby(members["run_id"].map(labels), sort=False)["run_id"]:
            trained = [run_id for run_id in run_ids if run_id in per_run]
            if not trained:
                continue
            mark = "diverged" if diverged & set(run_ids) else "unstable" if unstable & set(run_ids) else ""
            marks[label] = marks.get(label) or mark
            entry = {"key": keys[run_ids.iloc[0]], "label": label, "color": colors[label], "facet": facet,
                     "group": levels.get(label, label), "mark": mark, "offscale": bool(mark), "seeds": len(trained)}
            for metric in METRICS:
                epochs, mean, std = _mean_and_std([per_run[run_id][metric].to_numpy() for run_id in trained])
                keep, stride = thinned(len(epochs), max_points)
                entry.setdefault("epochs", len(epochs))
                entry.setdefault("stride", stride)
                entry[metric] = {"mean": floats(mean[keep]), **({"std": floats(std[keep])} if len(trained) > 1 else {})}
            series.append(entry)
    if color_by:
        hues = level_colors(list(dict.fromkeys(levels.values())))
        legend = []
        for level, hue in hues.items():
            members = [label for label in marks if levels[label] == level]
            if not members:
                continue
            bad = [marks[label] for label in members if marks[label]]
            note = "" if not bad else MARKS[bad[0]] if len(bad) == len(members) else f" ({len(bad)} off the chart)"
            legend.append({"name": dict(LABEL_PARTS)[color_by].format(level) + note, "color": hue, "group": level})
    else:
        legend = [{"name": label + MARKS.get(mark, ""), "color": colors[label], "group": label}
                  for label, mark in marks.items()]
    return {"view": "curves", "id": f"{results.token}:{color_by}:{facet_by}:{hash(only)}",
            "facets": titles, "series": series, "legend": legend,
            "epochs": int(runs["epochs"].max()) if len(runs) else 1}
