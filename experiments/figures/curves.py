"""Learning curves: loss or accuracy over the epochs, mean over seeds with a band."""
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .common import config_colors, facet_grid, fade, smooth


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


def learning_curves_figure(results, metric="loss", smoothing=0.0, log_y=False, height_per_row=340, max_points=150):
    """Train (solid) and test (dashed) curves, mean over seeds with a +-1 std band, one facet per dataset.
    Long curves are thinned to about ``max_points`` points (after smoothing), keeping the last epoch."""
    if metric not in ("loss", "acc"):
        raise ValueError(f"'metric' must be 'loss' or 'acc'; got {metric!r}.")
    runs = results.runs
    if runs.empty:  # e.g. live, before the first run finishes
        return _note_figure("No runs yet: nothing to draw.")
    labels, colors = results.labels(), config_colors(results)
    per_run = {run_id: frame for run_id, frame in results.history.groupby("run_id", sort=False)} \
        if "run_id" in results.history else {}
    datasets = list(dict.fromkeys(runs["dataset"]))
    rows, cols = facet_grid(len(datasets))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=datasets, horizontal_spacing=0.06,
                        vertical_spacing=0.12 if rows > 1 else 0.0)
    shown, traces, cells = set(), [], []

    def add(trace, row, col):  # one add_traces call at the end is much faster than many add_trace calls
        traces.append(trace)
        cells.append((row, col))

    for facet, dataset in enumerate(datasets):
        row, col = facet // cols + 1, facet % cols + 1
        members = runs[runs["dataset"] == dataset]
        for label, run_ids in members.groupby(members["run_id"].map(labels), sort=False)["run_id"]:
            color = colors[label]
            for split, dash in (("train", "solid"), ("test", "dash")):
                curves = [smooth(per_run[run_id][f"{split}_{metric}"].to_numpy(), smoothing)
                          for run_id in run_ids if run_id in per_run]
                if not curves:
                    continue
                epochs, mean, std = _mean_and_std(curves)
                keep = np.unique(np.r_[np.arange(0, len(epochs), max(1, len(epochs) // max_points)), len(epochs) - 1])
                epochs, mean, std = epochs[keep], mean[keep], std[keep]
                if len(curves) > 1:
                    add(go.Scatter(
                        x=np.concatenate([epochs, epochs[::-1]]), y=np.concatenate([mean + std, (mean - std)[::-1]]),
                        fill="toself", fillcolor=fade(color, 0.15), line={"width": 0}, hoverinfo="skip",
                        showlegend=False, legendgroup=label), row, col)
                add(go.Scatter(
                    x=epochs, y=mean, mode="lines", name=label, legendgroup=label,
                    showlegend=label not in shown and split == "train",
                    line={"color": color, "dash": dash, "width": 2},
                    hovertemplate=f"{label} ({split})<br>epoch %{{x}}<br>{metric} %{{y:.4g}}<extra></extra>"),
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
    title = "Loss (cross-entropy)" if metric == "loss" else "Accuracy"
    fig.update_yaxes(type="log" if log_y and metric == "loss" else "linear",
                     range=[0, 1.02] if metric == "acc" else None)
    fig.update_xaxes(title_text="epoch", row=rows)
    fig.update_layout(height=max(260, height_per_row * rows) + 60, margin={"l": 50, "r": 20, "t": 40, "b": 40},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.24 if rows == 1 else -0.1,
                              "x": 0, "font": {"size": 12}},
                      yaxis_title=title, hovermode="closest")
    return fig



def _note_figure(text, height=260):
    """An empty chart that says why it is empty."""
    fig = go.Figure()
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_layout(height=height, xaxis={"visible": False}, yaxis={"visible": False},
                      margin={"l": 20, "r": 20, "t": 20, "b": 20})
    return fig
