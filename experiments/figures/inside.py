"""Inside the networks: gradient flow per layer, hidden-layer activations, weight matrices."""
import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .common import CLASS_COLORS, DoesNotApply, facet_grid, projection, run_title, text, trained_network


LAYER_COLORS = ["#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf", "#393b79", "#637939"]


def gradient_flow_figure(results, run_ids, height_per_row=300):
    """Per-layer gradient norms over epochs (log scale), one panel per run: vanishing gradients show as
    the layers nearest the input falling far below the others."""
    columns = [c for c in results.grad_norm_columns]
    if results.history.empty or not columns:
        raise DoesNotApply("these results have no gradient norms (they are recorded while training).")
    run_ids = list(run_ids)[:9]
    if not run_ids:
        raise DoesNotApply("choose at least one run.")
    rows, cols = facet_grid(len(run_ids))
    labels = results.labels(include_dataset=True)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[text(labels[r]) for r in run_ids], shared_yaxes=True,
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


def hidden_layers_figure(results, run_id, max_points=600):
    """Each hidden layer's activations for the test set in 2-D (PCA), coloured by class: the classes come
    apart layer by layer. The first panel is the input itself."""
    data, net = trained_network(results, run_id)
    layers = [data.X_test, *net.hidden_activations(data.X_test)]
    if len(layers) == 1:
        raise DoesNotApply(f"{net.layer_sizes} has no hidden layer: the input goes straight to the classes.")
    keep = np.random.default_rng(0).permutation(len(data.y_test))[:max_points]
    titles = ["input"] + [f"hidden layer {i} ({layer.shape[1]} units)" for i, layer in enumerate(layers[1:], 1)]
    rows, cols = facet_grid(len(layers), max_cols=4)
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
            fig.add_trace(go.Scatter(x=plane[mask, 0], y=plane[mask, 1], mode="markers",
                                     name=text(data.class_names[cls]), legendgroup=str(cls),
                                     showlegend=index == 0, hoverinfo="skip",
                                     marker={"size": 5, "color": CLASS_COLORS[cls % 10], "opacity": 0.8}),
                          row=index // cols + 1, col=index % cols + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(height=300 * rows + 110, margin={"l": 20, "r": 20, "t": 90, "b": 20},
                      legend={"orientation": "h", "y": -0.05, "x": 0},
                      title={"text": f"{text(run_title(results, run_id))} · test set, first two principal "
                                     "components per layer", "font": {"size": 13}, "y": 0.98, "yanchor": "top"})
    return fig


def weights_figure(results, run_id):
    """Every Linear layer's weight matrix W (inputs down, units across) as a heatmap, on one colour scale."""
    _, net = trained_network(results, run_id)
    weights = [W for W, _ in net.get_weights()]
    limit = max(float(np.abs(W).max()) for W in weights) or 1.0
    fig = make_subplots(rows=1, cols=len(weights), horizontal_spacing=0.05,
                        subplot_titles=[f"W{i + 1}: {W.shape[0]} → {W.shape[1]}" for i, W in enumerate(weights)])
    for index, W in enumerate(weights):
        fig.add_trace(go.Heatmap(z=W, zmin=-limit, zmax=limit, zmid=0, colorscale="RdBu", showscale=index == 0,
                                 colorbar={"title": {"text": "weight", "side": "right"}, "thickness": 12},
                                 hovertemplate="input %{y} → unit %{x}<br>w = %{z:.3f}<extra></extra>"),
                      row=1, col=index + 1)
        # unit indices only: whole numbers, at most about 8 labels per axis
        fig.update_yaxes(tickmode="linear", tick0=0, dtick=math.ceil(W.shape[0] / 8), autorange="reversed",
                         row=1, col=index + 1)
        fig.update_xaxes(tickmode="linear", tick0=0, dtick=math.ceil(W.shape[1] / 8), row=1, col=index + 1)
    fig.update_yaxes(title_text="input", col=1)
    fig.update_xaxes(title_text="unit")
    fig.update_layout(height=380, margin={"l": 50, "r": 20, "t": 50, "b": 40})
    return fig

