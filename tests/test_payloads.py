"""What the canvas renderer is sent (experiments.figures.panels and live), without Streamlit: one panel per
configuration with its grid, every snapshot of the film, and a live feed that sends only what is new."""
import base64
import json

import numpy as np
import pytest

from experiments import figures
from experiments.figures.common import CLASS_COLORS, CONFIG_PALETTE, LEVEL_HUES
from experiments.figures.live import LiveFeed, live_seconds, pool_curves, running_state
from experiments.grids import dataset_plane, probability_grid
from experiments.runner import run_grid
from experiments.specs import expand_grid


@pytest.fixture(scope="module")
def results():
    """Two datasets with the same architectures: a configuration's label is the same on both."""
    return run_grid(expand_grid(datasets=["circles", "xor"], architectures=["[25, 8, 2]", "[25, 16, 8, 2]"],
                                activations=["relu", "tanh"], seeds=[0, 1], epochs=12), snapshots=6)


def decoded(panel):
    return base64.b64decode(panel["grid"])


def test_one_panel_per_configuration_with_its_network_grid(results):
    payload = figures.panels_payload(results, ("circles", "xor"))
    json.dumps(payload)  # what the browser receives is JSON
    circles, xor = payload["sections"]
    assert circles["dataset"] == "circles" and len(circles["panels"]) == 4 and len(xor["panels"]) == 4
    keys = results.labels(include_dataset=True)
    inputs = dataset_plane(results.datasets[0]).grid_inputs()
    for panel in circles["panels"]:
        run = results.runs.set_index("run_id").loc[panel["run"]]
        assert run["seed"] == 0 and panel["key"] == keys[panel["run"]]  # the first seed, named with its dataset
        assert decoded(panel) == probability_grid(results.networks[panel["run"]], inputs, 2)
        assert panel["acc"] == pytest.approx(run["test_acc"], abs=1e-4) and panel["title"] == panel["label"].split(" · ")
    assert {p["label"] for p in circles["panels"]} == {p["label"] for p in xor["panels"]}
    assert not {p["key"] for p in circles["panels"]} & {p["key"] for p in xor["panels"]}  # a key includes its dataset
    plane = circles["plane"]
    assert plane["axes"] == ["x1", "x2"] and plane["classes"] == ["outer", "inner"]
    assert len(plane["train"]["x"]) == len(plane["train"]["c"]) <= figures.panels.PANEL_POINTS


def test_panels_take_the_curves_colours(results):
    colors = figures.config_colors(results, "activation")
    payload = figures.panels_payload(results, ("circles",), color_by="activation")
    assert {p["color"] for p in payload["sections"][0]["panels"]} == {colors[label] for label in colors}


def test_only_the_configurations_asked_for_best_first(results):
    keys = results.labels(include_dataset=True)
    chosen = (keys[6], keys[0])  # on circles: run 6 first, then run 0 (both seed 0)
    payload = figures.panels_payload(results, ("circles", "xor"), only=chosen)
    assert [p["key"] for p in payload["sections"][0]["panels"]] == list(chosen)
    assert payload["sections"][1]["empty"]  # nothing of xor was asked for


def test_the_film_holds_every_snapshot_of_every_panel(results):
    payload = figures.film_payload(results, ("circles", "xor"))
    json.dumps(payload)
    for section in payload["sections"]:
        for panel in section["panels"]:
            snapshots = results.snapshots[panel["run"]]
            assert [epoch for epoch, _ in panel["frames"]] == [epoch for epoch, _ in snapshots]
            network = results.networks[panel["run"]].copy()
            network.flat_params[...] = snapshots[1][1]
            inputs = dataset_plane(results.datasets[panel["run"]]).grid_inputs()
            assert base64.b64decode(panel["frames"][1][1]) == probability_grid(network, inputs, 2)
            assert panel["curve"]["epoch"][-1] == 12 and len(panel["curve"]["test_loss"]) == 12
    assert payload["epochs"] == sorted({e for s in payload["sections"] for p in s["panels"] for e, _ in p["frames"]})


