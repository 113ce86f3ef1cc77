"""The Streamlit app, driven as a visitor would with streamlit.testing.v1.AppTest."""
import json
import os
import re
import time
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest

import experiments.architectures
import experiments.figures
import experiments.specs
import ui.sidebar
import ui.state
from experiments.runner import run_grid
from experiments.specs import RunSpec, expand_grid

pytestmark = pytest.mark.slow  # drives the whole app with AppTest

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "streamlit_app.py")


def open_app(query=None):
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def unescape(text):
    """What the visitor reads: the app escapes supplied text for Markdown (see ui/text.py)."""
    return re.sub(r"\\(.)", r"\1", text) if isinstance(text, str) else text


def texts(at, kind):
    return [unescape(element.value) for element in getattr(at, kind)]


def raw_texts(at, kind):
    return [element.value for element in getattr(at, kind)]


def plan(at):
    return " ".join(texts(at.sidebar, "markdown"))


def chart_keys(at):
    return {chart.key for chart in at.get("plotly_chart")}


def canvases(at):
    """{key: data} of the canvas renderer's elements (ui/components) on the page."""
    return {element.proto.id.split("-", 2)[-1]: json.loads(element.proto.json) for element in at.get("bidi_component")}


def wait_for_training(at):
    """Training runs in the server's training pool; wait for it, then let the page show the results."""
    job = at.session_state["job"] if "job" in at.session_state else None
    if job is not None:
        job.result(120)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run(at):
    at.button(key="run").click().run()
    return wait_for_training(at)


