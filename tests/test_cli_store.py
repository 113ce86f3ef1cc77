"""The store from the command line: ``run --store`` saves the grid (and still writes the CSV files);
``store list|show|export|prune`` read it; a store that cannot be opened exits 2 naming its URL."""
import io

import pandas as pd
import pytest

from experiments.cli import main
from experiments.saved import read_results
from experiments.specs import RunSpec
from experiments.store import ResultStore, store_key
from store_backends import store_url  # noqa: F401 - fixture

RUN = ["run", "--dataset", "xor4", "--arch", "[2,4,2]", "[2,8,2]", "--epochs", "30", "--batch-size", "full",
       "--seeds", "0", "1", "--quiet"]


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.slow
def test_a_grid_run_from_the_command_line_is_saved_in_the_store(store_url, tmp_path):
    status, out, err = cli(*RUN, "--out", str(tmp_path / "csv"), "--store", store_url)
    assert status == 0, err
    specs = [RunSpec("xor4", arch, batch_size=None, epochs=30, seed=seed)
             for arch in ("[2, 4, 2]", "[2, 8, 2]") for seed in (0, 1)]
    key = store_key(specs, 20)  # what the app asks for: the same specs with its 20 snapshots
    assert f"as {key}" in out
    store = ResultStore(store_url)
    stored = store.get(key)
    from_csv = read_results(tmp_path / "csv")
    pd.testing.assert_frame_equal(stored.runs, from_csv.runs)
    assert len(stored.networks) == 4 and stored.snapshots  # the lowest seed's runs keep their snapshots
    assert store.info(key).settings["snapshots"] == 20

    status, out, _ = cli("store", "list", "--store", store_url)
    assert status == 0 and key in out and "4 runs" in out
    status, out, _ = cli("store", "show", key[:10], "--store", store_url)
    assert status == 0 and "[2, 8, 2]" in out and f"{key}: 4 runs" in out
    status, out, _ = cli("store", "export", key, str(tmp_path / "export"), "--store", store_url)
    assert status == 0
    pd.testing.assert_frame_equal(read_results(tmp_path / "export").history, from_csv.history)
    status, out, _ = cli("store", "prune", "--store", store_url)
    assert status == 0 and "removed 0 comparisons" in out and store.contains(key)
    store.close()


@pytest.mark.slow
def test_the_default_store_is_the_data_folders_file(tmp_path, monkeypatch):
    monkeypatch.setenv("NN_LAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NN_LAB_STORE_URL", raising=False)
    status, out, err = cli(*RUN[:-1], "--quiet", "--out", str(tmp_path / "csv"), "--store")
    assert status == 0, err
    assert f"saved in sqlite:///{tmp_path}/data/results.sqlite" in out
    status, out, _ = cli("store", "list")
    assert status == 0 and "1 comparisons" in out


@pytest.mark.parametrize("argv", [["store", "list"], RUN + ["--store"]])
@pytest.mark.slow
def test_a_store_that_cannot_be_opened_exits_2_naming_it(argv, tmp_path, monkeypatch):
    monkeypatch.setenv("NN_LAB_STORE_URL", "postgresql+psycopg://lab:hunter2@127.0.0.1:1/results")
    status, out, err = cli(*argv, *(["--out", str(tmp_path)] if argv[0] == "run" else []))
    assert status == 2 and out == ""  # nothing trained: the store is checked first
    assert err.strip() == ("error: results store postgresql+psycopg://lab:***@127.0.0.1:1/results: cannot be "
                           "reached (is the server running, and are the host and port right?).")


@pytest.mark.slow
def test_an_unknown_key_exits_2(store_url, tmp_path):
    for argv in (["show", "0123456789"], ["export", "abc", str(tmp_path)], ["show", "x' OR 1=1"]):
        status, _, err = cli("store", *argv, "--store", store_url)
        assert status == 2 and "store list` shows the keys" in err
