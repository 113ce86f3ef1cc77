"""The deeper views' figures on small results, and where they do not apply."""
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from experiments import figures
from experiments.costs import snapshot_schedule
from experiments.runner import run_grid
from experiments.specs import RunSpec, expand_grid


@pytest.fixture(scope="module")
def circles():
    return run_grid(expand_grid(datasets=["circles"], architectures=["[2, 8, 2]", "[2, 8, 8, 8, 8, 2]"],
                                activations=["relu", "sigmoid"], seeds=[0, 1], epochs=30), snapshots=8)


def run_id(results, **conditions):
    """The id of the seed-0 run with these settings."""
    runs = results.runs[results.runs["seed"] == 0]
    for column, value in conditions.items():
        runs = runs[runs[column] == value]
    assert len(runs) == 1
    return int(runs["run_id"].iloc[0])


DEEP = "[2, 8, 8, 8, 8, 2]"


@pytest.fixture(scope="module")
def digits():
    return run_grid(expand_grid(datasets=["digits"], architectures=["[64, 16, 10]"], activations=["relu", "tanh"],
                                epochs=15))


def test_gradient_flow_has_a_line_per_layer_on_a_log_axis(circles):
    deep_relu = run_id(circles, architecture=DEEP, activation="relu")
    fig = figures.gradient_flow_figure(circles, [deep_relu, run_id(circles, architecture=DEEP, activation="sigmoid")])
    first_panel = [t for t in fig.data if t.xaxis == "x"]
    assert len(first_panel) == len(circles.networks[deep_relu].linear_layers) == 5
    assert fig.layout.yaxis.type == "log"
    assert {t.name for t in fig.data if t.showlegend} >= {"layer 1 (input side)", "layer 2"}


def test_sigmoid_gradients_vanish_in_the_deep_network(circles):
    runs = circles.runs.set_index(["architecture", "activation", "seed"])
    history = circles.history
    for activation, ratio_bound in (("sigmoid", 0.05), ("relu", None)):
        run_id = runs.loc[("[2, 8, 8, 8, 8, 2]", activation, 0), "run_id"]
        norms = history[history["run_id"] == run_id][["grad_norm_1", "grad_norm_5"]].mean()
        ratio = norms["grad_norm_1"] / norms["grad_norm_5"]
        if ratio_bound:
            assert ratio < ratio_bound  # the input-side layer gets a tiny fraction of the output's gradient
        else:
            assert ratio > 0.1


def test_boundary_animation_has_a_frame_per_snapshot(circles):
    fig = figures.boundary_animation_figure(circles, 0)
    epochs = [e for e, _ in circles.snapshots[0]]
    assert [frame.name for frame in fig.frames] == [str(e) for e in epochs] and epochs[0] == 0 and epochs[-1] == 30
    assert len(fig.layout.sliders[0].steps) == len(epochs)
    assert fig.layout.updatemenus[0].buttons[0].label == "▶ play"
    first, last = fig.frames[0].data[0].z, fig.frames[-1].data[0].z
    assert not np.allclose(first, last)  # the boundary moved during training


def test_only_the_first_seed_keeps_snapshots(circles):
    kept = set(circles.snapshots)
    assert kept == set(circles.runs[circles.runs["seed"] == 0]["run_id"])
    with pytest.raises(figures.DoesNotApply, match="no weights were saved"):
        figures.boundary_animation_figure(circles, int(circles.runs[circles.runs["seed"] == 1]["run_id"].iloc[0]))
    assert snapshot_schedule(200, 20)[:4] == [0, 1, 2, 3] and snapshot_schedule(200, 20)[-1] == 200
    assert len(snapshot_schedule(200, 20)) <= 21


