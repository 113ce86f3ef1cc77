"""Figure functions on small results, without Streamlit: what each figure contains."""
import numpy as np
import plotly.graph_objects as go
import pytest

from experiments import figures
from experiments.datasets import load_dataset
from experiments.saved import results_from_csv
from experiments.runner import run_grid
from experiments.specs import RunSpec, expand_grid


@pytest.fixture(scope="module")
def results():
    return run_grid(expand_grid(datasets=["circles", "edge"], architectures=["[25, 8, 2]", "[25, 16, 8, 2]"],
                                activations=["relu", "tanh"], seeds=[0, 1], epochs=12))


def test_learning_curves_have_one_colour_per_configuration_and_a_band_per_seed_group(results):
    fig = figures.learning_curves_figure(results)
    assert isinstance(fig, go.Figure)
    assert [a.text for a in fig.layout.annotations] == ["circles", "edge"]  # one facet per dataset
    lines = [t for t in fig.data if t.mode == "lines" and t.x[0] is not None]
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(lines) == 2 * 4 * 2  # datasets x configurations x (train, test)
    assert len(bands) == len(lines)  # two seeds: every mean line has its band
    colours = {}
    for trace in lines:
        colours.setdefault(trace.name, set()).add(trace.line.color)
    assert len(colours) == 4 and all(len(c) == 1 for c in colours.values())  # the same colour in every facet
    assert {trace.line.dash for trace in lines} == {"solid", "dash"}
    legend_names = {t.name for t in fig.data if t.showlegend is not False}
    assert {"[25, 8, 2] · relu", "train", "test"} <= legend_names


def test_curves_are_the_mean_over_seeds(results):
    fig = figures.learning_curves_figure(results, metric="acc")
    run_ids = results.runs[(results.runs["dataset"] == "circles") & (results.runs["architecture"] == "[25, 8, 2]")
                           & (results.runs["activation"] == "relu")]["run_id"]
    expected = results.history[results.history["run_id"].isin(run_ids)].groupby("epoch")["test_acc"].mean()
    trace = next(t for t in fig.data if t.name == "[25, 8, 2] · relu" and t.line.dash == "dash")
    np.testing.assert_allclose(trace.y, expected.to_numpy())
    assert fig.layout.yaxis.range == (0, 1.02)


def test_smoothing_and_log_scale(results):
    raw = figures.learning_curves_figure(results)
    smooth = figures.learning_curves_figure(results, smoothing=0.9, log_y=True)
    assert smooth.layout.yaxis.type == "log"
    assert np.std(np.diff(smooth.data[1].y)) < np.std(np.diff(raw.data[1].y))
    np.testing.assert_allclose(figures.smooth([1.0, 1.0, 1.0], 0.9), [1.0, 1.0, 1.0])  # debiased: no ramp from 0


def test_bad_metric():
    with pytest.raises(ValueError, match="'metric' must be 'loss' or 'acc'"):
        figures.learning_curves_figure(None, metric="f1")


def test_decision_boundaries_one_panel_per_configuration_with_test_accuracy(results):
    fig = figures.decision_boundary_figure(results, "circles")
    contours = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(contours) == 4  # 2 architectures x 2 activations, first seed of each
    titles = [a.text for a in fig.layout.annotations if a.text]
    assert len(titles) == 4 and all("test " in title and "%" in title for title in titles)
    circles = results.runs[(results.runs["dataset"] == "circles") & (results.runs["seed"] == 0)]
    for title, acc in zip(titles, circles["test_acc"]):
        assert f"test {acc:.1%}" in title
    symbols = {t.marker.symbol for t in fig.data if isinstance(t, go.Scatter)}
    assert symbols == {"circle", "circle-open"}  # training points solid, test points hollow
    assert all(0.0 <= np.min(t.z) and np.max(t.z) <= 1.0 for t in contours)
    assert "x1 vs x2" in fig.layout.title.text


def test_panels_follow_what_varies(results):
    fig = figures.decision_boundary_figure(results, "circles")
    # rows follow the architecture, columns the activation
    assert {t.xaxis for t in fig.data if isinstance(t, go.Heatmap)} == {"x", "x2", "x3", "x4"}
    titles = [a.text for a in fig.layout.annotations if a.text]
    assert titles[0].startswith("[25, 8, 2]<br>relu") and titles[1].startswith("[25, 8, 2]<br>tanh")
    assert titles[2].startswith("[25, 16, 8, 2]<br>relu")


def test_boundary_panels_have_equal_axis_scales(results):
    """Circles look round: each panel's y axis is scaled to its x axis."""
    fig = figures.decision_boundary_figure(results, "circles")
    for row, col in ((1, 1), (1, 2), (2, 1), (2, 2)):
        subplot = fig.get_subplot(row, col)
        assert subplot.yaxis.scaleanchor == subplot.xaxis.plotly_name.replace("axis", "")
        assert subplot.yaxis.scaleratio == 1 and subplot.xaxis.showticklabels is not False


