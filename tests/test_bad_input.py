"""Careless and hostile input, item by item: every one gets a message (a ValueError naming the parameter,
or on the command line one line on stderr and exit status 2), a warning that says what was done, or
works; none gets a traceback, a hang or a silently wrong result."""
import io
import re
import socket
import threading
import time

import numpy as np
import pandas as pd
import pytest

import nn
from experiments import figures
from experiments import dask_cluster, runner
from experiments.cli import format_summary, main
from experiments.datasets import load_dataset
from experiments.own_data import dataset_from_csv
from experiments.limits import Limits, check_limits
from experiments.results import HISTORY_COLUMNS, RUN_COLUMNS, Results, config_labels
from experiments.saved import read_results, results_from_csv
from experiments.dask_cluster import SchedulerError
from experiments.runner import run_grid
from experiments.specs import expand_grid


def cli(*args, tmp_path):
    """main() in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["run", "--epochs", "1", "--quiet", "--arch", "[25,2]", "--out", str(tmp_path), *args], out, err)
    return code, out.getvalue(), err.getvalue()


def assert_cli_error(done, message):
    code, _, err = done
    assert code == 2, err
    assert err.startswith("error: ") and message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


# ----- 3. exception boxes -----
@pytest.mark.parametrize("options, message", [
    ({"n_samples": 8, "test_fraction": 0.9}, "circles: 8 samples with this test fraction leave no training samples"),
    ({"n_samples": 8, "test_fraction": 0.05}, "leave no test samples; use more samples or a larger test fraction"),
])
def test_a_split_without_training_or_test_rows_is_refused(options, message):
    with pytest.raises(ValueError, match=message):
        load_dataset("circles", **options)


def test_a_split_with_fewer_rows_than_classes_is_refused():
    with pytest.raises(ValueError, match=r"digits: the training part has no sample of 7 of the 10 classes"):
        load_dataset("digits", n_samples=8)


@pytest.mark.parametrize("args, message", [
    (["--dataset", "circles", "--samples", "8", "--test-fraction", "0.9"], "leave no training samples"),
    (["--dataset", "digits", "--samples", "8"], "no sample of 7 of the 10 classes"),
])
def test_an_empty_split_on_the_command_line(args, message, tmp_path):
    assert_cli_error(cli(*args, tmp_path=tmp_path), message)


@pytest.fixture(scope="module")
def all_errors():
    """Results in which every run failed (as a network that cannot be built makes them)."""
    real = runner.nn.Network
    runner.nn.Network = lambda *args, **kwargs: (_ for _ in ()).throw(MemoryError("simulated"))
    try:
        return run_grid(expand_grid(architectures=["[25, 2]"], seeds=[0, 1], epochs=1))
    finally:
        runner.nn.Network = real


def no_runs():
    return Results(pd.DataFrame(columns=RUN_COLUMNS), pd.DataFrame(columns=HISTORY_COLUMNS))


@pytest.mark.parametrize("kind", ["all errors", "no runs", "all errors read from CSV"])
def test_results_without_a_finished_run_give_empty_tables_and_figures(kind, all_errors):
    results = {"all errors": all_errors, "no runs": no_runs(),
               "all errors read from CSV": results_from_csv(all_errors.runs_csv().encode(),
                                                            all_errors.history_csv().encode())}[kind]
    assert set(results.runs["status"]) <= {"error"}
    summary = results.summary()
    assert summary.empty and {"dataset", "architecture", "test_acc_mean", "run_ids"} <= set(summary.columns)
    table = figures.accuracy_table(results)
    assert table.empty and {"best", "dataset", "architecture", "test acc %", "seeds"} <= set(table.columns)
    figure = figures.learning_curves_figure(results)
    notes = " ".join(annotation.text for annotation in figure.layout.annotations)
    assert "no run finished" in notes or "No runs yet" in notes
    assert set(config_labels(results.runs)) == set(results.runs["run_id"])
    assert "no run finished" in format_summary(summary)
    with pytest.raises(figures.DoesNotApply, match="no trained network"):
        figures.weights_figure(results, 0)


def test_a_runs_table_without_its_columns_is_named():
    with pytest.raises(ValueError, match="the runs table is missing the columns run_id, status"):
        Results(pd.DataFrame(), pd.DataFrame()).summary()


def test_a_header_only_runs_csv_is_refused(all_errors):
    with pytest.raises(ValueError, match="the runs CSV has a header but no runs"):
        results_from_csv(",".join(RUN_COLUMNS).encode() + b"\n")


def test_the_command_line_prints_a_note_when_every_run_failed(tmp_path, monkeypatch):
    def failing_network(*args, **kwargs):
        raise MemoryError("simulated")

    monkeypatch.setattr(runner.nn, "Network", failing_network)
    code, out, err = cli("--seeds", "0", "1", tmp_path=tmp_path)
    assert code == 0 and "Traceback" not in err
    assert "no run finished" in out and "(2 runs)" in out
    assert err.count("failed: MemoryError: simulated") == 2


@pytest.mark.parametrize("value", ["inf", "1e400", "-inf"])
def test_an_infinite_batch_size_in_runs_csv_is_refused(value, all_errors):
    runs = all_errors.runs.copy()
    runs.loc[0, "batch_size"] = value
    with pytest.raises(ValueError, match=r"'batch_size' must be a whole number or 'full'"):
        results_from_csv(runs.to_csv(index=False).encode())


# ----- 4. the cluster path never hangs -----
def serve(mode):
    """A TCP server on 127.0.0.1 that accepts and then never replies ("silent") or replies garbage; its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    connections = []

    def loop():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connections.append(connection)
            if mode == "garbage":
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"\xff" * 64)

    threading.Thread(target=loop, daemon=True).start()
    return server, server.getsockname()[1]


