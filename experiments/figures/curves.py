"""Learning curves: loss or accuracy over the epochs, mean over seeds with a band."""
import math

import numpy as np
import plotly.graph_objects as go

from ..specs import parse_architecture
from .canvas import Canvas
from .common import (check_factor, config_colors, facet_grid, factor_levels, factor_name, fade, label_levels,
                     level_colors, level_name, smooth, text)


def _mean_and_std(curves):
    """Mean and std over runs of curves of unequal length (a diverged run stops early): (epochs, mean, std)."""
    length = max(len(curve) for curve in curves)
    stacked = np.full((len(curves), length), np.nan)
    for i, curve in enumerate(curves):
        stacked[i, :len(curve)] = curve
    counts = np.isfinite(stacked).sum(axis=0)
    with np.errstate(all="ignore"):
        mean = np.nanmean(stacked, axis=0) if len(curves) > 1 else stacked[0]
        std = np.nanstd(stacked, axis=0, ddof=1) if len(curves) > 1 else np.zeros(length)
    std[counts < 2] = 0.0
    return np.arange(1, length + 1), mean, std


def _band(mean, std, log_y):
    """The +-1 std band's edges. On a log axis the lower edge mirrors the upper one (mean^2 / (mean + std)),
    so it never dives to the axis where mean - std <= 0."""
    upper = mean + std
    lower = mean * mean / np.where(upper > 0, upper, np.nan) if log_y else mean - std
    return upper, lower


