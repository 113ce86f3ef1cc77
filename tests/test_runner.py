"""The runner: the seeds' accuracies on held-out data, determinism, failures inside a grid, progress, Dask."""
import os

import numpy as np
import pandas as pd
import pytest

import nn
from experiments import runner
from experiments.runner import run_grid
from experiments.specs import RunSpec, expand_grid


def test_edge_reaches_100_percent_for_the_three_classic_architectures():
    results = run_grid(expand_grid())  # edge; [25,2], [25,8,2], [25,16,8,2]; relu, lr 0.1, 200 epochs, batch 16
    assert list(results.runs["architecture"]) == ["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"]
    assert (results.runs["status"] == "ok").all()
    assert (results.runs["test_acc"] == 1.0).all()


@pytest.mark.slow
def test_seed_results_on_held_out_data():
    specs = [RunSpec("xor", "[2, 8, 4, 2]", "relu", "sgd", 0.1, 200, 16),
             RunSpec("circles", "[2, 16, 8, 2]", "relu", "sgd", 0.1, 2000, None),
             RunSpec("circles", "[2, 16, 8, 2]", "tanh", "sgd", 0.1, 2000, None),
             RunSpec("circles", "[2, 16, 8, 2]", "sigmoid", "sgd", 1.0, 2000, None),
             RunSpec("digits", "[64, 128, 10]", "relu", "sgd", 0.1, 500, None)]
    runs = run_grid(specs, jobs=2).runs
    assert (runs["status"] == "ok").all()
    assert (runs["test_acc"] >= 0.95).all(), runs[["dataset", "activation", "test_acc"]]


def test_architecture_as_asked_and_as_run():
    results = run_grid([RunSpec("circles", "25-8-2", epochs=3), RunSpec("digits", "[25, 8, 2]", epochs=2)])
    assert list(results.runs["architecture"]) == ["[25, 8, 2]", "[25, 8, 2]"]
    assert list(results.runs["layers"]) == ["[2, 8, 2]", "[64, 8, 10]"]
    assert results.networks[1].layer_sizes == [64, 8, 10]
    assert results.runs["n_params"][0] == 2 * 8 + 8 + 8 * 2 + 2


def test_tables_have_the_documented_columns_and_values():
    results = run_grid(expand_grid(architectures=["[25, 8, 2]", "[25, 16, 8, 2]"], epochs=5, seeds=[0, 1]))
    runs, history = results.runs, results.history
    for column in ["run_id", "dataset", "architecture", "layers", "activation", "optimizer", "lr", "epochs",
                   "batch_size", "l2", "seed", "status", "message", "train_loss", "train_acc", "test_loss",
                   "test_acc", "best_test_acc", "best_epoch", "n_params", "seconds"]:
        assert column in runs
    assert list(history.columns[:6]) == ["run_id", "epoch", "train_loss", "train_acc", "test_loss", "test_acc"]
    assert ["grad_norm_1", "grad_norm_2", "grad_norm_3"] == results.grad_norm_columns
    assert history[history["run_id"] == 0]["grad_norm_3"].isna().all()  # [25, 8, 2] has two layers
    assert len(history) == 4 * 5
    assert runs[["train_acc", "test_acc", "best_test_acc"]].apply(lambda c: c.between(0, 1)).all().all()
    last = history.groupby("run_id").last()
    np.testing.assert_array_equal(last["test_acc"].to_numpy(), runs["test_acc"].to_numpy())
    assert (runs["best_test_acc"] >= runs["test_acc"]).all()


def test_results_match_training_one_network_by_hand():
    spec = RunSpec("edge", "[25, 8, 2]", "tanh", "momentum", 0.05, 20, 16, l2=0.001, seed=4)
    results = run_grid([spec, RunSpec("edge", "[25, 8, 2]", "tanh", "momentum", 0.5, 20, 16, seed=1)])
    from experiments.datasets import load_dataset
    data = load_dataset("edge")
    net = nn.Network([25, 8, 2], "tanh", seed=4)
    history = nn.fit(net, data.X_train, data.y_train, 20, 16, nn.Momentum(0.05, weight_decay=0.001), seed=4,
                     X_val=data.X_test, y_val=data.y_test)
    assert results.history[results.history["run_id"] == 0]["test_loss"].tolist() == history.val_loss
    np.testing.assert_array_equal(results.networks[0].flat_params, net.flat_params)


