"""The Network: structure, initialisation, numerics of the loss, and the weight API."""
import tracemalloc
import warnings

import numpy as np
import pytest

import nn


def test_layers_alternate_linear_and_activation():
    net = nn.Network([25, 16, 8, 2], activation="tanh")
    assert [type(layer).__name__ for layer in net.layers] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert [layer.W.shape for layer in net.linear_layers] == [(25, 16), (16, 8), (8, 2)]
    assert [layer.b.shape for layer in net.linear_layers] == [(1, 16), (1, 8), (1, 2)]
    assert net.n_params == 25 * 16 + 16 + 16 * 8 + 8 + 8 * 2 + 2


def test_no_hidden_layer_is_logistic_regression():
    net = nn.Network([25, 2])
    assert [type(layer).__name__ for layer in net.layers] == ["Linear"]


@pytest.mark.parametrize("activation, expected_std", [("relu", np.sqrt(2 / 400)), ("tanh", np.sqrt(2 / 600))])
def test_auto_init_is_he_for_relu_and_xavier_for_tanh(activation, expected_std):
    W = nn.Network([400, 200, 2], activation=activation, seed=0).linear_layers[0].W
    assert W.std() == pytest.approx(expected_std, rel=0.02)
    assert np.all(nn.Network([400, 200, 2], activation=activation).linear_layers[0].b == 0)


def test_init_by_name_overrides_auto():
    W = nn.Network([400, 200, 2], activation="relu", init="xavier", seed=0).linear_layers[0].W
    assert W.std() == pytest.approx(np.sqrt(2 / 600), rel=0.02)


