"""What the browser's canvas renderer (ui/components) draws for boundary panels, as plain data: no Plotly.

Each builder returns a dict the renderer reads (JSON: lists, numbers, text; a grid as base64 text of the
bytes ``experiments.grids.probability_grid`` makes). The renderer paints every grid into a canvas at the
grid's own resolution and lets CSS scale it up, so a panel costs a few KB and a millisecond.

- ``plane_payload``: a dataset's plane (extent, axis names), classes and their colours, and its points;
- ``panels_payload``: the final boundary panels of the datasets drawn, one section per dataset;
- ``film_payload``: every snapshot grid of the drawn panels and their test-loss curves, sent once, so the
  slider and the play button run in the browser.

A panel names its configuration twice: ``key`` is unique across datasets (``results.labels(include_dataset=
True)``: what a click picks and what the table ticks) and ``label`` is what its title shows.
"""
import base64

import numpy as np

from ..grids import GRID_RESOLUTION, dataset_plane, probability_grid
from .boundaries import boundary_panels
from .common import DoesNotApply, class_colors, config_colors

PANEL_POINTS = 200  # data points per split drawn over each panel: the same points in every panel
FILM_PANELS = 12  # panels per dataset in the film
CURVE_POINTS = 200  # points per curve sent to the browser (thinned, the last epoch kept)


def encode(grid):
    """A grid's bytes as the text the renderer decodes (base64)."""
    return base64.b64encode(grid).decode("ascii")


def thin(n, max_points):
    """Indices of about ``max_points`` of ``n`` values, evenly spread, the first and last kept."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.r_[np.linspace(0, n - 1, max_points).round().astype(int), n - 1])


def _rounded(values, digits=4):
    """Numbers for JSON: rounded, NaN and infinities as None."""
    values = np.round(np.asarray(values, dtype=float), digits)
    return [float(v) if np.isfinite(v) else None for v in values]


def _points(plane, X, y, max_points):
    if max_points and len(y) > max_points:
        step = -(-len(y) // max_points)
        X, y = X[::step], y[::step]
    points = plane.to_plane(X) if len(y) else np.zeros((0, 2))
    return {"x": _rounded(points[:, 0], 3), "y": _rounded(points[:, 1], 3), "c": [int(c) for c in y]}


def plane_payload(data, max_points=PANEL_POINTS, resolution=GRID_RESOLUTION):
    """A dataset's plane as the renderer needs it: extent, axis names and what they are (its own features or
    principal components of N features), class names and colours, and up to ``max_points`` points of each
    split (every k-th, so the same ones each time)."""
    plane = dataset_plane(data)
    return {"x": list(plane.x_range), "y": list(plane.y_range), "axes": list(plane.axis_names),
            "features": int(plane.n_features), "resolution": int(resolution),
            "classes": [str(name) for name in data.class_names], "class_colors": class_colors(data.n_classes),
            "train": _points(plane, data.X_train, data.y_train, max_points),
            "test": _points(plane, data.X_test, data.y_test, max_points)}


def _memo(results, key, make):
    """``make()``, kept with these results: a panel's grid or a dataset's plane does not change with the
    colours or the configurations drawn, so each is computed once per results."""
    memo = results.__dict__.setdefault("_drawn", {})
    if key not in memo:
        memo[key] = make()
    return memo[key]


def _final_grid(results, run_id, resolution):
    data = results.datasets[run_id]
    return _memo(results, ("grid", run_id, resolution), lambda: encode(probability_grid(
        results.networks[run_id], _memo(results, ("inputs", id(data), resolution),
                                        lambda: dataset_plane(data).grid_inputs(resolution)), data.n_classes)))


def _plane(results, data, max_points=PANEL_POINTS, resolution=GRID_RESOLUTION):
    return _memo(results, ("plane", id(data), max_points, resolution),
                 lambda: plane_payload(data, max_points, resolution))


def _ordered(panels, results, only):
    """The panels' runs in the order of ``only`` (best first, then the worst) if given, else run order."""
    if only is None:
        return panels
    keys = results.labels(include_dataset=True)
    rank = {key: index for index, key in enumerate(only)}
    return panels.assign(_rank=panels["run_id"].map(keys).map(rank)).sort_values("_rank", kind="stable")