def test_a_diverged_run_does_not_flatten_the_loss_chart(results):
    """One run at a huge rate reaches a loss of thousands: the axis stays on the healthy runs' range."""
    import copy
    broken = copy.copy(results)
    broken.runs = results.runs.copy()
    broken.history = results.history.copy()
    victim = broken.runs["run_id"].iloc[0]
    broken.runs.loc[broken.runs["run_id"] == victim, "status"] = "diverged"
    broken.history.loc[broken.history["run_id"] == victim, "train_loss"] = 2e3
    healthy_max = broken.history.loc[broken.history["run_id"] != victim, ["train_loss", "test_loss"]].max().max()
    fig = figures.learning_curves_figure(broken)
    top = fig.layout.yaxis.range[1]
    assert healthy_max < top < 2 * healthy_max
    assert any("diverged" in (t.name or "") for t in fig.data)
    log_fig = figures.learning_curves_figure(broken, log_y=True)
    assert log_fig.layout.yaxis.type == "log" and log_fig.layout.yaxis.range[1] < 3


def test_log_bands_stay_above_the_axis():
    """With seeds whose spread exceeds the mean, the band's lower edge stays positive on a log axis."""
    from experiments.figures.curves import _band
    upper, lower = _band(np.array([0.1, 0.2]), np.array([0.3, 0.05]), log_y=True)
    assert (lower > 0).all() and np.allclose(upper * lower, np.array([0.1, 0.2]) ** 2)


def test_configuration_colours_never_repeat_below_48():
    from experiments.figures import CONFIG_PALETTE
    assert len({c.lower() for c in CONFIG_PALETTE}) == len(CONFIG_PALETTE) >= 48


def test_labels_from_files_are_text_in_charts(results):
    """A class or configuration named like an HTML link is shown as written, not as a link."""
    from experiments.figures.common import text
    assert text('<a href="https://evil.example">x</a>') == '&lt;a href="https://evil.example"&gt;x&lt;/a&gt;'


def test_many_features_are_drawn_in_the_pca_plane(results):
    fig = figures.decision_boundary_figure(results, "edge")
    assert "PC 1 vs PC 2 of its 25 features" in fig.layout.title.text


def test_pca_plane_maps_back_to_input_space():
    data = load_dataset("digits")
    to_plane, from_plane, names = figures.projection(data.X_train)
    plane = to_plane(data.X_train[:5])
    np.testing.assert_allclose(to_plane(from_plane(plane)), plane, atol=1e-9)
    assert from_plane(plane).shape == (5, 64) and names == ("PC 1", "PC 2")


def test_multiclass_boundaries_colour_the_predicted_class():
    results = run_grid([RunSpec("lines", "[36, 8, 3]", epochs=5)])
    fig = figures.decision_boundary_figure(results, "lines")
    heatmaps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(heatmaps) == 1 and set(np.unique(heatmaps[0].z)) <= {0, 1, 2}


def test_results_without_networks_have_no_boundaries(results):
    uploaded = results_from_csv(results.runs_csv().encode(), results.history_csv().encode())
    with pytest.raises(ValueError, match="decision boundaries need them"):
        figures.decision_boundary_figure(uploaded, "circles")
    assert len(figures.learning_curves_figure(uploaded).data) > 0  # curves work from CSV alone


def test_accuracy_table(results):
    table = figures.accuracy_table(results)
    assert len(table) == 8
    assert list(table["dataset"].unique()) == ["circles", "edge"]  # grouped by dataset, best first
    for _, group in table.groupby("dataset"):
        assert group["test acc %"].is_monotonic_decreasing
        assert (group["best"] == "★").sum() == 1
        assert group.iloc[0]["best"] == "★"
    assert set(table.loc[table["dataset"] == "circles", "runs as"]) == {"[2, 8, 2]", "[2, 16, 8, 2]"}
    assert all(len(curve) == 12 for curve in table["loss curve"])
    row = table.iloc[0]
    accs = results.runs[(results.runs["dataset"] == row["dataset"]) & (results.runs["architecture"] == row["architecture"])
                        & (results.runs["activation"] == row["activation"])]["test_acc"]
    assert row["test acc %"] == pytest.approx(100 * accs.mean()) and row["± test"] == pytest.approx(100 * accs.std())


@pytest.mark.parametrize("name", ["circles", "edge", "lines", "digits"])
def test_dataset_previews(name):
    fig = figures.dataset_preview_figure(load_dataset(name))
    if name == "circles":
        assert len(fig.data) == 2 and all(isinstance(t, go.Scatter) for t in fig.data)
    else:
        assert all(isinstance(t, go.Heatmap) for t in fig.data) and len(fig.data) >= 2


