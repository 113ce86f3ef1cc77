"""Image datasets: previews, a drawn image, confusion matrices and a gallery of test images."""
import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..registry import image_dataset_names
from .common import CLASS_COLORS, DoesNotApply, facet_grid, run_title, text


def dataset_preview_figure(data, n_images=8, height=220):
    """A scatter of a 2-D dataset, or a row of sample images (with their labels) of an image dataset."""
    if data.is_2d:
        fig = go.Figure()
        for cls in range(data.n_classes):
            mask = data.y_train == cls
            fig.add_trace(go.Scatter(x=data.X_train[mask, 0], y=data.X_train[mask, 1], mode="markers",
                                       name=text(data.class_names[cls]),
                                       marker={"size": 4, "color": CLASS_COLORS[cls]}))
        fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False)
        fig.update_xaxes(showticklabels=False)
        fig.update_yaxes(showticklabels=False, scaleanchor="x")
        return fig
    if data.image_shape is None:
        raise ValueError(f"{data.name!r} is neither 2-D nor made of images; nothing to preview.")
    picks = [i for cls in range(data.n_classes) for i in np.flatnonzero(data.y_train == cls)[:2]][:n_images]
    fig = make_subplots(rows=1, cols=len(picks), horizontal_spacing=0.02,
                        subplot_titles=[text(data.class_names[data.y_train[i]]) for i in picks])
    for col, image in enumerate(data.pixels(data.X_train[picks]), start=1):
        fig.add_trace(image_heatmap(data.image, image), row=1, col=col)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed", scaleanchor="x")
    fig.update_layout(height=height * 0.6, margin={"l": 5, "r": 5, "t": 25, "b": 5})
    fig.update_annotations(font_size=11)
    return fig


def image_heatmap(image_format, pixels, **options):
    """One image (raw pixel values, first row on top once the y-axis is reversed) drawn the dataset's way:
    the same convention in the preview, the gallery and Try it."""
    return go.Heatmap(z=np.asarray(pixels, dtype=float), zmin=0, zmax=image_format.pixel_max,
                      colorscale=image_format.colorscale, showscale=False, hoverinfo="skip", **options)


GRID_LINE = "rgba(128, 128, 128, 0.45)"  # reads on white and on near-black, on light and on dark ink
BORDER = "rgba(128, 128, 128, 0.9)"


def paint_canvas_figure(image_format, pixels, box=False, height=320):
    """An image to paint: the pixels under an invisible marker on each (a heatmap alone cannot be selected),
    with a grid between the pixels and a border, so a blank image or white pixels on a white page still show
    where each pixel is. ``box``: a drag selects a box of pixels; otherwise a click selects one pixel.

    No click mode is set: Streamlit selects points on click unless the figure sets its own, and when the drag
    mode is "select" it turns clicks into bare events that select nothing (Streamlit 1.63 to 1.67)."""
    rows, cols = image_format.shape
    grid_rows, grid_cols = np.mgrid[0:rows, 0:cols]
    fig = go.Figure([image_heatmap(image_format, pixels),
                     go.Scatter(x=grid_cols.ravel(), y=grid_rows.ravel(), mode="markers", showlegend=False,
                                marker={"size": 28, "color": "rgba(0,0,0,0)"}, hoverinfo="none")])
    lines = [{"type": "line", "x0": c - 0.5, "x1": c - 0.5, "y0": -0.5, "y1": rows - 0.5} for c in range(1, cols)] + \
        [{"type": "line", "x0": -0.5, "x1": cols - 0.5, "y0": r - 0.5, "y1": r - 0.5} for r in range(1, rows)]
    fig.update_layout(shapes=[{**line, "line": {"color": GRID_LINE, "width": 1}, "layer": "above"} for line in lines]
                      + [{"type": "rect", "x0": -0.5, "x1": cols - 0.5, "y0": -0.5, "y1": rows - 0.5,
                          "line": {"color": BORDER, "width": 2}, "layer": "above"}])
    fig.update_xaxes(visible=False, range=[-0.55, cols - 0.45], fixedrange=True)
    fig.update_yaxes(visible=False, range=[rows - 0.45, -0.55], scaleanchor="x", fixedrange=True)
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0}, dragmode="select" if box else "pan")
    return fig


