"""The comparison as a film: every configuration's decision boundary at the same epoch, one slider and a
play button for all of them, and a marker moving along the test-loss curves above."""
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .boundaries import (boundary_grid, boundary_panels, boundary_surface, class_point_traces, color_bar, equal_scale,
                         panel_title)
from .common import DoesNotApply, config_colors, text

MAX_FILM_PANELS = 12


def film_epochs(results, run_ids):
    """The epochs at which every run drawn has weights to show (the union of their snapshot epochs)."""
    return sorted({epoch for run_id in run_ids for epoch, _ in results.snapshots.get(run_id, [])})


def _weights_at(snapshots, epoch):
    """The latest snapshot at or before ``epoch`` (a run that stopped early keeps its last weights)."""
    chosen = snapshots[0][1]
    for snapshot_epoch, params in snapshots:
        if snapshot_epoch > epoch:
            break
        chosen = params
    return chosen


def comparison_film_figure(results, dataset, resolution=45, cols=None, panel_height=230, color_by=None, only=None):
    """All configurations of ``dataset`` (the first seed of each, at most 12) learning side by side: frame k
    shows every panel's boundary at the k-th snapshot epoch and marks that epoch on the curves. Curves and
    the bar along each panel's top edge have the configuration's colour (``config_colors(results, color_by)``).
    ``only``: the configurations (labels) to show, None for all."""
    colors = config_colors(results, color_by)
    panels, _ = boundary_panels(results, dataset, only)
    panels = panels[panels["run_id"].isin(results.snapshots)].head(MAX_FILM_PANELS)
    if panels.empty:
        raise DoesNotApply("no weights were saved while these runs trained (they are kept for the first seed of "
                           "each configuration when the app trains; results opened from CSV have none).")
    run_ids = list(panels["run_id"])
    epochs = film_epochs(results, run_ids)
    data = results.datasets[run_ids[0]]
    to_plane, gx, gy, inputs, axis_names = boundary_grid(data, resolution)
    labels = results.labels()
    cols = cols or min(len(run_ids), 4)
    rows = -(-len(run_ids) // cols)
    titles = [""] + [panel_title(labels[r]) for r in run_ids]  # the curves span the first row: one title
    specs = [[{"colspan": cols}] + [None] * (cols - 1)] + [[{}] * cols for _ in range(rows)]
    fig = make_subplots(rows=rows + 1, cols=cols, specs=specs, subplot_titles=titles, horizontal_spacing=0.04,
                        vertical_spacing=0.16 / max(1, rows) + 0.04, row_heights=[0.7] + [1.0] * rows)
    history = results.history
    for run_id in run_ids:  # the curves, with the epochs on x
        curve = history[history["run_id"] == run_id]
        fig.add_trace(go.Scatter(x=curve["epoch"], y=curve["test_loss"], mode="lines", name=text(labels[run_id]),
                                 line={"color": colors[labels[run_id]], "width": 2}, showlegend=False,
                                 hovertemplate=f"{text(labels[run_id])}<br>epoch %{{x}}<br>test loss %{{y:.3f}}"
                                               "<extra></extra>"), row=1, col=1)
    nets = {run_id: results.networks[run_id].copy() for run_id in run_ids}

    def surfaces(epoch):
        traces = []
        for index, run_id in enumerate(run_ids):
            nets[run_id].flat_params[...] = _weights_at(results.snapshots[run_id], epoch)
            proba = np.round(nets[run_id].predict_proba(inputs), 3)
            traces.append(boundary_surface(data, proba, gx, gy, showscale=index == 0))
        return traces

    surface_indices, bars = [], []
    for index, (run_id, trace) in enumerate(zip(run_ids, surfaces(epochs[-1]))):
        row, col = index // cols + 2, index % cols + 1
        surface_indices.append(len(fig.data))
        fig.add_trace(trace, row=row, col=col)
        for points in class_point_traces(data, to_plane, showlegend=index == 0):
            fig.add_trace(points, row=row, col=col)
        equal_scale(fig, row, col)
        bars.append(color_bar(fig, row, col, colors[labels[run_id]]))
    marker = {"type": "line", "xref": "x", "yref": "y domain", "y0": 0, "y1": 1, "line": {"color": "#e8590c",
                                                                                        "width": 2}}
    frames = [go.Frame(name=str(epoch), data=surfaces(epoch), traces=surface_indices,
                       layout={"shapes": [{**marker, "x0": max(epoch, 1), "x1": max(epoch, 1)}, *bars]})
              for epoch in epochs]  # a frame's shapes replace the figure's: the bars are in every one
    fig.frames = frames
    fig.update_layout(shapes=[{**marker, "x0": epochs[-1], "x1": epochs[-1]}, *bars])
    steps = [{"label": str(epoch), "method": "animate",
              "args": [[str(epoch)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                      "transition": {"duration": 0}}]} for epoch in epochs]
    fig.update_layout(
        height=panel_height * (rows + 0.7) + 230, margin={"l": 40, "r": 10, "t": 70, "b": 60},
        sliders=[{"active": len(steps) - 1, "currentvalue": {"prefix": "epoch "}, "steps": steps,
                  "pad": {"t": 30}, "x": 0.16, "len": 0.84}],
        updatemenus=[{"type": "buttons", "showactive": False, "x": 0, "y": 0, "xanchor": "left", "yanchor": "top",
                      "pad": {"t": 45},
                      "buttons": [{"label": "▶ play", "method": "animate",
                                   "args": [None, {"frame": {"duration": 400, "redraw": True}, "fromcurrent": False,
                                                   "transition": {"duration": 0}}]}]}],
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1, "xanchor": "right",
                "font": {"size": 11}})
    fig.update_xaxes(title_text="epoch", row=1, col=1)
    fig.update_yaxes(title_text="test loss", row=1, col=1)
    for index in range(len(run_ids)):
        fig.update_xaxes(range=[gx[0], gx[-1]], nticks=4, tickfont={"size": 9}, showgrid=False,
                         row=index // cols + 2, col=index % cols + 1)
        fig.update_yaxes(range=[gy[0], gy[-1]], nticks=4, tickfont={"size": 9}, showgrid=False,
                         row=index // cols + 2, col=index % cols + 1)
    fig.update_annotations(font_size=11)
    fig.update_xaxes(title_text=axis_names[0], title_font={"size": 10}, row=2, col=1)
    fig.update_yaxes(title_text=axis_names[1], title_font={"size": 10}, row=2, col=1)
    return fig
