"""Decision boundaries: one panel per configuration, over time, and the point picker of Try it."""
import math

import numpy as np
import plotly.graph_objects as go

from ..grids import dataset_plane
from .canvas import Canvas
from .common import (BINARY_SCALE, CLASS_COLORS, VARYING_FIELDS, DoesNotApply, config_colors, first_seed_runs,
                     run_title, text)


MAX_PANELS = 48  # per dataset; the browser draws a panel as one small canvas, so many stay cheap


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


def boundary_panels(results, dataset, only=None):
    """The runs shown as decision-boundary panels for ``dataset``: the lowest seed of each configuration that
    has a trained network (of the configurations keyed in ``only``, if given: keys are
    ``results.labels(include_dataset=True)``, which name the dataset when several are compared). Returns
    (runs table, number of configurations left out by MAX_PANELS)."""
    runs = results.runs[(results.runs["dataset"] == dataset) & results.runs["run_id"].isin(results.networks)]
    if only is not None:
        keys = results.labels(include_dataset=True)
        runs = runs[runs["run_id"].map(keys).isin(only)]
    firsts = first_seed_runs(runs)
    return firsts.head(MAX_PANELS), max(0, len(firsts) - MAX_PANELS)


def boundary_grid(data, resolution):
    """(to_plane, gx, gy, grid points in input space, axis names): a resolution x resolution grid over the
    data's plane (``grids.Plane``: the data itself, or its first two principal components, padded by 8%),
    y increasing row by row as Plotly's heatmaps want it."""
    plane = dataset_plane(data)
    gx, gy = plane.axes(resolution)
    inputs = plane.from_plane(np.column_stack([a.ravel() for a in np.meshgrid(gx, gy)]))
    return plane.to_plane, gx, gy, inputs, plane.axis_names


def boundary_surface(data, proba, gx, gy, showscale=True):
    """The network's answer over the grid, as a heatmap (a trace dict: see canvas.py for why not a
    go.Heatmap): P(class 1) on a blue-white-orange scale, smoothed between grid points, for two classes;
    the predicted class for more. A heatmap, not a filled contour: the browser draws it as one image,
    where a contour's bands are traced anew for every panel and every frame of the film (bench_film.py)."""
    shape = (len(gy), len(gx))
    if data.n_classes == 2:
        return dict(type="heatmap", x=gx, y=gy, z=proba[:, 1].reshape(shape), zmin=0, zmax=1, zsmooth="best",
                    colorscale=BINARY_SCALE, opacity=0.75, showscale=showscale,
                    hovertemplate="P=%{z:.2f}<extra></extra>",
                    colorbar={"title": {"text": f"P({text(data.class_names[1])})", "side": "right"},
                              "len": 0.6, "thickness": 12})
    scale = [[i / (data.n_classes - 1), CLASS_COLORS[i % 10]] for i in range(data.n_classes)]
    return dict(type="heatmap", x=gx, y=gy, z=proba.argmax(axis=1).reshape(shape), zmin=0, zmax=data.n_classes - 1,
                colorscale=scale, opacity=0.45, showscale=False, hovertemplate="predicted %{z}<extra></extra>")


