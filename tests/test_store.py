"""The experiment store on real databases (SQLite, and PostgreSQL when configured): what is put comes back
bit-identical, keys are stable, the budget is kept, and every failure is one plain StoreUnavailable."""
import dataclasses
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, event, text

from experiments.datasets import Catalog
from experiments.own_data import dataset_from_csv
from experiments.saved import results_from_csv
from experiments.runner import run_grid
from experiments.specs import RunSpec, expand_grid
from experiments.store import ResultStore, StoreUnavailable, schema, store_key
from store_backends import fresh_url, store, store_url  # noqa: F401 - fixtures

SPECS = expand_grid(datasets=["edge", "digits"], architectures=["[25, 2]", "[25, 8, 2]"], lrs=[0.1, 1e6], epochs=4,
                    seeds=[0, 1]) + [RunSpec("xor4", "[2, 4, 2]", batch_size=None, epochs=3)]


@pytest.fixture(scope="module")
def results():
    return run_grid(SPECS, snapshots=5)


@pytest.fixture(scope="module")
def small():
    """Three tiny comparisons for the budget tests: (key, Results)."""
    made = []
    for seed in range(3):
        specs = [RunSpec("xor4", "[2, 4, 2]", batch_size=None, epochs=30, seed=seed)]
        made.append((store_key(specs, 0), run_grid(specs)))
    return made


def assert_same(back, results):
    pd.testing.assert_frame_equal(back.runs, results.runs)
    pd.testing.assert_frame_equal(back.history, results.history)
    assert list(back.runs.dtypes) == list(results.runs.dtypes)
    assert list(back.history.dtypes) == list(results.history.dtypes)
    assert back.networks.keys() == results.networks.keys()
    for run_id, net in results.networks.items():
        copy = back.networks[run_id]
        assert (copy.layer_sizes, copy.activation, copy.seed) == (net.layer_sizes, net.activation, net.seed)
        assert copy.flat_params.tobytes() == net.flat_params.tobytes()
    assert {run: [(epoch, p.tobytes()) for epoch, p in saved] for run, saved in back.snapshots.items()} == \
        {run: [(epoch, p.tobytes()) for epoch, p in saved] for run, saved in results.snapshots.items()}
    assert back.datasets.keys() == results.datasets.keys()
    for run_id, data in results.datasets.items():
        copy = back.datasets[run_id]
        assert copy.options == data.options and copy.name == data.name
        for field in ("X_train", "y_train", "X_test", "y_test"):
            assert getattr(copy, field).tobytes() == getattr(data, field).tobytes()


def test_round_trip_is_bit_identical(store, results):
    """Runs and history (with their dtypes), every network to the byte, snapshots and data come back."""
    key = store_key(SPECS, 5)
    assert store.put(key, results, settings={"lr": 0.1})
    back = store.get(key)
    assert_same(back, results)
    assert (back.runs["status"] == "diverged").any() and "full" in set(back.runs["batch_size"])
    assert np.isnan(back.history["train_loss"]).any()  # a diverged run's NaN loss survives (SQLite stores NULL)
    assert back.networks[0].predict(back.datasets[0].X_test).tolist() == \
        results.networks[0].predict(results.datasets[0].X_test).tolist()
    assert store.info(key).settings == {"lr": 0.1} and store.info(key).n_runs == len(SPECS)


def test_a_second_store_on_the_same_database_reads_it(store_url, results):
    """Another server sharing the database opens the comparison at once."""
    key = store_key(SPECS, 5)
    first = ResultStore(store_url)
    first.put(key, results)
    second = ResultStore(store_url)
    assert second.contains(key) and key in second
    assert_same(second.get(key), results)
    first.close(), second.close()


def test_results_read_from_csv_round_trip_too(store, results):
    from_csv = results_from_csv(results.runs_csv().encode(), results.history_csv().encode())
    key = store_key(SPECS, 0)
    assert store.put(key, from_csv)
    back = store.get(key)
    pd.testing.assert_frame_equal(back.runs, from_csv.runs)
    pd.testing.assert_frame_equal(back.history, from_csv.history)
    assert back.networks == {} and back.snapshots == {}


def test_unknown_and_forged_keys_are_not_found(store, results):
    store.put(store_key(SPECS, 5), results)
    for key in ["0" * 64, store_key(SPECS, 5)[:-1] + "x", "' OR 1=1 --", "a" * 10_000, None, 42,
                store_key(SPECS, 5).upper()]:
        assert store.get(key) is None and not store.contains(key) and store.info(key) is None
        assert store.runs(key) is None and not store.delete(key)
    assert len(store.list()) == 1