def test_hidden_layers_and_weights(circles):
    deep = run_id(circles, architecture=DEEP, activation="relu")
    fig = figures.hidden_layers_figure(circles, deep)
    assert [a.text for a in fig.layout.annotations][:2] == ["input", "hidden layer 1 (8 units)"]
    assert len([a for a in fig.layout.annotations if a.text.startswith("hidden layer")]) == 4
    weights = figures.weights_figure(circles, deep)
    assert [t.z.shape for t in weights.data] == [(2, 8), (8, 8), (8, 8), (8, 8), (8, 2)]
    no_hidden = run_grid([RunSpec("xor", "[2, 2]", epochs=2)])
    with pytest.raises(figures.DoesNotApply, match="has no hidden layer"):
        figures.hidden_layers_figure(no_hidden, 0)


def test_confusion_matrices_count_the_test_set(digits):
    fig = figures.confusion_matrices_figure(digits, [0, 1])
    for run_id, trace in zip([0, 1], fig.data):
        matrix = np.asarray(trace.z)
        assert matrix.shape == (10, 10) and matrix.sum() == len(digits.datasets[run_id].y_test)
        accuracy = np.trace(matrix) / matrix.sum()
        assert accuracy == pytest.approx(digits.runs.loc[run_id, "test_acc"])


def test_gallery_shows_misclassified_first(digits):
    fig = figures.gallery_figure(digits, 0, n_images=16)
    titles = [a.text for a in fig.layout.annotations]
    n_wrong = int(round((1 - digits.runs.loc[0, "test_acc"]) * len(digits.datasets[0].y_test)))
    marks = [title[0] for title in titles]
    assert marks == sorted(marks, key=lambda mark: mark != "✗")  # every ✗ before any ✓
    assert marks.count("✗") == min(16, n_wrong)
    assert all("%" in title for title in titles)


def test_image_views_do_not_apply_to_2d_data(circles):
    with pytest.raises(figures.DoesNotApply, match="not an image dataset"):
        figures.confusion_matrices_figure(circles, [0])


def test_predictions_table(circles):
    shallow = run_id(circles, architecture="[2, 8, 2]", activation="relu")
    table = figures.predictions_table(circles, [shallow, 2], [0.0, 0.0])  # the centre of the circles: inner class
    assert list(table.columns[:3]) == ["configuration", "prediction", "confidence %"]
    np.testing.assert_allclose(table["P(outer)"] + table["P(inner)"], 1.0)
    assert table.loc[0, "prediction"] == "inner"


def test_parallel_coordinates_show_what_varies_coloured_by_accuracy(circles):
    fig = figures.parallel_coordinates_figure(circles)
    labels = [d.label for d in fig.data[0].dimensions]
    assert labels == ["hidden layers", "activation", "test accuracy"]  # depth and activation vary here
    np.testing.assert_allclose(fig.data[0].line.color, np.sort(circles.runs["test_acc"]))  # best drawn last


def test_parallel_coordinates_write_each_tick_once():
    """The axes used to read "32" over "32" and "8" over "8" (Plotly adds the range's ends to an axis without
    ticks), with "7.5" layers and a rate of "-1.52288": now each axis shows the values taken, once each."""
    rows = [{"run_id": i, "dataset": "circles", "layers": layers, "activation": activation, "optimizer": "sgd",
             "lr": lr, "batch_size": batch, "status": "ok", "test_acc": 0.5 + 0.01 * i}
            for i, (layers, activation, lr, batch) in enumerate(
                (layers, activation, lr, batch) for layers in ("[2, 4, 2]", "[2, 8, 2]", "[2, 6, 6, 2]")
                for activation in ("relu", "tanh") for lr in (0.1, 0.03, 0.3) for batch in ("full", 32))]
    fig = figures.parallel_coordinates_figure(SimpleNamespace(runs=pd.DataFrame(rows)))
    axes = {d.label: d for d in fig.data[0].dimensions}
    assert list(axes) == ["hidden layers", "widest layer", "activation", "lr (log scale)", "batch", "test accuracy"]
    for axis in axes.values():
        assert axis.tickvals and len(axis.ticktext) == len(axis.tickvals)  # given: no range labels added
        assert len(set(axis.ticktext)) == len(axis.ticktext) and len(set(axis.tickvals)) == len(axis.tickvals)
    assert axes["widest layer"].ticktext == ("4", "6", "8") and axes["hidden layers"].ticktext == ("1", "2")
    assert axes["lr (log scale)"].ticktext == ("0.03", "0.1", "0.3") and axes["batch"].ticktext == ("full", "32")


