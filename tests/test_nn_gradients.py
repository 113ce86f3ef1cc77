"""Analytic gradients against central finite differences, for every activation and several depths."""
import numpy as np
import pytest

import nn

ARCHITECTURES = [[2, 2], [25, 8, 2], [25, 16, 8, 2], [5, 7, 6, 4, 3]]


def numerical_gradient(net, X, y, eps=1e-6):
    """dL/dp for every parameter p, by (L(p + eps) - L(p - eps)) / (2 eps)."""
    params = net.flat_params
    grad = np.zeros_like(params)
    for i in range(params.size):
        original = params[i]
        params[i] = original + eps
        loss_plus = net.loss(net.forward(X), y)
        params[i] = original - eps
        loss_minus = net.loss(net.forward(X), y)
        params[i] = original
        grad[i] = (loss_plus - loss_minus) / (2 * eps)
    return grad


@pytest.mark.parametrize("activation", sorted(nn.ACTIVATIONS))
@pytest.mark.parametrize("sizes", ARCHITECTURES, ids=str)
def test_backward_matches_finite_differences(sizes, activation):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(11, sizes[0]))
    y = rng.integers(0, sizes[-1], size=11)
    net = nn.Network(sizes, activation=activation, seed=3)
    net.loss(net.forward(X), y)
    net.backward()
    numerical = numerical_gradient(net, X, y)
    for layer, offset in zip(net.linear_layers, net.layer_offsets):
        size_w, size_b = layer.W.size, layer.b.size
        for analytic, numeric in ((layer.dW.ravel(), numerical[offset:offset + size_w]),
                                  (layer.db.ravel(), numerical[offset + size_w:offset + size_w + size_b])):
            relative_error = np.linalg.norm(analytic - numeric) / max(
                np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-12)
            assert relative_error < 1e-6


def test_one_hot_labels_give_the_same_loss_and_gradient():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 4)), np.array([0, 2, 1, 2, 0, 1])
    net = nn.Network([4, 5, 3], seed=0)
    loss_int = net.loss(net.forward(X), y)
    net.backward()
    grads_int = net.flat_grads.copy()
    loss_onehot = net.loss(net.forward(X), np.eye(3)[y])
    net.backward()
    assert loss_int == loss_onehot
    np.testing.assert_array_equal(grads_int, net.flat_grads)


def test_stacked_gradients_equal_each_networks_own():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(9, 5)), rng.integers(0, 3, size=9)
    nets = [nn.Network([5, 4, 3], activation="tanh", seed=seed) for seed in range(3)]
    stacked = nn.Network.stack(nets)
    stacked.loss(stacked.forward(X), y)
    stacked.backward()
    for k, net in enumerate(nets):
        net.loss(net.forward(X), y)
        net.backward()
        np.testing.assert_array_equal(stacked.flat_grads[k], net.flat_grads)


def test_loss_of_a_stack_and_of_a_view_equal_each_rows_own():
    """The loss picks each row's largest logit by flat index: the same for a stack, for each network of it,
    and for logits that are a non-contiguous view."""
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(4, 7, 3)) * 5
    Y = np.eye(3)[rng.integers(0, 3, size=(4, 7))]
    loss_fn = nn.SoftmaxCrossEntropy()
    stacked = loss_fn.forward(logits, Y)
    for k in range(4):
        alone = nn.SoftmaxCrossEntropy().forward(logits[k], Y[k])
        assert stacked[k] == alone
        log_p = logits[k] - logits[k].max(axis=1, keepdims=True)
        log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
        assert alone == pytest.approx(-(log_p * Y[k]).sum() / 7, rel=1e-12)
    transposed = np.ascontiguousarray(logits[0].T).T  # same values, column-major
    assert nn.SoftmaxCrossEntropy().forward(transposed, Y[0]) == nn.SoftmaxCrossEntropy().forward(logits[0], Y[0])
    np.testing.assert_array_equal(loss_fn.predicted, logits.argmax(axis=-1))


def test_tanh_and_sigmoid_match_numpy_and_never_overflow():
    """nn computes tanh from one exp of -|z| (np.tanh is slow on float64); it must agree with np.tanh to
    the last bits of 1 (absolutely: below about 1e-16 it rounds to 0 or 2.2e-16), keep its sign and
    oddness, and give exactly +-1, 0 and 1 at the extremes."""
    z = np.concatenate([np.linspace(-40, 40, 100_001), [-1e-300, 1e-300, -800.0, 800.0, -1e308, 1e308]])
    layer_input = z.copy().reshape(1, -1)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # none of these, on any finite input
        h = nn.Tanh().forward(layer_input.copy())[0]
        p = nn.Sigmoid().forward(layer_input.copy())[0]
    np.testing.assert_allclose(h, np.tanh(z), rtol=0, atol=4e-16)
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-np.clip(z, -700, 700))), rtol=0, atol=4e-16)
    np.testing.assert_array_equal(np.sign(h)[h != 0], np.sign(z)[h != 0])
    assert (h[np.abs(z) > 1e-15] != 0).all()
    np.testing.assert_array_equal(h, -nn.Tanh().forward(-layer_input)[0])
    assert list(h[-4:]) == [-1.0, 1.0, -1.0, 1.0] and list(p[-4:]) == [0.0, 1.0, 0.0, 1.0]
    assert np.isnan(nn.Tanh().forward(np.array([[np.nan]]))).all()
