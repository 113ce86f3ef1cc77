"""Choosing settings: the learning-rate range test and all runs across their settings."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..specs import parse_architecture
from .common import DoesNotApply, text


def lr_finder_figure(test):
    """Smoothed loss against the learning rate (log axis), the loss of guessing the class frequencies dotted,
    and the suggested rate (if any) dashed, with its label beside the line."""
    fig = go.Figure(go.Scatter(x=test.lrs, y=test.losses, mode="lines", name="loss (smoothed)",
                               line={"width": 2, "color": "#1f77b4"},
                               hovertemplate="lr %{x:.2e}<br>loss %{y:.4f}<extra></extra>"))
    if np.isfinite(test.guessing_loss):
        fig.add_hline(y=test.guessing_loss, line={"dash": "dot", "color": "#888888", "width": 1},
                      annotation_text="guessing the class frequencies", annotation_position="bottom left",
                      annotation_font_color="#888888")
    if test.suggestion is not None:
        fig.add_vline(x=test.suggestion, line={"dash": "dash", "color": "#e8590c"})
        # an annotation on a log axis is placed in log10 units (a shape in data units): add_vline's own label
        # would land at 10**suggestion, far from the line
        fig.add_annotation(x=np.log10(test.suggestion), xref="x", y=1, yref="paper", yanchor="bottom",
                           xanchor="left", text=f"suggested lr {test.suggestion:.2g}", showarrow=False,
                           font={"color": "#e8590c"})
    finite = test.losses[np.isfinite(test.losses)]
    top = max(float(np.percentile(finite, 95)) if len(finite) else 1.0, test.guessing_loss
              if np.isfinite(test.guessing_loss) else 0.0)
    fig.update_xaxes(type="log", title_text="learning rate", exponentformat="power")
    fig.update_yaxes(title_text="training loss", range=[0, top * 1.1])
    fig.update_layout(height=380, margin={"l": 60, "r": 20, "t": 30, "b": 50}, showlegend=False)
    return fig


def parallel_coordinates_figure(results):
    """Every run as a line across its settings (depth, width, activation, lr, optimizer, batch size),
    coloured by test accuracy; the most accurate are drawn last, on top of the others.

    Every axis has its ticks given: Plotly writes an axis without them with its range at both ends as well
    as its ticks (a "32" over a "32", and "7.5" layers), so the axes show the values the runs took (or a
    few of them), the rates on a log scale as written (0.03, not -1.52) and the accuracy in tenths."""
    runs = results.runs[results.runs["status"] != "error"]
    if runs.empty:
        raise DoesNotApply("no finished runs.")
    runs = runs.sort_values("test_acc", kind="stable", na_position="first")  # drawn in order: the best on top
    layers = runs["layers"].map(parse_architecture)
    depth = layers.map(lambda sizes: len(sizes) - 2)
    width = layers.map(lambda sizes: max(sizes[1:-1], default=0))

    def categorical(values, label):
        names = sorted(values.astype(str).unique())
        return {"label": label, "values": values.astype(str).map(names.index), "tickvals": list(range(len(names))),
                "ticktext": [text(name) for name in names]}

    lr = runs["lr"].astype(float)
    batch = runs["batch_size"].map(lambda b: 0 if b == "full" else int(b))
    dimensions = [
        _numeric_axis(depth, "hidden layers"),
        _numeric_axis(width, "widest layer"),
        categorical(runs["activation"], "activation"),
        _numeric_axis(np.log10(lr), "lr (log scale)", names=lambda value: f"{10 ** value:.3g}"),
        categorical(runs["optimizer"], "optimizer"),
        _numeric_axis(batch, "batch", names=lambda value: "full" if value == 0 else f"{value:g}"),
        {"label": "test accuracy", "values": runs["test_acc"].fillna(0), "range": [0, 1],
         "tickvals": [i / 10 for i in range(11)], "ticktext": [f"{i / 10:g}" for i in range(11)]},
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


def _numeric_axis(values, label, names=lambda value: f"{value:g}", max_ticks=8):
    """A numeric axis of parallel coordinates with its ticks at the values the runs took (at most
    ``max_ticks`` of them, spread over the range, the ends kept), each written once."""
    taken = np.unique(np.asarray(values, dtype=float))
    if len(taken) > max_ticks:
        taken = taken[np.unique(np.linspace(0, len(taken) - 1, max_ticks).round().astype(int))]
    ticks = {}
    for value in taken:  # two values written alike (0.1 and 0.1000001) would make two ticks of one text
        ticks.setdefault(names(value), float(value))
    return {"label": label, "values": values, "tickvals": list(ticks.values()), "ticktext": list(ticks)}


def design_factors(runs):
    """The numeric settings of each run that a design map can put on an axis: {name: values per run}."""
    layers = runs["layers"].map(parse_architecture)
    return {
        "learning rate": runs["lr"].astype(float),
        "hidden layers": layers.map(lambda sizes: len(sizes) - 2),
        "widest layer": layers.map(lambda sizes: max(sizes[1:-1], default=0)),
        "epochs": runs["epochs"].astype(int),
        "batch size": runs["batch_size"].map(lambda b: 0 if b == "full" else int(b)),
        "L2": runs["l2"].astype(float),
    }


def varying_design_factors(runs):
    """Names of the numeric settings with more than one value, the most values first."""
    factors = design_factors(runs)
    counts = {name: values.nunique() for name, values in factors.items() if values.nunique() > 1}
    return sorted(counts, key=lambda name: -counts[name])


def design_map_figure(results, x=None, y=None, dataset=None):
    """Mean test accuracy over two numeric settings that vary (learning rate and depth, say), the spread over
    seeds and the other settings on hover: where does this design work? ``x`` and ``y`` name the settings
    (see ``design_factors``); by default the two that take the most values."""
    runs = results.runs[results.runs["status"] != "error"]
    if dataset is not None:
        runs = runs[runs["dataset"] == dataset]
    varying = varying_design_factors(runs) if not runs.empty else []
    if len(varying) < 2:
        raise DoesNotApply("a design map needs two numeric settings that vary, such as the learning rate and "
                           "the depth (hidden layers), the width or the epochs.")
    x, y = x or varying[0], y or next(name for name in varying if name != (x or varying[0]))
    for name in (x, y):
        if name not in varying:
            raise DoesNotApply(f"{name!r} does not vary in these results; choose from {', '.join(varying)}.")
    factors = design_factors(runs)
    table = pd.DataFrame({"x": factors[x], "y": factors[y], "acc": runs["test_acc"] * 100})
    stats = table.groupby(["y", "x"])["acc"].agg(["mean", "std", "count"]).reset_index()
    xs, ys = sorted(table["x"].unique()), sorted(table["y"].unique())
    mean = stats.pivot(index="y", columns="x", values="mean").reindex(index=ys, columns=xs)
    spread = stats.pivot(index="y", columns="x", values="std").reindex(index=ys, columns=xs)
    count = stats.pivot(index="y", columns="x", values="count").reindex(index=ys, columns=xs)
    labels = [[f"{v:.0f}" if v == v else "" for v in row] for row in mean.to_numpy()]
    hover = [[f"{x} {_tick(xv, x)}, {y} {_tick(yv, y)}<br>test accuracy {m:.1f}%" + (f" ± {s:.1f}" if s == s else "")
              + f"<br>{int(c)} run(s), mean over the other settings and seeds" if m == m else "no run"
              for xv, m, s, c in zip(xs, mrow, srow, crow)]
             for yv, mrow, srow, crow in zip(ys, mean.to_numpy(), spread.to_numpy(), count.to_numpy())]
    fig = go.Figure(go.Heatmap(
        z=mean.to_numpy(), x=[_tick(v, x) for v in xs], y=[_tick(v, y) for v in ys], zmin=0, zmax=100,
        colorscale="Viridis", text=labels, texttemplate="%{text}", customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", colorbar={"title": {"text": "test %", "side": "right"}}))
    fig.update_xaxes(title_text=x, type="category")
    fig.update_yaxes(title_text=y, type="category")
    fig.update_layout(height=max(300, 60 * len(ys) + 140), margin={"l": 70, "r": 20, "t": 30, "b": 60})
    return fig


def _tick(value, factor):
    """A design factor's value as text: batch size 0 stands for full batch; a widest layer of 0 is a
    network without a hidden layer, written 0 as on the parallel coordinates."""
    if factor == "batch size" and value == 0:
        return "full"
    return f"{value:g}" if isinstance(value, float) else str(value)
