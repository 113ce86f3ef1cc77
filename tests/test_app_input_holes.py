"""Issue 21's smaller holes as a visitor meets them in the app (AppTest): each used to end in a traceback, a
library's wording, a value shown as something else, or nothing said at all."""
import io

import numpy as np
import pandas as pd
import pytest

from experiments.runner import run_grid
from experiments.specs import expand_grid
from test_app import open_app, page, plan, run, sidebar_errors_after, texts, upload_saved

pytestmark = pytest.mark.slow  # drives the whole app with AppTest


@pytest.fixture(scope="module")
def saved_runs():
    """A runs.csv as saved by the app, read back as text cells (so one cell can be spoiled)."""
    results = run_grid(expand_grid(datasets=["xor"], architectures=["[2, 8, 2]", "[2, 4, 2]"], epochs=3))
    return pd.read_csv(io.StringIO(results.runs_csv()), keep_default_na=False)


def as_upload(runs, name="runs.csv"):
    return (name, runs.to_csv(index=False).encode(), "text/csv")


# ----- typing and clearing -----
@pytest.mark.parametrize("key, message", [
    ("datasets", "Choose at least one dataset."),
    ("architectures", "Choose at least one architecture, or add one below."),
    ("activations", "Choose at least one activation."),
    ("lrs", "Choose at least one learning rate, or add one below."),
    ("optimizers", "Choose at least one optimizer."),
])
def test_clearing_a_choice_is_said_under_it_in_the_apps_words(key, message):
    """The visitor clears a multiselect: the message sits under it; no library wording reaches the sidebar."""
    at = open_app()
    at.multiselect(key=key).set_value([]).run()
    assert not at.exception
    assert message in sidebar_errors_after(at, key)
    assert not any("must be a non-empty list" in m for m in texts(at.sidebar, "error"))
    assert at.button(key="run").disabled


def test_a_typed_architecture_is_enough_when_the_presets_are_cleared():
    """The visitor clears the preset architectures and types one: that is a choice, and Run is offered."""
    at = open_app()
    at.multiselect(key="architectures").set_value([]).run()
    at.text_input(key="custom_arch").input("[25, 4, 2]").run()
    assert not at.sidebar.error and "**1 run**" in plan(at)


def test_a_decimal_comma_learning_rate_is_refused_under_its_field():
    """The visitor types 0,5: it is not read as the rates 0 and 5."""
    at = open_app()
    at.text_input(key="custom_lr").input("0,5").run()
    assert any("learning rate '0,5' has a comma between digits" in m and "(0.5)" in m
               for m in sidebar_errors_after(at, "custom_lr"))
    assert at.button(key="run").disabled


# ----- links -----
def test_a_link_repeating_one_bad_value_a_thousand_times_gives_one_warning():
    """Someone opens a link that names an unknown dataset 999 times: one warning, with the count."""
    at = open_app({"dataset": ["bogus"] * 999})
    warnings = texts(at.sidebar, "warning")
    assert len(warnings) == 1 and warnings[0].endswith("(999 times)")


def test_a_link_of_more_than_1000_fields_is_said_not_dropped_silently():
    """Someone opens a link of 1001 fields, which Streamlit drops whole: the sidebar says why the defaults show."""
    at = open_app({"dataset": "xor", "lr": [f"0.{i + 1}" for i in range(1000)]})
    assert at.multiselect(key="datasets").value == ["lines"]  # Streamlit read none of it: the defaults
    assert any("This link has 1001 fields, more than the 1000" in w for w in texts(at.sidebar, "warning"))


def test_an_option_the_linked_dataset_does_not_have_is_said():
    """Someone opens a link giving xor4 a sample count and digits a noise level: each is said and left out."""
    at = open_app({"dataset": ["xor4", "digits"], "xor4.n": "50", "digits.noise": "1"})
    warnings = " ".join(texts(at.sidebar, "warning"))
    assert "xor4.n: does not apply to xor4 (it has a fixed size); left out." in warnings
    assert "digits.noise: does not apply to digits (it has no noise option); left out." in warnings


