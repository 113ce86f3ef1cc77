"""Figures for the deeper views: why a network learned what it learned. Pure functions of Results."""
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .plots import (CLASS_COLORS, _facet_grid, boundary_grid, boundary_panels, boundary_surface,
                    class_point_traces, projection)

LAYER_COLORS = ["#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf", "#393b79", "#637939"]


class DoesNotApply(ValueError):
    """This view has nothing to show for these results; the message says why."""


def _title(results, run_id):
    run = results.runs.set_index("run_id").loc[run_id]
    return f"{run['dataset']} · {run['architecture']} · {run['activation']} · lr {run['lr']:g} · seed {run['seed']}"


def gradient_flow_figure(results, run_ids, height_per_row=300):
    """Per-layer gradient norms over epochs (log scale), one panel per run: vanishing gradients show as
    the layers nearest the input falling far below the others."""
    columns = [c for c in results.grad_norm_columns]
    if results.history.empty or not columns:
        raise DoesNotApply("these results have no gradient norms (they are recorded while training).")
    run_ids = list(run_ids)[:9]
    if not run_ids:
        raise DoesNotApply("choose at least one run.")
    rows, cols = _facet_grid(len(run_ids))
    labels = results.labels(include_dataset=True)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[labels[r] for r in run_ids], shared_yaxes=True,
                        horizontal_spacing=0.04, vertical_spacing=0.14 if rows > 1 else 0.0)
    in_legend = set()
    for index, run_id in enumerate(run_ids):
        history = results.history[results.history["run_id"] == run_id]
        for layer, column in enumerate(columns):
            values = history[column].to_numpy()
            if np.isnan(values).all():
                continue
            name = f"layer {layer + 1}" + (" (input side)" if layer == 0 else "")
            fig.add_trace(go.Scatter(x=history["epoch"], y=values, mode="lines", name=name, legendgroup=name,
                                     showlegend=name not in in_legend, line={"color": LAYER_COLORS[layer % 12],
                                                                             "width": 2},
                                     hovertemplate=f"{name}<br>epoch %{{x}}<br>|grad| %{{y:.3g}}<extra></extra>"),
                          row=index // cols + 1, col=index % cols + 1)
            in_legend.add(name)
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_yaxes(title_text="gradient norm", col=1)
    fig.update_xaxes(title_text="epoch", row=rows)
    fig.update_layout(height=height_per_row * rows + 80, margin={"l": 60, "r": 20, "t": 50, "b": 40},
                      legend={"orientation": "h", "y": -0.15 if rows == 1 else -0.06, "x": 0})
    fig.update_annotations(font_size=12)
    return fig


def boundary_animation_figure(results, run_id, resolution=60):
    """The decision boundary at the weights saved during training, with a slider and a play button."""
    snapshots = results.snapshots.get(run_id)
    if not snapshots:
        raise DoesNotApply("no weights were saved while this run trained (they are kept for the first seed of "
                           "each configuration).")
    data, net = results.datasets[run_id], results.networks[run_id].copy()
    to_plane, gx, gy, inputs, axis_names = boundary_grid(data, resolution)

    def surface(params):
        net.flat_params[...] = params
        return boundary_surface(data, net.predict_proba(inputs), gx, gy)

    points = class_point_traces(data, to_plane)
    epochs = [epoch for epoch, _ in snapshots]
    frames = [go.Frame(data=[surface(params)], traces=[0], name=str(epoch)) for epoch, params in snapshots]
    fig = go.Figure(data=[frames[-1].data[0], *points], frames=frames)
    steps = [{"label": str(epoch), "method": "animate",
              "args": [[str(epoch)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True}}]}
             for epoch in epochs]
    fig.update_layout(
        height=560, margin={"l": 40, "r": 20, "t": 60, "b": 40},
        title={"text": f"{_title(results, run_id)} · {axis_names[0]} vs {axis_names[1]}", "font": {"size": 14}},
        sliders=[{"active": len(steps) - 1, "currentvalue": {"prefix": "epoch "}, "steps": steps, "pad": {"t": 40},
                  "x": 0.1, "len": 0.9}],
        updatemenus=[{"type": "buttons", "showactive": False, "x": 0, "y": -0.12, "xanchor": "left",
                      "buttons": [{"label": "▶ play", "method": "animate",
                                   "args": [None, {"frame": {"duration": 350, "redraw": True}, "fromcurrent": False,
                                                   "transition": {"duration": 0}}]}]}],
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"})
    fig.update_xaxes(title_text=axis_names[0], range=[gx[0], gx[-1]])
    fig.update_yaxes(title_text=axis_names[1], range=[gy[0], gy[-1]])
    return fig


def hidden_layers_figure(results, run_id, max_points=600):
    """Each hidden layer's activations for the test set in 2-D (PCA), coloured by class: the classes come
    apart layer by layer. The first panel is the input itself."""
    data, net = results.datasets[run_id], results.networks[run_id]
    layers = [data.X_test, *net.hidden_activations(data.X_test)]
    if len(layers) == 1:
        raise DoesNotApply(f"{net.layer_sizes} has no hidden layer: the input goes straight to the classes.")
    keep = np.random.default_rng(0).permutation(len(data.y_test))[:max_points]
    titles = ["input"] + [f"hidden layer {i} ({layer.shape[1]} units)" for i, layer in enumerate(layers[1:], 1)]
    rows, cols = _facet_grid(len(layers), max_cols=4)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.04,
                        vertical_spacing=0.12 if rows > 1 else 0.0)
    for index, activations in enumerate(layers):
        if activations.shape[1] >= 2:
            to_plane, _, _ = projection(activations) if activations.shape[1] > 2 else (lambda X: X, None, None)
            plane = to_plane(activations[keep])
        else:
            plane = np.column_stack([activations[keep, 0], np.zeros(len(keep))])
        for cls in range(data.n_classes):
            mask = data.y_test[keep] == cls
            fig.add_trace(go.Scatter(x=plane[mask, 0], y=plane[mask, 1], mode="markers", name=data.class_names[cls],
                                     legendgroup=str(cls), showlegend=index == 0, hoverinfo="skip",
                                     marker={"size": 5, "color": CLASS_COLORS[cls % 10], "opacity": 0.8}),
                          row=index // cols + 1, col=index % cols + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(height=300 * rows + 110, margin={"l": 20, "r": 20, "t": 90, "b": 20},
                      legend={"orientation": "h", "y": -0.05, "x": 0},
                      title={"text": f"{_title(results, run_id)} · test set, first two principal components per layer",
                             "font": {"size": 13}, "y": 0.98, "yanchor": "top"})
    return fig