def _image_dataset(results, run_ids):
    run_ids = [r for r in run_ids if r in results.networks]
    if not run_ids:
        raise DoesNotApply("no trained networks to show.")
    data = results.datasets[run_ids[0]]
    if data.image is None:
        raise DoesNotApply(f"{data.name} is not an image dataset; this view is for {', '.join(image_dataset_names())}.")
    return data, run_ids


def confusion_matrices_figure(results, run_ids):
    """Test-set confusion matrix (rows: true class, columns: predicted) for each configuration."""
    data, run_ids = _image_dataset(results, list(run_ids)[:9])
    labels = results.labels()
    rows, cols = facet_grid(len(run_ids))
    accuracy = results.runs.set_index("run_id")["test_acc"]
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.08, vertical_spacing=0.16 if rows > 1 else 0.0,
                        subplot_titles=[f"{text(labels[r])} · test {accuracy[r]:.1%}" for r in run_ids])
    names = [text(name) for name in data.class_names]
    for index, run_id in enumerate(run_ids):
        predicted = results.networks[run_id].predict(data.X_test)
        matrix = np.zeros((data.n_classes, data.n_classes), dtype=int)
        np.add.at(matrix, (data.y_test, predicted), 1)
        fig.add_trace(go.Heatmap(z=matrix, x=names, y=names, colorscale="Blues", showscale=False,
                                 text=matrix, texttemplate="%{text}", textfont={"size": 10},
                                 hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"),
                      row=index // cols + 1, col=index % cols + 1)
    fig.update_yaxes(autorange="reversed", type="category")
    for col in range(2, cols + 1):  # class names once per row: narrow panels' labels would overlap
        fig.update_yaxes(showticklabels=False, col=col)
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="true", col=1)
    fig.update_xaxes(title_text="predicted", row=rows)
    fig.update_layout(height=max(320, 330 * rows + 60), margin={"l": 60, "r": 20, "t": 50, "b": 50})
    fig.update_annotations(font_size=12)
    return fig


def gallery_figure(results, run_id, n_images=24, per_row=8):
    """Test images with the prediction, its confidence and the true label: the misclassified ones first (the
    most confident mistakes first), then right ones taking each class in turn, the least sure first, so a
    network without mistakes still shows every class, and where it hesitates."""
    data, (run_id,) = _image_dataset(results, [run_id])
    proba = results.networks[run_id].predict_proba(data.X_test)
    predicted, confidence = proba.argmax(axis=1), proba.max(axis=1)
    wrong = predicted != data.y_test
    mistakes = np.flatnonzero(wrong)[np.argsort(-confidence[wrong], kind="stable")]
    right = [np.flatnonzero(~wrong & (data.y_test == cls)) for cls in range(data.n_classes)]
    right = [members[np.argsort(confidence[members], kind="stable")] for members in right]
    turns = [members[turn] for turn in range(max(map(len, right), default=0))
             for members in right if turn < len(members)]
    order = np.array([*mistakes, *turns], dtype=int)[:n_images]
    rows = math.ceil(len(order) / per_row)
    titles = [f"{'✗' if wrong[i] else '✓'} {text(data.class_names[predicted[i]])} {confidence[i]:.0%}"
              + (f"<br>true {text(data.class_names[data.y_test[i]])}" if wrong[i] else "<br> ") for i in order]
    fig = make_subplots(rows=rows, cols=per_row, subplot_titles=titles, horizontal_spacing=0.015,
                        vertical_spacing=0.45 / rows)
    for position, image in enumerate(data.pixels(data.X_test[order])):
        fig.add_trace(image_heatmap(data.image, image), row=position // per_row + 1, col=position % per_row + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed", scaleanchor="x")
    fig.update_layout(height=210 * rows + 90, margin={"l": 10, "r": 10, "t": 100, "b": 10},
                      title={"text": f"{text(run_title(results, run_id))} · {int(wrong.sum())} of {len(wrong)} "
                                     "test images misclassified", "font": {"size": 13}})
    fig.update_annotations(font_size=11)
    return fig