def test_weight_heatmaps_label_units_with_whole_numbers(circles):
    """A 2x2 matrix's axes used to read "-1, 0, 1, 1, 2": now ticks start at 0 and step by whole units."""
    fig = figures.weights_figure(circles, circles.runs["run_id"].iloc[0])
    for axis in [fig.layout[name] for name in fig.layout if name.startswith(("xaxis", "yaxis"))]:
        assert axis.tickmode == "linear" and axis.tick0 == 0 and axis.dtick >= 1 and float(axis.dtick).is_integer()


def test_design_map_shows_mean_accuracy_over_two_settings():
    """Learning rate and depth vary: one cell per pair, the mean over seeds, the spread on hover."""
    results = run_grid(expand_grid(datasets=["xor"], architectures=["[2, 8, 2]", "[2, 8, 8, 2]"],
                                   lrs=[0.01, 0.3], seeds=[0, 1], epochs=10))
    fig = figures.design_map_figure(results)
    heat = fig.data[0]
    assert {fig.layout.xaxis.title.text, fig.layout.yaxis.title.text} == {"learning rate", "hidden layers"}
    z = np.array(heat.z, dtype=float)
    assert z.shape == (2, 2) and np.isfinite(z).all()
    runs = results.runs
    first = runs[(runs["lr"] == 0.01) & (runs["layers"] == "[2, 8, 2]")]["test_acc"].mean() * 100
    xs, ys = list(heat.x), list(heat.y)
    if fig.layout.xaxis.title.text == "learning rate":
        assert z[ys.index("1"), xs.index("0.01")] == pytest.approx(first)
    assert "±" in heat.customdata[0][0] and "2 run(s)" in heat.customdata[0][0]


def test_design_map_says_when_it_does_not_apply(circles):
    with pytest.raises(figures.DoesNotApply, match="two numeric settings that vary"):
        figures.design_map_figure(run_grid(expand_grid(datasets=["xor4"], architectures=["[2, 4, 2]"], epochs=3)))


def test_the_film_moves_every_panel_together():
    """One slider for the comparison: every configuration has a grid at each of its snapshot epochs, and the
    boundary moves while it trains."""
    results = run_grid(expand_grid(datasets=["circles"], architectures=["[2, 8, 2]", "[2, 8, 8, 2]"],
                                   activations=["relu", "sigmoid"], epochs=30), snapshots=6)
    film = figures.film_payload(results, ("circles",))
    assert film["epochs"] == sorted({epoch for run in results.snapshots for epoch, _ in results.snapshots[run]})
    assert len(film["epochs"]) >= 5
    panels = film["sections"][0]["panels"]
    assert len(panels) == 4 and all([e for e, _ in p["frames"]] == film["epochs"] for p in panels)
    first, last = panels[0]["frames"][0][1], panels[0]["frames"][-1][1]
    assert first != last  # the boundary moved while it trained


def test_the_film_needs_saved_weights(circles):
    saved = circles.__class__(circles.runs, circles.history)  # as opened from CSV: no networks, no snapshots
    with pytest.raises(figures.DoesNotApply, match="no weights were saved"):
        figures.film_payload(saved, ("circles",))