def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@pytest.fixture
def short_timeouts(monkeypatch):
    monkeypatch.setattr(dask_cluster, "DASK_TIMEOUT_SECONDS", 1.0)


@pytest.mark.parametrize("mode, message", [
    ("closed", "cannot connect within 1 s (nothing listens there"),
    ("silent", "it accepts connections but gave no answer within 2 s; is it a dask scheduler"),
    ("garbage", "it answered, but not as a dask scheduler does (MemoryError"),
])
@pytest.mark.slow
def test_a_scheduler_that_is_not_one_fails_with_a_message(mode, message, short_timeouts, tmp_path):
    pytest.importorskip("distributed")
    server, port = (None, closed_port()) if mode == "closed" else serve(mode)
    try:
        with pytest.raises(SchedulerError, match=re.escape(message)):
            run_grid(expand_grid(architectures=["[25, 2]"], epochs=1), backend="dask",
                     scheduler=f"tcp://127.0.0.1:{port}")
        assert_cli_error(cli("--backend", "dask", "--scheduler", f"tcp://127.0.0.1:{port}", tmp_path=tmp_path),
                         f"--scheduler tcp://127.0.0.1:{port}: {message}")
    finally:
        if server is not None:
            server.close()


@pytest.mark.parametrize("args, message", [
    (["--backend", "dask", "--scheduler", "not a url"], "--scheduler 'not a url': not a scheduler address; write it "
                                                        "like tcp://127.0.0.1:8786"),
    (["--backend", "dask", "--scheduler", "tcp://127.0.0.1:99999"], "a port from 1 to 65535"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler is used only with --backend dask"),
    (["--backend", "dask"], "--backend dask needs --scheduler ADDRESS"),
])
def test_scheduler_flags_are_checked_before_anything_is_contacted(args, message, tmp_path):
    assert_cli_error(cli(*args, tmp_path=tmp_path), message)


def test_a_scheduler_without_the_dask_backend_is_refused_by_the_library():
    with pytest.raises(ValueError, match=r"'scheduler' is used only with backend='dask'"):
        run_grid(expand_grid(architectures=["[25, 2]"], epochs=1), scheduler="tcp://127.0.0.1:8786")


@pytest.fixture(scope="module")
def local_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_workers_that_cannot_import_the_project_are_named(local_cluster, short_timeouts, monkeypatch):
    def check_that_fails_to_import():
        raise ModuleNotFoundError("No module named 'experiments'")

    monkeypatch.setattr(dask_cluster, "_worker_check", check_that_fails_to_import)
    with pytest.raises(SchedulerError, match=r"its workers cannot run this project's code \(ModuleNotFoundError: No "
                                             r"module named 'experiments'\); install the project"):
        run_grid(expand_grid(datasets=["xor"], architectures=["[2, 4, 2]"], epochs=1), backend="dask",
                 scheduler=local_cluster)


def test_a_stuck_worker_ends_the_grid_with_a_message(local_cluster, short_timeouts, monkeypatch):
    real_train_group = runner.train_group

    def stuck(*args, **kwargs):
        time.sleep(2)
        return real_train_group(*args, **kwargs)

    monkeypatch.setattr(runner, "train_group", stuck)
    monkeypatch.setattr(dask_cluster, "DASK_TASK_SECONDS", (0.2, 0.0))
    with pytest.raises(SchedulerError, match=r"no group of runs finished within 0 s .*a worker is stuck or gone"):
        run_grid(expand_grid(datasets=["xor"], architectures=["[2, 4, 2]", "[2, 8, 2]"], epochs=1), backend="dask",
                 scheduler=local_cluster)


# ----- 5. the library speaks ValueError -----
X4, Y4 = np.zeros((4, 2)), np.array([0, 1, 0, 1])


def specs():
    return expand_grid(architectures=["[25, 2]"], epochs=1)


@pytest.mark.parametrize("call, message", [
    (lambda: nn.Network([2, 2], dtype="banana"), r"'dtype' must be float32 or float64; got 'banana'"),
    (lambda: nn.Network([2, 2], dtype=None), r"'dtype' must be float32 or float64; got None"),
    (lambda: nn.fit(nn.Network([2, 2]), X4, Y4, 2, snapshot_epochs=None),
     r"'snapshot_epochs' must be a list of epochs from 0 to 2 \(0: before training\), or \(\) for none; got None"),
    (lambda: nn.fit(nn.Network([2, 2]), X4, Y4, 2, snapshot_epochs=5), r"'snapshot_epochs' must be a list"),
    (lambda: nn.fit(nn.Network([2, 2]), X4, Y4, 2, snapshot_epochs=[3]),
     r"'snapshot_epochs' must be an integer between 0 and 2; got 3"),
    (lambda: nn.Network([2, 2]).set_weights([1, 2]), r"'weights' must hold 1 \(W, b\) pairs; got 2"),
    (lambda: nn.Network([2, 3, 2]).set_weights([1, 2]), r"weights\[0\] must be a \(W, b\) pair of arrays; got 1"),
    (lambda: nn.Network([2, 2]).set_weights(None), r"'weights' must be a list of 1 \(W, b\) pairs"),
    (lambda: nn.Network([2, 2]).set_weights([(np.zeros((2, 2)), "ab")]),
     r"weights\[0\] b must be an array of numbers; got 'ab'"),
    (lambda: expand_grid(datasets=None), r"'datasets' must be a non-empty list such as \[\"edge\"\]; got None"),
    (lambda: expand_grid(datasets=5), r"'datasets' must be a non-empty list such as \[\"edge\"\]; got 5"),
    (lambda: expand_grid(datasets=(name for name in [])), r"'datasets' must be a non-empty list .*; got \[\]"),
    (lambda: expand_grid(lrs=0.1), r"'lrs' must be a non-empty list such as \[0.1\]; got 0.1"),
    (lambda: expand_grid(dataset_options={"edge": {"foo": 1}}),
     r"'dataset_options' for 'edge' has 'foo'; allowed: \['n_samples', 'noise', 'test_fraction'\]"),
    (lambda: expand_grid(dataset_options=[1, 2]), r"'dataset_options' must be a dict such as"),
    (lambda: expand_grid(dataset_options={"moons": {"noise": 0.1}}), r"'dataset_options' names 'moons', which is not"),
    (lambda: expand_grid(datasets=["xor4"], dataset_options={"xor4": {"n_samples": 100}}),
     r"'n_samples' does not apply to xor4 \(it has a fixed size\)"),
    (lambda: expand_grid(datasets=[["edge"]]), r"'dataset' must be one of"),
    (lambda: expand_grid(lrs=[[0.1]]), r"'lr' must be a number; got \[0.1\]"),
    (lambda: run_grid(specs(), catalog=[1]), r"'catalog' must be an experiments.Catalog"),
    (lambda: read_results(None), r"'folder' must be a path to a folder holding runs.csv and history.csv; got None"),
    (lambda: check_limits(specs(), Limits(max_runs=0), {}), r"'max_runs' must be a whole number > 0; got 0"),
    (lambda: results_from_csv("run_id,status\n0,ok\n"), r"got text that looks like a CSV's content"),
    (lambda: results_from_csv("x" * 5000), r"got text that looks like a CSV's content"),
])
def test_library_calls_raise_value_errors_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_generator_of_datasets_works():
    assert [spec.dataset for spec in expand_grid(datasets=(name for name in ["edge", "xor"]), epochs=1,
                                                 architectures=["[25, 2]"])] == ["edge", "xor"]


@pytest.fixture(scope="module")
def saved():
    results = run_grid(expand_grid(architectures=["[25, 2]"], seeds=[0, 1], epochs=3))
    return results.runs.copy(), results.history.copy()


@pytest.mark.parametrize("file, change, message", [
    ("runs", lambda f: f.assign(lr=[np.nan, 0.1]), r"column 'lr' must lie in \[1e-12, inf\]; row 2 has nan"),
    ("runs", lambda f: f.assign(test_acc=[np.inf, 0.5]), r"column 'test_acc' must lie in \[0, 1\]; row 2 has inf"),
    ("runs", lambda f: f.assign(train_acc=[0.5, -5.0]), r"column 'train_acc' must lie in \[0, 1\]; row 3 has -5\."),
    ("history", lambda f: f.assign(test_acc=np.where(np.arange(len(f)) == 1, 7.0, f["test_acc"])),
     r"history CSV column 'test_acc' must lie in \[0, 1\]; row 3 has 7\."),
    ("history", lambda f: pd.concat([f, f.iloc[[0]]]), r"has the same run_id and epoch twice"),
    ("history", lambda f: f.assign(epoch=np.where(np.arange(len(f)) == 0, -1, f["epoch"])),
     r"column 'epoch' must lie in \[1, inf\]; row 2 has -1"),
    ("history", lambda f: f.assign(run_id=np.where(np.arange(len(f)) == 0, 99, f["run_id"])),
     r"the history CSV has run_id values \[99\] that the runs CSV does not"),
])
def test_read_results_refuses_what_results_from_csv_refuses(file, change, message, saved, tmp_path):
    runs, history = saved
    frames = {"runs": runs, "history": history}
    frames[file] = change(frames[file].copy())
    frames["runs"].to_csv(tmp_path / "runs.csv", index=False)
    frames["history"].to_csv(tmp_path / "history.csv", index=False)
    with pytest.raises(ValueError, match=message):
        read_results(tmp_path)


# ----- 6. silently accepted nonsense -----
@pytest.mark.parametrize("args, message", [
    (["--lr", "5e-324"], "'lr' must be at least 1e-12 (a smaller step changes no weight); got 5e-324."),
    (["--lr", "1_0"], "--lr must be a number; got '1_0' (write it in the digits 0-9"),
    (["--lr", "\u0661\u0660"], "--lr must be a number; got '\u0661\u0660'"),  # Arabic-Indic 10
    (["--lr", "\uff11\uff10"], "--lr must be a number; got '\uff11\uff10'"),  # fullwidth 10
    (["--lr", "inf"], "--lr must be a number; got 'inf'"),
    (["--lr", "1e999"], "--lr must be a finite number; got '1e999'"),
    (["--arch", "[\u0662\u0665,2]"], "has '\u0662\u0665', which is not a whole number"),
    (["--arch", "[\uff12\uff15,8,2]"], "has '\uff12\uff15', which is not a whole number"),
    (["--batch-size", "1e30"], "--batch-size is far too large; got '1e30'"),  # a whole number, but no count
    (["--batch-size", "2.5"], "--batch-size must be a whole number; got '2.5'"),
    (["--batch-size", "99999999999"], "'batch_size' must be at most 100000"),
    (["--epochs", "9" * 5000], "--epochs is far too large"),
    (["--dataset", "xor4", "--samples", "100"], "--samples does not apply to xor4 (it has a fixed size)"),
    (["--dataset", "digits", "--noise", "0.2"], "--noise does not apply to digits (it has no noise option)"),
])
def test_nonsense_on_the_command_line_is_refused(args, message, tmp_path):
    assert_cli_error(cli(*args, tmp_path=tmp_path), message)


@pytest.mark.parametrize("args, warning, n_runs", [
    (["--seeds", "0", "0", "0"], "warning: --seeds repeats 0; each value is trained once.", 1),
    (["--arch", "25-2", "[25, 2]"], "warning: --arch repeats [25, 2]; each value is trained once.", 1),
    (["--dataset", "xor", "digits", "--noise", "0.2"],
     "warning: --noise does not apply to digits (it has no noise option); used for the others only.", 2),
])
def test_repeats_and_options_that_apply_to_some_datasets_are_warned_about(args, warning, n_runs, tmp_path):
    code, out, err = cli(*args, tmp_path=tmp_path)
    assert code == 0 and warning in err and "Traceback" not in err
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert len(runs) == n_runs
    if "--noise" in args:
        assert runs.set_index("dataset").loc["xor", "noise"] == 0.2


def test_expand_grid_drops_repeated_values():
    grid = expand_grid(architectures=["25-2", "[25, 2]"], lrs=[0.1, 0.10], seeds=[0, 0, 0], epochs=1)
    assert len(grid) == 1


@pytest.mark.parametrize("value", ["1e300", "-1e300", "1e308", "-1e308"])
def test_own_data_with_huge_values_is_refused(value):
    rows = "\n".join(f"{value if i == 3 else i},{i % 3},{'ab'[i % 2]}" for i in range(40))
    with pytest.raises(ValueError, match=rf"column 'x' has {value.replace('+', '')[:2]}.*in row 5; values must lie "
                                         r"within ±1e\+150 \(rescale the column\)"):
        dataset_from_csv(("x,y,label\n" + rows + "\n").encode(), "label")


def test_fit_on_huge_inputs_is_marked_diverged_with_the_reason():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2)) * 1e300
    history = nn.fit(nn.Network([2, 2]), X, (X[:, 0] > 0).astype(int), epochs=1)
    assert history.status == "diverged"
    assert history.message.startswith("diverged at epoch 1: a gradient norm overflowed to inf")
    assert "standardise them" in history.message