def test_a_visitors_own_data_is_never_stored(store):
    data = dataset_from_csv(b"x,y,label\n" + b"".join(f"{i},{i % 3},{i % 2}\n".encode() for i in range(40)), "label")
    catalog = Catalog([data])
    own = run_grid([RunSpec(data.name, "[2, 4, 2]", epochs=3)], catalog=catalog)
    assert store.put("1" * 64, own) is False
    assert store.list() == [] and store.get("1" * 64) is None


def test_a_comparison_stopped_before_its_end_is_not_stored(store):
    specs = [RunSpec("xor4", "[2, 4, 2]", batch_size=None, epochs=500)]
    polls = iter(range(10**6))
    stopped = run_grid(specs, should_stop=lambda: next(polls) > 5)  # Stop pressed after a few epochs
    assert list(stopped.runs["status"]) == ["stopped"]
    assert store.put(store_key(specs, 0), stopped) is False and store.list() == []


def test_the_same_comparison_stored_twice_is_kept_once(store, small):
    key, results = small[0]
    assert store.put(key, results, pinned=True)
    assert store.put(key, results, settings={"again": True})
    assert [info.key for info in store.list()] == [key]
    assert store.info(key).pinned and store.info(key).settings == {"again": True}


def test_prune_drops_the_least_recently_used_and_keeps_pinned_ones(store_url, small):
    probe = ResultStore(store_url)
    probe.put(*small[0])
    one = probe.size()
    probe.close()
    store = ResultStore(store_url, max_bytes=int(2.5 * one))  # room for two of the three
    (a, ra), (b, rb), (c, rc) = small
    store.put(a, ra)
    store.put(b, rb)
    store.touch(a)  # a is now used more recently than b
    store.put(c, rc)
    assert [info.key for info in store.list()] == [c, a]
    store.pin(a)
    store.put(b, rb)  # over budget again: c goes, the pinned a stays
    assert {info.key for info in store.list()} == {a, b}
    assert store.size() <= store.max_bytes
    store.unpin(a)
    store.touch(b)
    store.put(c, rc)
    assert {info.key for info in store.list()} == {b, c}
    store.pin(b), store.pin(c)
    store.put(a, ra)  # the pinned ones fill the budget: the one just stored is kept all the same
    assert {info.key for info in store.list()} == {a, b, c}
    store.close()


# ----- keys -----
def test_the_key_is_canonical():
    """Equal comparisons written differently share a key; any change of a run or the snapshots does not."""
    base = [RunSpec("lines", "[36, 8, 3]", lr=1, seed=0)]
    same = [RunSpec("lines", "36-8-3", lr=1.0, seed=0, n_samples=300, noise=0.1, test_fraction=0.25)]
    assert store_key(base, 20) == store_key(same, 20)
    assert len(store_key(base, 20)) == 64 and set(store_key(base, 20)) <= set("0123456789abcdef")
    assert store_key(base, 20) != store_key(base, 19)
    assert store_key(base, 20) != store_key([dataclasses.replace(base[0], lr=0.1000000001)], 20)
    assert store_key(base, 20) != store_key(base + base, 20)  # two runs of the same spec are another grid
    with pytest.raises(ValueError, match="activation"):
        store_key([RunSpec(activation="swish")], 20)
    with pytest.raises(ValueError, match="'specs' must be a list"):
        store_key(RunSpec(), 20)


@pytest.mark.slow
def test_the_key_is_the_same_in_another_process():
    """Hash randomisation, a fresh interpreter: the digest depends on the specs alone."""
    code = ("from experiments.specs import expand_grid; from experiments.store import store_key; "
            "print(store_key(expand_grid(datasets=['moons', 'xor'], lrs=[0.1, 0.03], seeds=[0, 1]), 20))")
    here = store_key(expand_grid(datasets=["moons", "xor"], lrs=[0.1, 0.03], seeds=[0, 1]), 20)
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"})
        assert done.stdout.strip() == here


# ----- schema versions -----
def _set_version(url, version):
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(schema.meta.update().where(schema.meta.c.name == "schema_version").values(value=str(version)))
    engine.dispose()


def test_a_store_written_by_a_newer_version_is_refused(store_url):
    ResultStore(store_url).close()
    _set_version(store_url, schema.SCHEMA_VERSION + 1)
    with pytest.raises(StoreUnavailable) as refused:
        ResultStore(store_url)
    message = str(refused.value)
    assert f"newer version of this app (schema {schema.SCHEMA_VERSION + 1}" in message and "\n" not in message
    store, note = ResultStore.open_or_none(store_url)
    assert store is None and "memory only" in note


