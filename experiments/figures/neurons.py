"""Inside one network on 2-D data, as TensorFlow Playground shows it: every unit's output over the input plane,
layer by layer, and the weights between them, as plain data for the canvas renderer (ui/components/neurons.js).

A unit's grid is its output at ``resolution`` x ``resolution`` points of the plane (image order, as in
``experiments.grids``), quantised to one byte each around 127.5 = 0: byte = 127.5 + 127.5 * value / m rounded,
m the largest |value| of that unit over the plane (sent as ``low`` and ``high``), so every unit uses the
whole colour range. A layer wider than ``max_units`` shows the units with the largest outgoing weights.
"""
import numpy as np

from ..grids import GRID_RESOLUTION, dataset_plane, probability_grid
from .common import DoesNotApply, run_title, trained_network
from .panels import encode, plane_payload

NEURON_RESOLUTION = 24  # points per side of a unit's thumbnail
MAX_UNITS = 12  # units shown per layer


def signed_grid(values):
    """(bytes, low, high): one unit's outputs quantised around 127.5 = 0 (see the module's docstring)."""
    values = np.nan_to_num(np.asarray(values, dtype=float))
    scale = float(np.abs(values).max()) or 1.0
    quantised = np.clip(np.rint(127.5 + 127.5 * values / scale), 0, 255).astype(np.uint8)
    return quantised.tobytes(), float(values.min()), float(values.max())


def _shown(outgoing, max_units):
    """Indices of the units to show: all, or the ``max_units`` with the largest outgoing |weights|, in order."""
    if len(outgoing) <= max_units:
        return list(range(len(outgoing)))
    return sorted(np.argsort(-outgoing, kind="stable")[:max_units].tolist())


def neurons_payload(results, run_id, resolution=NEURON_RESOLUTION, max_units=MAX_UNITS):
    """The network of ``run_id`` as columns of units (the inputs, each hidden layer, its answer) with the
    weights between the units shown. 2-D data only: elsewhere a unit's output over the input space is not
    a picture."""
    data, net = trained_network(results, run_id)
    if data.n_features != 2:
        raise DoesNotApply(f"the units are drawn over the input plane, and {data.name} has {data.n_features} "
                           "features; the views below show these layers instead.")
    plane = dataset_plane(data)
    inputs = plane.grid_inputs(resolution)
    outputs = [inputs, *net.hidden_activations(inputs)]  # (points, width) per layer, the inputs first
    weights = [W for W, _ in net.get_weights()]
    shown = [_shown(np.abs(W).sum(axis=1), max_units if index else 2) for index, W in enumerate(weights)]
    activation = net.activation if isinstance(getattr(net, "activation", None), str) else ""
    layers = []
    for index, (values, units) in enumerate(zip(outputs, shown)):
        name = "input" if index == 0 else f"hidden layer {index}" + (f" · {activation}" if activation else "")
        entries = []
        for unit in units:
            grid, low, high = signed_grid(values[:, unit])
            entries.append({"grid": encode(grid), "label": plane.axis_names[unit] if index == 0 else f"unit {unit + 1}",
                            "low": low, "high": high})
        layers.append({"name": f"{name} ({values.shape[1]})", "units": entries, "total": int(values.shape[1])})
    answer = probability_grid(net, plane.grid_inputs(GRID_RESOLUTION), data.n_classes)
    layers.append({"name": "answer", "units": [{"grid": encode(answer)}], "total": 1})
    matrices = []
    for index, W in enumerate(weights):
        rows = shown[index]
        if index + 1 < len(weights):
            cols = shown[index + 1]
            matrix = W[np.ix_(rows, cols)]
        else:  # into the answer: for two classes what pushes towards class 1; else the size of the push
            last = W[rows]
            matrix = (last[:, 1] - last[:, 0])[:, None] if last.shape[1] == 2 else np.abs(last).sum(axis=1)[:, None]
        matrices.append({"w": np.round(matrix, 4).tolist()})
    wmax = max((float(np.abs(m["w"]).max()) for m in matrices if len(m["w"])), default=1.0) or 1.0
    run = results.runs.set_index("run_id").loc[run_id]
    return {"view": "neurons", "id": f"{results.token}:{run_id}", "title": run_title(results, run_id),
            "plane": plane_payload(data), "resolution": resolution, "layers": layers, "weights": matrices,
            "wmax": wmax, "acc": None if run["test_acc"] != run["test_acc"] else float(run["test_acc"])}