# ----- saved results: the settings the sidebar can show -----
def test_saved_values_beyond_this_server_are_shown_clamped_and_said(saved_runs):
    """A runs.csv from the command line with an L2 of 100 and 5000 epochs: the results are shown as trained,
    the sidebar shows the nearest values this server allows, and says so under the upload."""
    at = upload_saved(open_app(), [as_upload(saved_runs.assign(l2=100, epochs=5000))])
    assert at.number_input(key="l2").value == 10.0 and at.text_input(key="epochs").value == "2000"
    warnings = " ".join(texts(at.sidebar, "warning"))
    assert "runs.csv column l2: 100 is outside what this app allows; using 10." in warnings
    assert "runs.csv column epochs: 5000 is outside what this app allows; using 2000." in warnings


def test_two_runs_files_at_once_are_refused_naming_both(saved_runs):
    """The visitor picks two runs.csv files: the app says which, instead of using the later one silently."""
    at = upload_saved(open_app(), [as_upload(saved_runs, "monday.csv"), as_upload(saved_runs, "tuesday.csv")])
    assert any("choose one runs CSV at a time" in m and "monday.csv, tuesday.csv" in m
               for m in texts(at.sidebar, "error"))
    assert at.session_state["results"] is None


# ----- saved results: values no run can have -----
def test_a_saved_test_fraction_of_5_is_refused_under_the_upload_and_the_sidebar_stays(saved_runs):
    """The visitor opens a runs.csv whose test_fraction is 5: a message under the upload says what is allowed;
    the sidebar keeps every field (it used to raise on every rerun and then lose the Epochs field)."""
    at = upload_saved(open_app(), [as_upload(saved_runs.assign(test_fraction=5))])
    errors = " ".join(texts(at.sidebar, "error"))
    assert "column 'test_fraction' must lie in [0.05, 0.9] for xor; row 2 has 5" in errors
    at.run()
    assert not at.exception and at.text_input(key="epochs").value == "200"


def test_no_best_is_claimed_when_every_accuracy_is_missing(saved_runs):
    """Saved results whose test accuracies are all empty: no "Best: nan%" headline."""
    at = upload_saved(open_app(), [as_upload(saved_runs.assign(test_acc=np.nan))])
    headline = " ".join(texts(at, "markdown"))
    assert "runs" in headline and "nan%" not in headline and "Best" not in headline


# ----- own data -----
def test_an_own_dataset_name_is_shown_as_written_in_try_it():
    """The visitor adds their data as "__bold__ _it_ x" and trains it beside xor: Try it's dataset switch
    shows the name as typed (escaped), not in bold and italics."""
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{a:.3f},{b:.3f},{'a' if a * b > 0 else 'b'}" for a, b in rng.normal(size=(80, 2)))
    at = open_app({"dataset": "xor", "arch": "[2, 4, 2]", "epochs": "3"})
    at.file_uploader(key="own_csv").set_value(("points.csv", ("x,y,label\n" + rows).encode(), "text/csv")).run()
    at.text_input(key="own_name").input("__bold__ _it_ x").run()
    at.button(key="own_add").click().run()
    assert at.multiselect(key="datasets").value == ["xor", "csv:__bold__ _it_ x"]
    page(run(at), "try_it")
    options = at.get("button_group")[0].proto.options
    assert [option.content for option in options] == ["xor", "csv\\:\\_\\_bold\\_\\_ \\_it\\_ x"]


def test_a_very_wide_upload_is_refused_and_its_columns_are_not_offered():
    """A 100,000-column file: refused from its header at once; no label list of 100,000 entries stays."""
    header = ",".join(f"c{i}" for i in range(100_000))
    at = open_app()
    at.file_uploader(key="own_csv").set_value(("wide.csv", (header + "\n" + header + "\n").encode(), "text/csv")).run()
    assert any("the file has 100000 columns; at most 257" in m for m in texts(at.sidebar, "error"))
    assert "own_label" not in [getattr(element, "key", None) for element in at.sidebar]
