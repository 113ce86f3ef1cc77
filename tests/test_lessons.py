"""Each lesson on the welcome page says what its comparison shows; training it must show that."""
import numpy as np
import pytest

from experiments.lessons import LESSONS_BY_KEY
from experiments.runner import run_grid


def accuracy(key, column):
    runs = run_grid(LESSONS_BY_KEY[key].settings.specs()).runs
    return dict(zip(runs[column], runs["test_acc"])), runs


def test_depth_one_hidden_layer_separates_what_none_cannot():
    acc, _ = accuracy("depth", "layers")
    assert acc["[36, 3]"] < 0.8 and acc["[36, 8, 3]"] == 1.0 and acc["[36, 16, 8, 3]"] == 1.0


@pytest.mark.slow
def test_activation_sigmoid_cuts_a_band_where_relu_and_tanh_close_a_ring():
    """What the panels show: relu's and tanh's inner region is closed, away from every edge of the plane;
    sigmoid's is an open band from the top edge to the bottom one, between two nearly straight lines, and
    the network is sure of it (a pale panel, sure of nothing, showed no line at the old rate of 0.1)."""
    results = run_grid(LESSONS_BY_KEY["activation"].settings.specs())
    grid = np.linspace(-1.5, 1.5, 31)
    plane = np.array([[x, y] for y in grid for x in grid])
    for row in results.runs.itertuples():
        inner = results.networks[row.run_id].predict_proba(plane)[:, 1].reshape(31, 31)
        region = inner > 0.5
        edges = region[0].any() or region[-1].any() or region[:, 0].any() or region[:, -1].any()
        if row.activation == "sigmoid":
            assert 0.7 < row.test_acc < 0.85 and region[0].any() and region[-1].any()
            assert np.abs(inner - 0.5).mean() > 0.25  # drawn in strong colours, not a washed-out square
            left = [np.flatnonzero(line)[0] for line in region]  # the band's left edge, row by row
            assert np.ptp(np.diff(left)) <= 2  # moves steadily: a nearly straight line
        else:
            assert row.test_acc > 0.95 and not edges


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
