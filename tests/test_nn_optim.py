"""Each optimizer's steps against updates worked out by hand (the torch.optim rules)."""
import numpy as np
import pytest

import nn

P0 = np.array([1.0, -2.0, 0.5])
GRADS = [np.array([0.1, -0.3, 0.2]), np.array([-0.2, 0.4, 0.1]), np.array([0.05, 0.0, -0.1])]


def run(optimizer):
    params = P0.copy()
    trajectory = []
    for grad in GRADS:
        optimizer.step(params, grad.copy())
        trajectory.append(params.copy())
    return trajectory


def test_sgd():
    lr, p, expected = 0.1, P0.copy(), []
    for g in GRADS:
        p = p - lr * g
        expected.append(p)
    np.testing.assert_allclose(run(nn.SGD(lr)), expected, rtol=1e-14)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum(nesterov):
    lr, beta, p, v, expected = 0.1, 0.9, P0.copy(), np.zeros(3), []
    for g in GRADS:
        v = beta * v + g
        p = p - lr * ((g + beta * v) if nesterov else v)
        expected.append(p)
    np.testing.assert_allclose(run(nn.Momentum(lr, beta=beta, nesterov=nesterov)), expected, rtol=1e-14)


def test_momentum_first_steps_by_hand():
    # v1 = g1 = [0.1,-0.3,0.2]; p1 = p0 - 0.1 v1;  v2 = 0.9 v1 + g2 = [-0.11, 0.13, 0.28]; p2 = p1 - 0.1 v2
    trajectory = run(nn.Momentum(0.1, beta=0.9))
    np.testing.assert_allclose(trajectory[0], [0.99, -1.97, 0.48])
    np.testing.assert_allclose(trajectory[1], [1.001, -1.983, 0.452])


def test_adam():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p, m, v, expected = P0.copy(), np.zeros(3), np.zeros(3), []
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        expected.append(p)
    np.testing.assert_allclose(run(nn.Adam(lr)), expected, rtol=1e-12)


def test_adam_first_step_moves_each_parameter_by_about_lr():
    # after one step m_hat = g and v_hat = g^2, so the step is lr * g / (|g| + eps) = lr * sign(g)
    step = run(nn.Adam(0.01))[0] - P0
    np.testing.assert_allclose(step, -0.01 * np.sign(GRADS[0]), rtol=1e-6)


@pytest.mark.parametrize("make", [lambda wd: nn.SGD(0.1, weight_decay=wd),
                                  lambda wd: nn.Momentum(0.1, weight_decay=wd),
                                  lambda wd: nn.Adam(0.1, weight_decay=wd)], ids=["sgd", "momentum", "adam"])
def test_weight_decay_adds_l2_gradient(make):
    # weight decay wd is the same as adding wd * p to the gradient
    plain, decayed = make(0.0), make(0.5)
    p_plain, p_decayed = P0.copy(), P0.copy()
    for g in GRADS:
        plain.step(p_plain, g + 0.5 * p_plain)
        decayed.step(p_decayed, g.copy())
    np.testing.assert_allclose(p_decayed, p_plain, rtol=1e-12)


def test_weight_decay_shrinks_weights_with_zero_gradient():
    params = P0.copy()
    nn.SGD(0.1, weight_decay=0.5).step(params, np.zeros(3))
    np.testing.assert_allclose(params, P0 * (1 - 0.1 * 0.5))


def test_registry_has_every_optimizer():
    assert set(nn.OPTIMIZERS) == {"sgd", "momentum", "adam"}
    assert all(issubclass(cls, nn.Optimizer) for cls in nn.OPTIMIZERS.values())


@pytest.mark.parametrize("optimizer", [nn.SGD(0.1, weight_decay=0.5), nn.Momentum(0.1, nesterov=True, weight_decay=0.5),
                                       nn.Adam(0.1, weight_decay=0.5)], ids=["sgd", "nesterov", "adam"])
def test_a_step_leaves_the_gradients_as_they_were(optimizer):
    # the optimizers work in scratch arrays; the network's gradient buffer is not theirs to change
    params, grads = P0.copy(), GRADS[0].copy()
    for _ in range(3):
        optimizer.step(params, grads)
    np.testing.assert_array_equal(grads, GRADS[0])
