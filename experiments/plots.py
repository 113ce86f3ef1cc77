"""Plotly figures built from Results by pure functions: no Streamlit, testable on their own."""
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from .results import CONFIG_COLUMNS

CONFIG_PALETTE = qualitative.Plotly + qualitative.D3 + qualitative.Dark24
CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf"]
BINARY_SCALE = [[0.0, "#1f77b4"], [0.5, "#f7f7f7"], [1.0, "#ff7f0e"]]  # P(class 1): class 0 blue, class 1 orange
VARYING_FIELDS = ["architecture", "activation", "lr", "optimizer", "batch_size", "l2", "epochs"]
FIELD_NAMES = {"architecture": "", "activation": "", "lr": "lr ", "optimizer": "", "batch_size": "batch ",
               "l2": "L2 ", "epochs": "epochs "}
MAX_PANELS = 24


def config_colors(results):
    """label -> colour, in the order configurations first appear; the same in every chart."""
    run_labels = results.labels()
    labels = list(dict.fromkeys(run_labels[run_id] for run_id in results.runs["run_id"]))
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


def _facet_grid(n_facets, max_cols=3):
    cols = min(n_facets, max_cols)
    return math.ceil(n_facets / cols), cols


def _fade(hex_color, alpha):
    hex_color = hex_color.lstrip("#")
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


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
    labels, colors = results.labels(), config_colors(results)
    per_run = {run_id: frame for run_id, frame in results.history.groupby("run_id", sort=False)}
    datasets = list(dict.fromkeys(runs["dataset"]))
    rows, cols = _facet_grid(len(datasets))
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
                        fill="toself", fillcolor=_fade(color, 0.15), line={"width": 0}, hoverinfo="skip",
                        showlegend=False, legendgroup=label), row, col)
                add(go.Scatter(
                    x=epochs, y=mean, mode="lines", name=label, legendgroup=label,
                    showlegend=label not in shown and split == "train",
                    line={"color": color, "dash": dash, "width": 2},
                    hovertemplate=f"{label} ({split})<br>epoch %{{x}}<br>{metric} %{{y:.4g}}<extra></extra>"),
                    row, col)
            shown.add(label)
    for name, dash in (("train", "solid"), ("test", "dash")):  # a key to the line styles
        add(go.Scatter(x=[None], y=[None], mode="lines", name=name, legendgroup="_style",
                       line={"color": "gray", "dash": dash}), 1, 1)
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


# ----- decision boundaries -----
def projection(X_train):
    """(to_plane, from_plane, axis names): identity for 2-D data, else the first two principal components."""
    if X_train.shape[1] == 2:
        return (lambda X: X), (lambda P: P), ("x1", "x2")
    mean = X_train.mean(axis=0)
    _, _, components = np.linalg.svd(X_train - mean, full_matrices=False)
    basis = components[:2]  # (2, n_features)
    return (lambda X: (X - mean) @ basis.T), (lambda P: mean + P @ basis), ("PC 1", "PC 2")


