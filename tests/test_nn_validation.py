"""Every validation error names the parameter, the value and what is allowed."""
import numpy as np
import pytest

import nn

X = np.zeros((4, 2))
Y = np.array([0, 1, 0, 1])


@pytest.mark.parametrize("sizes, message", [
    ([25], r"at least 2 entries"),
    ([], r"at least 2 entries"),
    ("25,2", r"must be a list of integers"),
    ([25, 0, 2], r"between 1 and 4096; got 0"),
    ([25, -3, 2], r"got -3"),
    ([25, 5000, 2], r"got 5000"),
    ([25, 2.5, 2], r"got 2.5"),
    ([25, True, 2], r"got True"),
    ([2] * 14, r"at most 12 weight layers"),
    ([25, 8, 1], r"at least 2 classes"),
])
def test_bad_layer_sizes(sizes, message):
    with pytest.raises(ValueError, match=message):
        nn.Network(sizes)


def test_bad_activation_lists_the_allowed_names():
    with pytest.raises(ValueError, match=r"'activation' must be one of \['leaky_relu', 'relu', 'sigmoid', "
                                         r"'tanh'\]; got 'swish'"):
        nn.Network([2, 2], activation="swish")


def test_bad_init_and_dtype():
    with pytest.raises(ValueError, match="'init' must be one of"):
        nn.Network([2, 2], init="zeros")
    with pytest.raises(ValueError, match="'dtype' must be float32 or float64"):
        nn.Network([2, 2], dtype=np.int32)


@pytest.mark.parametrize("lr", [float("nan"), float("inf"), 0.0, -0.1, "fast", None])
def test_bad_learning_rate(lr):
    with pytest.raises(ValueError, match=r"'lr' must be"):
        nn.SGD(lr)


def test_bad_optimizer_settings():
    with pytest.raises(ValueError, match=r"'beta' must be in \[0.0, 1.0\); got 1.5"):
        nn.Momentum(0.1, beta=1.5)
    with pytest.raises(ValueError, match=r"'weight_decay' must be a finite number >= 0; got -1"):
        nn.Adam(0.1, weight_decay=-1)


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, r"'epochs' must be an integer between 1 and 100000; got 0"),
    ({"epochs": 2.5}, r"'epochs' must be an integer; got 2.5"),
    ({"batch_size": 0}, r"'batch_size' must be an integer >= 1; got 0"),
    ({"optimizer": "sgd"}, r"'optimizer' must be an nn optimizer"),
    ({"seed": -1}, r"'seed' must be an integer >= 0; got -1"),
    ({"X_val": X}, r"'X_val' and 'y_val' must be given together"),
    ({"on_epoch": 3}, r"'on_epoch' must be callable"),
])
def test_bad_fit_arguments(kwargs, message):
    kwargs = {"epochs": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        nn.fit(nn.Network([2, 2]), X, Y, **kwargs)


@pytest.mark.parametrize("X_bad, y_bad, message", [
    (np.zeros((4, 3)), Y, r"'X' has 3 features but the network's input layer expects 2"),
    (np.zeros(4), Y, r"'X' must be 2-D"),
    (np.array([[0, np.nan]] * 4), Y, r"'X' contains NaN or infinite values"),
    (np.array([[0, np.inf]] * 4), Y, r"NaN or infinite"),
    (X, np.array([0, 1, 2, 1]), r"labels must be in \[0, 2\).*got values from 0 to 2"),
    (X, np.array([0, 1, -1, 1]), r"labels must be in \[0, 2\)"),
    (X, np.array([0, 1, 0]), r"'y' has 3 labels but X has 4 samples"),
    (X, np.array([0.5, 1, 0, 1]), r"'y' must hold integer class labels"),
    (X, np.array([[1, 1], [0, 1], [1, 0], [0, 1]]), r"looks one-hot"),
])
def test_bad_data(X_bad, y_bad, message):
    with pytest.raises(ValueError, match=message):
        nn.fit(nn.Network([2, 2]), X_bad, y_bad, epochs=1)


def test_predict_checks_its_input():
    with pytest.raises(ValueError, match="has 5 features"):
        nn.Network([2, 2]).predict(np.zeros((3, 5)))


@pytest.mark.parametrize("slope", [-0.1, 1.0, 2.0, float("nan")])
def test_leaky_relu_slope_must_be_in_zero_one(slope):
    # forward computes dh/dz as max(z > 0, slope), which is only right for 0 <= slope < 1
    with pytest.raises(ValueError, match="'slope' must be"):
        nn.LeakyReLU(slope)


def test_leaky_relu_with_a_zero_slope_is_relu():
    z = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(nn.LeakyReLU(0.0).forward(z.copy()), nn.ReLU().forward(z.copy()))
    np.testing.assert_array_equal(nn.LeakyReLU(0.25).forward(z.copy()), [[-0.5, -0.125, 0.0, 0.5, 3.0]])