def test_sigmoid_and_softmax_are_stable_at_extreme_inputs():
    z = np.array([[-1000.0, 0.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = nn.Sigmoid().forward(z.copy())
        p = nn.softmax(z)
        loss = nn.SoftmaxCrossEntropy().forward(z, np.array([[1.0, 0.0, 0.0]]))
    np.testing.assert_allclose(h, [[0.0, 0.5, 1.0]])
    np.testing.assert_allclose(p, [[0.0, 0.0, 1.0]])
    assert loss == pytest.approx(2000.0)  # -log softmax = 1000 - (-1000): exact, no log(0)


def test_loss_is_mean_negative_log_softmax():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    y = np.array([0, 2])
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    expected = -(log_p[0, 0] + log_p[1, 2]) / 2
    assert nn.Network([3, 3]).loss(logits, y) == pytest.approx(expected, rel=1e-12)


def test_predict_proba_rows_sum_to_one_and_predict_is_argmax():
    X = np.random.default_rng(0).normal(size=(20, 4))
    net = nn.Network([4, 6, 3], seed=1)
    proba = net.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(net.predict(X), proba.argmax(axis=1))


def test_get_set_weights_and_copy_are_independent():
    net = nn.Network([3, 4, 2], seed=0)
    clone = net.copy()
    clone.linear_layers[0].W += 1.0
    assert not np.array_equal(net.linear_layers[0].W, clone.linear_layers[0].W)
    other = nn.Network([3, 4, 2], seed=5)
    other.set_weights(net.get_weights())
    X = np.ones((2, 3))
    np.testing.assert_array_equal(other.predict_proba(X), net.predict_proba(X))
    weights = net.get_weights()
    weights[0][0][...] = 7.0  # get_weights returns copies
    assert not np.any(net.linear_layers[0].W == 7.0)


def test_set_weights_rejects_wrong_shapes():
    net = nn.Network([3, 4, 2])
    with pytest.raises(ValueError, match=r"weights\[0\] W must have shape \(3, 4\); got \(4, 3\)"):
        net.set_weights([(np.zeros((4, 3)), np.zeros((1, 4))), (np.zeros((4, 2)), np.zeros((1, 2)))])
    with pytest.raises(ValueError, match="must hold 2"):
        net.set_weights([(np.zeros((3, 4)), np.zeros((1, 4)))])


def test_same_seed_same_weights_different_seed_different_weights():
    a, b, c = (nn.Network([5, 4, 2], seed=s) for s in (3, 3, 4))
    np.testing.assert_array_equal(a.flat_params, b.flat_params)
    assert not np.array_equal(a.flat_params, c.flat_params)


def test_float32_networks_stay_float32():
    net = nn.Network([4, 3, 2], dtype=np.float32)
    X = np.random.default_rng(0).normal(size=(5, 4))
    assert net.predict_proba(X).dtype == np.float32
    history = nn.fit(net, X, [0, 1, 0, 1, 1], epochs=3)
    assert net.flat_params.dtype == np.float32 and history.epochs == 3


def test_stack_and_unstack_round_trip():
    nets = [nn.Network([4, 3, 2], seed=s) for s in range(3)]
    stacked = nn.Network.stack(nets)
    assert stacked.linear_layers[0].W.shape == (3, 4, 3)
    for original, back in zip(nets, stacked.unstack()):
        np.testing.assert_array_equal(original.flat_params, back.flat_params)
        assert back.seed == original.seed
    with pytest.raises(ValueError, match="same layer sizes"):
        nn.Network.stack([nn.Network([4, 3, 2]), nn.Network([4, 5, 2])])


def test_a_stack_of_mixed_activations_unstacks_to_its_networks_and_drops_its_caches():
    nets = [nn.Network([4, 3, 2], activation=name, seed=k) for k, name in enumerate(["relu", "tanh", "tanh"])]
    stacked = nn.Network.stack(nets)
    assert stacked.activation == ["relu", "tanh", "tanh"]
    stacked.forward(np.ones((5, 4)))
    activations = stacked.layers[1]
    assert [part.h.shape for _, part in activations.parts] == [(1, 5, 3), (2, 5, 3)]  # its networks' rows
    stacked.clear_caches()
    assert all(not part.buffers and part.__dict__.get("h") is None for _, part in activations.parts)
    tanh = activations.parts[1][1]
    stacked.loss(stacked.forward(np.ones((5, 4))), np.zeros(5, dtype=int))
    stacked.backward()
    assert list(tanh.buffers) == [("scratch", (2, 5, 3), np.float64)]  # tanh's and dh/dz's, one array
    for original, back in zip(nets, stacked.unstack()):
        assert back.activation == original.activation
        np.testing.assert_array_equal(original.predict_proba(np.ones((2, 4))), back.predict_proba(np.ones((2, 4))))


def test_pickled_network_keeps_its_weights_and_parameter_views():
    import pickle

    net = nn.Network([3, 4, 2], seed=2)
    net.forward(np.ones((5, 3)))
    loaded = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(loaded.flat_params, net.flat_params)
    loaded.linear_layers[0].W[0, 0] = 99.0  # W must still be a view into the flat buffer the optimizer updates
    assert loaded.flat_params[0] == 99.0
    assert loaded.linear_layers[0].buffers == {}


def test_forward_returns_logits_that_later_calls_do_not_overwrite():
    net = nn.Network([3, 4, 2], seed=0)
    first = net.forward(np.ones((5, 3)))
    kept = first.copy()
    net.forward(np.zeros((5, 3)))
    np.testing.assert_array_equal(first, kept)


@pytest.mark.parametrize("activation", sorted(nn.ACTIVATIONS))
@pytest.mark.parametrize("optimizer", [nn.SGD(0.1), nn.Momentum(0.1, nesterov=True), nn.Adam(0.01, weight_decay=1e-3)],
                         ids=["sgd", "nesterov", "adam"])
def test_a_training_step_allocates_no_array_of_a_hidden_layers_size(activation, optimizer):
    # Large temporaries cost page faults, not arithmetic: after the first step, forward, loss, backward
    # and the update write into buffers they keep. tracemalloc sees NumPy's array allocations.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(2000, 64)), rng.integers(0, 2, 2000)
    net = nn.Network([64, 256, 256, 2], activation=activation)
    Y = nn.losses.one_hot(y, 2)

    def step():
        net.loss(net.forward(X), Y)
        net.backward()
        optimizer.step(net.flat_params, net.flat_grads)

    step()
    tracemalloc.start()
    try:
        step()
        step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    hidden_layer = X.shape[0] * 256 * 8  # one hidden layer's float64 activations: 4 MB
    assert peak < hidden_layer / 8, f"{peak / 1e6:.2f} MB allocated during a step"


def test_a_network_travels_as_its_flat_parameters():
    """Workers send a network as one array (pickle), the store keeps it as one; from_flat rebuilds it with no
    initialisation drawn and no layer-by-layer copy, and a stack's row k is its network k."""
    import pickle
    net = nn.Network([3, 5, 4, 2], activation="tanh", seed=3)
    again = nn.Network.from_flat([3, 5, 4, 2], net.flat_params, activation="tanh", seed=3)
    np.testing.assert_array_equal(again.flat_params, net.flat_params)
    assert again.flat_params is not net.flat_params and again.layers[0].W.base is again.flat_params
    X = np.random.default_rng(0).normal(size=(7, 3))
    np.testing.assert_array_equal(again.predict_proba(X), net.predict_proba(X))
    state = pickle.loads(pickle.dumps(net)).__getstate__()
    assert set(state) == {"layer_sizes", "activation", "init", "dtype", "seed", "flat_params", "n_models"}
    nets = [nn.Network([3, 5, 2], seed=s) for s in range(3)]
    stack = nn.Network.stack(nets)
    for k, alone in enumerate(stack.unstack()):
        np.testing.assert_array_equal(alone.flat_params, nets[k].flat_params)
        np.testing.assert_array_equal(stack.flat_params[k], nets[k].flat_params)
    with pytest.raises(ValueError, match=r"must have shape \(54,\)"):
        nn.Network.from_flat([3, 5, 4, 2], np.zeros(40))
