"""What the experiment store costs, for one 100-run comparison as the app trains it (20 snapshots):

- open: ``store.get(key)`` from SQLite (the SQL read plus rebuilding the Results: tables, networks, data),
  alternated with the same comparison taken from the memory form (a memory-cache hit: the Results are
  there, and a visitor gets its own copy of the networks) and with the rebuild alone from rows already read;
- write: ``store.put`` of the whole comparison (one transaction), alternated with deleting it;
- size: the store's bytes per run (its estimate, and the SQLite file itself), with and without snapshots.

    python benchmarks/bench_store.py [--rounds 7] [--postgres URL]

With ``--postgres`` (or NN_LAB_TEST_POSTGRES_URL) the open and write are measured on PostgreSQL too. The
machine may be shared and noisy: BLAS threads and the load (uptime) are printed with the figures.
"""
import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

from experiments.results import Results
from experiments.runner import run_grid
from experiments.specs import expand_grid
from experiments.store import ResultStore, store_key
from experiments.store import codec
from experiments.store.store import NETWORK_COLUMNS, SNAPSHOT_COLUMNS, _rows
from experiments.store import schema

SNAPSHOTS = 20


def grid():
    """100 runs: 5 architectures x 2 activations x 5 learning rates x 2 seeds on the default dataset."""
    return expand_grid(architectures=["[25, 8, 2]", "[25, 16, 2]", "[25, 32, 2]", "[25, 16, 8, 2]", "[25, 32, 16, 2]"],
                       activations=["relu", "tanh"], lrs=[0.3, 0.1, 0.03, 0.01, 0.003], seeds=[0, 1], epochs=200)


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def memory_hit(results):
    """What a memory-cache hit hands a visitor: the same tables and data, its own copies of the networks."""
    return Results(results.runs, results.history, {run: net.copy() for run, net in results.networks.items()},
                   results.datasets, results.snapshots, token=results.token)


def stored_rows(store, key):
    def read(conn):
        columns = conn.execute(schema.comparisons.select().where(schema.comparisons.c.key == key)).first().columns
        runs, history = codec.read_columns(columns)
        return (columns, _rows(conn, schema.runs, key, runs, "position"),
                _rows(conn, schema.history, key, history, "run_id", "epoch"),
                _rows(conn, schema.networks, key, NETWORK_COLUMNS, "run_id"),
                _rows(conn, schema.snapshots, key, SNAPSHOT_COLUMNS, "run_id", "epoch"))
    return store._db.run(read)


def file_bytes(path):
    return sum(os.path.getsize(path + suffix) for suffix in ("", "-wal", "-shm") if os.path.exists(path + suffix))


def measure(name, store, key, results, rounds):
    store.put(key, results)
    rows = stored_rows(store, key)
    times = {"get (SQL + rebuild)": [], "rebuild alone": [], "memory hit": [], "put": []}
    for _ in range(rounds):  # alternate, so a burst of load touches every kind alike
        times["get (SQL + rebuild)"].append(timed(lambda: store.get(key)))
        times["rebuild alone"].append(timed(lambda: codec.decode(*rows)))
        times["memory hit"].append(timed(lambda: memory_hit(results)))
        store.delete(key)
        times["put"].append(timed(lambda: store.put(key, results)))
    medians = {what: statistics.median(values) for what, values in times.items()}
    print(f"\n{name}: median of {rounds} rounds (min-max)")
    for what, values in times.items():
        print(f"  {what:22s} {medians[what] * 1e3:8.1f} ms  ({min(values) * 1e3:.1f}-{max(values) * 1e3:.1f})")
    print(f"  open from the store / from memory: {medians['get (SQL + rebuild)'] / medians['memory hit']:.1f}x; "
          f"SQL read: {(medians['get (SQL + rebuild)'] - medians['rebuild alone']) * 1e3:.1f} ms")


def sizes(results, key, folder):
    without = Results(results.runs, results.history, results.networks, results.datasets, {})
    n = len(results.runs)
    print(f"\nsize per run ({n} runs, {len(results.history)} history rows, "
          f"{sum(len(saved) for saved in results.snapshots.values())} snapshots):")
    for label, stored in (("with snapshots", results), ("without snapshots", without)):
        path = os.path.join(folder, label.replace(" ", "-") + ".sqlite")
        store = ResultStore(f"sqlite:///{path}")
        store.put(key, stored)
        estimate = store.size()
        store.close()
        with sqlite3.connect(path) as conn:  # the write-ahead log into the file, so its size is the data's
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        empty = os.path.join(folder, "empty.sqlite")
        ResultStore(f"sqlite:///{empty}").close()
        print(f"  {label:18s} estimate {estimate / n / 1e3:6.1f} kB/run; SQLite file "
              f"{(file_bytes(path) - file_bytes(empty)) / n / 1e3:6.1f} kB/run (less the empty store's "
              f"{file_bytes(empty) / 1e3:.0f} kB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--postgres", default=os.environ.get("NN_LAB_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    from threadpoolctl import threadpool_info
    threads = max((library["num_threads"] for library in threadpool_info()), default=1)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}, Python {sys.version.split()[0]}, "
          f"BLAS threads {threads}")
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    specs = grid()
    start = time.perf_counter()
    results = run_grid(specs, snapshots=SNAPSHOTS)
    print(f"trained {len(results.runs)} runs in {time.perf_counter() - start:.1f} s")
    key = store_key(specs, SNAPSHOTS)
    with tempfile.TemporaryDirectory() as folder:
        store = ResultStore(f"sqlite:///{os.path.join(folder, 'results.sqlite')}")
        measure("SQLite", store, key, results, args.rounds)
        store.close()
        if args.postgres:
            from sqlalchemy import create_engine
            engine = create_engine(args.postgres)
            schema.metadata.drop_all(engine)  # a throwaway test database
            engine.dispose()
            store = ResultStore(args.postgres)
            measure("PostgreSQL", store, key, results, args.rounds)
            store.close()
        sizes(results, key, folder)
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