def _panel_layout(configs):
    """Rows follow the first field that varies, columns the others; one row, wrapped, if only one varies."""
    varying = [f for f in VARYING_FIELDS if configs[f].astype(str).nunique() > 1]
    if len(varying) < 2:
        cols = min(len(configs), 4)
        return [(i // cols, i % cols) for i in range(len(configs))], math.ceil(len(configs) / cols), cols
    row_values = list(dict.fromkeys(configs[varying[0]].astype(str)))
    col_keys = list(dict.fromkeys(tuple(r) for r in configs[varying[1:]].astype(str).itertuples(index=False)))
    positions = [(row_values.index(str(r[varying[0]])), col_keys.index(tuple(str(r[f]) for f in varying[1:])))
                 for _, r in configs.iterrows()]
    return positions, len(row_values), len(col_keys)


def first_seed_runs(runs):
    """The lowest-seed run of each configuration (every setting but the seed), in run order."""
    config_columns = [c for c in CONFIG_COLUMNS if c in runs]
    firsts = runs.sort_values("seed", kind="stable").groupby(config_columns, dropna=False, sort=False).head(1)
    return firsts.sort_values("run_id")


def boundary_panels(results, dataset):
    """The runs shown as decision-boundary panels for ``dataset``: the lowest seed of each configuration that
    has a trained network. Returns (runs table, number of configurations left out by MAX_PANELS)."""
    runs = results.runs[(results.runs["dataset"] == dataset) & results.runs["run_id"].isin(results.networks)]
    firsts = first_seed_runs(runs)
    return firsts.head(MAX_PANELS), max(0, len(firsts) - MAX_PANELS)


def boundary_grid(data, resolution):
    """(to_plane, gx, gy, grid points in input space, axis names): a resolution x resolution grid over the
    data's range in its plane (the data itself, or its first two principal components), padded by 8%."""
    to_plane, from_plane, axis_names = projection(data.X_train)
    both = np.vstack([to_plane(data.X_train), to_plane(data.X_test)])
    low, high = both.min(axis=0), both.max(axis=0)
    pad = 0.08 * (high - low) + 1e-9
    gx = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    gy = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    inputs = from_plane(np.column_stack([a.ravel() for a in np.meshgrid(gx, gy)]))
    return to_plane, gx, gy, inputs, axis_names


def boundary_surface(data, proba, gx, gy, showscale=True):
    """P(class 1) as a filled contour for two classes; the predicted class as a heatmap for more."""
    shape = (len(gy), len(gx))
    if data.n_classes == 2:
        return go.Contour(x=gx, y=gy, z=proba[:, 1].reshape(shape), zmin=0, zmax=1, colorscale=BINARY_SCALE,
                          opacity=0.75, contours={"coloring": "fill"}, ncontours=11, line={"width": 0},
                          showscale=showscale, hovertemplate="P=%{z:.2f}<extra></extra>",
                          colorbar={"title": {"text": f"P({data.class_names[1]})", "side": "right"},
                                    "len": 0.6, "thickness": 12})
    scale = [[i / (data.n_classes - 1), CLASS_COLORS[i % 10]] for i in range(data.n_classes)]
    return go.Heatmap(x=gx, y=gy, z=proba.argmax(axis=1).reshape(shape), zmin=0, zmax=data.n_classes - 1,
                      colorscale=scale, opacity=0.45, showscale=False, hovertemplate="predicted %{z}<extra></extra>")


def class_point_traces(data, to_plane, showlegend=True):
    """The data in its plane, coloured by class: training points solid, test points hollow."""
    traces = []
    for X, y, split in ((data.X_train, data.y_train, "train"), (data.X_test, data.y_test, "test")):
        points = to_plane(X)
        for cls in range(data.n_classes):
            mask = y == cls
            color = CLASS_COLORS[cls % 10]
            traces.append(go.Scatter(
                x=points[mask, 0], y=points[mask, 1], mode="markers", name=f"{data.class_names[cls]} ({split})",
                legendgroup=f"{cls}{split}", showlegend=showlegend, hoverinfo="skip",
                marker={"size": 5 if split == "train" else 7, "color": color,
                        "symbol": "circle" if split == "train" else "circle-open",
                        "line": {"width": 0.5 if split == "train" else 1.5,
                                 "color": "white" if split == "train" else color}}))
    return traces


def decision_boundary_figure(results, dataset, resolution=70, panel_height=260):
    """Predicted probability over the data's range, one panel per configuration; train points solid, test
    points hollow. Data with more than two features is shown in the plane of its first two principal
    components (grid points mapped back to input space)."""
    panels, _ = boundary_panels(results, dataset)
    if panels.empty:
        raise ValueError(f"no trained networks for {dataset!r}: decision boundaries need them.")
    data = results.datasets[panels["run_id"].iloc[0]]
    to_plane, gx, gy, grid_inputs, axis_names = boundary_grid(data, resolution)
    labels = results.labels()
    positions, rows, cols = _panel_layout(panels)
    titles = [""] * (rows * cols)
    for (row, col), run in zip(positions, panels.itertuples()):
        titles[row * cols + col] = f"{labels[run.run_id]}<br>test {run.test_acc:.1%}"
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.04,
                        vertical_spacing=min(0.12, 0.5 / rows))
    for (row, col), run in zip(positions, panels.itertuples()):
        first = (row, col) == positions[0]
        proba = results.networks[run.run_id].predict_proba(grid_inputs)
        for trace in [boundary_surface(data, proba, gx, gy, showscale=first),
                      *class_point_traces(data, to_plane, showlegend=first)]:
            fig.add_trace(trace, row=row + 1, col=col + 1)
    fig.update_xaxes(showticklabels=False, range=[gx[0], gx[-1]])
    fig.update_yaxes(showticklabels=False, range=[gy[0], gy[-1]])
    plane = "" if data.is_2d else " · shown in the plane of the first two principal components"
    fig.update_layout(height=panel_height * rows + 140, margin={"l": 20, "r": 20, "t": 95, "b": 40},
                      title={"text": f"{dataset}: {axis_names[0]} vs {axis_names[1]}{plane}", "font": {"size": 14},
                             "y": 0.995, "yanchor": "top"},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.02, "x": 0})
    fig.update_annotations(font_size=12)
    return fig


