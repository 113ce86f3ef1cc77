"""The app's settings as data: the grid they ask for, and their mirror in the URL."""
import pytest

from experiments.settings import AppSettings, parse_custom_architectures, parse_custom_lrs


def test_defaults_are_the_classic_comparison():
    specs = AppSettings().specs()
    assert [s.architecture for s in specs] == ["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"]
    assert {(s.dataset, s.activation, s.lr, s.epochs, s.batch_size) for s in specs} == {("edge", "relu", 0.1, 200, 16)}
    assert AppSettings().to_query() == {}


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
    assert settings.datasets == ("xor",) and settings.lrs == (0.1,) and settings.n_seeds == 1
    assert len(problems) == 3
    assert any("unknown dataset 'mnist'" in p for p in problems)
    assert any("seeds must be between 1 and 10; got 99" in p for p in problems)


def test_custom_entries():
    assert parse_custom_architectures("[25, 32, 16, 2]; 25-4-2\n25,6,2") == (
        ["[25, 32, 16, 2]", "[25, 4, 2]", "[25, 6, 2]"], [])
    good, errors = parse_custom_architectures("[25,,2]; [25, 3, 2]")
    assert good == ["[25, 3, 2]"] and "empty entry" in errors[0]
    assert parse_custom_lrs("0.2, 0.003 1e-4") == ([0.2, 0.003, 1e-4], [])
    assert parse_custom_lrs("fast")[1] == ["learning rate must be a number; got 'fast'."]


def test_empty_choices_are_refused_clearly():
    with pytest.raises(ValueError, match="'activations' must be a non-empty list"):
        AppSettings(activations=()).specs()