def panel_entry(results, run_id, colors, grid=None, status=None, acc=None):
    """One panel: its configuration (key, label, title lines, colour), test accuracy, run and grid (base64)."""
    label = results.labels()[run_id]
    run = results.runs.loc[results.runs["run_id"] == run_id].iloc[0]
    acc = run["test_acc"] if acc is None else acc
    return {"key": results.labels(include_dataset=True)[run_id], "label": label, "title": label.split(" · "),
            "color": colors[label], "run": int(run_id), "status": str(status or run["status"]),
            "acc": None if acc is None or acc != acc else round(float(acc), 4),
            **({"grid": grid} if grid is not None else {})}


def panels_payload(results, datasets, only=None, color_by=None, resolution=GRID_RESOLUTION):
    """The final boundary panels of ``datasets``: per dataset the first seed of each configuration with a
    network (those keyed in ``only``, best first, if given; see ``boundaries.boundary_panels``), each with
    its probability grid. Sections of datasets with nothing to draw say so (``empty``)."""
    colors = config_colors(results, color_by)
    sections = []
    for dataset in datasets:
        panels, left_out = boundary_panels(results, dataset, only)
        if panels.empty:
            sections.append({"dataset": str(dataset), "empty": True, "panels": [], "left_out": left_out})
            continue
        data = results.datasets[panels["run_id"].iloc[0]]
        entries = [panel_entry(results, run_id, colors, _final_grid(results, run_id, resolution))
                   for run_id in _ordered(panels, results, only)["run_id"]]
        sections.append({"dataset": str(dataset), "plane": _plane(results, data, resolution=resolution),
                         "panels": entries, "left_out": int(left_out)})
    return {"view": "panels", "sections": sections}


def _snapshot_grids(results, run_id, resolution):
    """Every snapshot's grid of a run, computed once per results."""
    def make():
        data, network = results.datasets[run_id], results.networks[run_id].copy()
        inputs = dataset_plane(data).grid_inputs(resolution)
        frames = []
        for epoch, params in results.snapshots[run_id]:
            network.flat_params[...] = params
            frames.append([int(epoch), encode(probability_grid(network, inputs, data.n_classes))])
        return frames
    return _memo(results, ("film", run_id, resolution), make)


def film_payload(results, datasets, only=None, color_by=None, resolution=GRID_RESOLUTION, max_panels=FILM_PANELS):
    """The film of ``datasets``: per dataset up to ``max_panels`` configurations (first seed, with saved
    weights), each with a grid at every snapshot epoch and its test-loss curve, for the browser to play.
    ``epochs`` is every snapshot epoch of every run drawn, the slider's stops."""
    colors = config_colors(results, color_by)
    sections, epochs = [], set()
    history = results.history
    for dataset in datasets:
        panels, left_out = boundary_panels(results, dataset, only)
        panels = _ordered(panels[panels["run_id"].isin(results.snapshots)], results, only)
        left_out += max(0, len(panels) - max_panels)
        panels = panels.head(max_panels)
        if panels.empty:
            continue
        data = results.datasets[panels["run_id"].iloc[0]]
        entries = []
        for run_id in panels["run_id"]:
            curve = history[history["run_id"] == run_id]
            keep = thin(len(curve), CURVE_POINTS)
            frames = _snapshot_grids(results, run_id, resolution)
            entries.append({**panel_entry(results, run_id, colors), "frames": frames,
                            "curve": {"epoch": [int(e) for e in curve["epoch"].to_numpy()[keep]],
                                      "test_loss": _rounded(curve["test_loss"].to_numpy()[keep])}})
            epochs.update(epoch for epoch, _ in frames)
        sections.append({"dataset": str(dataset), "plane": _plane(results, data, resolution=resolution),
                         "panels": entries, "left_out": int(left_out)})
    if not sections:
        raise DoesNotApply("no weights were saved while these runs trained (they are kept for the first seed of "
                           "each configuration when the app trains; results opened from CSV have none).")
    return {"view": "film", "epochs": sorted(epochs), "sections": sections}


def run_film_payload(results, run_id, resolution=60):
    """The film of one run (the Boundary over time page): its panel at every snapshot, drawn large."""
    if not results.snapshots.get(run_id):
        raise DoesNotApply("no weights were saved while this run trained (they are kept for the first seed of "
                           "each configuration).")
    dataset = results.runs.loc[results.runs["run_id"] == run_id, "dataset"].iloc[0]
    keys = results.labels(include_dataset=True)
    payload = film_payload(results, [dataset], only=(keys[run_id],), resolution=resolution, max_panels=1)
    return {**payload, "large": True}