def test_the_film_needs_saved_weights():
    plain = run_grid(expand_grid(datasets=["circles"], architectures=["[2, 4, 2]"], epochs=3))
    with pytest.raises(figures.DoesNotApply, match="no weights were saved"):
        figures.film_payload(plain, ("circles",))


def test_one_run_film_is_drawn_large(results):
    payload = figures.run_film_payload(results, 0)
    assert payload["large"] and [p["run"] for s in payload["sections"] for p in s["panels"]] == [0]


def test_class_colours_are_not_the_configuration_colours():
    """A blue configuration's panel must not seem to speak of a blue class: every class colour is far from
    the colours the first dozen configurations get and from the level hues of "Colour by"."""
    def rgb(color):
        return np.array([int(color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)], float)
    for color in CLASS_COLORS:
        assert min(np.linalg.norm(rgb(color) - rgb(other)) for other in CONFIG_PALETTE[:12] + LEVEL_HUES) > 55
    assert len(set(figures.class_colors(20))) == 20


# ----- the live feed -----
def curves_of(epochs, diverge_at=None):
    loss = np.linspace(0.7, 0.1, epochs)
    if diverge_at is not None:
        loss[diverge_at:] = np.nan
    return pool_curves({"epoch": np.arange(1, epochs + 1), "train_loss": loss, "test_loss": loss + 0.05,
                        "train_acc": 1 - loss, "test_acc": 0.95 - loss})


@pytest.fixture(scope="module")
def starting():
    """A comparison at its start: every run listed, run 0 training, the others waiting."""
    finished = run_grid(expand_grid(datasets=["circles"], architectures=["[2, 8, 2]", "[2, 8, 8, 2]"],
                                    seeds=[0, 1], epochs=40))
    live = type(finished)(finished.runs.copy(), finished.history.iloc[:0], {}, finished.datasets, {})
    live.runs["status"] = "waiting"
    return live


def test_the_first_live_update_holds_everything_then_only_what_is_new(starting):
    feed = LiveFeed(starting)
    first = feed.update({0: curves_of(5)}, {0: ("running", 0.8)}, {0: (5, b"\x01" * 1600)})
    json.dumps(first)
    assert first["base"] is None and len(first["runs"]) == 4 and first["epochs"] == 40
    assert set(first["planes"]) == {"circles"} and first["curves"][0]["from"] == 0
    assert len(first["curves"][0]["train_loss"]) == 5 and first["panels"] == {"circles": [0]}
    second = feed.update({0: curves_of(8), 1: curves_of(2)}, {0: ("running", 0.81), 1: ("running", 0.6)},
                         {0: (5, b"\x01" * 1600)})
    assert second["base"] == first["seq"] and "runs" not in second and "planes" not in second
    assert second["curves"][0]["from"] == 5 and len(second["curves"][0]["test_loss"]) == 3  # the new epochs
    assert second["curves"][1]["from"] == 0 and second["grids"] == {}  # the grid did not change: not sent
    third = feed.update({0: curves_of(8), 1: curves_of(2)}, {0: ("running", 0.81), 1: ("running", 0.6)}, {})
    assert third["curves"] == {} and third["status"] == {}  # nothing new
    feed.resend()  # the browser missed one: everything again
    again = feed.update({0: curves_of(8)}, {0: ("running", 0.81)}, {0: (5, b"\x01" * 1600)})
    assert again["base"] is None and len(again["curves"][0]["train_loss"]) == 8 and 0 in again["grids"]


def test_live_panels_show_the_configurations_in_training_first_at_most_twelve():
    finished = run_grid(expand_grid(datasets=["xor"], architectures=["[2, 4, 2]", "[2, 8, 2]", "[2, 4, 4, 2]",
                                                                     "[2, 8, 8, 2]", "[2, 16, 2]"],
                                    activations=["relu", "tanh"], lrs=[0.3, 0.1, 0.03], epochs=2))
    feed = LiveFeed(finished)
    runs = list(finished.runs["run_id"])
    training = runs[-4:]
    states = {run: ("running" if run in training else "ok", 0.5) for run in runs}
    update = feed.update({}, states, {run: (2, b"\x00" * 1600) for run in runs})
    drawn = update["panels"]["xor"]
    assert len(drawn) == 12 and drawn[:4] == training and drawn[4:] == runs[:8]


