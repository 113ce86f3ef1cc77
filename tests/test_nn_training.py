"""Training: the network learns, runs are reproducible, divergence and stopping are handled."""
import numpy as np
import pytest

import nn

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0])


def separable(n=200, seed=0, margin=0.2):
    """Two classes either side of the line x0 + x1 = 0, with no point closer to it than ``margin``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4 * n, 2))
    X = X[np.abs(X.sum(axis=1)) > margin][:n]
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_xor_four_points_reach_100_percent(activation):
    net = nn.Network([2, 8, 2], activation=activation, seed=0)
    history = nn.fit(net, XOR_X, XOR_Y, epochs=2000, optimizer=nn.SGD(0.5))
    assert history.status == "ok"
    assert history.train_acc[-1] == 1.0
    np.testing.assert_array_equal(net.predict(XOR_X), XOR_Y)


def test_separable_problem_reaches_100_percent_on_held_out_points():
    X, y = separable(400)
    net = nn.Network([2, 2], seed=0)
    nn.fit(net, X[:300], y[:300], epochs=300, batch_size=16, optimizer=nn.SGD(0.5))
    assert net.accuracy(X[:300], y[:300]) == 1.0
    assert net.accuracy(X[300:], y[300:]) >= 0.98


@pytest.mark.parametrize("optimizer", [nn.SGD(0.1), nn.Momentum(0.05), nn.Momentum(0.05, nesterov=True),
                                       nn.Adam(0.01)], ids=repr)
def test_loss_falls_for_every_optimizer(optimizer):
    X, y = separable()
    history = nn.fit(nn.Network([2, 8, 2], seed=0), X, y, epochs=30, batch_size=32, optimizer=optimizer)
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.train_loss[0] < history.initial_loss


def test_history_records_every_epoch():
    X, y = separable(100)
    history = nn.fit(nn.Network([2, 5, 4, 2], seed=0), X[:80], y[:80], epochs=7, batch_size=10,
                     X_val=X[80:], y_val=y[80:])
    assert history.epochs == 7
    assert all(len(values) == 7 for values in (history.train_acc, history.val_loss, history.val_acc))
    assert all(len(norms) == 3 and all(value > 0 for value in norms) for norms in history.grad_norm)
    assert all(0.0 <= acc <= 1.0 for acc in history.train_acc + history.val_acc)


def test_train_accuracy_counts_each_shuffled_sample_against_its_own_label():
    # with a step too small to move any weight, every batch sees the initial network
    X, y = separable(90)
    nets = [nn.Network([2, 5, 2], seed=seed) for seed in (1, 4)]
    expected = [net.accuracy(X, y) for net in nets]
    histories = nn.fit_lockstep(nets, X, y, epochs=3, batch_size=16, optimizers=[nn.SGD(1e-300)] * 2, seeds=[4, 5])
    for history, accuracy in zip(histories, expected):
        assert history.train_acc == [accuracy] * 3
    alone = nn.fit(nn.Network([2, 5, 2], seed=4), X, y, epochs=3, batch_size=16, optimizer=nn.SGD(1e-300), seed=5)
    assert alone.train_acc == [expected[1]] * 3


def test_full_batch_is_the_default():
    X, y = separable(50)
    full = nn.fit(nn.Network([2, 3, 2], seed=0), X, y, epochs=5)
    explicit = nn.fit(nn.Network([2, 3, 2], seed=0), X, y, epochs=5, batch_size=50)
    assert full.train_loss == explicit.train_loss


def test_same_seed_gives_bit_identical_histories_and_weights():
    X, y = separable()
    runs = []
    for _ in range(2):
        net = nn.Network([2, 8, 4, 2], activation="tanh", seed=7)
        history = nn.fit(net, X, y, epochs=20, batch_size=16, optimizer=nn.Adam(0.01), seed=3)
        runs.append((history, net.flat_params.copy()))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    other = nn.fit(nn.Network([2, 8, 4, 2], activation="tanh", seed=7), X, y, epochs=20, batch_size=16,
                   optimizer=nn.Adam(0.01), seed=4)
    assert other.train_loss != runs[0][0].train_loss  # the shuffling seed matters


def test_huge_learning_rate_diverges_without_exception_or_warning(recwarn):
    X, y = separable()
    net = nn.Network([2, 8, 2], seed=0)
    history = nn.fit(net, X, y, epochs=50, batch_size=16, optimizer=nn.SGD(1e6))
    assert history.status == "diverged"
    assert history.epochs < 50
    assert "diverged at epoch" in history.message and "smaller learning rate" in history.message
    assert len(recwarn) == 0


def test_on_epoch_returning_false_stops_and_keeps_what_was_recorded():
    X, y = separable()
    seen = []

    def on_epoch(epoch, metrics):
        seen.append((epoch, metrics["train_loss"]))
        return epoch < 4

    history = nn.fit(nn.Network([2, 4, 2]), X, y, epochs=100, on_epoch=on_epoch)
    assert history.status == "stopped" and history.epochs == 4
    assert [epoch for epoch, _ in seen] == [1, 2, 3, 4]
    assert history.train_loss == [loss for _, loss in seen]


def test_lockstep_matches_training_each_network_alone():
    X, y = separable(120)
    lrs, seeds = [0.05, 0.5, 3e5], [0, 1, 2]
    nets = [nn.Network([2, 6, 5, 2], activation="sigmoid", seed=s) for s in seeds]
    histories = nn.fit_lockstep(nets, X[:100], y[:100], epochs=15, batch_size=16,
                                optimizers=[nn.Momentum(lr) for lr in lrs], seeds=seeds,
                                X_val=X[100:], y_val=y[100:])
    for net, history, lr, seed in zip(nets, histories, lrs, seeds):
        alone = nn.Network([2, 6, 5, 2], activation="sigmoid", seed=seed)
        expected = nn.fit(alone, X[:100], y[:100], epochs=15, batch_size=16, optimizer=nn.Momentum(lr),
                          seed=seed, X_val=X[100:], y_val=y[100:])
        assert history == expected
        np.testing.assert_array_equal(net.flat_params, alone.flat_params)
    assert [h.status for h in histories] == ["ok", "ok", "diverged"]


def test_lockstep_of_mixed_activations_matches_training_each_network_alone():
    """A stack may mix activations (each works on its own networks' rows), in any order, and still gives
    every network the bits it gets alone; leaky_relu, relu, tanh and sigmoid in one stack, one of them twice
    and apart, so the stack has runs of one network and of two."""
    X, y = separable(120)
    activations = ["tanh", "relu", "relu", "sigmoid", "leaky_relu", "tanh"]
    lrs = [0.1, 0.3, 0.05, 0.5, 0.1, 3e5]
    nets = [nn.Network([2, 6, 5, 2], activation=name, seed=k) for k, name in enumerate(activations)]
    stacked_layers = nn.Network.stack(nets).layers
    assert [type(part).__name__ for _, part in stacked_layers[1].parts] == \
        ["Tanh", "ReLU", "Sigmoid", "LeakyReLU", "Tanh"]
    histories = nn.fit_lockstep(nets, X[:100], y[:100], epochs=12, batch_size=16,
                                optimizers=[nn.SGD(lr) for lr in lrs], seeds=range(6), X_val=X[100:], y_val=y[100:])
    for k, (net, history, name, lr) in enumerate(zip(nets, histories, activations, lrs)):
        alone = nn.Network([2, 6, 5, 2], activation=name, seed=k)
        expected = nn.fit(alone, X[:100], y[:100], epochs=12, batch_size=16, optimizer=nn.SGD(lr), seed=k,
                          X_val=X[100:], y_val=y[100:])
        assert history == expected, name
        np.testing.assert_array_equal(net.flat_params, alone.flat_params)
        assert net.activation == name
    assert histories[-1].status == "diverged" and histories[0].status == "ok"


@pytest.mark.parametrize("make_optimizer", [nn.SGD, nn.Momentum, nn.Adam], ids=["sgd", "momentum", "adam"])
def test_a_float32_stack_matches_each_float32_network_alone(make_optimizer):
    """The stack's learning rates are float32 too: float64 ones made every float32 step round differently."""
    X, y = separable(80)
    activations, lrs = ["relu", "tanh", "sigmoid"], [0.1, 0.03, 0.3]
    nets = [nn.Network([2, 6, 2], activation=name, seed=k, dtype=np.float32) for k, name in enumerate(activations)]
    histories = nn.fit_lockstep(nets, X, y, epochs=5, batch_size=16, optimizers=[make_optimizer(lr) for lr in lrs],
                                seeds=range(3))
    for k, (net, history) in enumerate(zip(nets, histories)):
        alone = nn.Network([2, 6, 2], activation=activations[k], seed=k, dtype=np.float32)
        assert history == nn.fit(alone, X, y, epochs=5, batch_size=16, optimizer=make_optimizer(lrs[k]), seed=k)
        np.testing.assert_array_equal(net.flat_params, alone.flat_params)


def test_a_network_that_diverged_in_a_stack_is_shown_as_nan_to_on_epoch_after_it_ended():
    """Its group trains on; whoever watches the epochs (the app's live curves) must not see it go on."""
    X, y = separable(120)
    seen = []
    histories = nn.fit_lockstep([nn.Network([2, 6, 2], seed=s) for s in (0, 1)], X, y, epochs=15, batch_size=16,
                                optimizers=[nn.SGD(0.1), nn.SGD(3e5)], seeds=[0, 1],
                                on_epoch=lambda epoch, metrics: seen.append((epoch, metrics["train_loss"].copy(),
                                                                             metrics["grad_norm"].copy())))
    ok, diverged = histories
    assert ok.status == "ok" and diverged.status == "diverged" and diverged.epochs < 15
    assert [epoch for epoch, _, _ in seen] == list(range(1, 16))
    for epoch, loss, norms in seen:
        assert loss[0] == ok.train_loss[epoch - 1]  # the one training is shown as it is
        if epoch > diverged.epochs:  # after the epoch it diverged in: nothing
            assert np.isnan(loss[1]) and np.isnan(norms[1]).all()
        else:
            assert loss[1] == diverged.train_loss[epoch - 1] or np.isnan(diverged.train_loss[epoch - 1])
    alone = nn.fit_lockstep([nn.Network([2, 6, 2], seed=s) for s in (0, 1)], X, y, epochs=15, batch_size=16,
                            optimizers=[nn.SGD(0.1), nn.SGD(3e5)], seeds=[0, 1])
    assert alone == histories  # watching changes nothing


def test_lockstep_refuses_mixed_optimizers():
    X, y = separable(20)
    with pytest.raises(ValueError, match="optimizers of one class"):
        nn.fit_lockstep([nn.Network([2, 2]), nn.Network([2, 2])], X, y, 2, optimizers=[nn.SGD(0.1), nn.Adam(0.1)])


def test_batch_larger_than_data_is_clipped_with_a_warning():
    X, y = separable(30)
    with pytest.warns(UserWarning, match="batch_size=64 is larger than the 30 training samples"):
        history = nn.fit(nn.Network([2, 2]), X, y, epochs=2, batch_size=64)
    assert history.epochs == 2


def test_snapshots_hold_the_weights_at_the_epochs_asked_for():
    X, y = separable(60)
    net = nn.Network([2, 4, 2], seed=1)
    before = net.flat_params.copy()
    history = nn.fit(net, X, y, epochs=6, batch_size=16, snapshot_epochs=[0, 3, 6])
    assert [epoch for epoch, _ in history.snapshots] == [0, 3, 6]
    np.testing.assert_array_equal(history.snapshots[0][1], before)
    np.testing.assert_array_equal(history.snapshots[-1][1], net.flat_params)
    replay = nn.Network([2, 4, 2], seed=1)
    nn.fit(replay, X, y, epochs=3, batch_size=16)
    np.testing.assert_array_equal(history.snapshots[1][1], replay.flat_params)


def test_lockstep_snapshots_match_single_training_and_stop_with_divergence():
    X, y = separable(60)
    nets = [nn.Network([2, 4, 2], seed=s) for s in (0, 1)]
    histories = nn.fit_lockstep(nets, X, y, 5, 16, [nn.SGD(0.1), nn.SGD(1e6)], seeds=[0, 1], snapshot_epochs=[1, 5])
    alone = nn.fit(nn.Network([2, 4, 2], seed=0), X, y, 5, 16, nn.SGD(0.1), seed=0, snapshot_epochs=[1, 5])
    for (e1, p1), (e2, p2) in zip(histories[0].snapshots, alone.snapshots):
        assert e1 == e2
        np.testing.assert_array_equal(p1, p2)
    assert histories[1].status == "diverged" and [e for e, _ in histories[1].snapshots] == [1]


def test_lockstep_keeps_snapshots_only_of_the_networks_asked_for():
    """Snapshots cost a network's size each: a stack keeps them only for the networks drawn later, and
    those equal the snapshots of training all (the others' histories have none)."""
    X, y = separable(60)
    every = nn.fit_lockstep([nn.Network([2, 4, 2], seed=s) for s in range(3)], X, y, 4, 16,
                            [nn.SGD(0.1)] * 3, seeds=[0, 1, 2], snapshot_epochs=[0, 2, 4])
    some = nn.fit_lockstep([nn.Network([2, 4, 2], seed=s) for s in range(3)], X, y, 4, 16,
                           [nn.SGD(0.1)] * 3, seeds=[0, 1, 2], snapshot_epochs=[0, 2, 4], snapshot_networks=[2, 0])
    assert [len(h.snapshots) for h in some] == [3, 0, 3]
    for k in (0, 2):
        for (e1, p1), (e2, p2) in zip(every[k].snapshots, some[k].snapshots):
            assert e1 == e2 and p1.shape == (some[k].snapshots[0][1].size,)
            np.testing.assert_array_equal(p1, p2)
    with pytest.raises(ValueError, match="snapshot_networks"):
        nn.fit_lockstep([nn.Network([2, 4, 2])], X, y, 1, snapshot_epochs=[1], snapshot_networks=[1])


def test_watch_sees_every_epochs_weights_read_only_one_row_per_network():
    X, y = separable(60)
    seen = []

    def watch(epoch, params):
        with pytest.raises(ValueError):
            params[0, 0] = 1.0  # read-only: a watcher cannot disturb the training
        seen.append((epoch, params.copy()))

    nets = [nn.Network([2, 4, 2], seed=s) for s in (0, 1)]
    nn.fit_lockstep(nets, X, y, 4, 16, [nn.SGD(0.1), nn.SGD(0.3)], seeds=[0, 1], watch=watch)
    assert [epoch for epoch, _ in seen] == [1, 2, 3, 4] and seen[0][1].shape == (2, nets[0].flat_params.size)
    np.testing.assert_array_equal(seen[-1][1][1], nets[1].flat_params)
    replay = nn.Network([2, 4, 2], seed=0)
    nn.fit(replay, X, y, 2, 16, nn.SGD(0.1), seed=0)
    np.testing.assert_array_equal(seen[1][1][0], replay.flat_params)
    with pytest.raises(ValueError, match="'watch' must be callable or None; got 3"):
        nn.fit(nn.Network([2, 4, 2]), X, y, 1, watch=3)


def test_hidden_activations_have_one_entry_per_hidden_layer():
    X, _ = separable(10)
    net = nn.Network([2, 5, 3, 2], activation="tanh")
    outputs = net.hidden_activations(X)
    assert [o.shape for o in outputs] == [(10, 5), (10, 3)]
    assert all(np.abs(o).max() <= 1 for o in outputs)
    assert nn.Network([2, 2]).hidden_activations(X) == []