def test_a_version_1_store_is_migrated_and_keeps_its_comparisons(store_url, small):
    """A database from before class boards (schema 1) gets the board tables; its comparisons stay."""
    from experiments.store import codec
    from experiments.store.database import Database
    from experiments.store.store import insert_comparison
    key, results = small[0]
    old = Database(store_url)  # what the version-1 code wrote: its tables and a comparison in them
    old.run(schema.stamp_version_1, write=True)
    old.run(lambda conn: insert_comparison(conn, key, *codec.encode(results)), write=True)
    old.dispose()
    assert not _has_table(store_url, "boards") and _version(store_url) == 1
    store = ResultStore(store_url)
    assert _has_table(store_url, "boards")
    assert _version(store_url) == schema.SCHEMA_VERSION
    board, _ = store.boards.create("Migrated", "xor4", epochs=30, seeds=[0], max_params=100)
    assert store.boards.get(board.id).title == "Migrated"
    assert_same_tables(store.get(key), results)
    store.close()


def assert_same_tables(back, results):
    pd.testing.assert_frame_equal(back.runs, results.runs)
    pd.testing.assert_frame_equal(back.history, results.history)


def _has_table(url, name):
    from sqlalchemy import inspect
    engine = create_engine(url)
    try:
        return inspect(engine).has_table(name)
    finally:
        engine.dispose()


