"""Choosing settings: the learning-rate range test and all runs across their settings."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .common import DoesNotApply, text


def lr_finder_figure(test):
    """Smoothed loss against the learning rate (log axis), with the suggested rate marked."""
    fig = go.Figure(go.Scatter(x=test.lrs, y=test.losses, mode="lines", name="loss (smoothed)",
                               line={"width": 2, "color": "#1f77b4"},
                               hovertemplate="lr %{x:.2e}<br>loss %{y:.4f}<extra></extra>"))
    fig.add_vline(x=test.suggestion, line={"dash": "dash", "color": "#e8590c"},
                  annotation_text=f"suggested lr {test.suggestion:.2g}", annotation_position="top left")
    finite = test.losses[np.isfinite(test.losses)]
    top = float(np.percentile(finite, 95)) if len(finite) else 1.0
    fig.update_xaxes(type="log", title_text="learning rate", exponentformat="power")
    fig.update_yaxes(title_text="training loss", range=[0, top * 1.1])
    fig.update_layout(height=380, margin={"l": 60, "r": 20, "t": 30, "b": 50}, showlegend=False)
    return fig


def parallel_coordinates_figure(results):
    """Every run as a line across its settings (depth, width, activation, lr, optimizer, batch size),
    coloured by test accuracy; the most accurate are drawn last, on top of the others."""
    runs = results.runs[results.runs["status"] != "error"]
    if runs.empty:
        raise DoesNotApply("no finished runs.")
    runs = runs.sort_values("test_acc", kind="stable", na_position="first")  # drawn in order: the best on top
    layers = runs["layers"].map(lambda written: [int(v) for v in written.strip("[]").split(",")])
    depth = layers.map(lambda sizes: len(sizes) - 2)
    width = layers.map(lambda sizes: max(sizes[1:-1], default=0))

    def categorical(values, label):
        names = sorted(values.astype(str).unique())
        return {"label": label, "values": values.astype(str).map(names.index), "tickvals": list(range(len(names))),
                "ticktext": [text(name) for name in names]}

    batch = runs["batch_size"].map(lambda b: 0 if b == "full" else int(b))
    dimensions = [
        {"label": "hidden layers", "values": depth, "tickvals": sorted(depth.unique())},
        {"label": "widest layer", "values": width},
        categorical(runs["activation"], "activation"),
        {"label": "log10 lr", "values": np.log10(runs["lr"].astype(float))},
        categorical(runs["optimizer"], "optimizer"),
        {"label": "batch (0 = full)", "values": batch},
        {"label": "test accuracy", "values": runs["test_acc"].fillna(0), "range": [0, 1]},
    ]
    dimensions.insert(0, categorical(runs["dataset"], "dataset"))
    varying = [d for d in dimensions[:-1] if pd.Series(d["values"]).nunique() > 1]
    dimensions = varying + dimensions[-1:]  # the settings that vary, then the test accuracy
    fig = go.Figure(go.Parcoords(line={"color": runs["test_acc"].fillna(0), "colorscale": "Viridis", "cmin": 0,
                                       "cmax": 1, "showscale": True,
                                       "colorbar": {"title": {"text": "test acc", "side": "right"}}},
                                 dimensions=dimensions))
    fig.update_layout(height=420, margin={"l": 60, "r": 40, "t": 50, "b": 30})
    return fig

