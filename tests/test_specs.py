"""Architectures as users write them, grids, and the caps."""
import pytest

from experiments.specs import (RunSpec, adapt_layers, check_spec,
                               expand_grid, parse_architecture)


@pytest.mark.parametrize("text", ["[25, 8, 2]", "25,8,2", "25-8-2", "25 8 2", " [ 25 ,8, 2 ] ", "(25, 8, 2)",
                                  [25, 8, 2]])
def test_architecture_spellings(text):
    assert parse_architecture(text) == [25, 8, 2]


@pytest.mark.parametrize("text, message", [
    ("[25,,2]", r"'\[25,,2\]' has an empty entry"),
    ("25-8-", r"has an empty entry"),
    ("[25, -3, 2]", r"between 1 and 4096; got -3"),
    ("[25, 99999, 2]", r"between 1 and 4096; got 99999"),
    ("[25, 8.5, 2]", r"'8.5', which is not a whole number"),
    ("abc", r"'abc', which is not a whole number"),
    ("[25]", r"needs at least 2 entries"),
    ("", r"must be written like \[25, 8, 2\]"),
    ("[" + ",".join(["4"] * 14) + "]", r"at most 12 weight layers"),
])
def test_bad_architectures(text, message):
    with pytest.raises(ValueError, match=message):
        parse_architecture(text)


def test_adaptation_keeps_hidden_layers():
    assert adapt_layers([25, 8, 2], 2, 2) == [2, 8, 2]
    assert adapt_layers([25, 8, 2], 64, 10) == [64, 8, 10]
    assert adapt_layers([25, 2], 36, 3) == [36, 3]


def test_grid_is_the_cartesian_product_in_a_stable_order():
    specs = expand_grid(datasets=["edge", "xor"], architectures=["25-2", "[25,8,2]"], activations=["relu", "tanh"],
                        lrs=[0.1, 0.01, 0.5], seeds=[0, 1])
    # datasets x (2 activations of [25, 8, 2] + one of [25, 2], which has none) x lrs x seeds
    assert len(specs) == 2 * 3 * 3 * 2
    assert len(set(specs)) == len(specs)
    assert {s.activation for s in specs if s.architecture == "[25, 2]"} == {"none"}
    assert specs[0] == RunSpec(dataset="edge", architecture="[25, 2]", activation="none", lr=0.1, seed=0)
    assert {spec.architecture for spec in specs} == {"[25, 2]", "[25, 8, 2]"}  # written canonically
    assert specs == expand_grid(datasets=["edge", "xor"], architectures=["25-2", "[25,8,2]"],
                                activations=["relu", "tanh"], lrs=[0.1, 0.01, 0.5], seeds=[0, 1])


def test_replicates_share_the_data_and_the_configuration():
    a, b = expand_grid(seeds=[0, 1], architectures=["[25, 8, 2]"])
    assert a.data_key() == b.data_key() and a.config() == b.config() and a != b


@pytest.mark.parametrize("field, value, message", [
    ("activation", "swish", r"'activation' must be one of"),
    ("optimizer", "rmsprop", r"'optimizer' must be one of \['adam', 'momentum', 'sgd'\]"),
    ("lr", float("nan"), r"'lr' must be a finite number > 0; got nan"),
    ("lr", 0.0, r"'lr' must be a finite number > 0"),
    ("epochs", 0, r"'epochs' must be an integer between 1"),
    ("batch_size", 0, r"'batch_size' must be an integer >= 1"),
    ("l2", -0.1, r"'l2' must be a finite number >= 0"),
    ("seed", -1, r"'seed' must be an integer between 0"),
])
def test_bad_spec_values(field, value, message):
    with pytest.raises(ValueError, match=message):
        check_spec(RunSpec(**{field: value}))


def test_identical_runs_are_kept_once():
    """[25, 2] has no hidden layer: with relu and tanh it would be one network trained twice."""
    specs = expand_grid(architectures=["[25, 2]", "[25, 4, 2]"], activations=["tanh", "relu"], seeds=[0, 0, 1])
    assert [(s.architecture, s.activation, s.seed) for s in specs] == [
        ("[25, 2]", "none", 0), ("[25, 2]", "none", 1), ("[25, 4, 2]", "tanh", 0), ("[25, 4, 2]", "tanh", 1),
        ("[25, 4, 2]", "relu", 0), ("[25, 4, 2]", "relu", 1)]


def test_a_network_without_a_hidden_layer_has_no_activation():
    """Whatever activation it was asked with, [25, 2] has none; "none" is refused where a hidden layer needs one."""
    for asked in ("relu", "tanh", "none"):
        assert check_spec(RunSpec(architecture="25-2", activation=asked)).activation == "none"
    assert check_spec(RunSpec(architecture="[25, 8, 2]", activation="tanh")).activation == "tanh"
    with pytest.raises(ValueError, match=r"'activation' 'none' is only for a network without a hidden layer; "
                                         r"\[25, 8, 2\] needs one of \['leaky_relu', 'relu', 'sigmoid', 'tanh'\]"):
        check_spec(RunSpec(architecture="[25, 8, 2]", activation="none"))
    with pytest.raises(ValueError, match="'activation' must be one of"):
        check_spec(RunSpec(architecture="[25, 2]", activation="swish"))