# ----- data preview -----
def dataset_preview_figure(data, n_images=8, height=220):
    """A scatter of a 2-D dataset, or a row of sample images (with their labels) of an image dataset."""
    if data.is_2d:
        fig = go.Figure()
        for cls in range(data.n_classes):
            mask = data.y_train == cls
            fig.add_trace(go.Scatter(x=data.X_train[mask, 0], y=data.X_train[mask, 1], mode="markers",
                                       name=data.class_names[cls], marker={"size": 4, "color": CLASS_COLORS[cls]}))
        fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False)
        fig.update_xaxes(showticklabels=False)
        fig.update_yaxes(showticklabels=False, scaleanchor="x")
        return fig
    if data.image_shape is None:
        raise ValueError(f"{data.name!r} is neither 2-D nor made of images; nothing to preview.")
    picks = [i for cls in range(data.n_classes) for i in np.flatnonzero(data.y_train == cls)[:2]][:n_images]
    fig = make_subplots(rows=1, cols=len(picks), subplot_titles=[data.class_names[data.y_train[i]] for i in picks],
                        horizontal_spacing=0.02)
    for col, index in enumerate(picks, start=1):
        pixels = data.raw(data.X_train[index]).reshape(data.image_shape)[::-1]  # as drawn, not standardised
        fig.add_trace(go.Heatmap(z=pixels, zmin=0, zmax=data.pixel_max, colorscale="gray_r" if data.name == "digits"
                                 else "gray", showscale=False, hoverinfo="skip"), row=1, col=col)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, scaleanchor="x")
    fig.update_layout(height=height * 0.6, margin={"l": 5, "r": 5, "t": 25, "b": 5})
    fig.update_annotations(font_size=11)
    return fig


# ----- accuracy table -----
def accuracy_table(results, max_points=60):
    """One row per configuration: architecture as asked and as run, settings, accuracies (mean and std over
    seeds, in %), the mean test-loss curve as a list (for a sparkline) and a star on the best."""
    summary = results.summary()
    history = results.history
    rows = []
    for row in summary.itertuples():
        curves = history[history["run_id"].isin(row.run_ids)].groupby("epoch")["test_loss"].mean()
        step = max(1, len(curves) // max_points)
        rows.append({
            "best": "",
            "dataset": row.dataset, "architecture": row.architecture, "runs as": row.layers,
            "activation": row.activation, "optimizer": row.optimizer, "lr": row.lr, "batch": str(row.batch_size),
            "train acc %": 100 * row.train_acc_mean, "± train": 100 * row.train_acc_std,
            "test acc %": 100 * row.test_acc_mean, "± test": 100 * row.test_acc_std,
            "test loss": row.test_loss_mean,
            "loss curve": [float(v) for v in curves.to_numpy()[::step] if np.isfinite(v)],
            "seeds": row.runs, "diverged": row.diverged,
        })
    table = pd.DataFrame(rows)
    if not table.empty:  # datasets in the order chosen; within each, highest test accuracy, ties to lower loss
        order = {name: i for i, name in enumerate(dict.fromkeys(results.runs["dataset"]))}
        table = table.assign(_dataset=table["dataset"].map(order), _acc=-table["test acc %"].fillna(-1),
                             _loss=table["test loss"].fillna(np.inf))
        table = table.sort_values(["_dataset", "_acc", "_loss"], kind="stable").reset_index(drop=True)
        table.loc[~table["_dataset"].duplicated(), "best"] = "★"
        table = table.drop(columns=["_dataset", "_acc", "_loss"])
    return table


def image_figure(pixels, height=200):
    """One grey image (values 0..1, first row on top), e.g. what a visitor drew."""
    fig = go.Figure(go.Heatmap(z=np.asarray(pixels, dtype=float), zmin=0, zmax=1, colorscale="gray",
                               showscale=False, hoverinfo="skip"))
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed", scaleanchor="x")
    fig.update_layout(height=height, margin={"l": 5, "r": 5, "t": 5, "b": 5})
    return fig


def point_picker_figure(data, x1, x2, resolution=35, height=360):
    """The training data of a 2-D dataset under a grid of faint clickable points, and the chosen point."""
    low, high = data.X_train.min(axis=0), data.X_train.max(axis=0)
    pad = 0.1 * (high - low)
    gx, gy = np.meshgrid(np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
                         np.linspace(low[1] - pad[1], high[1] + pad[1], resolution))
    fig = go.Figure(go.Scatter(x=gx.ravel(), y=gy.ravel(), mode="markers", showlegend=False,  # invisible, clickable
                               marker={"size": 10, "color": "rgba(0,0,0,0)"},
                               hovertemplate="(%{x:.2f}, %{y:.2f})<extra></extra>"))
    for cls in range(data.n_classes):
        mask = data.y_train == cls
        fig.add_trace(go.Scatter(x=data.X_train[mask, 0], y=data.X_train[mask, 1], mode="markers",
                                 name=data.class_names[cls], hoverinfo="skip",
                                 marker={"size": 4, "color": CLASS_COLORS[cls % 10], "opacity": 0.5}))
    fig.add_trace(go.Scatter(x=[x1], y=[x2], mode="markers", name="your point", hoverinfo="skip",
                             marker={"size": 16, "color": "black", "symbol": "x"}))
    fig.update_layout(height=height, margin={"l": 20, "r": 20, "t": 10, "b": 20}, clickmode="event+select",
                      legend={"orientation": "h", "y": -0.08})
    return fig
