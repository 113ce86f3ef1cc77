"""Architectures as users write them, grids, and the caps."""
import pytest

import experiments.specs
from experiments.specs import (GridTooLarge, RunSpec, adapt_layers, check_spec, expand_grid, grid_size,
                               parse_architecture)


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
    assert specs[0] == RunSpec(dataset="edge", architecture="[25, 2]", activation="none", lr=0.1, seed=0,
                               n_samples=250, noise=0.0, test_fraction=0.2)  # the dataset's defaults written out
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


HUGE = dict(datasets=["edge", "xor", "xor4", "circles", "moons", "spiral", "gaussians", "lines", "digits"],
            architectures=[f"[25, {width}, 2]" for width in range(1, 31)],
            activations=["relu", "tanh", "sigmoid", "leaky_relu"], lrs=[0.001 * k for k in range(1, 31)],
            optimizers=["sgd", "momentum", "adam"], seeds=list(range(10)))


def test_a_checked_spec_is_checked_and_parsed_once():
    """Issue 22: a spec is checked and its architecture parsed once, then carried: checking it again returns
    it as it is, and its widths, its layers as run and its lockstep key come without parsing."""
    spec = check_spec(RunSpec("circles", "25-16-8-2", n_samples=300))
    assert spec.checked and spec.sizes == [25, 16, 8, 2] and spec.architecture == "[25, 16, 8, 2]"
    assert (spec.n_samples, spec.noise, spec.test_fraction) == (300, 0.1, 0.25)  # defaults written out
    assert check_spec(spec) is spec and not RunSpec().checked


def test_a_huge_grid_is_refused_from_the_sizes_of_its_choices_before_any_run_is_made(monkeypatch):
    """Issue 21: a link of 9 datasets x 30 architectures x 4 activations x 30 rates x 3 optimizers x 10 seeds
    took 72 s to expand before it was counted. It is counted as a product and refused at once."""
    made = []
    monkeypatch.setattr(experiments.specs, "check_spec", lambda *args, **kwargs: made.append(args))
    with pytest.raises(GridTooLarge, match=r"This comparison has 972000 runs; the limit is 200 \(4860\.0x over\)"):
        expand_grid(**HUGE, max_runs=200)
    assert made == []


@pytest.mark.parametrize("choices", [
    dict(architectures=["[25, 2]", "25-8-2", "[25, 8, 2]", "[25, 16, 8, 2]"], activations=["relu", "tanh", "sigmoid"]),
    dict(datasets=["edge", "xor"], lrs=[0.1, 0.10, 0.5], seeds=[0, 1, 1], optimizers=["sgd", "adam", "sgd"]),
    dict(architectures=["[25, 2]"], activations=["relu", "tanh"], seeds=[0, 1]),
])
def test_the_counted_size_of_a_grid_is_the_number_of_runs_it_makes(choices):
    axes = {"datasets": ["edge"], "architectures": ["[25, 8, 2]"], "activations": ["relu"], "lrs": [0.1],
            "optimizers": ["sgd"], "seeds": [0], **choices}
    assert grid_size(axes) == len(expand_grid(**axes, epochs=1))
    assert len(expand_grid(**axes, epochs=1, max_runs=grid_size(axes))) == grid_size(axes)
    with pytest.raises(GridTooLarge):
        expand_grid(**axes, epochs=1, max_runs=grid_size(axes) - 1)
