"""Learning curves: loss or accuracy over the epochs, mean over seeds with a band."""
import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .common import config_colors, facet_grid, fade, smooth, text


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
                           max_points=150):
    """Train (solid) and test (dashed) curves, mean over seeds with a +-1 std band, one facet per dataset.
    Long curves are thinned to about ``max_points`` points (after smoothing), keeping the last epoch.

    The loss axis covers the runs that trained normally: a diverged run (loss in the thousands) or an
    unstable one (ending above twice the loss of guessing) would flatten every other curve, so it runs off
    the top of the chart and its legend entry says so."""
    if metric not in ("loss", "acc"):
        raise ValueError(f"'metric' must be 'loss' or 'acc'; got {metric!r}.")
    log_y = bool(log_y) and metric == "loss"
    runs = results.runs
    if runs.empty:  # e.g. live, before the first run finishes
        return _note_figure("No runs yet: nothing to draw.")
    labels, colors = results.labels(), config_colors(results)
    diverged = set(runs.loc[runs["status"] == "diverged", "run_id"])
    per_run = {run_id: frame for run_id, frame in results.history.groupby("run_id", sort=False)} \
        if "run_id" in results.history else {}
    unstable = diverged | (_unstable_runs(results.history, runs) if per_run else set())
    datasets = list(dict.fromkeys(runs["dataset"]))
    rows, cols = facet_grid(len(datasets))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[text(d) for d in datasets], horizontal_spacing=0.06,
                        vertical_spacing=0.12 if rows > 1 else 0.0)
    shown, traces, cells, healthy = set(), [], [], []

    def add(trace, row, col):  # one add_traces call at the end is much faster than many add_trace calls
        traces.append(trace)
        cells.append((row, col))

    for facet, dataset in enumerate(datasets):
        row, col = facet // cols + 1, facet % cols + 1
        members = runs[runs["dataset"] == dataset]
        for label, run_ids in members.groupby(members["run_id"].map(labels), sort=False)["run_id"]:
            color, name = colors[label], text(label)
            faded = bool(highlight) and label not in highlight
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
                    add(go.Scatter(
                        x=np.concatenate([epochs, epochs[::-1]]), y=np.concatenate([upper, lower[::-1]]),
                        fill="toself", fillcolor=fade(color, 0.04 if faded else 0.15), line={"width": 0},
                        hoverinfo="skip",
                        showlegend=False, legendgroup=label), row, col)
                add(go.Scatter(
                    x=epochs, y=mean, mode="lines", name=name + mark, legendgroup=label,
                    showlegend=label not in shown and split == "train",
                    line={"color": color, "dash": dash, "width": 3 if highlight and not faded else
                          1.5 if off_scale else 2}, opacity=0.2 if faded else 1.0,
                    hovertemplate=f"{name} ({split})<br>epoch %{{x}}<br>{metric} %{{y:.4g}}<extra></extra>"),
                    row, col)
            shown.add(label)
    drawn = bool(traces)
    for name, dash in (("train", "solid"), ("test", "dash")):  # a key to the line styles
        add(go.Scatter(x=[None], y=[None], mode="lines", name=name, legendgroup="_style",
                       line={"color": "gray", "dash": dash}), 1, 1)
    if not drawn:  # every run an error, or no history
        fig.add_annotation(text="No per-epoch history to draw: no run finished.", showarrow=False, xref="paper",
                           yref="paper", x=0.5, y=0.5)
    fig.add_traces(traces, rows=[r for r, _ in cells], cols=[c for _, c in cells])
    clip = bool(unstable & set(per_run))
    fig.update_yaxes(**_loss_axis(healthy, log_y, clip) if metric == "loss" else {"range": [0, 1.02]})
    fig.update_xaxes(title_text="epoch", row=rows)
    legend_rows = math.ceil((len(shown) + 2) / 3)  # about three entries a row at half a laptop's width
    fig.update_layout(height=max(260, height_per_row * rows) + 22 * legend_rows,
                      margin={"l": 50, "r": 20, "t": 40, "b": 60 + 22 * legend_rows},
                      legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0,
                              "font": {"size": 12}},
                      yaxis_title="Loss (cross-entropy)" if metric == "loss" else "Accuracy", hovermode="closest")
    return fig


def _unstable_runs(history, runs):
    """Runs whose training loss ends above twice that of guessing every class with equal probability
    (log of the number of classes): they learned nothing stable, e.g. a rate that makes them jump about."""
    if history.empty:
        return set()
    last = history.groupby("run_id")["train_loss"].last()
    classes = runs.set_index("run_id")["layers"].map(lambda layers: int(layers.strip("[]").split(",")[-1]))
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


def _note_figure(message, height=260):
    """An empty chart that says why it is empty."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_layout(height=height, xaxis={"visible": False}, yaxis={"visible": False},
                      margin={"l": 20, "r": 20, "t": 20, "b": 20})
    return fig