def learning_curves_figure(results, metric="loss", smoothing=0.0, log_y=False, highlight=(), height_per_row=340,
                           max_points=150, color_by=None, facet_by=None, only=None, pick=False):
    """Train (solid) and test (dashed) curves, mean over seeds with a +-1 std band, one facet per dataset.
    Long curves are thinned to about ``max_points`` points (after smoothing), keeping the last epoch.

    ``color_by`` (a design factor that varies, see ``curve_encoding``): one hue per level of it, shades for
    the configurations within a level (``config_colors``), and a legend of one entry per level instead of
    one per configuration; a curve's hover still names its whole configuration. ``facet_by`` (one dataset
    only): one facet per level of that factor, sharing the y axis. None (the default): neither. ``only``:
    the configurations to draw, None for all; colours stay those of the whole comparison. ``highlight`` and
    ``only`` name configurations by key (``results.labels(include_dataset=True)``: a configuration includes
    its dataset), as does each curve's ``meta``. ``pick``: every point of a curve can be clicked (invisible
    markers), and names its configuration in ``meta``.

    The loss axis covers the runs that trained normally: a diverged run (loss in the thousands) or an
    unstable one (ending above twice the loss of guessing) would flatten every other curve, so it runs off
    the top of the chart and its legend entry says so."""
    if metric not in ("loss", "acc"):
        raise ValueError(f"'metric' must be 'loss' or 'acc'; got {metric!r}.")
    log_y = bool(log_y) and metric == "loss"
    runs = results.runs
    if runs.empty:  # e.g. live, before the first run finishes
        return note_figure("No runs yet: nothing to draw.")
    labels, colors = results.labels(), config_colors(results, color_by)
    keys = results.labels(include_dataset=True)
    facets = _facets(runs, facet_by)
    levels = label_levels(results, color_by) if color_by else {}
    diverged = set(runs.loc[runs["status"] == "diverged", "run_id"])
    per_run = {run_id: frame for run_id, frame in results.history.groupby("run_id", sort=False)} \
        if "run_id" in results.history else {}
    unstable = diverged | (_unstable_runs(results.history, runs) if per_run else set())
    rows, cols = facet_grid(len(facets))
    titles = [title for title, _ in facets]
    two_lines = bool(facet_by) and cols > 2 and max(map(len, titles)) > 18  # narrow facets: the level below
    titles = [title.replace(": ", ":<br>", 1) for title in titles] if two_lines else titles
    canvas = Canvas(rows, cols, titles, horizontal_spacing=0.06, vertical_spacing=0.12 if rows > 1 else 0.0,
                    shared_yaxes="all" if facet_by else False)  # redrawn live: assembled unchecked, see canvas.py
    add = canvas.add
    shown, healthy = {}, []  # shown: label -> its mark (diverged, unstable or none)

    for facet, (_, in_facet) in enumerate(facets):
        row, col = facet // cols + 1, facet % cols + 1
        members = runs[in_facet]
        if only is not None:
            members = members[members["run_id"].map(keys).isin(only)]
        for label, run_ids in members.groupby(members["run_id"].map(labels), sort=False)["run_id"]:
            color, name = colors[label], text(label)
            group = f"level {levels[label]}" if color_by else label  # a legend click hides the whole group
            key = keys[run_ids.iloc[0]]  # within a facet a label is one configuration
            faded = bool(highlight) and key not in highlight
            any_diverged = bool(diverged & set(run_ids))
            off_scale = bool(unstable & set(run_ids))
            mark = " ✕ diverged" if any_diverged else " (unstable)" if off_scale else ""
            for split, dash in (("train", "solid"), ("test", "dash")):
                curves = [smooth(per_run[run_id][f"{split}_{metric}"].to_numpy(), smoothing)
                          for run_id in run_ids if run_id in per_run]
                if not curves:
                    continue
                epochs, mean, std = _mean_and_std(curves)
                keep = np.unique(np.r_[np.arange(0, len(epochs), max(1, len(epochs) // max_points)), len(epochs) - 1])
                epochs, mean, std = epochs[keep], mean[keep], std[keep]
                upper, lower = _band(mean, std, log_y)
                if not off_scale:
                    healthy.append(np.concatenate([mean, upper if len(curves) > 1 else mean]))
                if len(curves) > 1 and not off_scale:  # a band far off the axis would streak the chart
                    add(dict(
                        type="scatter", x=np.concatenate([epochs, epochs[::-1]]),
                        y=np.concatenate([upper, lower[::-1]]),
                        fill="toself", fillcolor=fade(color, 0.04 if faded else 0.15), line={"width": 0},
                        hoverinfo="skip",
                        showlegend=False, legendgroup=group), row, col)
                # meta: the configuration a click on the curve picks (the Compare page); a click selects
                # points, so the curve carries invisible ones
                pickable = {"mode": "lines+markers", "marker": {"size": 8, "opacity": 0},
                            "selected": {"marker": {"opacity": 0}}, "unselected": {"marker": {"opacity": 0}}} \
                    if pick else {"mode": "lines"}
                add(dict(
                    type="scatter", x=epochs, y=mean, **pickable, meta=key, name=name + mark, legendgroup=group,
                    showlegend=not color_by and label not in shown and split == "train",
                    line={"color": color, "dash": dash, "width": 3 if highlight and not faded else
                          1.5 if off_scale else 2}, opacity=0.2 if faded else 1.0,
                    hovertemplate=f"{name}{mark} ({split})<br>epoch %{{x}}<br>{metric} %{{y:.4g}}<extra></extra>"),
                    row, col)
            shown[label] = shown.get(label) or mark  # diverged on one dataset: said once for all
    drawn = bool(canvas.data)
    legend_keys = _level_keys(color_by, levels, shown) if color_by else []
    styles = [("train", "_style", "gray", "solid"), ("test", "_style", "gray", "dash")]
    for name, group, color, dash in [*legend_keys, *styles]:
        add(dict(type="scatter", x=[None], y=[None], mode="lines", name=name, legendgroup=group,  # the keys
                 line={"color": color, "dash": dash}), 1, 1)
    if not drawn:  # every run an error, or no history
        canvas.layout.setdefault("annotations", []).append(
            {"text": "No per-epoch history to draw: no run finished.", "showarrow": False, "xref": "paper",
             "yref": "paper", "x": 0.5, "y": 0.5})
    clip = bool(unstable & set(per_run))
    canvas.update_axes("y", **_loss_axis(healthy, log_y, clip) if metric == "loss" else {"range": [0, 1.02]})
    for col in range(1, cols + 1):
        canvas.axis(rows, col, "x")["title"] = {"text": "epoch"}
    canvas.axis(1, 1, "y")["title"] = {"text": "Loss (cross-entropy)" if metric == "loss" else "Accuracy"}
    legend_rows = math.ceil(((len(legend_keys) if color_by else len(shown)) + 2) / 3)  # about three a row at half width
    return canvas.figure(height=max(260, height_per_row * rows) + 22 * legend_rows,
                         margin={"l": 50, "r": 20, "t": 60 if two_lines else 40, "b": 60 + 22 * legend_rows},
                         legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0,
                                 "font": {"size": 12}}, hovermode="closest")


def _facets(runs, facet_by):
    """[(title, which runs)]: one facet per dataset, or with ``facet_by`` one per level of that factor; the
    titles escaped for Plotly."""
    return [(text(title), members) for title, members in facets(runs, facet_by)]


def facets(runs, facet_by):
    """[(title as written, which runs)]: one facet per dataset, or with ``facet_by`` one per level of it."""
    check_factor(runs, "facet_by", facet_by)
    datasets = list(dict.fromkeys(runs["dataset"]))
    if facet_by is None:
        return [(str(dataset), runs["dataset"] == dataset) for dataset in datasets]
    if len(datasets) > 1:
        raise ValueError(f"'facet_by' must be None when the runs are on several datasets (the facets are one per "
                         f"dataset); got {facet_by!r}.")
    levels = factor_levels(runs, facet_by)
    return [(f"{factor_name(facet_by)}: {level}", levels == level) for level in dict.fromkeys(levels)]


def _level_keys(color_by, levels, shown):
    """The legend's entries of a coloured factor: (name, group, colour, dash) per level drawn; a level with
    configurations that diverged or ran off the chart says so."""
    hues = level_colors(list(dict.fromkeys(levels.values())))
    keys = []
    for level, hue in hues.items():
        marks = [mark for label, mark in shown.items() if levels[label] == level]
        if not marks:
            continue
        diverged, unstable = marks.count(" ✕ diverged"), marks.count(" (unstable)")
        mark = (" ✕ diverged" if diverged == len(marks) else f" ({diverged} ✕ diverged)" if diverged else
                " (unstable)" if unstable == len(marks) else f" ({unstable} unstable)" if unstable else "")
        keys.append((level_name(color_by, level) + mark, f"level {level}", hue, "solid"))
    return keys


def _unstable_runs(history, runs):
    """Runs whose training loss ends above twice that of guessing every class with equal probability
    (log of the number of classes): they learned nothing stable, e.g. a rate that makes them jump about."""
    if history.empty:
        return set()
    last = history.groupby("run_id")["train_loss"].last()
    classes = runs.set_index("run_id")["layers"].map(lambda layers: parse_architecture(layers)[-1])
    guessing = np.log(classes.reindex(last.index).fillna(2).astype(float))
    return set(last.index[~(last <= 2 * guessing)])


def _loss_axis(healthy, log_y, clip):
    """The loss axis: log or linear; clipped to the healthy runs when some diverged; on a log axis, labels
    only at powers of ten when the data spans a decade or more (no clutter of 2s and 5s)."""
    values = np.concatenate(healthy) if healthy else np.array([])
    values = values[np.isfinite(values) & ((values > 0) if log_y else True)]
    axis = {"type": "log" if log_y else "linear"}
    if len(values) == 0:
        return axis
    low, high = float(values.min()), float(values.max())
    if log_y:
        if np.log10(high) - np.log10(low) >= 1:
            axis["dtick"] = 1
        if clip:
            axis["range"] = [np.log10(low) - 0.05, np.log10(high) + 0.1]
    elif clip:
        axis["range"] = [min(0.0, low), high * 1.1]
    return axis


def note_figure(message, height=260):
    """An empty chart that says why it is empty."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_layout(height=height, xaxis={"visible": False}, yaxis={"visible": False},
                      margin={"l": 20, "r": 20, "t": 20, "b": 20})
    return fig