def weights_figure(results, run_id):
    """Every Linear layer's weight matrix W (inputs down, units across) as a heatmap, on one colour scale."""
    net = results.networks[run_id]
    weights = [W for W, _ in net.get_weights()]
    limit = max(float(np.abs(W).max()) for W in weights) or 1.0
    fig = make_subplots(rows=1, cols=len(weights), horizontal_spacing=0.05,
                        subplot_titles=[f"W{i + 1}: {W.shape[0]} → {W.shape[1]}" for i, W in enumerate(weights)])
    for index, W in enumerate(weights):
        fig.add_trace(go.Heatmap(z=W, zmin=-limit, zmax=limit, zmid=0, colorscale="RdBu", showscale=index == 0,
                                 colorbar={"title": {"text": "weight", "side": "right"}, "thickness": 12},
                                 hovertemplate="input %{y} → unit %{x}<br>w = %{z:.3f}<extra></extra>"),
                      row=1, col=index + 1)
    fig.update_yaxes(autorange="reversed", tickmode="auto", nticks=8, tickformat="d")
    fig.update_yaxes(title_text="input", col=1)
    fig.update_xaxes(title_text="unit", nticks=8, tickformat="d")
    fig.update_layout(height=380, margin={"l": 50, "r": 20, "t": 50, "b": 40})
    return fig


def _image_dataset(results, run_ids):
    run_ids = [r for r in run_ids if r in results.networks]
    if not run_ids:
        raise DoesNotApply("no trained networks to show.")
    data = results.datasets[run_ids[0]]
    if data.image_shape is None:
        raise DoesNotApply(f"{data.name} is not an image dataset; this view is for edge, lines and digits.")
    return data, run_ids