def page(at, name):
    at.switch_page(f"ui/pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at):
    return at.dataframe[0].value


def sidebar_errors_after(at, key, area="sidebar"):
    """The error messages drawn right after the widget ``key`` of the sidebar (or ``area``: "main"), before the
    next input widget."""
    children = list(getattr(at, area))
    start = next(i for i, element in enumerate(children) if getattr(element, "key", None) == key)
    found = []
    for element in children[start + 1:]:
        if type(element).__name__ == "Error":
            found.append(unescape(element.value))
        elif getattr(element, "key", None):
            break
    return found


# ----- first visit -----
def test_first_load_offers_the_lessons_and_plans_the_first():
    """A first visitor opens the page: lessons to click, the first one planned in the sidebar, no error."""
    at = open_app()
    assert not at.exception and not at.error
    assert "**3 runs**" in plan(at)
    assert not at.button(key="run").disabled
    assert {"lesson.depth", "lesson.activation", "lesson.vanishing", "lesson.learning-rate", "lesson.classic"} <= {
        b.key for b in at.button}
    assert at.multiselect(key="datasets").value == ["lines"]


def test_the_first_comparison_shows_a_real_difference():
    """The visitor presses Run: curves, boundaries and the table appear together, and depth visibly matters."""
    at = run(open_app())
    drawn = canvases(at)
    assert len(drawn["curves"]["series"]) == 3 and len(drawn["boundaries"]["sections"][0]["panels"]) == 3
    shown = table(at)
    accuracy = dict(zip(shown["runs as"], shown["test acc %"]))
    assert accuracy["[36, 3]"] < 80 and accuracy["[36, 8, 3]"] == 100.0
    assert list(shown["best"]).count("★") == 1
    assert "**Best: 100.0%**" in " ".join(texts(at, "markdown"))
    assert len(at.get("download_button")) == 2


def test_a_network_without_a_hidden_layer_is_shown_without_an_activation():
    """The visitor trains [25, 2] (no hidden layer) on edge, then the depth lesson's three networks: the
    headline and the table never give [25, 2] an activation, and runs.csv says "none"."""
    at = run(open_app({"dataset": "edge", "arch": "[25, 2]", "epochs": "20"}))
    headline = next(text for text in texts(at, "markdown") if "Best" in text)
    assert "[25, 2] · lr 0.1 · sgd" in headline and "relu" not in headline
    assert any("· activation none · " in caption for caption in texts(at, "caption"))
    assert set(at.session_state["results"].runs["activation"]) == {"none"}
    at.text_input(key="epochs").input("200").run()
    at.multiselect(key="datasets").set_value(["lines"]).run()
    at.multiselect(key="architectures").set_value(["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"]).run()
    run(at)
    assert any("· activation relu (none without a hidden layer) · " in caption
               for caption in texts(at, "caption"))


def test_a_lesson_restores_its_settings_and_trains():
    """The visitor clicks the activation lesson: the sidebar shows its settings and its comparison trains."""
    at = open_app()
    at.button(key="lesson.activation").click().run()
    wait_for_training(at)
    assert at.multiselect(key="datasets").value == ["circles"]
    assert at.multiselect(key="activations").value == ["relu", "tanh", "sigmoid"]
    assert set(table(at)["activation"]) == {"relu", "tanh", "sigmoid"}
    assert any(text.startswith("**Activation: ReLU, tanh or sigmoid?** The same [2, 16, 8, 2] network")
               for text in texts(at, "info"))  # the lesson's point stays beside its results


def test_a_diverged_run_is_named_as_the_charts_name_it():
    """The visitor clicks the learning-rate lesson: rate 20 blows up, and the warning names that run as every
    chart does ("lr 20", one count, one verb), not by the architecture asked ([25, 16, 8, 2] ran as
    [2, 16, 8, 2] on moons)."""
    at = open_app()
    at.button(key="lesson.learning-rate").click().run()
    wait_for_training(at)
    warnings = texts(at, "warning")
    assert any(w.startswith("1 run did not train normally: lr 20 · seed 0: ") for w in warnings), warnings
    assert not any("[25," in w for w in warnings)


def test_changing_choices_changes_the_run_count():
    """The visitor adds tanh and a second rate: [25, 2] has no activation, so it is trained once per rate."""
    at = open_app()
    at.multiselect(key="activations").select("tanh")
    at.multiselect(key="lrs").select(0.01)
    at.run()
    assert "**10 runs**" in plan(at)
    assert any("has no hidden layer" in c for c in texts(at.sidebar, "caption"))
    run(at)
    shown = table(at)
    assert len(shown) == 10 and set(shown["activation"]) == {"none", "relu", "tanh"}  # none: [36, 3]


def test_custom_architecture_runs_adapted_to_the_dataset():
    at = open_app()
    at.multiselect(key="datasets").set_value(["circles"])
    at.multiselect(key="architectures").set_value(["[25, 8, 2]"])
    at.text_input(key="custom_arch").input("25-32-16-2")
    at.text_input(key="epochs").input("20")
    at.run()
    assert "Runs as [2, …, 2] on circles" in " ".join(texts(at.sidebar, "caption"))
    assert "Adds [25, 32, 16, 2]." in texts(at.sidebar, "caption")  # what the box added, said under it
    run(at)
    assert set(table(at)["runs as"]) == {"[2, 8, 2]", "[2, 32, 16, 2]"}


# ----- typed input: each error right under its field -----
def test_the_lessons_stay_reachable_after_the_first_run():
    """The visitor runs the default comparison (the welcome and its lessons give way to the results), opens
    the Lessons page and clicks the activation lesson: it trains and Compare shows it."""
    at = run(open_app())
    assert "lesson.activation" not in {button.key for button in at.button}
    page(at, "lessons")
    assert {f"lesson.{key}" for key in ("depth", "activation", "vanishing", "learning-rate", "classic")} <= {
        button.key for button in at.button}
    at.button(key="lesson.activation").click().run()
    wait_for_training(at)
    assert at.multiselect(key="datasets").value == ["circles"]
    page(at, "compare")  # the browser is sent there (st.switch_page); AppTest stays where it was
    assert set(table(at)["activation"]) == {"relu", "tanh", "sigmoid"}


def test_a_share_link_landing_page_has_one_primary_action():
    """A visitor opens a share link: running the link's comparison is the one primary button of the page;
    the lessons' Show me are secondary (without a link, the first lesson is the primary action)."""
    at = open_app({"dataset": ["circles"], "arch": ["[25, 8, 2]"], "epochs": "30"})
    main = [button for button in at.main.button]
    assert [button.key for button in main if button.proto.type == "primary"] == ["run_main"]
    assert at.button(key="run_main").label == "Run the comparison from your link (1 run)"
    at = open_app()
    assert [button.key for button in at.main.button if button.proto.type == "primary"] == ["lesson.depth"]


def test_a_bad_architecture_is_reported_under_its_field():
    """The visitor types "banana": the message sits under the field, and Run waits for a fix."""
    at = open_app()
    at.text_input(key="custom_arch").input("banana").run()
    assert not at.exception
    assert any("'banana', which is not a whole number" in m for m in sidebar_errors_after(at, "custom_arch"))
    assert at.button(key="run").disabled
    assert any("Fix the input marked below" in m for m in texts(at.sidebar, "error"))
    at.text_input(key="custom_arch").input("[25, 4, 2]").run()
    assert not at.button(key="run").disabled and "**4 runs**" in plan(at)


def test_a_bad_learning_rate_is_reported_under_its_field():
    at = open_app()
    at.text_input(key="custom_lr").input("0.2, nan").run()
    assert any("learning rate must be a number; got 'nan'" in m for m in sidebar_errors_after(at, "custom_lr"))
    assert at.button(key="run").disabled


@pytest.mark.parametrize("typed, epochs, message", [
    ("1e3", 1000, None), ("300", 300, None), ("-5", None, "epochs must be between 1 and 2000; got -5"),
    ("2.5", None, "epochs must be a whole number; got '2.5'"), ("5000", None, "between 1 and 2000; got 5000"),
])
def test_epochs_are_read_as_typed(typed, epochs, message):
    """1e3 means 1000 epochs (it used to become 1); a bad value is named under the field with what was typed."""
    at = open_app()
    at.text_input(key="epochs").input(typed).run()
    if epochs is None:
        assert any(message in m for m in sidebar_errors_after(at, "epochs"))
        assert at.button(key="run").disabled
    else:
        assert not at.sidebar.error and not at.button(key="run").disabled
        assert at.query_params["epochs"] in (str(epochs), [str(epochs)]) or epochs == 200


def test_a_request_over_the_caps_is_refused_with_what_to_shrink():
    at = open_app()
    at.multiselect(key="activations").set_value(["leaky_relu", "relu", "sigmoid", "tanh"])
    at.multiselect(key="lrs").set_value([1.0, 0.5, 0.1, 0.05, 0.01, 0.001])
    at.number_input(key="n_seeds").set_value(10)
    at.run()
    errors = " ".join(texts(at.sidebar, "error"))
    assert "Over this demo's limits" in errors and "runs; the limit is 200" in errors and "Choose fewer" in errors
    assert at.button(key="run").disabled


@pytest.mark.parametrize("query, said", [
    ({"dataset": "xor", "xor.n": "5000", "xor.test": "0.05", "epochs": "2000", "batch": "1",
      "arch": ["[25, 2]", "[25, 1, 2]", "[25, 1, 1, 2]"], "opt": ["sgd", "momentum", "adam"]},
     "busy for about"),
    ({"dataset": "xor4", "arch": "[25" + ", 256" * 11 + ", 2]", "lr": ["0.01", "0.02"], "seeds": "10",
      "epochs": "37", "batch": "full"}, "MB of memory"),
])
def test_a_link_that_would_take_the_demo_down_is_refused_before_run(query, said):
    """A visitor opens one of the links that kept both workers busy for an hour, or took 4 GB: the sidebar
    says why it cannot run and what to change, and Run is disabled."""
    at = open_app(query)
    errors = " ".join(texts(at.sidebar, "error"))
    assert "Over this demo's limits" in errors and said in errors and "Use " in errors, errors
    assert at.button(key="run").disabled


# ----- share links -----
def test_a_link_restores_the_settings_and_offers_to_run_them():
    """Someone opens a shared link: the sidebar shows its settings and the page offers exactly that run."""
    at = open_app({"dataset": ["xor", "circles"], "arch": ["[25, 8, 2]", "[25, 32, 16, 2]"], "act": "tanh",
                   "lr": ["0.2"], "epochs": "30", "batch": "full", "seeds": "2", "xor.noise": "0.3"})
    assert not at.exception
    assert at.multiselect(key="datasets").value == ["xor", "circles"]
    assert at.multiselect(key="architectures").value == ["[25, 8, 2]", "[25, 32, 16, 2]"]
    assert at.text_input(key="custom_lr").value == "0.2" and at.text_input(key="epochs").value == "30"
    assert at.selectbox(key="batch_size").value == "full" and at.number_input(key="n_seeds").value == 2
    assert at.number_input(key="noise.xor").value == 0.3
    assert "**8 runs**" in plan(at)
    assert at.button(key="run_main").label == "Run the comparison from your link (8 runs)"


def test_every_setting_of_a_link_shows_in_its_widget_and_comes_back_into_the_address_bar():
    """A link that changes every setting of the table (typed architectures and rates among the presets, every
    data option of two datasets): each widget shows its value and the address bar the app writes back is the
    link itself, so the sidebar drawn from experiments/fields.py loses nothing on the way."""
    query = {"dataset": ["moons", "digits"], "arch": ["[25, 8, 2]", "[25, 5, 3, 2]"], "act": ["tanh", "sigmoid"],
             "lr": ["0.5", "0.02"], "opt": ["adam"], "epochs": "40", "batch": "32", "l2": "0.001", "seeds": "3",
             "moons.n": "300", "moons.noise": "0.25", "moons.test": "0.3", "digits.n": "600", "digits.test": "0.4"}
    at = open_app(query)
    assert not at.exception and not at.sidebar.warning and not at.sidebar.error
    assert at.multiselect(key="architectures").value == ["[25, 8, 2]"]
    assert at.text_input(key="custom_arch").value == "[25, 5, 3, 2]"
    assert at.multiselect(key="lrs").value == [0.5] and at.text_input(key="custom_lr").value == "0.02"
    assert at.number_input(key="l2").value == 0.001 and at.selectbox(key="batch_size").value == 32
    assert at.number_input(key="n_samples.digits").value == 600 and at.slider(key="test_fraction.moons").value == 0.3
    assert "noise.digits" not in {w.key for w in at.sidebar.number_input}  # digits has no noise option ...
    assert "Fixed for digits: it has no noise option." in texts(at.sidebar, "caption")  # ... and says so
    written = {key: at.query_params.get_all(key) if hasattr(at.query_params, "get_all") else at.query_params[key]
               for key in at.query_params}
    assert {key: sorted([v] if isinstance(v, str) else v) for key, v in written.items()} == \
        {key: sorted([v] if isinstance(v, str) else v) for key, v in query.items()}


def test_fixed_data_says_what_it_lacks():
    at = open_app({"dataset": "xor4"})
    assert "Fixed for xor4: it has a fixed size, it has no noise option, its test set is its training set." \
        in texts(at.sidebar, "caption")


def test_bad_link_values_are_reported_cut_short_and_the_rest_restored():
    at = open_app({"dataset": ["edge", "mnist", "edge"], "epochs": "many", "arch": "9" * 5000})
    warnings = " ".join(texts(at.sidebar, "warning"))
    assert "unknown dataset" in warnings and "mnist" in warnings and "epochs must be a whole number" in warnings
    assert len(warnings) < 1000  # the 5000-character value is not echoed in full
    assert at.multiselect(key="datasets").value == ["edge"]  # the duplicate is dropped, not an error


def test_out_of_range_link_values_are_replaced_and_said():
    """?xor.test=0.95 and epochs=200000 used to raise or be replaced silently: now the nearest allowed value is
    used and the sidebar says so."""
    at = open_app({"dataset": "xor", "xor.test": "0.95", "epochs": "200000", "batch": "7", "l2": "100"})
    assert not at.exception
    warnings = " ".join(texts(at.sidebar, "warning"))
    assert "xor.test: 0.95 is outside what this app allows; using 0.9" in warnings
    assert "epochs: 200000 is outside what this app allows; using 2000" in warnings
    assert "using 8" in warnings and "using 10" in warnings
    assert at.text_input(key="epochs").value == "2000" and at.slider(key="test_fraction.xor").value == 0.9


def test_link_text_is_never_rendered_as_markdown():
    """A hostile link tries to show an image and a fake login link inside the app's warning."""
    at = open_app({"arch": "![x](http://attacker/pixel.png) [Log in again](https://evil.example/login)"})
    warnings = raw_texts(at.sidebar, "warning")
    assert warnings and all("](" not in w.replace("\\]\\(", "") for w in warnings)
    assert any("\\!\\[x\\]\\(h\u2060ttp\\:" in w for w in warnings)  # a word joiner: no autolink either


def test_link_warnings_go_away_after_a_clean_run():
    at = open_app({"dataset": ["lines", "mnist"]})
    assert at.sidebar.warning
    run(at)
    assert not at.sidebar.warning


def test_settings_are_mirrored_into_the_url():
    at = open_app()
    at.multiselect(key="activations").set_value(["sigmoid"]).run()
    assert at.query_params["act"] in ("sigmoid", ["sigmoid"])


def test_a_mistyped_field_leaves_the_address_bar_with_its_last_good_value():
    """The visitor sets 300 epochs and adds the rate 0.2, then mistypes both: while the errors show, the
    address bar keeps epochs=300 and both rates (it carried epochs=1 and dropped 0.2), so a link copied now
    restores what they chose."""
    at = open_app()
    at.text_input(key="epochs").input("300").run()
    at.text_input(key="custom_lr").input("0.2").run()
    at.text_input(key="epochs").input("3oo").run()
    at.text_input(key="custom_lr").input("0.2, fast").run()
    assert sidebar_errors_after(at, "epochs") and sidebar_errors_after(at, "custom_lr")
    assert at.button(key="run").disabled
    query = {key: at.query_params[key] for key in at.query_params}
    assert query["epochs"] in ("300", ["300"]) and sorted(query["lr"]) == ["0.1", "0.2"]


# ----- results that stay honest -----
def test_the_same_comparison_twice_comes_from_the_session():
    at = run(open_app())
    run(at)
    assert any("without training again" in message for message in texts(at, "info"))


def test_results_that_no_longer_match_the_sidebar_are_marked():
    """The visitor trains, then changes the learning rates: the results say they are out of date, and Undo
    puts the sidebar back."""
    at = run(open_app())
    at.multiselect(key="lrs").select(0.01).run()
    warning = " ".join(texts(at, "warning"))
    assert "Out of date" in warning and "learning rates" in warning
    at.button(key="restore_settings").click().run()
    assert at.multiselect(key="lrs").value == [0.1] and not any("Out of date" in w for w in texts(at, "warning"))


def test_adding_a_dataset_is_out_of_date_for_datasets_only_under_an_icon_every_browser_draws():
    """The visitor trains, then adds circles: the banner names the datasets only (not "dataset options" as
    well). Its icon, and every alert's and button's, is a Material symbol: an emoji such as 🕘 drew as an
    empty box where the fonts lack it; no label leans on such a glyph either."""
    at = run(open_app())
    at.multiselect(key="datasets").set_value(["lines", "circles"]).run()
    banner = next(warning for warning in at.warning if "Out of date" in warning.value)
    assert "the sidebar's datasets changed since" in unescape(banner.value)
    assert banner.proto.icon == ":material/update:"
    at.text_input(key="custom_lr").input("fast").run()  # an error under its field, with its icon
    elements = [*at.warning, *at.error, *at.info, *at.button, *at.get("download_button")]
    icons = [element.proto.icon for element in elements if element.proto.icon]
    assert len(icons) >= 4 and all(icon.startswith(":material/") for icon in icons), icons
    labels = [element.proto.label for element in [*at.button, *at.get("download_button")]]
    assert not [label for label in labels if any(ord(ch) >= 0x2190 for ch in label)], labels


def test_changing_a_widget_during_training_does_not_stop_it():
    """Only Stop stops: a sidebar change while training leaves the job running to the end."""
    at = open_app({"epochs": "400"})
    at.button(key="run").click().run()
    job = at.session_state["job"]
    at.multiselect(key="activations").select("tanh").run()
    assert not job.cancelled
    assert at.button(key="restart")  # offered, not done
    wait_for_training(at)
    assert len(table(at)) == 3 and not any("Stopped" in m for m in texts(at, "info"))


def test_stop_keeps_the_runs_that_finished():
    """The visitor presses Stop while a comparison trains: it ends at once, what trained is shown, and the
    page says so."""
    at = open_app({"dataset": "edge", "epochs": "2000", "batch": "1"})  # tens of seconds of training
    at.button(key="run").click().run()
    job = at.session_state["job"]
    wait_until(lambda: job.progress().live)  # the runs are learning
    at.button(key="stop_main").click().run()
    job.result(10)
    assert job.ready()  # within an epoch, not at the end of the run
    wait_for_training(at)
    assert any("Stopped: 0 of 3 runs finished" in m for m in texts(at, "info"))
    assert set(table(at)["architecture"]) <= {"[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"} and len(table(at)) >= 1


def test_stop_pressed_as_the_runs_end_does_not_say_they_were_stopped():
    """The bar reads "0 of 3 runs finished, 3 learning now"; the visitor presses Stop just as the three
    (one lockstep group) end together: the page must not claim "Stopped: 3 of 3 runs finished"."""
    at = open_app({"dataset": "edge", "epochs": "300"})
    at.button(key="run").click().run()
    job = at.session_state["job"]
    job.result(120)  # the group trains its last epoch ...
    job._cancelled = True  # ... as the pool takes the Stop, too late to stop it (a race no test can time)
    at.button(key="stop_main").click().run()
    wait_for_training(at)
    notices = texts(at, "info")
    assert not any("Stopped" in notice for notice in notices)
    assert any("All 3 runs had finished before Stop took effect" in notice for notice in notices)
    assert len(table(at)) == 3
    run(at)  # kept like any complete comparison: the same Run again is instant
    assert any("without training again" in notice for notice in texts(at, "info"))


# ----- the training pool, shared by every visitor of the server -----
def test_the_default_comparison_is_ready_before_the_first_click(fresh_server):
    """The server trains the default comparison when it starts: the visitor's Run shows it at once."""
    at = open_app()
    pool = fresh_server.pool()
    wait_until(lambda: not pool._queue)  # the start-up training has finished
    assert "ready at once" in plan(at.run())
    at.button(key="run").click().run()
    assert at.session_state["job"] is None and len(table(at)) == 3  # no waiting, no polling


def test_identical_comparisons_from_two_visitors_are_trained_once_and_drawn_once():
    settings = {"arch": "[2,5,2]", "act": "tanh", "epochs": "60", "seeds": "2", "dataset": "moons"}
    first, second = open_app(settings), open_app(settings)
    trained = ui.state.pool().stats["trained"]
    drawn = []
    panels_payload = experiments.figures.panels_payload
    with mock.patch.object(experiments.figures, "panels_payload",
                           lambda *args, **kwargs: drawn.append(kwargs) or panels_payload(*args, **kwargs)):
        first.button(key="run").click().run()
        second.button(key="run").click().run()
        wait_for_training(first), wait_for_training(second)
    assert ui.state.pool().stats["trained"] == trained + 1
    assert table(first).equals(table(second)) and len(table(first)) == 1
    assert len(first.get("plotly_chart")) == len(second.get("plotly_chart")) >= 1  # both see the charts...
    assert canvases(first)["boundaries"] == canvases(second)["boundaries"]
    assert len(drawn) == 1  # ... and the second visitor's boundary panels came from the figure cache


def test_watchers_count_the_sessions_redrawing_live_charts_until_they_miss_two_redraws():
    watchers = ui.state.Watchers()
    assert watchers.count() == 0 and watchers.count(besides="me") == 1
    watchers.seen("a", 0.5)
    watchers.seen("b", 0.05)
    assert watchers.count() == 2 and watchers.count(besides="a") == 2 and watchers.count(besides="me") == 3
    with mock.patch("time.monotonic", return_value=time.monotonic() + 1.5):
        assert watchers.count() == 1  # b (every 0.05 s) has stopped redrawing; a (every 0.5 s) has not yet
    with mock.patch("time.monotonic", return_value=time.monotonic() + 2.5):
        assert watchers.count() == 0


def test_a_visitor_watching_while_others_watch_updates_less_often(fresh_server):
    """Live updates share the server's one Python process: with many others watching, this visitor's live
    fragment starts at a slower pace."""
    busy = fresh_server.pool().submit([RunSpec("edge", "[25, 8, 2]", epochs=20000, seed=21)])
    watchers = fresh_server.watchers()
    at = None
    try:
        at = open_app({"epochs": "1500", "seeds": "1"})
        at.button(key="run").click().run()
        alone = at.session_state["live_seconds"]
        for other in range(59):
            watchers.seen(f"another visitor {other}", 2.0)
        at.run()
        budget = experiments.figures.live.LIVE_UPDATE_SECONDS / experiments.figures.live.LIVE_BUDGET
        assert alone == 0.5 and at.session_state["live_seconds"] == pytest.approx(60 * budget)
    finally:
        busy.cancel()
        if at is not None and at.session_state["job"] is not None:
            at.session_state["job"].cancel()


def test_progress_polls_slow_down_while_many_visitors_poll(fresh_server):
    """Issue 21: thirty waiting visitors' progress bars, each a script run twice a second, kept a newcomer's
    page from appearing. Each visitor's poll slows down as more visitors poll (together a quarter core)."""
    pollers = fresh_server.pollers()
    at = open_app({"epochs": "1500"})
    at.button(key="run").click().run()
    try:
        wait_until(lambda: at.session_state["job"].status == "running")
        at.run()
        assert at.session_state["poll_seconds"] == 0.5  # training, alone
        for other in range(59):
            pollers.seen(f"another visitor {other}", 2.0)
        at.run()
        assert at.session_state["poll_seconds"] == pytest.approx(60 * 0.01 / 0.25)
    finally:
        if at.session_state["job"] is not None:
            at.session_state["job"].cancel()


def test_a_run_while_the_workers_are_busy_shows_the_queue_and_completes(fresh_server):
    """Other visitors' long comparisons fill every worker: this visitor's Run waits in line, says where,
    can leave, and trains once a worker is free."""
    pool = fresh_server.pool()
    busy = [pool.submit([RunSpec("edge", "[25, 8, 2]", epochs=20000, seed=seed)]) for seed in (11, 12)]
    try:
        wait_until(lambda: all(job.status == "running" for job in busy))
        at = open_app({"epochs": "50", "seeds": "2"})
        at.button(key="run").click().run()
        progress = " ".join(unescape(p.proto.text) for p in at.get("progress"))
        assert "Waiting for a free training worker" in progress and "yours is next" in progress
        assert at.button(key="stop_main").label == "Cancel"
        assert at.session_state["poll_seconds"] == 2.0  # waiting: only its place changes, polled less often
        job = at.session_state["job"]
        assert job.queue_position() == 1
    finally:
        for other in busy:
            other.cancel()
    wait_for_training(at)
    assert len(table(at)) == 3 and job.blas_threads == 1  # trained in a worker with one BLAS thread


def test_the_compare_page_shows_the_comparison_learning_live():
    """While it trains, the Compare page is one live element (the canvas renderer, keyed): its data holds a
    series for every run that has started and a grid for every configuration drawn; the next update holds
    only what is new."""
    at = open_app({"dataset": "circles", "epochs": "2000", "arch": ["[2,16,2]", "[2,8,2]"], "seeds": "2"})
    at.button(key="run").click().run()
    job = at.session_state["job"]
    wait_until(lambda: "live_view" in canvases(at) or "live_view" in canvases(at.run()))  # once it trains
    first = canvases(at)["live_view"]
    assert first["view"] == "live" and first["base"] is None and len(first["runs"]) == 4  # every run, from the start
    sent = {int(run): len(series["train_loss"]) for run, series in first["curves"].items()}
    wait_until(lambda: len(job.curves()) == 4 and len(job.grids()) == 2 and all(  # every run learning on, drawn
        len(curves["epoch"]) > sent.get(run, 0) for run, curves in job.curves().items()))
    at.run()
    live = canvases(at)["live_view"]
    assert live["base"] == first["seq"] and "runs" not in live  # then only what is new
    assert set(live["curves"]) == {"0", "1", "2", "3"}  # one series per run (JSON keys are text)
    drawn = [run["run"] for run in first["runs"] if run["drawn"]]
    assert len(drawn) == 2 and sorted(live["panels"]["circles"]) == sorted(drawn)  # one panel per configuration
    # a grid is sent when it changes: between them, the first update and the next carry every panel's
    assert {int(run) for run in [*first.get("grids", {}), *live["grids"]]} == set(drawn)
    assert "Live:" in " ".join(texts(at, "caption"))
    at.run()
    update = canvases(at)["live_view"]
    assert update["base"] == live["seq"] and "runs" not in update  # only what is new
    assert all(series["from"] > 0 for series in update["curves"].values())
    at.button(key="stop_main").click().run()
    wait_for_training(at)
    assert "stopped" in set(at.session_state["results"].runs["status"])  # kept as far as it got


def test_many_configurations_show_the_best_and_worst_of_each_dataset_with_a_way_to_show_all():
    """48 configurations on xor and 48 on moons: the charts draw each dataset's 6 best and 6 worst and say
    what they left out, the table lists all 96, and "Show all" draws every one."""
    at = run(open_app({"dataset": ["xor", "moons"], "arch": ["[2,2]", "[2,4,2]", "[2,8,2]", "[2,4,4,2]",
                                                              "[2,8,8,2]", "[2,16,2]"],
                       "act": ["relu", "tanh", "sigmoid"], "lr": ["0.3", "0.1", "0.03"], "epochs": "5"}))
    assert len(table(at)) == 96  # [2, 2] has no activation: 16 architectures-and-activations x 3 rates, twice
    caption = next(c for c in texts(at, "caption") if "6 best" in c)
    assert "6 best and the 6 worst configurations of each dataset" in caption and "24 of 96" in caption
    assert "Left out: 36 on xor, 36 on moons" in caption

    def panels():
        return {section["dataset"]: [panel["key"] for panel in section["panels"]]
                for section in canvases(at)["boundaries"]["sections"]}

    full = experiments.figures.accuracy_table(at.session_state["results"])
    ranked = full[full["dataset"] == "xor"]["key"].tolist()  # best first
    assert panels()["xor"] == ranked[:6] + ranked[-6:] and len(panels()["moons"]) == 12
    at.toggle(key="show_all").set_value(True).run()
    assert [len(keys) for keys in panels().values()] == [48, 48] and not any("6 best" in c for c in texts(at, "caption"))


def wait_until(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


# ----- fragments: a control reruns only its part of the page -----
@contextmanager
def counting_work():
    """Count dataset loads and spec checks while the block runs."""
    calls = {"load": 0, "check": 0}
    load, check = ui.state.SessionCatalog.load, experiments.specs.check_spec

    def counted_load(*args, **kwargs):
        calls["load"] += 1
        return load(*args, **kwargs)

    def counted_check(*args, **kwargs):
        calls["check"] += 1
        return check(*args, **kwargs)

    with mock.patch.object(ui.state.SessionCatalog, "load", counted_load), \
            mock.patch.object(experiments.specs, "check_spec", counted_check):
        yield calls


def rerun_fragment(at, key):
    """What the browser asks for when a widget inside the fragment ``key`` changes: that fragment alone."""
    if not hasattr(at, "_fragment_storage"):  # Streamlit < 1.64: AppTest forgets fragments between runs
        pytest.skip("this Streamlit's AppTest cannot rerun a single fragment")
    fragment_id = next(iter(at._fragment_storage._ids_by_target_key[key]))
    original = RerunData.__init__

    def with_fragment(self, *args, **kwargs):
        kwargs.setdefault("fragment_id_queue", [fragment_id])
        original(self, *args, **kwargs)

    with mock.patch.object(RerunData, "__init__", with_fragment):
        at.run()


def test_a_huge_link_is_refused_at_once_and_an_unchanged_sidebar_is_not_planned_again():
    """Issue 21: a visitor opens an 864-character link of 972000 runs. The sidebar says how many and what to
    choose fewer of, without making a single run of it; the next rerun with the same settings plans nothing."""
    from test_specs import HUGE
    query = {"dataset": HUGE["datasets"], "arch": HUGE["architectures"], "act": HUGE["activations"],
             "lr": [f"{lr:g}" for lr in HUGE["lrs"]], "opt": HUGE["optimizers"], "seeds": "10"}
    with counting_work() as calls:
        at = open_app(query)
    errors = " ".join(texts(at.sidebar, "error"))
    assert "This comparison has 972000 runs; the limit is 200" in errors and "Choose fewer" in errors
    assert at.button(key="run").disabled and calls["check"] == 0
    at = open_app()
    with counting_work() as calls:
        at.run()  # a rerun that changes nothing: the plan is this session's already
    assert calls == {"load": 0, "check": 0} and "3 runs" in plan(at)


def test_one_run_click_checks_each_spec_once_and_parses_each_architecture_once():
    """Issue 22: a learning rate typed in the sidebar went through about 13 hops; a Run click checked each
    spec 4 times and parsed its architecture about 12. Now a spec is checked once where it enters (the plan)
    and carried, checked, to the pool, the workers and the results; an architecture's text is parsed once."""
    ui.state.pool()  # the server's pool, with its start-up comparison, exists before this visitor
    experiments.architectures._parse_text.cache_clear()
    counts = {"check": 0, "parse": 0}
    check, parse = experiments.specs._check_options, experiments.architectures.check_layer_sizes

    def counted(name, function):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)
        return wrapper

    with mock.patch.object(experiments.specs, "_check_options", counted("check", check)), \
            mock.patch.object(experiments.architectures, "check_layer_sizes", counted("parse", parse)):
        at = open_app({"dataset": ["xor", "circles"], "arch": ["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"],
                       "act": ["relu", "tanh"], "lr": ["0.1", "0.3"], "epochs": "20"})
        n_specs = len(at.session_state["cache.plans"][next(iter(at.session_state["cache.plans"]))].specs)
        wait_for_training(at.button(key="run").click().run())
    assert n_specs == 2 * (1 + 2 * 2) * 2 and len(table(at)) == n_specs  # one seed: a row per run
    assert counts["check"] == n_specs  # once each, in the plan
    assert counts["parse"] <= 3 + 3  # each architecture as asked once, and each "[2, …, 2]" as run once


def test_the_curves_options_run_in_the_browser_and_colour_by_reruns_only_the_comparison():
    """Loss or accuracy, the log scale and the smoothing are chosen in the browser: the curves' data carries
    the train and test loss and accuracy of every configuration, so no widget of the page stands for them.
    Colour by reruns the comparison's fragment: no data is loaded and no spec is checked."""
    at = run(open_app())
    series = canvases(at)["curves"]["series"]
    assert all(set(s) >= {"train_loss", "test_loss", "train_acc", "test_acc", "epochs", "stride"} for s in series)
    assert not [w for w in at.slider if w.key == "smoothing"] and not [w for w in at.toggle if w.key == "log_y"]
    at.selectbox(key="curve_color").set_value("architecture")
    with counting_work() as calls:
        rerun_fragment(at, "comparison")
    assert calls == {"load": 0, "check": 0} and not at.exception
    assert canvases(at)["curves"]["legend"][0]["name"].startswith("[36, ")
    at.run()
    with counting_work() as calls:  # for contrast: a sidebar change reruns the page, which checks the plan
        at.multiselect(key="lrs").select(0.01).run()
    assert calls["check"] > 0 and calls["load"] > 0


@contextmanager
def counting_script_runs():
    """Count the runs of the whole script (each draws the sidebar once) while the block runs."""
    runs = {"script": 0}
    render = ui.sidebar.render

    def counted(*args, **kwargs):
        runs["script"] += 1
        return render(*args, **kwargs)

    with mock.patch.object(ui.sidebar, "render", counted):
        yield runs


LARGE = {"dataset": ["edge", "xor", "circles", "digits"], "arch": ["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]",
                                                                 "[25, 12, 6, 2]"],
         "act": ["relu", "tanh"], "lr": ["0.3", "0.1", "0.03", "0.01"], "epochs": "3"}


def test_with_112_runs_every_compare_control_reruns_its_fragment_not_the_script():
    """112 configurations (issue 23's large comparison): the visitor colours by learning rate and shows all
    (the curves' metric, log scale and smoothing run in the browser): each reruns the comparison's fragment,
    never the whole script, and the page shows what was asked."""
    at = run(open_app(LARGE))
    assert len(table(at)) == 112

    with counting_script_runs() as runs:
        at.selectbox(key="curve_color").set_value("lr")
        rerun_fragment(at, "comparison")  # the panels and the table recolour with the curves
        lrs = {panel["color"] for section in canvases(at)["boundaries"]["sections"] for panel in section["panels"]}
        curve_colors = {s["label"]: s["color"] for s in canvases(at)["curves"]["series"]}
        assert len(lrs) > 4 and lrs <= set(curve_colors.values()) and not at.exception
        assert {item["name"] for item in canvases(at)["curves"]["legend"]} == {"lr 0.3", "lr 0.1", "lr 0.03", "lr 0.01"}
        at.toggle(key="show_all").set_value(True)
        rerun_fragment(at, "comparison")
        assert sum(len(s["panels"]) for s in canvases(at)["boundaries"]["sections"]) == 112
        assert len(canvases(at)["curves"]["series"]) == 112
    assert runs["script"] == 0 and not at.exception


# ----- saved results -----
@pytest.fixture(scope="module")
def saved_results():
    return run_grid(expand_grid(datasets=["xor"], architectures=["[2, 8, 2]", "[2, 4, 2]"], lrs=[0.1, 0.03],
                                seeds=[0, 1], epochs=15))


def upload_saved(at, files):
    at.file_uploader(key="uploads").set_value(files).run()
    at.button(key="open_upload").click().run()
    assert not at.exception
    return at


def test_opening_saved_csvs_shows_them_and_restores_their_settings(saved_results):
    at = upload_saved(open_app(), [("runs.csv", saved_results.runs_csv().encode(), "text/csv"),
                                   ("history.csv", saved_results.history_csv().encode(), "text/csv")])
    assert "curves" in canvases(at) and len(table(at)) == 4
    assert any("Decision boundaries need the trained networks" in m for m in texts(at, "info"))
    assert at.multiselect(key="datasets").value == ["xor"]
    assert at.text_input(key="custom_arch").value == "[2, 8, 2]; [2, 4, 2]"
    assert at.multiselect(key="lrs").value == [0.1] and at.text_input(key="custom_lr").value == "0.03"
    assert at.number_input(key="n_seeds").value == 2 and at.text_input(key="epochs").value == "15"
    assert "lr=0.03" in texts(at, "code")[-1] and not any("Out of date" in w for w in texts(at, "warning"))


def test_a_hostile_message_in_a_runs_csv_is_shown_as_text(saved_results):
    runs = saved_results.runs.copy()
    runs["status"] = "diverged"
    runs["message"] = "![x](http://attacker/pixel.png) [Log in again](https://evil.example/login)"
    at = upload_saved(open_app(), [("runs.csv", runs.to_csv(index=False).encode(), "text/csv")])
    warning = " ".join(raw_texts(at, "warning"))
    assert "did not train normally" in warning and "](http" not in warning and "\\]\\(h\u2060ttp" in warning


def test_a_malformed_upload_gets_a_clear_message():
    at = upload_saved(open_app(), [("runs.csv", b"name,age\nada,36\n", "text/csv")])
    assert any("missing the columns" in m for m in texts(at.sidebar, "error"))


def test_results_with_no_usable_run_show_a_message(saved_results):
    runs = saved_results.runs.copy()
    runs["status"], runs["message"] = "error", "ValueError: broken"
    at = upload_saved(open_app(), [("runs.csv", runs.to_csv(index=False).encode(), "text/csv")])
    assert any("No run finished" in m for m in texts(at, "info"))


# ----- the pages -----
SMALL_GRID = {"dataset": ["circles"], "arch": ["[25, 8, 2]", "[25, 8, 8, 2]"], "act": ["relu", "sigmoid"],
              "epochs": "20"}


@pytest.fixture(scope="module")
def trained():
    """One app session that trained a small grid on circles; pages are switched on it."""
    return run(open_app(SMALL_GRID))


@pytest.mark.parametrize("name, shown", [
    ("gradient_flow", {"gradient_flow"}), ("boundary_over_time", {"animation"}),
    ("inside", {"hidden_layers", "weights", "neurons"}), ("hyperparameters", {"parcoords"}),
    ("try_it", set()), ("compare", {"curves", "boundaries"}),
])
def test_each_page_shows_its_chart(trained, name, shown):
    """The visitor opens a deeper view from the navigation."""
    page(trained, name)
    assert shown <= chart_keys(trained) | set(canvases(trained))


def test_deeper_views_open_on_the_deepest_or_best_configuration(trained):
    page(trained, "inside")
    assert trained.selectbox(key="inside_run").format_func(trained.selectbox(key="inside_run").value).startswith(
        "[2, 8, 8, 2]")  # named by the layers it has on circles
    page(trained, "boundary_over_time")
    best = table(page(trained, "compare")).iloc[0]
    page(trained, "boundary_over_time")
    label = trained.selectbox(key="anim_run").format_func(trained.selectbox(key="anim_run").value)
    assert label.startswith(best["runs as"]) and best["activation"] in label


def test_watching_the_boundaries_learn(trained):
    """The visitor switches the boundaries to "while they learned": one film of every panel, its data holding
    every snapshot of every panel (the slider and the play button run in the browser)."""
    page(trained, "compare")
    trained.segmented_control(key="boundary_time").set_value("while learning").run()
    assert not trained.exception
    film = canvases(trained)["film"]
    results = trained.session_state["results"]
    for panel in film["sections"][0]["panels"]:
        assert [frame[0] for frame in panel["frames"]] == [epoch for epoch, _ in results.snapshots[panel["run"]]]
    assert len(film["sections"][0]["panels"]) == 4 and "boundaries" not in canvases(trained)
    trained.segmented_control(key="boundary_time").set_value("final").run()


def test_colouring_the_curves_by_activation(trained):
    """The visitor picks "Colour by: activation": the curves' legend names each activation once, beside the
    train and test line styles, and the boundary panels carry the curves' colours."""
    page(trained, "compare")
    assert trained.selectbox(key="curve_color").value == "auto"
    trained.selectbox(key="curve_color").set_value("activation").run()
    assert not trained.exception
    curves = canvases(trained)["curves"]
    assert [item["name"] for item in curves["legend"]] == ["relu", "sigmoid"]
    curve_colors = {s["color"] for s in curves["series"]}
    panel_colors = {panel["color"] for panel in canvases(trained)["boundaries"]["sections"][0]["panels"]}
    assert len(curve_colors) == 4 and panel_colors == curve_colors
    trained.selectbox(key="curve_color").set_value("auto").run()


def test_a_configuration_picked_on_a_chart_is_highlighted_once_and_not_brought_back(trained):
    """A click on a curve picks a configuration (as compare.pick leaves it): its curves stand out and its row
    is ticked in a new table. After a visit to another page, the table starts empty again: the old pick
    does not come back."""
    page(trained, "compare")
    label = (canvases(trained)["curves"]["series"][0]["key"],)
    trained.session_state["picked"] = label  # as a click on a curve leaves it (compare.pick)
    trained.session_state["table_version"] = trained.session_state["table_version"] + 1 \
        if "table_version" in trained.session_state else 1
    trained.run()

    def wide():
        return set(canvases(trained)["curves"]["highlight"])

    assert wide() == set(label) and canvases(trained)["boundaries"]["highlight"] == list(label)
    assert "picked" not in trained.session_state  # it seeded this table once
    page(trained, "inside")
    page(trained, "compare")
    assert wide() == set()


def test_the_design_map_appears_when_two_numeric_settings_vary():
    """Depth and learning rate vary: the Hyperparameters page draws the design map over them."""
    at = run(open_app({"dataset": "xor", "arch": ["[25, 8, 2]", "[25, 8, 8, 2]"], "lr": ["0.3", "0.03"],
                       "epochs": "10"}))
    page(at, "hyperparameters")
    assert {"design_map", "parcoords"} <= chart_keys(at)
    assert {at.selectbox(key="map_x").value, at.selectbox(key="map_y").value} == {"learning rate", "hidden layers"}


def test_images_page_says_when_it_does_not_apply(trained):
    page(trained, "images")
    assert any("does not apply" in m and "image datasets" in m for m in texts(trained, "info"))


def test_try_it_keeps_the_marker_on_the_point_predicted(trained):
    """The visitor types a point: the predictions are for it and the marker sits on it."""
    page(trained, "try_it")
    trained.number_input(key="try_x1").set_value(0.4).run()
    trained.number_input(key="try_x2").set_value(-0.2).run()
    assert len(table(trained)) == 4 and set(table(trained)["prediction"]) <= {"outer", "inner"}
    picker = next(c for c in trained.get("plotly_chart") if c.key.startswith("try_picker"))
    marker = [t for t in json.loads(picker.proto.spec)["data"] if t.get("name") == "your point"][0]
    assert marker["x"] == [0.4] and marker["y"] == [-0.2]


def test_images_and_painting_on_digits():
    """On digits the Images page shows confusion matrices and a gallery; Try it paints and predicts."""
    at = run(open_app({"dataset": ["digits"], "arch": ["[25, 16, 2]", "[25, 2]"], "epochs": "10"}))
    page(at, "images")
    assert {"confusion", "gallery"} <= chart_keys(at)
    assert any("Showing 2 of 2 configurations" in c for c in texts(at, "caption"))
    page(at, "try_it")
    before = at.dataframe[-1].value["confidence %"].tolist()  # the predictions, under the typed-pixels grid
    at.button(key="try_clear").click().run()
    assert at.dataframe[-1].value["confidence %"].tolist() != before
    assert np.all(at.session_state["canvas.digits"] == 0)


def test_the_depth_lessons_gallery_opens_on_the_mistakes_named_as_the_selector_names_them():
    """The visitor runs the depth lesson and opens Images: the gallery opens on [36, 3], the network that
    mixes up the lines, and its title names it [36, 3] as the selector does (it said [25, 8, 2] over a
    selector saying [36, 8, 3], and showed 24 X's at 100%)."""
    at = run(open_app())
    page(at, "images")
    gallery = at.selectbox(key="gallery_run.lines")
    assert gallery.format_func(gallery.value) == "[36, 3]"
    figure = json.loads(next(chart for chart in at.get("plotly_chart") if chart.key == "gallery").proto.spec)
    title = figure["layout"]["title"]["text"]
    assert title.startswith("lines · [36, 3] · lr 0.1") and "of 75 test images misclassified" in title
    assert figure["layout"]["annotations"][0]["text"].startswith("✗")


def test_the_learning_rate_finder_adds_its_suggestion_to_the_comparison():
    at = open_app({"dataset": ["circles"], "arch": ["[25, 8, 2]"]})
    page(at, "lr_finder")
    at.button(key="lrf_run").click().run()
    assert not at.exception and "lr_finder" in chart_keys(at)
    add = at.button(key="lrf_add")
    suggested = add.label.split("lr ")[1].split(" ")[0]
    add.click().run()
    at.run()
    assert at.text_input(key="custom_lr").value == suggested
    assert "**2 runs**" in plan(at)


def test_the_learning_rate_finder_suggests_nothing_for_a_network_that_learns_nothing():
    """The visitor tests sigmoid on circles, which stays at the guessing loss until the rate blows it up: the
    page says why there is no suggestion instead of offering the first rate tried."""
    at = open_app({"dataset": ["circles"], "arch": ["[25, 16, 8, 2]"], "act": ["sigmoid"]})
    page(at, "lr_finder")
    at.button(key="lrf_run").click().run()
    assert not at.exception and "lr_finder" in chart_keys(at)
    assert "lrf_add" not in {button.key for button in at.button}
    assert any("No rate to suggest" in message for message in texts(at, "info"))


def test_the_learning_rate_finder_obeys_the_caps():
    """A typed 512-unit layer is over the 256-unit cap: the range test refuses it instead of training."""
    at = open_app({"dataset": ["xor"], "arch": ["[2, 512, 2]"], "batch": "full"})
    assert at.button(key="run").disabled
    page(at, "lr_finder")
    at.button(key="lrf_run").click().run()
    assert any("512 units; the limit is 256" in m for m in texts(at, "error"))
    assert "lr_finder" not in chart_keys(at)
    assert at.number_input(key="n_samples.xor").max == 5000  # the widget cannot ask for more than the cap


# ----- your own data -----
def points_csv(separator=","):
    rows = "\n".join(separator.join([f"{x:.3f}", f"{y:.3f}", "a" if x * y > 0 else "b"])
                     for x, y in np.random.default_rng(0).normal(size=(200, 2)))
    return (separator.join(["x", "y", "label"]) + "\n" + rows).encode()


def add_own(at, name, content):
    at.file_uploader(key="own_csv").set_value((name, content, "text/csv")).run()
    at.button(key="own_add").click().run()
    assert not at.exception
    return at


def test_own_csv_is_added_and_trained():
    at = add_own(open_app(), "points.csv", points_csv(";"))  # semicolons are detected
    assert "csv:points" in at.multiselect(key="datasets").value
    at.multiselect(key="datasets").set_value(["csv:points"])
    at.text_input(key="epochs").input("30")
    run(at.run())
    assert set(table(at)["runs as"]) == {"[2, 2]", "[2, 8, 2]", "[2, 16, 8, 2]"}
    assert "csv" not in " ".join(texts(at, "code"))  # links do not carry private data


def test_own_csv_errors_are_clear_and_go_away_with_the_next_file():
    at = add_own(open_app(), "bad.csv", b"x,y,label\n1,oops,a\n2,3,b\n")
    assert any("row 2 has 'oops'" in m for m in texts(at.sidebar, "error"))
    at.file_uploader(key="own_csv").set_value(("empty.csv", b"x,y,label\n", "text/csv")).run()
    assert not any("oops" in m for m in texts(at.sidebar, "error"))
    at.button(key="own_add").click().run()
    assert any("a header but no rows" in m for m in texts(at.sidebar, "error"))
    at.file_uploader(key="own_csv").set_value(("bin.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv")).run()
    errors = " ".join(texts(at.sidebar, "error"))
    assert "not a text file" in errors and "UnicodeDecodeError" not in errors and "C error" not in errors


# ----- results links: the store keeps what trained (issue 25) -----
def results_link_query(at):
    """The query of the results link the Compare page shows, as {key: [values]}."""
    from urllib.parse import parse_qs, urlsplit
    link = next(code.value for code in at.code if "results=" in code.value)
    return parse_qs(urlsplit(link).query)


def test_a_results_link_opens_the_trained_comparison_at_once_even_after_a_restart():
    """A teacher trains a comparison and copies "Link to these results"; the server restarts (its memory is
    empty, its store is not); a student opens the link: the charts and the table at once, nothing trained,
    the settings in the sidebar."""
    teacher = run(open_app({"dataset": "moons", "arch": ["[25, 8, 2]", "[25, 16, 8, 2]"], "lr": ["0.1", "0.5"],
                            "epochs": "40"}))
    query = results_link_query(teacher)
    assert len(query["results"][0]) == 64 and query["dataset"] == ["moons"]
    pool = ui.state.pool()
    assert pool.stored is not None and pool.stored.flush(timeout=60)
    trained, pool.cache = pool.stats["trained"], type(pool.cache)()  # a restart: the memory cache is empty
    student = open_app(query)
    assert student.session_state["results"] is not None and student.session_state["job"] is None
    assert pool.stats["trained"] == trained and pool.stats["stored"] >= 1  # read from the store, not trained
    assert "Opened from a results link" in " ".join(texts(student, "info"))
    assert len(table(student)) == 4 and student.multiselect(key="datasets").value == ["moons"]
    pd_table, teacher_table = table(student), table(teacher)
    assert list(pd_table["test acc %"]) == list(teacher_table["test acc %"])  # the same results, bit for bit


def test_the_address_bar_keeps_the_results_so_a_reload_shows_them_again():
    """A student opens a results link; the address bar keeps its results part (it used to drop it, so a
    reload showed the welcome page and a Run button); reloading opens the results again at once. When the
    student changes a setting, the address bar no longer claims those results."""
    teacher = run(open_app({"dataset": "moons", "arch": ["[25, 8, 2]"], "lr": ["0.3"], "epochs": "30"}))
    link = results_link_query(teacher)
    student = open_app(link)
    address = {key: [v] if isinstance(v, str) else list(v) for key, v in student.query_params.items()}
    assert address["results"] == link["results"]
    reloaded = open_app(address)
    assert reloaded.session_state["results"] is not None and reloaded.session_state["job"] is None
    assert "Opened from a results link" in " ".join(texts(reloaded, "info"))
    reloaded.text_input(key="epochs").input("31").run()
    assert "results" not in reloaded.query_params


def test_a_results_link_the_store_no_longer_has_restores_the_settings_and_says_why():
    query = {"dataset": "spiral", "epochs": "7", "results": "0" * 64}  # a key nothing was stored under
    at = open_app(query)
    assert at.session_state["results"] is None and at.multiselect(key="datasets").value == ["spiral"]
    assert any("no longer keeps" in text for text in texts(at, "info"))
    assert at.button(key="run_main")  # "Run the comparison from your link"
    forged = open_app({"dataset": "spiral", "results": "'; DROP TABLE runs; --"})
    assert any("not the name of stored results" in text for text in texts(forged.sidebar, "warning"))
