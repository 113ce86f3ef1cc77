"""Shared by every figure: the palettes, one colour per configuration, smoothing, facets, the
projection of many features onto a plane, and the message of a view that does not apply."""
import html
import math

import numpy as np
from plotly.colors import qualitative

from ..results import CONFIG_COLUMNS

# 48 colours that differ from one another: the configurations of a comparison never share one (up to 48)
CONFIG_PALETTE = qualitative.Dark24 + qualitative.Light24


CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf"]


BINARY_SCALE = [[0.0, "#1f77b4"], [0.5, "#f7f7f7"], [1.0, "#ff7f0e"]]  # P(class 1): class 0 blue, class 1 orange


VARYING_FIELDS = ["architecture", "activation", "lr", "optimizer", "batch_size", "l2", "epochs"]


def text(value):
    """A name from the data or a file, for a chart: Plotly renders some HTML in titles, legends and hover
    text (links among it), so it is escaped and shown as written."""
    return html.escape(str(value), quote=False)


class DoesNotApply(ValueError):
    """This view has nothing to show for these results; the message says why."""


def config_colors(results):
    """label -> colour, in the order configurations first appear; the same in every chart."""
    run_labels = results.labels()
    labels = list(dict.fromkeys(run_labels.values()))
    return {label: CONFIG_PALETTE[i % len(CONFIG_PALETTE)] for i, label in enumerate(labels)}


def smooth(values, weight):
    """Exponential moving average with TensorBoard's debiasing; weight 0 leaves values as they are."""
    values = np.asarray(values, dtype=float)
    if weight <= 0 or len(values) == 0:
        return values
    out, last, debias = np.empty_like(values), 0.0, 1.0
    for i, value in enumerate(values):
        last = weight * last + (1 - weight) * value
        debias *= weight
        out[i] = last / (1 - debias)
    return out


def facet_grid(n_facets, max_cols=3):
    cols = min(n_facets, max_cols)
    return math.ceil(n_facets / cols), cols


def fade(hex_color, alpha):
    hex_color = hex_color.lstrip("#")
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def projection(X_train):
    """(to_plane, from_plane, axis names): identity for 2-D data, else the first two principal components."""
    if X_train.shape[1] == 2:
        return (lambda X: X), (lambda P: P), ("x1", "x2")
    mean = X_train.mean(axis=0)
    _, _, components = np.linalg.svd(X_train - mean, full_matrices=False)
    basis = components[:2]  # (2, n_features)
    return (lambda X: (X - mean) @ basis.T), (lambda P: mean + P @ basis), ("PC 1", "PC 2")


def first_seed_runs(runs):
    """The lowest-seed run of each configuration (every setting but the seed), in run order."""
    config_columns = [c for c in CONFIG_COLUMNS if c in runs]
    firsts = runs.sort_values("seed", kind="stable").groupby(config_columns, dropna=False, sort=False).head(1)
    return firsts.sort_values("run_id")


def trained_network(results, run_id):
    """(dataset, network) of a run; DoesNotApply when it has none (it failed, or the results were read
    from CSV)."""
    if run_id not in results.networks:
        known = run_id in set(results.runs["run_id"]) if "run_id" in results.runs else False
        raise DoesNotApply(f"run {run_id!r} has no trained network" + (
            " (it did not finish, or the results were read from CSV)." if known else ": there is no such run."))
    return results.datasets[run_id], results.networks[run_id]


def run_title(results, run_id):
    runs = results.runs.set_index("run_id")
    if run_id not in runs.index:
        raise DoesNotApply(f"there is no run {run_id!r} in these results.")
    run = runs.loc[run_id]
    return f"{run['dataset']} · {run['architecture']} · {run['activation']} · lr {run['lr']:g} · seed {run['seed']}"

