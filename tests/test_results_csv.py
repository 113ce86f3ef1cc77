"""CSV: what is written reads back equal; a malformed or foreign file gets a message naming the problem."""
import pandas as pd
import pytest

from experiments.saved import read_results, results_from_csv
from experiments.runner import run_grid
from experiments.specs import RunSpec, expand_grid


@pytest.fixture(scope="module")
def results():
    specs = expand_grid(datasets=["edge", "digits"], architectures=["[25, 2]", "[25, 8, 2]"], lrs=[0.1, 1e6],
                        epochs=4, seeds=[0, 1]) + [RunSpec("xor4", "[2, 4, 2]", batch_size=None, epochs=3)]
    return run_grid(specs)


def test_round_trip_is_exact(results, tmp_path):
    results.to_csv(tmp_path)
    back = read_results(tmp_path)
    pd.testing.assert_frame_equal(back.runs, results.runs)
    pd.testing.assert_frame_equal(back.history, results.history)
    assert (back.runs["status"] == "diverged").any() and "full" in set(back.runs["batch_size"])


def test_uploaded_bytes_read_the_same(results):
    back = results_from_csv(results.runs_csv().encode(), results.history_csv().encode())
    pd.testing.assert_frame_equal(back.runs, results.runs)
    assert back.networks == {}


def test_missing_columns_are_named(results, tmp_path):
    results.runs.drop(columns=["test_acc", "lr"]).to_csv(tmp_path / "runs.csv", index=False)
    results.history.to_csv(tmp_path / "history.csv", index=False)
    with pytest.raises(ValueError, match=r"missing the columns lr, test_acc"):
        read_results(tmp_path)


def test_foreign_csv(tmp_path):
    (tmp_path / "runs.csv").write_text("name,age\nada,36\n")
    (tmp_path / "history.csv").write_text("x\n1\n")
    with pytest.raises(ValueError, match=r"missing the columns run_id, dataset.*Is it a file saved by this app"):
        read_results(tmp_path)


def test_non_numeric_values_are_reported_with_their_row(results):
    runs = results.runs.copy()
    runs["lr"] = runs["lr"].astype(object)
    runs.loc[2, "lr"] = "fast"
    with pytest.raises(ValueError, match=r"column 'lr' must hold numbers; row 4 has 'fast'"):
        results_from_csv(runs.to_csv(index=False).encode())


def test_bad_status_and_batch_size(results):
    runs = results.runs.copy()
    runs.loc[0, "status"] = "exploded"
    with pytest.raises(ValueError, match=r"'status' has \['exploded'\]"):
        results_from_csv(runs.to_csv(index=False).encode())
    runs = results.runs.copy()
    runs.loc[0, "batch_size"] = "huge"
    with pytest.raises(ValueError, match=r"'batch_size' must be a whole number or 'full'; got 'huge'"):
        results_from_csv(runs.to_csv(index=False).encode())


def test_history_for_other_runs_is_refused(results):
    history = results.history.copy()
    history.loc[0, "run_id"] = 999
    with pytest.raises(ValueError, match=r"run_id values \[999\] that the runs CSV does not"):
        results_from_csv(results.runs_csv().encode(), history.to_csv(index=False).encode())


def test_binary_garbage_and_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="not a text file|missing the column"):
        results_from_csv(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(ValueError, match="runs.csv does not exist"):
        read_results(tmp_path / "nowhere")


def test_unwritable_folder_gives_a_clear_error(results, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="cannot write results to"):
        results.to_csv(blocker / "sub")
