"""Issue 21's smaller holes, one by one, without Streamlit: a saved file, a link, a typed value or a call that
used to be accepted as something else, raise a library's error, or be dropped without a word. Each test
reproduces the hole; docs/input-notes.md says what a visitor now sees."""
import io

import numpy as np
import pandas as pd
import pytest

import nn
from experiments import figures
from experiments.cli import build_parser, main, specs_from_args
from experiments.datasets import csv_columns, dataset_from_csv
from experiments.results import results_from_csv
from experiments.runner import run_grid
from experiments.settings import AppSettings, parse_custom_lrs
from experiments.specs import expand_grid
from experiments.tables import read_csv


@pytest.fixture(scope="module")
def saved():
    """A small comparison as its runs.csv and history.csv would be saved: (runs, history) DataFrames read back
    from the CSV text, to be spoiled one cell at a time."""
    results = run_grid(expand_grid(datasets=["xor"], architectures=["[2, 8, 2]", "[2, 4, 4, 2]"], lrs=[0.3, 0.03],
                                   epochs=3))
    return (pd.read_csv(io.StringIO(results.runs_csv()), keep_default_na=False),
            pd.read_csv(io.StringIO(results.history_csv())))


def opened(runs, history=None):
    """results_from_csv of these tables, as an upload hands them over (bytes)."""
    return results_from_csv(runs.to_csv(index=False).encode(),
                            None if history is None else history.to_csv(index=False).encode())


# ----- calls with the wrong kind of argument -----
@pytest.mark.parametrize("argument", ["progress", "should_stop"])
def test_run_grid_says_progress_and_should_stop_must_be_callable(argument):
    with pytest.raises(ValueError, match=rf"'{argument}' must be a function \(or None\); got 5"):
        run_grid(expand_grid(datasets=["xor4"], architectures=["[2, 2]"], epochs=1), **{argument: 5})


def test_a_network_given_the_wrong_number_of_features_says_how_many_it_expects():
    with pytest.raises(ValueError, match=r"^'X' has 5 features but the network's input layer expects 2\.$"):
        nn.Network([2, 8, 2]).forward(np.zeros((3, 5)))


# ----- one number parser for the app and the command line -----
@pytest.mark.parametrize("flag, typed, attribute, value", [
    ("--epochs", "1e3", "epochs", 1000), ("--epochs", "1000.0", "epochs", 1000),
    ("--batch-size", "1.6e1", "batch_size", 16), ("--seeds", "2e0", "seed", 2),
])
def test_the_command_line_reads_numbers_as_the_app_does(flag, typed, attribute, value):
    args = build_parser().parse_args(["run", "--dataset", "xor4", "--arch", "[2,2]", flag, typed])
    assert getattr(specs_from_args(args)[0], attribute) == value


@pytest.mark.parametrize("typed, message", [
    ("2.5", "--epochs must be a whole number; got '2.5'"), ("1e30", "--epochs is far too large; got '1e30'"),
])
def test_the_command_line_refuses_what_the_app_refuses(typed, message, tmp_path):
    err = io.StringIO()
    assert main(["run", "--epochs", typed, "--out", str(tmp_path)], io.StringIO(), err) == 2
    assert message in err.getvalue()


def test_one_pattern_reads_numbers_everywhere():
    from experiments import cli, limits, numbers, settings
    assert limits.PLAIN_NUMBER is numbers.PLAIN_NUMBER and settings.read_number is numbers.read_number
    assert cli.read_whole is numbers.read_whole


# ----- a decimal comma typed as a learning rate -----
@pytest.mark.parametrize("typed, good, error", [
    ("0,5", [], "learning rate '0,5' has a comma between digits: write decimals with a point (0.5) and separate "
                "rates with ', ' or ';'."),
    ("0.2, 0.003", [0.2, 0.003], None),
    ("0.2,0.003 1e-4;0.7", [0.2, 0.003, 1e-4, 0.7], None),
    ("0.1, 1,5", [0.1], "learning rate '1,5' has a comma between digits: write decimals with a point (1.5) and "
                        "separate rates with ', ' or ';'."),
])
def test_a_decimal_comma_in_a_learning_rate_is_recognised(typed, good, error):
    assert parse_custom_lrs(typed) == (good, [error] if error else [])