def test_runs_that_differ_in_activation_train_as_one_stack_and_match_training_alone():
    specs = expand_grid(architectures=["[25, 8, 2]"], activations=["relu", "tanh", "sigmoid"], lrs=[0.1, 0.5],
                        epochs=8)
    training = runner.GridTraining(specs)
    assert [len(members) for _, members in training.groups] == [6]  # one stack, not one per activation
    results = training.run()
    from experiments.datasets import load_dataset
    data = load_dataset("edge")
    for run_id, spec in enumerate(specs):
        net = nn.Network([25, 8, 2], spec.activation, seed=spec.seed)
        history = nn.fit(net, data.X_train, data.y_train, 8, 16, nn.SGD(spec.lr), seed=spec.seed,
                         X_val=data.X_test, y_val=data.y_test)
        assert results.history[results.history["run_id"] == run_id]["test_loss"].tolist() == history.val_loss
        np.testing.assert_array_equal(results.networks[run_id].flat_params, net.flat_params)
        assert results.networks[run_id].activation == spec.activation


def test_a_network_without_a_hidden_layer_trains_as_before_its_activation_was_none():
    """[25, 2] has activation "none" and is built as relu's was (He initialisation): the same bits as when its
    spec said relu, whatever activations the grid asks for; the networks with hidden layers are unchanged."""
    specs = expand_grid(architectures=["[25, 2]", "[25, 8, 2]"], activations=["tanh", "sigmoid"], epochs=6)
    assert [spec.activation for spec in specs] == ["none", "tanh", "sigmoid"]
    results = run_grid(specs)
    from experiments.datasets import load_dataset
    data = load_dataset("edge")
    for run_id, (layers, activation) in enumerate([([25, 2], "relu"), ([25, 8, 2], "tanh"), ([25, 8, 2], "sigmoid")]):
        net = nn.Network(layers, activation, seed=0)
        history = nn.fit(net, data.X_train, data.y_train, 6, 16, nn.SGD(0.1), seed=0, X_val=data.X_test,
                         y_val=data.y_test)
        assert results.history[results.history["run_id"] == run_id]["test_loss"].tolist() == history.val_loss
        np.testing.assert_array_equal(results.networks[run_id].flat_params, net.flat_params)


def test_a_group_keeps_each_activations_runs_together():
    """[2, 8, 2] and [25, 8, 2] both run as [2, 8, 2] on xor, so relu and tanh come twice, apart, in the
    grid's order; the group puts one activation's runs side by side (one PerNetwork part each)."""
    training = runner.GridTraining(expand_grid(datasets=["xor"], architectures=["[2, 8, 2]", "[25, 8, 2]"],
                                               activations=["relu", "tanh"], epochs=3))
    [(_, members)] = training.groups
    assert [(index, spec.activation) for index, spec in members] == [(0, "relu"), (2, "relu"), (1, "tanh"),
                                                                     (3, "tanh")]


@pytest.mark.parametrize("datasets, jobs", [(["edge", "xor"], 2), (["edge"], 3)], ids=["groups", "chunks"])
def test_same_results_whatever_the_number_of_jobs(monkeypatch, datasets, jobs):
    # this grid is small enough to be trained in one process; the workers are made to train it anyway
    monkeypatch.setattr(runner, "ONE_PROCESS_SECONDS", 0.0)
    specs = expand_grid(datasets=datasets, activations=["relu", "sigmoid"], lrs=[0.1, 0.5], seeds=[0, 1],
                        epochs=10)
    assert runner.GridTraining(specs).plan(jobs) == (jobs, "")
    one, two = run_grid(specs, jobs=1), run_grid(specs, jobs=jobs)
    columns = [c for c in one.runs.columns if c != "seconds"]
    pd.testing.assert_frame_equal(one.runs[columns], two.runs[columns])
    pd.testing.assert_frame_equal(one.history, two.history)
    for run_id in one.networks:
        np.testing.assert_array_equal(one.networks[run_id].flat_params, two.networks[run_id].flat_params)


