"""The store across processes, on real databases: two writers at once never see "database is locked"; a
writer killed (SIGKILL) in the middle of a large comparison leaves the database whole and the comparison
absent; a read-only data folder is a plain message. Each test starts Python processes (slow lane)."""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from experiments.store import ResultStore
from store_backends import fresh_url, store_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WRITER = textwrap.dedent("""
    import os, sys, time
    from experiments.runner import run_grid
    from experiments.specs import RunSpec
    from experiments.store import ResultStore, store_key
    url, name, go, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = ResultStore(url)
    made = []
    for index in range(count):  # distinct comparisons, plus one that both writers store
        specs = [RunSpec("xor4", "[2, 4, 2]", batch_size=None, epochs=200, seed=index, lr=0.5 if name == "a" else 0.25)]
        made.append((store_key(specs, 0), run_grid(specs)))
    shared = [RunSpec("xor4", "[2, 8, 2]", batch_size=None, epochs=200)]
    made.append((store_key(shared, 0), run_grid(shared)))
    while not os.path.exists(go):  # both start writing at the same moment
        time.sleep(0.001)
    for key, results in made:
        store.put(key, results)
        assert store.get(key) is not None
        store.touch(made[0][0])
    print(" ".join(key for key, _ in made))
""")


def _python(*args, **kwargs):
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kwargs)


def test_two_processes_write_at_once_without_a_lock_error(store_url, tmp_path, wait_until):
    ResultStore(store_url).close()  # the schema exists before they start
    go = tmp_path / "go"
    writers = [_python("-c", WRITER, store_url, name, str(go), "25") for name in "ab"]
    (tmp_path / "go").write_text("")
    outputs = [writer.communicate(timeout=240) for writer in writers]
    for writer, (out, err) in zip(writers, outputs):
        assert writer.returncode == 0, err
        assert "locked" not in err.lower()
    keys = {key for out, _ in outputs for key in out.split()}
    store = ResultStore(store_url)
    assert {info.key for info in store.list()} == keys and len(keys) == 51
    store.close()


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from sqlalchemy import event
    from experiments.runner import run_grid
    from experiments.specs import expand_grid
    from experiments.store import ResultStore, store_key
    url, marker, pause = sys.argv[1], sys.argv[2], sys.argv[3] == "pause"
    specs = expand_grid(datasets=["xor"], architectures=["[2, 16, 2]", "[2, 32, 16, 2]"], lrs=[0.1, 0.03],
                        activations=["relu", "tanh"], seeds=[0, 1, 2], epochs=150, batch_size=64)
    results = run_grid(specs, snapshots=20)
    store = ResultStore(url)

    def after(conn, cursor, statement, parameters, context, executemany):
        if pause and statement.lstrip().upper().startswith("INSERT INTO HISTORY"):
            open(marker, "w").close()  # the runs and history are written, not yet committed
            time.sleep(120)

    event.listen(store._db.engine, "after_cursor_execute", after)
    store.put(store_key(specs, 20), results)
    print(store_key(specs, 20), len(results.runs), len(results.history))
""")


def _row_counts(store):
    tables = ("comparisons", "runs", "history", "networks", "snapshots")
    return {table: store._db.run(lambda conn: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one())
            for table in tables}


def test_a_writer_killed_mid_write_leaves_all_or_nothing(store_url, tmp_path, wait_until):
    marker = tmp_path / "writing"
    writer = _python("-c", KILLED_WRITER, store_url, str(marker), "pause")
    wait_until(lambda: marker.exists() or writer.poll() is not None, timeout=240, message="the write to start")
    assert writer.poll() is None, writer.communicate()[1]
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    if store_url.startswith("sqlite"):
        with sqlite3.connect(store_url[len("sqlite:///"):]) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store = ResultStore(store_url)
    assert store.list() == [] and set(_row_counts(store).values()) == {0}  # absent, and nothing half-written
    # the same write, not killed, is whole
    done = subprocess.run([sys.executable, "-c", KILLED_WRITER, store_url, str(marker), "go"], cwd=ROOT,
                          capture_output=True, text=True, timeout=240, check=True)
    key, n_runs, n_history = done.stdout.split()
    counts = _row_counts(store)
    assert store.contains(key) and counts["runs"] == int(n_runs) and counts["history"] == int(n_history)
    assert len(store.get(key).runs) == int(n_runs)
    store.close()


PROBE = textwrap.dedent("""
    import sys
    from experiments.store import ResultStore
    store, message = ResultStore.open_or_none(environ={"NN_LAB_DATA_DIR": sys.argv[1]})
    print("opened" if store is not None else message)
""")


def _read_only(folder, *command):
    """Run ``command`` with ``folder`` read-only: a read-only bind mount in a mount namespace of its own for
    root (who may write anywhere), the folder's permissions otherwise. None if neither can be done here."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        try:
            return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        finally:
            os.chmod(folder, 0o755)
    if shutil.which("unshare") is None:
        return None
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    done = subprocess.run(["unshare", "-m", "sh", "-c", script, str(folder), *command], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    return None if "mount:" in done.stderr or "unshare:" in done.stderr else done


def test_a_read_only_data_folder_is_one_plain_message(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    done = _read_only(folder, sys.executable, "-c", PROBE, str(folder / "nn-lab"))
    if done is None:
        pytest.skip("cannot make a read-only folder here (no mount namespace for root)")
    assert done.returncode == 0, done.stderr
    message = done.stdout.strip()
    assert message.startswith(f"results store sqlite:///{folder}/nn-lab/results.sqlite: cannot open the database file")
    assert "memory only" in message and "\n" not in message and "Traceback" not in done.stderr
    # a store made before the folder became read-only: opened and read, or one plain message
    ResultStore.from_env(environ={"NN_LAB_DATA_DIR": str(folder)}).close()
    done = _read_only(folder, sys.executable, "-c", PROBE, str(folder))
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert done.stdout.strip() == "opened" or done.stdout.startswith(f"results store sqlite:///{folder}/results.sqlite")