def test_a_decimal_comma_in_a_link_gets_the_same_message():
    _, problems = AppSettings.from_query({"lr": "0,5"})
    assert problems == ["link parameter lr: learning rate '0,5' has a comma between digits: write decimals with a "
                        "point (0.5) and separate rates with ', ' or ';'."]


# ----- links: one message per problem, options a dataset does not have, fields dropped -----
def test_a_thousand_copies_of_one_bad_value_give_one_message_with_a_count():
    settings, problems = AppSettings.from_query({"dataset": ["bogus"] * 1000 + ["xor"]})
    assert settings.datasets == ("xor",)
    assert problems == ["link parameter dataset: unknown dataset 'bogus'; choose from circles, digits, edge, "
                        "gaussians, lines, moons, spiral, xor, xor4. (1000 times)"]


@pytest.mark.parametrize("query, said", [
    ({"dataset": "xor4", "xor4.n": "50"}, "link parameter xor4.n: does not apply to xor4 (it has a fixed size); "
                                          "left out."),
    ({"dataset": "digits", "digits.noise": "1"}, "link parameter digits.noise: does not apply to digits (it has no "
                                                 "noise option); left out."),
    ({"dataset": "xor", "xor.size": "50"}, "link parameter xor.size: xor has no option 'size'; its options are n, "
                                           "noise, test; left out."),
    ({"dataset": "xor", "circles.n": "50"}, "link parameter circles.n: circles is not among the link's datasets; "
                                            "left out."),
])
def test_an_option_the_dataset_does_not_have_is_said(query, said):
    _, problems = AppSettings.from_query(query)
    assert problems == [said]


def test_a_link_streamlit_dropped_for_too_many_fields_is_said():
    from experiments.settings import dropped_link
    raw = "&".join(["dataset=xor"] * 1001)
    assert dropped_link(raw, {}) == ["This link has 1001 fields, more than the 1000 a link may carry, so none of "
                                      "its settings were read; the defaults are shown."]
    assert dropped_link("dataset=xor", {"dataset": ["xor"]}) == []
    assert dropped_link("", {}) == []


# ----- saved settings: what this server's widgets cannot show is clamped and said -----
@pytest.mark.parametrize("column, value, attribute, shown, said", [
    ("l2", 100, "l2", 10.0, "runs.csv column l2: 100 is outside what this app allows; using 10."),
    ("epochs", 5000, "epochs", 2000, "runs.csv column epochs: 5000 is outside what this app allows; using 2000."),
    ("batch_size", 5000, "batch_size", 128, "runs.csv column batch_size: 5000 is outside what this app allows; "
                                            "using 128."),
    ("lr", 5000, "lrs", (0.03, 0.3), "runs.csv column lr: learning rate must be between 1e-12 and 1000; got '5000'."),
    ("n_samples", 20000, "dataset_options", {"xor": {"n_samples": 5000, "noise": 0.0, "test_fraction": 0.25}},
     "runs.csv column n_samples (xor): 20000 is outside what this app allows; using 5000."),
])
def test_saved_values_beyond_this_app_are_clamped_in_the_sidebar_and_said(saved, column, value, attribute, shown,
                                                                          said):
    """A runs.csv from the command line may hold what the demo's widgets cannot show: the sidebar gets the
    nearest allowed value (as from a share link) and a message says so; the results keep what was trained."""
    runs, _ = saved
    runs = runs.astype({column: object})
    runs[column] = [value, *runs[column][1:]] if column == "lr" else value
    results = opened(runs)
    settings, problems = AppSettings.from_runs(results.runs, max_epochs=2000, max_samples=5000)
    assert getattr(settings, attribute) == shown
    assert said in problems
    assert results.runs[column].iloc[0] == value


def test_saved_settings_in_range_come_back_without_a_word(saved):
    runs, _ = saved
    settings, problems = AppSettings.from_runs(opened(runs).runs, max_epochs=2000, max_samples=5000)
    assert problems == [] and settings.lrs == (0.3, 0.03) and settings.epochs == 3