def confusion_matrices_figure(results, run_ids):
    """Test-set confusion matrix (rows: true class, columns: predicted) for each configuration."""
    data, run_ids = _image_dataset(results, list(run_ids)[:9])
    labels = results.labels()
    rows, cols = _facet_grid(len(run_ids))
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.08, vertical_spacing=0.16 if rows > 1 else 0.0,
                        subplot_titles=[f"{labels[r]} · test {results.runs.set_index('run_id').loc[r, 'test_acc']:.1%}"
                                        for r in run_ids])
    names = list(data.class_names)
    for index, run_id in enumerate(run_ids):
        predicted = results.networks[run_id].predict(data.X_test)
        matrix = np.zeros((data.n_classes, data.n_classes), dtype=int)
        np.add.at(matrix, (data.y_test, predicted), 1)
        fig.add_trace(go.Heatmap(z=matrix, x=names, y=names, colorscale="Blues", showscale=False,
                                 text=matrix, texttemplate="%{text}", textfont={"size": 10},
                                 hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"),
                      row=index // cols + 1, col=index % cols + 1)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="true", col=1)
    fig.update_xaxes(title_text="predicted", row=rows)
    fig.update_layout(height=max(320, 330 * rows + 60), margin={"l": 60, "r": 20, "t": 50, "b": 50})
    fig.update_annotations(font_size=12)
    return fig


def gallery_figure(results, run_id, n_images=24, per_row=8):
    """Test images with the prediction, its confidence and the true label; misclassified ones first."""
    data, (run_id,) = _image_dataset(results, [run_id])
    proba = results.networks[run_id].predict_proba(data.X_test)
    predicted, confidence = proba.argmax(axis=1), proba.max(axis=1)
    wrong = predicted != data.y_test
    order = np.lexsort((-confidence, ~wrong))[:n_images]  # misclassified first, most confident first
    rows = math.ceil(len(order) / per_row)
    titles = [f"{'✗' if wrong[i] else '✓'} {data.class_names[predicted[i]]} {confidence[i]:.0%}"
              + (f"<br>true {data.class_names[data.y_test[i]]}" if wrong[i] else "<br> ") for i in order]
    fig = make_subplots(rows=rows, cols=per_row, subplot_titles=titles, horizontal_spacing=0.015,
                        vertical_spacing=0.45 / rows)
    for position, index in enumerate(order):
        pixels = data.raw(data.X_test[index]).reshape(data.image_shape)  # as drawn, not standardised
        fig.add_trace(go.Heatmap(z=pixels, zmin=0, zmax=data.pixel_max, colorscale="gray_r" if data.name == "digits"
                                 else "gray", showscale=False, hoverinfo="skip"),
                      row=position // per_row + 1, col=position % per_row + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed", scaleanchor="x")
    fig.update_layout(height=210 * rows + 90, margin={"l": 10, "r": 10, "t": 100, "b": 10},
                      title={"text": f"{_title(results, run_id)} · {int(wrong.sum())} of {len(wrong)} test images "
                                     "misclassified", "font": {"size": 13}})
    fig.update_annotations(font_size=11)
    return fig


def predictions_table(results, run_ids, x):
    """Every chosen network's prediction for one input ``x`` (a 1-D array in the data's input space)."""
    rows = []
    labels = results.labels(include_dataset=True)
    for run_id in run_ids:
        data = results.datasets[run_id]
        proba = results.networks[run_id].predict_proba(np.asarray(x, dtype=float).reshape(1, -1))[0]
        best = int(proba.argmax())
        rows.append({"configuration": labels[run_id], "prediction": data.class_names[best],
                     "confidence %": 100 * float(proba[best]),
                     **{f"P({name})": float(p) for name, p in zip(data.class_names, proba)}})
    return pd.DataFrame(rows)


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
    coloured by test accuracy."""
    runs = results.runs[results.runs["status"] != "error"]
    if runs.empty:
        raise DoesNotApply("no finished runs.")
    layers = runs["layers"].map(lambda text: [int(v) for v in text.strip("[]").split(",")])
    depth = layers.map(lambda sizes: len(sizes) - 2)
    width = layers.map(lambda sizes: max(sizes[1:-1], default=0))

    def categorical(values, label):
        names = sorted(values.astype(str).unique())
        return {"label": label, "values": values.astype(str).map(names.index), "tickvals": list(range(len(names))),
                "ticktext": names}

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


__all__ = ["DoesNotApply", "gradient_flow_figure", "boundary_animation_figure", "hidden_layers_figure",
           "weights_figure", "confusion_matrices_figure", "gallery_figure", "predictions_table", "lr_finder_figure",
           "parallel_coordinates_figure", "boundary_panels"]
