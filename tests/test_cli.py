"""The command line as a user runs it: in a subprocess, checking output, files and exit status."""
import os
import re
import subprocess
import sys

import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # runs the command line in subprocesses

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args):
    return subprocess.run([sys.executable, "-m", "experiments", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_run_writes_csv_prints_the_table_and_a_progress_bar(tmp_path):
    done = cli("run", "--dataset", "edge", "xor", "--arch", "[25,2]", "[25,8,2]", "--activation", "relu", "tanh",
               "--lr", "0.1", "--optimizer", "sgd", "--epochs", "20", "--batch-size", "16", "--seeds", "0", "1",
               "--jobs", "2", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    runs = pd.read_csv(tmp_path / "runs.csv")
    history = pd.read_csv(tmp_path / "history.csv")
    # 2 datasets x 2 seeds x ([25, 8, 2] with relu and tanh + [25, 2], which has no activation to vary)
    assert len(runs) == 2 * 2 * 3 and len(history) == len(runs) * 20
    assert (runs[runs["architecture"] == "[25, 2]"]["activation"] == "none").all()  # no hidden layer, no activation
    assert "12/12 runs" in done.stderr
    assert "test acc" in done.stdout and "±" in done.stdout
    assert "[2, 8, 2]" in done.stdout  # xor runs [25, 8, 2] as [2, 8, 2]


def cli_with_workers(*args):
    """The command line, made to use worker processes even for a grid small enough for one process."""
    code = ("import sys, experiments.runner as runner; runner.ONE_PROCESS_SECONDS = 0.0; "
            "from experiments.cli import main; sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_two_jobs_write_the_same_files_as_one(tmp_path):
    grid = ["run", "--dataset", "edge", "xor", "--arch", "[25,2]", "[25,16,8,2]", "--activation", "relu", "sigmoid",
            "--lr", "0.3", "0.03", "--epochs", "15", "--seeds", "0", "1", "--quiet"]
    one = cli(*grid, "--jobs", "1", "--out", str(tmp_path / "one"))
    two = cli_with_workers(*grid, "--jobs", "2", "--out", str(tmp_path / "two"))
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert (tmp_path / "one" / "history.csv").read_bytes() == (tmp_path / "two" / "history.csv").read_bytes()
    runs_one, runs_two = (pd.read_csv(tmp_path / name / "runs.csv").drop(columns="seconds") for name in ("one", "two"))
    pd.testing.assert_frame_equal(runs_one, runs_two)
    assert one.stdout.replace("/one/", "/two/") == two.stdout  # the accuracy table


def test_a_grid_too_small_for_workers_says_it_trains_in_one_process(tmp_path):
    done = cli("run", "--arch", "[25,8,2]", "--epochs", "5", "--jobs", "2", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    note, bar = done.stderr.split("\n", 1)
    assert re.match(r"training in one process: about 0\.\d s of work is too little to share among 2 worker", note)
    assert bar.strip().startswith("[") and "1/1 runs" in bar  # the bar follows on its own line
    assert "training in one process" not in cli("run", "--arch", "[25,8,2]", "--epochs", "5", "--out",
                                                 str(tmp_path)).stderr


def test_full_batch_and_datasets_listing(tmp_path):
    done = cli("run", "--dataset", "xor4", "--arch", "2-8-2", "--batch-size", "full", "--epochs", "5",
               "--quiet", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert pd.read_csv(tmp_path / "runs.csv")["batch_size"].tolist() == ["full"]
    listing = cli("datasets")
    assert listing.returncode == 0
    for name in ("edge", "xor", "circles", "moons", "spiral", "gaussians", "lines", "digits"):
        assert name in listing.stdout
    assert "1347+450" in listing.stdout


def test_a_learning_rate_that_blows_up_is_not_an_error(tmp_path):
    done = cli("run", "--arch", "[25,8,2]", "--lr", "1e6", "--epochs", "10", "--quiet", "--out", str(tmp_path))
    assert done.returncode == 0
    assert pd.read_csv(tmp_path / "runs.csv")["status"].tolist() == ["diverged"]


@pytest.mark.parametrize("args, message", [
    (["--dataset", "mnist"], "'dataset' must be one of"),
    (["--activation", "swish"], "'activation' must be one of"),
    (["--arch", "[25,,2]"], "has an empty entry"),
    (["--arch", "[25,-4,2]"], "between 1 and 4096; got -4"),
    (["--arch", "[25,100000,2]"], "between 1 and 4096; got 100000"),
    (["--lr", "nan"], "--lr must be a number; got 'nan' (write it in the digits 0-9"),
    (["--lr", "0"], "'lr' must be a finite number > 0"),
    (["--lr", "-0.1"], "'lr' must be a finite number > 0"),
    (["--lr", "fast"], "--lr must be a number; got 'fast'"),
    (["--epochs", "0"], "'epochs' must be an integer between 1"),
    (["--batch-size", "0"], "'batch_size' must be an integer >= 1"),
    (["--optimizer", "rmsprop"], "'optimizer' must be one of"),
    (["--jobs", "0"], "'jobs' must be an integer from 1 to 64"),
    (["--out", "/proc/no-such-folder"], "is not a writable folder"),
    (["--backend", "ray"], "invalid choice: 'ray'"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
])
def test_bad_values_give_one_line_and_exit_status_2(args, message, tmp_path):
    done = cli("run", "--epochs", "2", *args) if "--out" in args else cli("run", "--out", str(tmp_path), *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_no_command_is_a_usage_error():
    done = cli()
    assert done.returncode == 2 and "Traceback" not in done.stderr
