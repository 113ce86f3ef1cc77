"""The memory model against measured peaks: each case trains its lockstep groups as a pool worker does
(``runner.train_group`` with snapshots, the outcome pickled to be sent) in a fresh process, whose peak
resident memory above its size before the group is set beside ``costs.group_memory``; then a second fresh
process rebuilds the Results as the server does (unpickled, ``build_results``, one visitor's copy), and what
it holds then is set beside the server part of ``costs.estimate_memory``.

    python benchmarks/bench_memory.py
"""
import multiprocessing
import os
import pickle
import resource
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.harness import conditions  # noqa: E402

CASES = {  # name -> expand_grid arguments
    "deep and wide, full batch (issue 21)": dict(datasets=["xor4"], architectures=["[2" + ", 256" * 11 + ", 2]"],
                                                 lrs=[0.01], seeds=[0, 1], epochs=37, batch_size=None),
    "lines, three depths x 4 rates": dict(datasets=["lines"], lrs=[0.01, 0.1, 0.5, 1.0]),
    "digits [64, 256, 256, 10], adam x 4": dict(datasets=["digits"], architectures=["[64, 256, 256, 10]"],
                                                optimizers=["adam"], lrs=[0.001, 0.003], seeds=[0, 1], epochs=30),
    "circles 5000, batch 8, 12 runs": dict(datasets=["circles"], dataset_options={"circles": {"n_samples": 5000}},
                                           architectures=["[2, 64, 64, 2]"], activations=["relu", "tanh"],
                                           lrs=[0.01, 0.1, 0.3], seeds=[0, 1], epochs=3, batch_size=8),
}
SNAPSHOTS = 20


def _peak_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _setup(name):
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)
    from experiments.specs import expand_grid, load_grid_data
    specs = expand_grid(**CASES[name])
    return specs, load_grid_data(specs)


def train(name, path, conn):
    """A worker: every group trained and its outcome pickled, as sent; the largest group's peak above the
    process's size before it (and the model's figure for that group)."""
    from experiments.costs import group_memory, group_runs, snapshot_schedule
    from experiments.runner import train_group
    from experiments.specs import layers_as_run
    specs, datasets = _setup(name)
    lowest = min(spec.seed for spec in specs)
    rows, messages = [], []
    for data_key, members in group_runs(specs, datasets):
        before, start_peak = _rss(), _peak_rss()
        message = pickle.dumps(train_group(datasets[data_key], members, None, SNAPSHOTS, {lowest}))
        peak = max(_peak_rss() - max(start_peak, before), _rss() - before)
        data, first = datasets[data_key], members[0][1]
        model = group_memory(layers_as_run(first, data.n_features, data.n_classes), first.optimizer, len(members),
                             sum(s.seed == lowest for _, s in members), len(data.y_train), len(data.y_test),
                             first.batch_size, len(snapshot_schedule(first.epochs, SNAPSHOTS)))
        rows.append((len(members), peak, model))
        messages.append(message)
    with open(path, "wb") as file:
        pickle.dump(messages, file)
    conn.send(rows)


def serve(name, path, conn):
    """The server: the outcomes received, the Results built and one visitor's copy; what it then holds."""
    from experiments.costs import estimate_memory
    from experiments.pool.job import own_copy
    from experiments.results import build_results
    specs, datasets = _setup(name)
    before = _rss()
    with open(path, "rb") as file:  # what arrives (the unpickled arrays may keep these bytes as their memory)
        messages = pickle.load(file)
    outcomes = []
    for message in messages:
        outcomes += pickle.loads(message)
    del messages
    results = build_results(sorted(outcomes, key=lambda o: o.index), datasets)
    copy = own_copy(results)
    held = _rss() - before if copy is not None else 0
    estimate = estimate_memory(specs, datasets, SNAPSHOTS)
    conn.send((held, estimate.server, estimate.total, len(specs)))


def _run(context, target, *args):
    parent, child = context.Pipe()
    process = context.Process(target=target, args=(*args, child))
    process.start()
    answer = parent.recv()
    process.join()
    return answer


def main():
    print("bench_memory:", conditions())
    context = multiprocessing.get_context("spawn")
    print(f"{'case':40} {'runs':>4} {'group':>6} {'measured MB':>12} {'model MB':>9} {'model/measured':>15}")
    for name in CASES:
        with tempfile.NamedTemporaryFile(suffix=".pickle") as file:
            rows = _run(context, train, name, file.name)
            server, server_model, total, runs = _run(context, serve, name, file.name)
        largest = max(rows, key=lambda row: row[1])
        k, peak, model = largest
        print(f"{name:40} {runs:>4} {k:>6} {peak / 2**20:>12.1f} {model / 2**20:>9.1f} {model / peak:>15.2f}  worker")
        print(f"{'':40} {'':>4} {'':>6} {server / 2**20:>12.1f} {server_model / 2**20:>9.1f} "
              f"{server_model / max(server, 1):>15.2f}  server (model total {total / 2**20:.0f} MB)")


if __name__ == "__main__":
    main()