def test_long_curves_are_thinned_but_keep_the_last_epoch():
    results = run_grid([RunSpec("xor4", "[2, 4, 2]", epochs=1000, batch_size=None)])
    trace = figures.learning_curves_figure(results, max_points=100).data[0]
    assert len(trace.x) <= 101 and trace.x[0] == 1 and trace.x[-1] == 1000


def test_highlighted_configurations_stand_out(results):
    """Picking rows of the table: their curves stay, the others fade, and their panels get a frame."""
    keys = results.labels(include_dataset=True)
    chosen = keys[results.runs[results.runs["dataset"] == "circles"]["run_id"].iloc[0]]
    fig = figures.learning_curves_figure(results, highlight=(chosen,))
    lines = [t for t in fig.data if t.mode == "lines" and t.legendgroup not in (None, "_style")]
    assert {t.opacity for t in lines if t.meta == chosen} == {1.0}
    assert {t.opacity for t in lines if t.meta != chosen} == {0.2}
    plain = figures.learning_curves_figure(results)
    assert {t.opacity for t in plain.data if t.mode == "lines" and t.legendgroup != "_style"} <= {1.0, None}
    boundary = figures.decision_boundary_figure(results, "circles", highlight=(chosen,))
    frames = [shape for shape in boundary.layout.shapes if shape.type == "rect"]  # the others: colour bars
    assert len(frames) == 1 and frames[0].xref == "x domain"  # the chosen one's panel, the first


def test_a_configuration_includes_its_dataset_when_highlighted(results):
    """Ticking the circles row of "[25, 8, 2] · relu" highlights its curves on circles, not those of the same
    architecture and activation on edge (issue 24, item 6)."""
    keys, labels = results.labels(include_dataset=True), results.labels()
    run = results.runs[results.runs["dataset"] == "circles"]["run_id"].iloc[0]
    fig = figures.learning_curves_figure(results, highlight=(keys[run],))
    same_label = [t for t in fig.data if t.mode == "lines" and t.legendgroup == labels[run]]
    assert {t.meta.split(" · ")[0] for t in same_label} == {"circles", "edge"}
    assert {t.opacity for t in same_label if t.meta.startswith("edge")} == {0.2}
    assert {t.opacity for t in same_label if t.meta.startswith("circles")} == {1.0}


# ----- figures assembled unchecked (figures/canvas.py) pass Plotly's checks -----
@pytest.mark.parametrize("options", [{}, {"metric": "acc", "log_y": False, "smoothing": 0.5},
                                     {"log_y": True, "highlight": ("[25, 8, 2] · relu",)},
                                     {"color_by": "activation"}])
def test_learning_curves_pass_plotlys_checks(results, options):
    fig = figures.learning_curves_figure(results, **options)
    checked = go.Figure(fig.to_dict())  # raises on any property Plotly does not know
    assert len(checked.data) == len(fig.data) and checked.layout.height == fig.layout.height


def test_boundary_panels_pass_plotlys_checks(results):
    labels = sorted(set(results.labels().values()))
    for dataset in ("circles", "edge"):
        fig = figures.decision_boundary_figure(results, dataset, 30, highlight=(labels[0],), color_by="activation")
        checked = go.Figure(fig.to_dict())
        assert len(checked.data) == len(fig.data) and len(checked.layout.shapes) == len(fig.layout.shapes)
        assert fig.get_subplot(1, 2).yaxis.scaleanchor == "x2"  # the grid is kept: panels are addressable
    digits = run_grid([RunSpec("digits", "[64, 10]", epochs=2)])
    go.Figure(figures.decision_boundary_figure(digits, "digits", 20).to_dict())  # many classes: a heatmap


def test_pickable_curves_and_panels_name_their_configuration():
    """A click on a chart picks a configuration by the trace's meta: every curve and panel point has one."""
    results = run_grid(expand_grid(datasets=["circles"], architectures=["[2, 8, 2]", "[2, 8, 8, 2]"], epochs=5))
    labels = set(results.labels().values())
    curves = figures.learning_curves_figure(results, pick=True)
    lines = [t for t in curves.data if t.meta]
    assert {t.meta for t in lines} == labels and all(t.mode == "lines+markers" for t in lines)
    assert all(t.marker.opacity == 0 for t in lines)  # the points are there to be clicked, not seen
    assert all(t.mode == "lines" for t in figures.learning_curves_figure(results).data if t.meta)
    panels = figures.decision_boundary_figure(results, "circles")
    assert {t.meta for t in panels.data if t.type == "scatter"} == labels


def test_a_grid_of_one_shape_keeps_each_figures_own_titles():
    """The subplot grid is cached by shape: two figures of one shape still carry their own titles."""
    from experiments.figures.canvas import Canvas
    first = Canvas(1, 2, ["a 10%", "b 20%"]).figure()
    second = Canvas(1, 2, ["a 11%", "b 21%"]).figure()
    assert [a.text for a in first.layout.annotations] == ["a 10%", "b 20%"]
    assert [a.text for a in second.layout.annotations] == ["a 11%", "b 21%"]