def test_a_network_without_a_hidden_layer_is_named_without_an_activation_everywhere():
    """[2, 2] next to [2, 8, 2] with relu: labels, titles and the table give it no activation, the design map
    and the parallel coordinates both call its widest layer 0."""
    results = run_grid(expand_grid(datasets=["circles"], architectures=["[2, 2]", "[2, 8, 2]"], lrs=[0.1, 0.5],
                                   epochs=3))
    assert sorted(set(results.labels().values())) == ["[2, 2] · lr 0.1", "[2, 2] · lr 0.5", "[2, 8, 2] · lr 0.1",
                                                      "[2, 8, 2] · lr 0.5"]
    table = figures.accuracy_table(results)
    assert set(zip(table["runs as"], table["activation"])) == {("[2, 2]", "none"), ("[2, 8, 2]", "relu")}
    assert figures.run_title(results, 0) == "circles · [2, 2] · lr 0.1 · seed 0"
    design_map = figures.design_map_figure(results, "learning rate", "widest layer")
    assert list(design_map.data[0].y) == ["0", "8"]
    parallel = figures.parallel_coordinates_figure(results).data[0].dimensions
    assert next(d for d in parallel if d.label == "widest layer").ticktext[0] == "0"


def test_the_paint_canvas_has_a_grid_and_leaves_clicks_to_streamlit():
    """A blank (or white-on-white) image still shows its pixels: a grid between them and a border. A click
    selects one pixel: the figure sets no click mode and drags a box only when asked (Streamlit turns clicks
    into bare events when the drag mode is "select")."""
    from experiments.datasets import DATASETS
    image = DATASETS["digits"].image
    fig = figures.paint_canvas_figure(image, np.zeros(image.shape))
    lines = [shape for shape in fig.layout.shapes if shape.type == "line"]
    borders = [shape for shape in fig.layout.shapes if shape.type == "rect"]
    assert len(lines) == 7 + 7 and len(borders) == 1 and fig.layout.clickmode is None
    assert fig.layout.dragmode == "pan" and figures.paint_canvas_figure(image, np.zeros(image.shape), box=True)\
        .layout.dragmode == "select"
    assert len(fig.data[1].x) == 64  # one invisible marker per pixel, to be selected


@pytest.fixture(scope="module")
def depth_lesson():
    from experiments.lessons import LESSONS_BY_KEY
    return run_grid(LESSONS_BY_KEY["depth"].settings.specs())


def test_the_gallery_shows_the_mistakes_then_every_class(depth_lesson):
    """The depth lesson: [36, 3] mixes up horizontal and vertical lines, and its gallery opens on those
    mistakes; [36, 8, 3] makes none, and its gallery still shows every class (it showed 24 X's at 100%)."""
    shallow = run_id(depth_lesson, layers="[36, 3]")
    titles = [note.text for note in figures.gallery_figure(depth_lesson, shallow).layout.annotations]
    assert titles[0].startswith("✗") and {"horizontal", "vertical"} <= {t.split("true ")[1] for t in titles
                                                                         if "true" in t}
    deep = run_id(depth_lesson, layers="[36, 8, 3]")
    fig = figures.gallery_figure(depth_lesson, deep)
    predicted = [note.text.split(" ")[1] for note in fig.layout.annotations]
    assert set(predicted[:3]) == {"horizontal", "vertical", "X"} and len(predicted) == 24
    assert fig.layout.title.text.startswith("lines · [36, 8, 3] · relu")  # named as the selector names it


def test_run_titles_name_architectures_as_the_labels_do(depth_lesson):
    """One dataset: the layers as run, as in every label ([36, 8, 3] on lines, asked as [25, 8, 2]);
    several: the architecture as asked."""
    deep = run_id(depth_lesson, layers="[36, 8, 3]")
    assert figures.run_title(depth_lesson, deep).startswith("lines · [36, 8, 3]")
    assert depth_lesson.labels()[deep] == "[36, 8, 3]"
    mixed = run_grid(expand_grid(datasets=["xor", "circles"], architectures=["[25, 4, 2]"], epochs=1))
    assert figures.run_title(mixed, 0).startswith("xor · [25, 4, 2]")