def test_demo_limits_refuse_an_over_cap_grid(tmp_path, monkeypatch):
    monkeypatch.setenv("NN_LAB_MAX_RUNS", "2")
    assert_cli_error(cli("--demo-limits", "--seeds", "0", "1", "2", tmp_path=tmp_path),
                     "This comparison has 3 runs; the limit is 2 (1.5x over).")
    assert not (tmp_path / "runs.csv").exists()
    monkeypatch.setenv("NN_LAB_MAX_RUNS", "lots")
    assert_cli_error(cli("--demo-limits", tmp_path=tmp_path), "environment variable NN_LAB_MAX_RUNS must be")
    monkeypatch.delenv("NN_LAB_MAX_RUNS")
    assert_cli_error(cli("--demo-limits", "--epochs", "3000", tmp_path=tmp_path),
                     "3000 epochs is over the limit of 2000")
    code, _, err = cli("--demo-limits", "--seeds", "0", "1", "2", tmp_path=tmp_path)
    assert code == 0, err


def test_demo_limits_refuse_a_grid_that_would_take_an_hour(tmp_path):
    """Issue 21's link as a command: under --demo-limits the time cap holds there too."""
    assert_cli_error(cli("--demo-limits", "--dataset", "xor", "--samples", "5000", "--test-fraction", "0.05",
                         "--epochs", "2000", "--batch-size", "1", "--optimizer", "sgd", "momentum", "adam",
                         tmp_path=tmp_path), "the limit is 180 s")
    assert not (tmp_path / "runs.csv").exists()