def test_groups_are_shared_out_longest_first_and_a_dominant_one_cut_in_balanced_chunks():
    training = runner.GridTraining(expand_grid(architectures=["[25, 2]", "[25, 16, 8, 2]"], lrs=[0.1, 0.3],
                                               seeds=[0, 1, 2], epochs=5))
    assert [len(members) for _, members in training.groups] == [6, 6]
    chunks = runner.share_groups(training.groups, training.datasets, 2)
    assert [(members[0][1].architecture, len(members)) for _, members in chunks] == \
        [("[25, 16, 8, 2]", 6), ("[25, 2]", 6)]  # longest first; one each is the best share
    deep = training.groups[1:]
    chunks = runner.share_groups(deep, training.datasets, 2)
    assert [[index for index, _ in members] for _, members in chunks] == [[6, 7, 8], [9, 10, 11]]
    assert runner.share_groups(deep, training.datasets, 1) == deep
    assert len(runner.share_groups(deep, training.datasets, 6)) == 6


REAL_TRAIN_GROUP = runner.train_group


def train_group_noting_its_process(data, members, *args, **kwargs):
    """train_group that writes its process id and BLAS thread counts into each run's message."""
    from threadpoolctl import threadpool_info
    threads = sorted({pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"})
    outcomes = REAL_TRAIN_GROUP(data, members, *args, **kwargs)
    for outcome in outcomes:
        outcome.message = f"process {os.getpid()}, BLAS threads {threads}"
    return outcomes


def test_workers_train_with_one_blas_thread(monkeypatch):
    monkeypatch.setattr(runner, "ONE_PROCESS_SECONDS", 0.0)
    monkeypatch.setattr(runner, "train_group", train_group_noting_its_process)
    results = run_grid(expand_grid(architectures=["[25, 2]", "[25, 8, 2]"], seeds=[0, 1], epochs=2), jobs=2)
    messages = set(results.runs["message"])
    assert all(message.endswith("BLAS threads [1]") for message in messages), messages
    assert not any(f"process {os.getpid()}," in message for message in messages)  # trained in workers


def test_the_one_blas_thread_limit_holds_for_the_task_only():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    before = blas_threads()
    assert runner.with_one_blas_thread(blas_threads) == {1}
    assert blas_threads() == before


def test_too_little_work_for_workers_is_trained_in_one_process(monkeypatch):
    specs = expand_grid(architectures=["[25, 2]", "[25, 8, 2]"], epochs=3)
    processes, note = runner.GridTraining(specs).plan(2)
    assert processes == 1 and note.startswith("training in one process") and "2 worker processes" in note
    assert runner.GridTraining(specs).plan(1) == (1, "")
    monkeypatch.setattr(runner, "train_group", train_group_noting_its_process)
    messages = set(run_grid(specs, jobs=2).runs["message"])
    assert all(message.startswith(f"process {os.getpid()},") for message in messages)


def test_a_diverging_run_is_recorded_and_the_grid_finishes():
    results = run_grid(expand_grid(architectures=["[25, 8, 2]"], lrs=[0.1, 1e6], epochs=20))
    runs = results.runs.set_index("lr")
    assert runs.loc[0.1, "status"] == "ok" and runs.loc[0.1, "test_acc"] == 1.0
    assert runs.loc[1e6, "status"] == "diverged"
    assert "smaller learning rate" in runs.loc[1e6, "message"]


def test_a_run_that_raises_is_recorded_and_the_others_complete(monkeypatch):
    real_network = nn.Network

    def network_that_fails_for_seed_1(layers, activation="relu", seed=0):
        if seed == 1:
            raise MemoryError("simulated failure")
        return real_network(layers, activation=activation, seed=seed)

    monkeypatch.setattr(runner.nn, "Network", network_that_fails_for_seed_1)
    results = run_grid(expand_grid(architectures=["[25, 8, 2]"], seeds=[0, 1, 2], epochs=5))
    assert list(results.runs["status"]) == ["ok", "error", "ok"]
    assert results.runs["message"][1] == "MemoryError: simulated failure"
    assert sorted(results.networks) == [0, 2]


def test_progress_is_called_for_every_run():
    calls = []
    run_grid(expand_grid(epochs=3, seeds=[0, 1]), progress=lambda done, total, spec, run: calls.append((done, total)))
    assert calls == [(i, 6) for i in range(1, 7)]


def test_should_stop_keeps_what_finished():
    polls = {"n": 0}

    def should_stop():
        polls["n"] += 1
        return polls["n"] > 12

    results = run_grid(expand_grid(architectures=["[25, 8, 2]"], epochs=50), should_stop=should_stop)
    run = results.runs.iloc[0]
    assert run["status"] == "stopped" and 0 < run["epochs_run"] < 50
    assert len(results.history) == run["epochs_run"]


def test_batch_larger_than_the_data_runs_full_batch_and_says_so():
    results = run_grid([RunSpec("xor4", "[2, 8, 2]", batch_size=64, epochs=3)])
    assert results.runs["status"][0] == "ok"
    assert "more than the 4 training samples" in results.runs["message"][0]


def test_summary_groups_replicate_seeds():
    results = run_grid(expand_grid(datasets=["xor"], architectures=["[2, 8, 2]"], lrs=[0.1, 0.01], seeds=[0, 1, 2],
                                   epochs=5))
    summary = results.summary()
    assert len(summary) == 2 and (summary["runs"] == 3).all()
    for row in summary.itertuples():
        accs = results.runs[results.runs["lr"] == row.lr]["test_acc"]
        assert row.test_acc_mean == pytest.approx(accs.mean())
        assert row.test_acc_std == pytest.approx(accs.std())
    assert summary["test_acc_mean"].is_monotonic_decreasing


def test_labels_name_what_varies():
    results = run_grid(expand_grid(datasets=["edge", "xor"], activations=["relu", "tanh"], epochs=2,
                                   architectures=["[25, 8, 2]"]))
    assert set(results.labels().values()) == {"relu", "tanh"}
    assert "edge · relu" in results.labels(include_dataset=True).values()


def test_empty_grid_and_bad_jobs():
    with pytest.raises(ValueError, match="'specs' is empty"):
        run_grid([])
    with pytest.raises(ValueError, match="'jobs' must be an integer from 1 to 64; got 0"):
        run_grid(expand_grid(epochs=1), jobs=0)


def test_dask_backend_on_a_local_cluster_gives_the_same_results():
    distributed = pytest.importorskip("distributed")
    specs = expand_grid(datasets=["xor"], architectures=["[2, 8, 2]", "[2, 4, 2]"], lrs=[0.1, 0.5], epochs=5)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        dask_results = run_grid(specs, backend="dask", scheduler=cluster.scheduler_address)
    local = run_grid(specs)
    columns = [c for c in local.runs.columns if c != "seconds"]
    pd.testing.assert_frame_equal(dask_results.runs[columns], local.runs[columns])
    pd.testing.assert_frame_equal(dask_results.history, local.history)


def test_dask_backend_needs_a_reachable_scheduler():
    pytest.importorskip("distributed")
    with pytest.raises(ValueError, match="needs a scheduler address"):
        run_grid(expand_grid(epochs=1), backend="dask")
    with pytest.raises(ValueError, match="'backend' must be one of \\['loky', 'dask'\\]"):
        run_grid(expand_grid(epochs=1), backend="ray")