def class_point_traces(data, to_plane, showlegend=True, max_points=None):
    """The data in its plane, coloured by class: training points solid, test points hollow; with
    ``max_points``, every k-th point so that each split has at most that many (the live view's panels)."""
    traces = []
    for X, y, split in ((data.X_train, data.y_train, "train"), (data.X_test, data.y_test, "test")):
        if max_points and len(y) > max_points:
            step = -(-len(y) // max_points)
            X, y = X[::step], y[::step]
        points = to_plane(X)
        for cls in range(data.n_classes):
            mask = y == cls
            color = CLASS_COLORS[cls % 10]
            traces.append(dict(
                type="scatter", x=points[mask, 0], y=points[mask, 1], mode="markers",
                name=f"{text(data.class_names[cls])} ({split})",
                legendgroup=f"{cls}{split}", showlegend=showlegend, hoverinfo="skip",
                marker={"size": 5 if split == "train" else 7, "color": color,
                        "symbol": "circle" if split == "train" else "circle-open",
                        "line": {"width": 0.5 if split == "train" else 1.5,
                                 "color": "white" if split == "train" else color}}))
    return traces


def decision_boundary_figure(results, dataset, resolution=70, panel_height=None, highlight=(), color_by=None,
                             max_points=None, only=None):
    """Predicted probability over the data's range, one panel per configuration; train points solid, test
    points hollow. Both axes of a panel have the same scale, so rings look round. Data with more than two
    features is shown in the plane of its first two principal components (grid points mapped back to
    input space). Panels of the configurations keyed in ``highlight`` (see boundary_panels) get an outline. A bar along
    each panel's top edge has its configuration's colour in the curves (``config_colors(results, color_by)``).
    ``max_points``: at most this many points of each split per panel (see class_point_traces); ``only``: the
    configurations (labels) to draw, None for all. ``panel_height`` None: smaller the more panels a row has."""
    colors = config_colors(results, color_by)
    panels, _ = boundary_panels(results, dataset, only)
    if panels.empty:
        raise ValueError(f"no trained networks for {dataset!r}: decision boundaries need them.")
    data = results.datasets[panels["run_id"].iloc[0]]
    to_plane, gx, gy, grid_inputs, axis_names = boundary_grid(data, resolution)
    labels, keys = results.labels(), results.labels(include_dataset=True)
    positions, rows, cols = _panel_layout(panels)
    panel_height = panel_height or min(250, max(130, 520 // cols))  # about half a laptop screen's width
    titles = [""] * (rows * cols)
    for (row, col), run in zip(positions, panels.itertuples()):
        titles[row * cols + col] = f"{panel_title(labels[run.run_id])}<br>test {run.test_acc:.1%}"
    title_lines = max(title.count("<br>") + 1 for title in titles)
    canvas = Canvas(rows, cols, titles, horizontal_spacing=0.05,  # redrawn live: assembled unchecked, canvas.py
                    vertical_spacing=min(0.3, 0.06 * title_lines + 0.05) / max(1, rows - 1) if rows > 1 else 0)
    shapes = canvas.layout.setdefault("shapes", [])
    points = None
    for (row, col), run in zip(positions, panels.itertuples()):
        first = (row, col) == positions[0]
        proba = results.networks[run.run_id].predict_proba(grid_inputs)
        canvas.add(boundary_surface(data, proba, gx, gy, showscale=first), row + 1, col + 1)
        points = points or class_point_traces(data, to_plane, showlegend=True, max_points=max_points)
        for trace in points:  # meta: the configuration a click on a point picks (the Compare page)
            canvas.add({**trace, "showlegend": first, "meta": keys[run.run_id]}, row + 1, col + 1)
        canvas.equal_scale(row + 1, col + 1)
        shapes.append(_bar(*canvas.refs(row + 1, col + 1), colors[labels[run.run_id]]))
        if keys[run.run_id] in highlight:
            canvas.outline(row + 1, col + 1)
    canvas.update_axes("x", range=[gx[0], gx[-1]], nticks=4, tickfont={"size": 10}, showgrid=False, zeroline=False)
    canvas.update_axes("y", range=[gy[0], gy[-1]], nticks=4, tickfont={"size": 10}, showgrid=False, zeroline=False)
    for annotation in canvas.layout.get("annotations", []):  # the panels' titles
        annotation["font"] = {**annotation.get("font", {}), "size": 11}
    plane = f"{axis_names[0]} vs {axis_names[1]}" + ("" if data.is_2d else f" of its {data.n_features} features")
    top = 40 + 16 * title_lines
    return canvas.figure(height=panel_height * rows + top + 90, margin={"l": 30, "r": 10, "t": top, "b": 30},
                         title={"text": f"{text(dataset)}: {plane}", "font": {"size": 13}, "y": 1,
                                "yanchor": "top", "pad": {"t": 8}},
                         legend={"orientation": "h", "yanchor": "top", "y": -0.06, "x": 0, "font": {"size": 11}})


def panel_title(label):
    """A configuration's label on as many lines as it has parts, so narrow panels' titles do not overlap."""
    return "<br>".join(text(part) for part in label.split(" · "))


def color_bar(fig, row, col, color):
    """A thick line along the top edge of one panel in its configuration's colour (a shape, to add)."""
    return _bar(*_axis_names(fig, row, col), color)


def _bar(x_ref, y_ref, color):
    return {"type": "line", "xref": f"{x_ref} domain", "yref": f"{y_ref} domain", "x0": 0, "x1": 1, "y0": 1,
            "y1": 1, "line": {"color": color, "width": 6}}


def _axis_names(fig, row, col):
    subplot = fig.get_subplot(row, col)
    return tuple(axis.plotly_name.replace("axis", "") for axis in (subplot.xaxis, subplot.yaxis))


def equal_scale(fig, row, col):
    """One unit on x is as long as one unit on y in this panel (Plotly shrinks the panel to keep it so)."""
    x_axis, y_axis = (fig.layout.xaxis, fig.layout.yaxis) if fig._grid_ref is None else \
        (fig.get_subplot(row, col).xaxis, fig.get_subplot(row, col).yaxis)
    y_axis.update(scaleanchor=x_axis.plotly_name.replace("axis", ""), scaleratio=1, constrain="domain")
    x_axis.update(constrain="domain")


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
        title={"text": f"{text(run_title(results, run_id))} · {axis_names[0]} vs {axis_names[1]}",
               "font": {"size": 14}},
        sliders=[{"active": len(steps) - 1, "currentvalue": {"prefix": "epoch "}, "steps": steps, "pad": {"t": 40},
                  "x": 0.1, "len": 0.9}],
        updatemenus=[{"type": "buttons", "showactive": False, "x": 0, "y": -0.12, "xanchor": "left",
                      "buttons": [{"label": "▶ play", "method": "animate",
                                   "args": [None, {"frame": {"duration": 350, "redraw": True}, "fromcurrent": False,
                                                   "transition": {"duration": 0}}]}]}],
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"})
    fig.update_xaxes(title_text=axis_names[0], range=[gx[0], gx[-1]])
    fig.update_yaxes(title_text=axis_names[1], range=[gy[0], gy[-1]])
    equal_scale(fig, 1, 1)
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
                                 name=text(data.class_names[cls]), hoverinfo="skip",
                                 marker={"size": 4, "color": CLASS_COLORS[cls % 10], "opacity": 0.5}))
    fig.add_trace(go.Scatter(x=[x1], y=[x2], mode="markers", name="your point", hoverinfo="skip",  # black, white
                             marker={"size": 16, "color": "black", "symbol": "x",  # rim: seen on a light or dark page
                                     "line": {"color": "white", "width": 2}}))
    fig.update_layout(height=height, margin={"l": 20, "r": 20, "t": 10, "b": 20}, clickmode="event+select",
                      legend={"orientation": "h", "y": -0.08})
    equal_scale(fig, 1, 1)  # rings look round here too
    return fig