def _version(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT value FROM meta WHERE name = 'schema_version'")).scalar_one()
    engine.dispose()
    return int(version)


def test_the_schema_has_a_grad_norm_column_for_every_layer_a_network_may_have():
    """Deeper networks allowed by nn need a migration adding history columns (schema.GRAD_NORM_SLOTS)."""
    from nn.validation import MAX_WEIGHT_LAYERS
    assert schema.GRAD_NORM_SLOTS == MAX_WEIGHT_LAYERS


# ----- failures: one plain message naming the URL -----
@pytest.mark.parametrize("url, reason", [
    ("not a url", "is not a database URL"),
    ("nosuchdb://host/x", "is not a database URL"),
    ("mysql+mysqldb://user:hunter2@localhost/db", "needs a database driver"),
    ("postgresql+psycopg://user:hunter2@127.0.0.1:1/db", "cannot be reached"),
])
def test_a_store_that_cannot_be_opened_says_why_in_one_line(url, reason):
    with pytest.raises(StoreUnavailable) as failed:
        ResultStore(url)
    message = str(failed.value)
    assert reason in message and "\n" not in message and "hunter2" not in message
    assert message.startswith("results store ") and failed.value.url in message
    assert isinstance(failed.value, ValueError)


def test_a_file_that_is_not_a_database(tmp_path):
    garbage = tmp_path / "results.sqlite"
    garbage.write_bytes(b"not a database, just some text" * 100)
    with pytest.raises(StoreUnavailable, match="is not a results store database, or it is damaged"):
        ResultStore(f"sqlite:///{garbage}")
    assert garbage.read_bytes() == b"not a database, just some text" * 100


def test_a_full_disk_fails_the_write_whole_and_the_store_goes_on(tmp_path, small, results):
    """SQLite's max_page_count stands in for a full disk: the big write fails with a plain message and
    leaves nothing behind; smaller comparisons are still stored and read."""
    url = fresh_url("sqlite", tmp_path)
    store = ResultStore(url)
    store.put(*small[0])
    pages = store._db.run(lambda conn: conn.exec_driver_sql("PRAGMA page_count").scalar_one())
    event.listen(store._db.engine, "connect",
                 lambda dbapi, _: dbapi.execute(f"PRAGMA max_page_count = {pages + 2}"))
    store._db.engine.dispose()  # new connections get the cap
    with pytest.raises(StoreUnavailable, match="has no room left") as full:
        store.put(store_key(SPECS, 5), results)
    assert "\n" not in str(full.value)
    assert [info.key for info in store.list()] == [small[0][0]]
    for table in ("runs", "history", "networks", "snapshots"):
        count = store._db.run(lambda conn: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one())
        assert count == len(small[0][1].runs) * (table == "runs") + len(small[0][1].history) * (table == "history") \
            + len(small[0][1].networks) * (table == "networks")
    assert_same_tables(store.get(small[0][0]), small[0][1])


def test_a_read_only_database_can_be_read_but_a_write_says_why(tmp_path, small):
    url = fresh_url("sqlite", tmp_path)
    writable = ResultStore(url)
    writable.put(*small[0])
    writable.close()
    path = url[len("sqlite:///"):]
    store = ResultStore(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert_same_tables(store.get(small[0][0]), small[0][1])  # its use is not recorded, and that is all
    with pytest.raises(StoreUnavailable, match="is read-only: the store cannot write to it"):
        store.put(*small[1])
    store.close()


# ----- configuration -----
def test_the_default_store_is_a_sqlite_file_in_the_data_folder(tmp_path):
    folder = tmp_path / "data" / "nested"
    store = ResultStore.from_env(environ={"NN_LAB_DATA_DIR": str(folder)})
    assert (folder / "results.sqlite").exists() and store.max_bytes == 300_000_000
    store.close()
    from experiments.store import config
    assert config.default_url({}).endswith("/.nn-lab/results.sqlite")


def test_the_url_comes_from_the_environment_then_the_secret(tmp_path):
    from experiments.store.config import store_url as resolve
    secrets = {"connections": {"results": {"url": "sqlite:///from-secret.sqlite"}}}
    assert resolve(environ={"NN_LAB_STORE_URL": "sqlite:///env.sqlite"}, secrets=secrets) == "sqlite:///env.sqlite"
    assert resolve(environ={}, secrets=secrets) == "sqlite:///from-secret.sqlite"
    assert resolve("sqlite:///given.sqlite", environ={"NN_LAB_STORE_URL": "x"}) == "sqlite:///given.sqlite"

    class NoSecretsFile(dict):
        def get(self, name, default=None):
            raise FileNotFoundError("no secrets.toml")
    assert resolve(environ={"NN_LAB_DATA_DIR": str(tmp_path)}, secrets=NoSecretsFile()).startswith("sqlite:///")


@pytest.mark.parametrize("variable, value", [("NN_LAB_STORE_MAX_BYTES", "lots"), ("NN_LAB_STORE_MAX_BYTES", "0"),
                                             ("NN_LAB_STORE_MAX_BYTES", "1.5"), ("NN_LAB_STORE_URL", " "),
                                             ("NN_LAB_DATA_DIR", "")])
def test_a_bad_setting_names_its_variable(variable, value, tmp_path):
    environ = {"NN_LAB_DATA_DIR": str(tmp_path), variable: value}
    with pytest.raises(ValueError, match=f"{variable}|store URL"):
        ResultStore.from_env(environ=environ)
    store, message = ResultStore.open_or_none(environ=environ)
    assert store is None and "memory only" in message


def test_the_byte_budget_setting(tmp_path):
    store = ResultStore.from_env(environ={"NN_LAB_DATA_DIR": str(tmp_path), "NN_LAB_STORE_MAX_BYTES": "3e6"})
    assert store.max_bytes == 3_000_000
    store.close()


def test_settings_must_be_json(store, small):
    with pytest.raises(ValueError, match="'settings' must be JSON"):
        store.put(small[0][0], small[0][1], settings={"spec": RunSpec()})
    with pytest.raises(ValueError, match="'key' must be a store key"):
        store.put("not a key", small[0][1])
    assert store.list() == []


def test_the_store_keeps_real_tables(store, small):
    """One row per run and per run and epoch, queryable with plain SQL."""
    key, results = small[0]
    store.put(key, results)
    with store._db.engine.connect() as conn:
        runs = conn.execute(text("SELECT run_id, test_acc FROM runs WHERE key = :key"), {"key": key}).all()
        epochs = conn.execute(text("SELECT COUNT(*) FROM history WHERE key = :key AND grad_norm_1 IS NOT NULL"),
                              {"key": key}).scalar_one()
        settings = conn.execute(text("SELECT columns FROM comparisons WHERE key = :key"), {"key": key}).scalar_one()
    assert [tuple(row) for row in runs] == [(0, results.runs["test_acc"][0])]
    assert epochs == len(results.history) and json.loads(settings)["history"][0] == ["run_id", "int64"]



@pytest.mark.slow
def test_sqlalchemy_is_imported_only_when_a_store_is_used():
    """``import experiments`` and the command line stay fast; the store never loads Streamlit."""
    from test_boundaries import loaded_modules
    assert "sqlalchemy" not in loaded_modules("import experiments, experiments.cli")
    modules = loaded_modules("import experiments; experiments.ResultStore")
    assert "sqlalchemy" in modules and "streamlit" not in modules and "experiments.store.boards" in modules
