"""The Streamlit app, driven as a visitor would with streamlit.testing.v1.AppTest."""
import os

import pytest
from streamlit.testing.v1 import AppTest

from experiments.runner import run_grid
from experiments.specs import expand_grid

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "streamlit_app.py")


def open_app(query=None):
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def texts(at, kind):
    return [element.value for element in getattr(at, kind)]


def plan(at):
    return " ".join(texts(at, "markdown"))


def chart_keys(at):
    return {chart.key for chart in at.get("plotly_chart")}


def run(at):
    at.button(key="run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_first_load_shows_the_plan_and_no_exception():
    """A first visitor opens the page: no error, the classic comparison is planned, Run is ready."""
    at = open_app()
    assert not at.exception
    assert "**3 runs**" in plan(at)
    assert not at.button(key="run").disabled and not at.button(key="run_main").disabled
    assert at.multiselect(key="architectures").value == ["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"]


def test_run_with_defaults_shows_curves_boundaries_table_and_downloads():
    """The visitor presses the big Run button on the welcome page and sees everything together."""
    at = open_app()
    at.button(key="run_main").click().run()
    assert not at.exception
    assert {"curves", "boundary.edge"} <= chart_keys(at)  # learning curves and the decision boundaries
    table = at.dataframe[0].value
    assert sorted(table["architecture"]) == ["[25, 16, 8, 2]", "[25, 2]", "[25, 8, 2]"]
    assert (table["test acc %"] == 100.0).all()  # the classic result: every architecture finds the edge
    assert list(table["best"]) == ["★", "", ""]  # ties go to the lowest test loss, listed first
    assert table["test loss"].is_monotonic_increasing
    labels = [metric.label for metric in at.metric]
    assert "Best configuration" in labels and "Its test accuracy" in labels
    assert [m.value for m in at.metric if m.label == "Runs"] == ["3"]
    assert len(at.get("download_button")) == 2


def test_changing_choices_changes_the_run_count_and_the_results():
    """The visitor adds tanh and a second learning rate: 12 runs are planned, and Run trains all of them."""
    at = open_app()
    at.multiselect(key="activations").select("tanh")
    at.multiselect(key="lrs").select(0.01)
    at.run()
    assert "**12 runs**" in plan(at)
    run(at)
    table = at.dataframe[0].value
    assert len(table) == 12
    assert set(table["activation"]) == {"relu", "tanh"} and set(table["lr"]) == {0.1, 0.01}
    at.multiselect(key="architectures").unselect("[25, 2]")
    at.run()
    assert "**8 runs**" in plan(at)


def test_custom_architecture_runs_adapted_to_the_dataset():
    """The visitor types an architecture and picks circles: it runs with circles' two inputs."""
    at = open_app()
    at.multiselect(key="datasets").unselect("edge").select("circles")
    at.multiselect(key="architectures").set_value(["[25, 8, 2]"])
    at.text_input(key="custom_arch").input("25-32-16-2")
    at.number_input(key="epochs").set_value(20)
    at.run()
    assert "Runs as [2, …, 2] on circles" in " ".join(texts(at, "caption"))
    run(at)
    assert set(at.dataframe[0].value["runs as"]) == {"[2, 8, 2]", "[2, 32, 16, 2]"}


def test_bad_custom_architecture_shows_an_error_and_no_exception():
    """The visitor mistypes an architecture: a message says what is wrong, and Run waits for a fix."""
    at = open_app()
    at.text_input(key="custom_arch").input("[25,,2]")
    at.run()
    assert not at.exception
    assert any("has an empty entry" in message for message in texts(at, "error"))
    assert at.button(key="run").disabled
    at.text_input(key="custom_arch").input("[25, 4, 2]")
    at.run()
    assert not at.button(key="run").disabled and "**4 runs**" in plan(at)


def test_bad_learning_rate_shows_an_error():
    """The visitor types nan as a learning rate."""
    at = open_app()
    at.text_input(key="custom_lr").input("0.2, nan")
    at.run()
    assert any("learning rate must be a finite number > 0; got 'nan'" in m for m in texts(at, "error"))
    assert at.button(key="run").disabled


def test_a_request_over_the_caps_is_refused_with_what_to_shrink():
    """The visitor asks for every activation, rate and optimizer with ten seeds: too much for the demo."""
    at = open_app()
    at.multiselect(key="activations").set_value(["leaky_relu", "relu", "sigmoid", "tanh"])
    at.multiselect(key="lrs").set_value([1.0, 0.5, 0.1, 0.05, 0.01, 0.001])
    at.number_input(key="n_seeds").set_value(10)
    at.run()
    errors = " ".join(texts(at, "error"))
    assert "Over this demo's limits" in errors and "720 runs; the limit is 200 (3.6x over)" in errors
    assert "Choose fewer" in errors
    assert at.button(key="run").disabled


def test_query_parameters_restore_the_settings():
    """Someone opens a shared link."""
    at = open_app({"dataset": ["xor", "circles"], "arch": ["[25, 8, 2]", "[25, 32, 16, 2]"], "act": "tanh",
                   "lr": ["0.2"], "epochs": "30", "batch": "full", "seeds": "2", "xor.noise": "0.3"})
    assert not at.exception
    assert at.multiselect(key="datasets").value == ["xor", "circles"]
    assert at.multiselect(key="architectures").value == ["[25, 8, 2]", "[25, 32, 16, 2]"]
    assert at.multiselect(key="activations").value == ["tanh"]
    assert at.text_input(key="custom_lr").value == "0.2"
    assert at.number_input(key="epochs").value == 30 and at.selectbox(key="batch_size").value == "full"
    assert at.number_input(key="n_seeds").value == 2
    assert at.number_input(key="noise.xor").value == 0.3
    assert "**8 runs**" in plan(at)
    link = texts(at, "code")
    assert not link or "act=tanh" in link[-1]


def test_a_bad_link_parameter_is_reported_and_the_rest_restored():
    at = open_app({"dataset": ["edge", "mnist"], "epochs": "many"})
    warnings = " ".join(texts(at, "warning"))
    assert "unknown dataset 'mnist'" in warnings and "epochs must be a whole number" in warnings
    assert at.multiselect(key="datasets").value == ["edge"]


def test_settings_are_mirrored_into_the_url():
    at = open_app()
    at.multiselect(key="activations").set_value(["sigmoid"])
    at.run()
    assert at.query_params["act"] in ("sigmoid", ["sigmoid"])


def test_the_same_grid_twice_comes_from_the_cache():
    at = run(open_app())
    run(at)
    assert any("cache" in message for message in texts(at, "info"))


@pytest.fixture(scope="module")
def saved_results():
    return run_grid(expand_grid(datasets=["xor"], architectures=["[2, 8, 2]", "[2, 4, 2]"], seeds=[0, 1], epochs=15))


def test_uploaded_csv_shows_curves_and_table(saved_results):
    """The visitor opens runs.csv and history.csv saved earlier."""
    at = open_app()
    at.file_uploader(key="uploads").set_value([("runs.csv", saved_results.runs_csv().encode(), "text/csv"),
                                               ("history.csv", saved_results.history_csv().encode(), "text/csv")])
    at.run()
    at.button(key="open_upload").click().run()
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 1
    assert len(at.dataframe[0].value) == 2
    assert any("Decision boundaries need the trained networks" in m for m in texts(at, "info"))


def test_malformed_upload_gets_a_clear_message():
    at = open_app()
    at.file_uploader(key="uploads").set_value([("runs.csv", b"name,age\nada,36\n", "text/csv")])
    at.run()
    at.button(key="open_upload").click().run()
    assert not at.exception
    assert any("missing the columns" in m for m in texts(at, "error"))


SMALL_GRID = {"dataset": ["circles"], "arch": ["[25, 8, 2]", "[25, 8, 8, 2]"], "act": ["relu", "sigmoid"],
              "epochs": "20"}


@pytest.fixture(scope="module")
def trained():
    """One app session that trained a small grid on circles; views are switched on it."""
    return run(open_app(SMALL_GRID))


@pytest.mark.parametrize("view, shown", [
    ("Gradient flow", {"gradient_flow"}), ("Boundary over time", {"animation"}),
    ("Inside the network", {"hidden_layers", "weights"}), ("Hyperparameters", {"parcoords"}),
    ("Try it", {"try_picker"}), ("Compare", {"curves", "boundary.circles"}),
])
def test_each_view_shows_its_chart(trained, view, shown):
    """The visitor switches to a deeper view."""
    trained.radio(key="view").set_value(view).run()
    assert not trained.exception, [e.value for e in trained.exception]
    assert shown <= chart_keys(trained)


def test_images_view_says_when_it_does_not_apply(trained):
    trained.radio(key="view").set_value("Images").run()
    assert not trained.exception
    assert any("does not apply" in m and "image datasets" in m for m in texts(trained, "info"))


def test_try_it_on_a_2d_point_shows_every_networks_prediction(trained):
    trained.radio(key="view").set_value("Try it").run()
    trained.number_input[0].set_value(0.0).run()
    table = trained.dataframe[0].value
    assert len(table) == 4 and set(table["prediction"]) <= {"outer", "inner"}


def test_images_and_drawing_on_digits():
    """On digits the Images view shows confusion matrices and a gallery; Try it takes a drawn image."""
    at = run(open_app({"dataset": ["digits"], "arch": ["[25, 16, 2]"], "epochs": "10"}))
    at.radio(key="view").set_value("Images").run()
    assert not at.exception and {"confusion", "gallery"} <= chart_keys(at)
    at.radio(key="view").set_value("Try it").run()
    assert not at.exception
    before = at.dataframe[-1].value["confidence %"].iloc[0]
    at.button(key="try_clear").click().run()
    assert not at.exception
    assert at.dataframe[-1].value["confidence %"].iloc[0] != before


def test_learning_rate_finder_adds_its_suggestion_to_the_comparison():
    at = open_app({"dataset": ["circles"], "arch": ["[25, 8, 2]"]})
    run(at)
    at.radio(key="view").set_value("Learning-rate finder").run()
    at.button(key="lrf_run").click().run()
    assert not at.exception and "lr_finder" in chart_keys(at)
    add = at.button(key="lrf_add")
    suggested = add.label.split("lr ")[1].split(" ")[0]
    add.click().run()
    assert at.text_input(key="custom_lr").value == suggested
    assert "**2 runs**" in plan(at)


def test_own_csv_is_added_and_trained():
    """The visitor uploads a CSV of their own, picks the label column and compares networks on it."""
    rows = "\n".join(f"{x:.3f},{y:.3f},{'a' if x * y > 0 else 'b'}" for x, y in
                     __import__("numpy").random.default_rng(0).normal(size=(200, 2)))
    at = open_app()
    at.file_uploader(key="own_csv").set_value(("points.csv", ("x,y,label\n" + rows).encode(), "text/csv"))
    at.run()
    assert at.selectbox(key="own_label").value == "label"
    at.button(key="own_add").click().run()
    assert "csv:points" in at.multiselect(key="datasets").value
    at.multiselect(key="datasets").set_value(["csv:points"])
    at.number_input(key="epochs").set_value(30)
    run(at.run())
    table = at.dataframe[0].value
    assert set(table["runs as"]) == {"[2, 2]", "[2, 8, 2]", "[2, 16, 8, 2]"}
    assert "csv" not in " ".join(texts(at, "code"))  # links do not carry private data


def test_own_csv_with_text_features_gets_a_clear_message():
    at = open_app()
    at.file_uploader(key="own_csv").set_value(("bad.csv", b"x,y,label\n1,oops,a\n2,3,b\n", "text/csv"))
    at.run()
    at.button(key="own_add").click().run()
    assert not at.exception
    assert any("row 2 has 'oops'" in m for m in texts(at, "error"))


def test_stop_keeps_the_runs_that_finished():
    """The visitor pressed Stop while a grid trained: the next page shows what finished and says so."""
    from experiments.specs import load_grid_data

    specs = expand_grid(architectures=["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"], epochs=10)
    finished = []
    run_grid(specs[:2], progress=lambda done, total, spec, outcome: finished.append(outcome))
    at = open_app()
    at.session_state["training"] = {"outcomes": finished, "total": 3, "datasets": load_grid_data(specs),
                                    "last_draw": 0.0, "refresh": 1.0}
    at.run()
    assert not at.exception
    assert any("Stopped after 2 of 3 runs" in m for m in texts(at, "info"))
    assert len(at.dataframe[0].value) == 2 and [m.value for m in at.metric if m.label == "Runs"] == ["2"]


def test_the_learning_rate_finder_is_there_before_any_run():
    at = open_app()
    at.button(key="lrf_run").click().run()
    assert not at.exception and "lr_finder" in chart_keys(at)
