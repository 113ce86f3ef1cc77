"""Each lesson on the welcome page says what its comparison shows; training it must show that."""
from experiments.lessons import LESSONS_BY_KEY
from experiments.runner import run_grid


def accuracy(key, column):
    runs = run_grid(LESSONS_BY_KEY[key].settings.specs()).runs
    return dict(zip(runs[column], runs["test_acc"])), runs


def test_depth_one_hidden_layer_separates_what_none_cannot():
    acc, _ = accuracy("depth", "layers")
    assert acc["[36, 3]"] < 0.8 and acc["[36, 8, 3]"] == 1.0 and acc["[36, 16, 8, 3]"] == 1.0


def test_activation_sigmoid_lags_behind_relu_and_tanh():
    acc, _ = accuracy("activation", "activation")
    assert acc["relu"] > 0.95 and acc["tanh"] > 0.95 and acc["sigmoid"] < 0.7


def test_vanishing_gradients_deep_sigmoid_does_not_learn():
    acc, runs = accuracy("vanishing", "activation")
    assert acc["relu"] > 0.95 and acc["sigmoid"] <= 0.55


def test_learning_rate_too_small_right_and_too_large():
    acc, runs = accuracy("learning-rate", "lr")
    assert acc[0.001] < 0.95 and all(acc[lr] >= 0.99 for lr in (0.01, 0.1, 1.0)) and acc[5.0] <= 0.55
    assert runs.set_index("lr").loc[20.0, "status"] == "diverged"


def test_the_classic_edge_figure_is_solved_by_every_architecture():
    acc, _ = accuracy("classic", "layers")
    assert acc == {"[25, 2]": 1.0, "[25, 8, 2]": 1.0, "[25, 16, 8, 2]": 1.0}