def test_a_run_that_diverges_ends_marked():
    assert running_state(curves_of(10, diverge_at=7))[0] == "diverged"
    assert running_state(curves_of(10)) == ("running", pytest.approx(0.95 - 0.1))


def test_live_updates_slow_down_as_more_visitors_watch_so_together_they_keep_to_the_budget():
    assert live_seconds(3) == 0.5 and live_seconds(30) == 1.0  # one visitor: the usual pace
    for watchers in (1, 2, 5, 10, 40, 100):
        interval = live_seconds(3, watchers)
        assert watchers * figures.live.LIVE_UPDATE_SECONDS / interval <= figures.live.LIVE_BUDGET + 1e-9
    assert live_seconds(3, 100) > live_seconds(3, 50) > live_seconds(3, 1)


# ----- the curves -----
def floats(text):
    """What the browser decodes: float32 values sent as base64."""
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def test_the_curves_are_the_mean_over_seeds_per_configuration_and_dataset(results):
    payload = figures.curves_payload(results)
    json.dumps(payload)
    assert payload["facets"] == ["circles", "xor"] and len(payload["series"]) == 8  # 4 configurations x 2
    keys = results.labels(include_dataset=True)
    first = payload["series"][0]
    runs = results.runs[results.runs["run_id"].map(keys) == first["key"]]["run_id"]
    history = results.history[results.history["run_id"].isin(runs)]
    expected = history.groupby("epoch")["test_loss"].mean().to_numpy()
    np.testing.assert_allclose(floats(first["test_loss"]["mean"]), expected, rtol=1e-6)
    assert first["seeds"] == 2 and len(floats(first["test_acc"]["std"])) == 12 and first["epochs"] == 12
    assert {s["facet"] for s in payload["series"]} == {0, 1}


def test_long_curves_are_thinned_keeping_the_last_epoch_and_say_their_stride():
    """1000 epochs at most 100 points: epochs 1, 11, 21, ..., 991 and the last, 1000."""
    long = run_grid(expand_grid(datasets=["xor4"], architectures=["[2, 4, 2]"], epochs=1000))
    series = figures.curves_payload(long, max_points=100)["series"][0]
    assert series["epochs"] == 1000 and series["stride"] == 10 and "std" not in series["train_loss"]  # one seed
    values = floats(series["train_loss"]["mean"])
    history = long.history["train_loss"].to_numpy()
    assert len(values) == 101 and values[1] == np.float32(history[10]) and values[-1] == np.float32(history[-1])


def test_the_curves_colour_by_a_setting_with_one_legend_entry_per_level(results):
    payload = figures.curves_payload(results, color_by="activation")
    assert [item["name"] for item in payload["legend"]] == ["relu", "tanh"]
    colors = figures.config_colors(results, "activation")
    assert all(s["color"] == colors[s["label"]] for s in payload["series"])


def test_only_the_curves_asked_for_and_a_diverged_one_marked(results):
    keys = results.labels(include_dataset=True)
    chosen = (keys[0], keys[8])
    payload = figures.curves_payload(results, only=chosen)
    assert [s["key"] for s in payload["series"]] == list(chosen)
    broken = type(results)(results.runs.copy(), results.history, results.networks, results.datasets, {})
    broken.runs.loc[broken.runs["run_id"] == 0, "status"] = "diverged"
    marked = figures.curves_payload(broken)
    assert marked["series"][0]["offscale"] and marked["series"][0]["mark"] == "diverged"
    assert marked["legend"][0]["name"].endswith("✕ diverged") and not marked["series"][1]["offscale"]
