"""The app's settings as data: the grid they ask for, and their mirror in the URL."""
from dataclasses import replace

import pytest

from experiments.lessons import LESSONS
from experiments.runner import run_grid
from experiments.fields import field_named
from experiments.settings import AppSettings, read_entries


def test_defaults_are_the_depth_lesson():
    specs = AppSettings().specs()
    assert [s.architecture for s in specs] == ["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"]
    assert {(s.dataset, s.lr, s.epochs, s.batch_size) for s in specs} == {("lines", 0.1, 200, 16)}
    assert [s.activation for s in specs] == ["none", "relu", "relu"]  # [25, 2] has no hidden layer
    assert AppSettings().to_query() == {}
    assert LESSONS[0].settings == AppSettings()


def test_query_round_trip():
    settings = AppSettings(datasets=("xor", "digits"), architectures=("[25, 4, 2]",), activations=("tanh", "relu"),
                           lrs=(0.5, 0.003), optimizers=("adam",), epochs=50, batch_size="full", l2=0.001, n_seeds=3,
                           dataset_options={"xor": {"noise": 0.25, "n_samples": 400}})
    query = settings.to_query()
    assert query["dataset"] == ["xor", "digits"] and query["batch"] == "full" and query["xor.noise"] == "0.25"
    assert AppSettings.from_query(query) == (settings, [])
    assert len(settings.specs()) == 2 * 1 * 2 * 2 * 1 * 3


def test_bad_link_values_are_reported_and_good_ones_kept():
    settings, problems = AppSettings.from_query({"dataset": ["xor", "mnist"], "lr": ["0.1", "-2"], "seeds": "99"})
    assert settings.datasets == ("xor",) and settings.lrs == (0.1,) and settings.n_seeds == 10
    assert len(problems) == 3
    assert any("unknown dataset 'mnist'" in p for p in problems)
    assert any("seeds: 99 is outside what this app allows; using 10" in p for p in problems)


def test_custom_entries():
    assert read_entries(field_named("architecture"), "[25, 32, 16, 2]; 25-4-2\n25,6,2") == (
        ["[25, 32, 16, 2]", "[25, 4, 2]", "[25, 6, 2]"], [])
    good, errors = read_entries(field_named("architecture"), "[25,,2]; [25, 3, 2]")
    assert good == ["[25, 3, 2]"] and "empty entry" in errors[0]
    assert read_entries(field_named("lr"), "0.2, 0.003 1e-4") == ([0.2, 0.003, 1e-4], [])
    assert read_entries(field_named("lr"), "fast")[1] == ["learning rate must be a number; got 'fast'."]


def test_empty_choices_are_refused_clearly():
    with pytest.raises(ValueError, match="'activations' must be a non-empty list"):
        AppSettings(activations=()).specs()


def test_settings_come_back_from_a_runs_table():
    """Opening a saved runs.csv restores the sidebar: every setting is one row of the same table as links."""
    from experiments import run_grid
    settings = AppSettings(datasets=("xor",), architectures=("[2, 4, 2]",), activations=("tanh",), lrs=(0.3, 0.03),
                           epochs=5, batch_size="full", n_seeds=2, dataset_options={"xor": {"noise": 0.2}})
    runs = run_grid(settings.specs()).runs
    restored, problems = AppSettings.from_runs(runs)
    assert problems == []
    assert restored.changes_from(settings) == [] and restored.dataset_options["xor"]["noise"] == 0.2
    assert (restored.datasets, restored.architectures, restored.activations, restored.lrs, restored.epochs,
            restored.batch_size, restored.n_seeds) == (("xor",), ("[2, 4, 2]",), ("tanh",), (0.3, 0.03), 5, "full", 2)


def test_settings_come_back_from_runs_with_networks_without_an_activation():
    """Networks without a hidden layer have activation "none" in runs.csv; the activations restored are those
    of the other networks, and a file of such networks alone restores the default one."""
    from experiments.saved import results_from_csv
    settings = AppSettings(datasets=("xor",), architectures=("[2, 2]", "[2, 4, 2]"), activations=("tanh", "sigmoid"),
                           epochs=2)
    runs = results_from_csv(run_grid(settings.specs()).runs_csv().encode()).runs
    assert set(runs.loc[runs["layers"] == "[2, 2]", "activation"]) == {"none"}
    restored, problems = AppSettings.from_runs(runs)
    assert restored.activations == ("tanh", "sigmoid") and restored.changes_from(settings) == [] and not problems
    alone = replace(settings, architectures=("[2, 2]",), activations=("relu",))
    restored, problems = AppSettings.from_runs(results_from_csv(run_grid(alone.specs()).runs_csv().encode()).runs)
    assert restored.activations == ("relu",) and restored.changes_from(alone) == [] and not problems


def test_an_old_runs_file_with_relu_on_a_network_without_a_hidden_layer_still_opens():
    """runs.csv saved before "none" named [25, 2]'s activation as asked (relu): it opens, reads "none", and
    restores the settings it was made with."""
    from experiments.saved import results_from_csv
    settings = AppSettings(datasets=("xor",), architectures=("[25, 2]", "[25, 8, 2]"), epochs=2)
    runs = run_grid(settings.specs()).runs
    runs.loc[runs["layers"] == "[2, 2]", "activation"] = "relu"  # as the old app wrote it
    opened = results_from_csv(runs.to_csv(index=False).encode())
    assert list(opened.runs["activation"]) == ["none", "relu"]
    assert AppSettings.from_runs(opened.runs)[0].changes_from(settings) == []
    assert list(opened.labels().values()) == ["[2, 2]", "[2, 8, 2]"]  # no activation named: only relu has one


def test_link_values_are_cut_short_in_messages():
    _, problems = AppSettings.from_query({"arch": "x" * 5000, "epochs": "9" * 3000})
    assert problems and all(len(p) < 200 for p in problems)


def test_options_left_at_their_defaults_are_no_change():
    """A lesson's settings name no dataset options; the sidebar shows the defaults: nothing changed."""
    shown = AppSettings(dataset_options={"lines": {"n_samples": 300, "noise": 0.1, "test_fraction": 0.25}})
    assert shown.changes_from(AppSettings()) == []
    assert AppSettings(dataset_options={"lines": {"noise": 0.3}}).changes_from(AppSettings()) == ["dataset options"]


def test_adding_a_dataset_is_a_change_of_datasets_only():
    """The visitor adds circles to the lines results: "datasets changed", not "dataset options" as well."""
    added = AppSettings(datasets=("lines", "circles"))
    assert added.changes_from(AppSettings()) == ["datasets"]
    assert AppSettings().changes_from(added) == ["datasets"]
    noisier = AppSettings(datasets=("lines", "circles"), dataset_options={"lines": {"noise": 0.3}})
    assert noisier.changes_from(AppSettings()) == ["datasets", "dataset options"]
