"""The heaviest clicks the demo's caps allow: for each, the time and memory models' figures against the caps,
then the comparison trained as the app trains it (a fresh pool of two workers, 20 snapshots, live grids),
with the workers' time (CPU seconds of the worker processes) and the peak resident memory of this process
and its workers sampled ten times a second.

    python benchmarks/bench_caps.py

Targets (issue 21): no click over the time cap or the memory budget, as measured.
"""
import os
import sys
import threading
import time

import psutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from experiments.costs import MB, estimate_memory, estimate_seconds  # noqa: E402
from experiments.limits import GridTooLarge, Limits, check_limits  # noqa: E402
from experiments.pool import TrainingPool  # noqa: E402
from experiments.specs import expand_grid, load_grid_data  # noqa: E402

SNAPSHOTS = 20
CLICKS = {  # near the largest of each kind the default caps let through (173 s of 180; 298 MB of 300)
    "time: 5000 XOR points, batches of 1": dict(datasets=["xor"], dataset_options={"xor": {"n_samples": 5000}},
                                                architectures=["[2, 32, 32, 2]"], lrs=[0.01, 0.03, 0.1], epochs=800,
                                                batch_size=1),
    "memory: three layers of 256, 6 seeds": dict(datasets=["moons"], architectures=["[2, 256, 256, 256, 2]"],
                                                 lrs=[0.01, 0.03], seeds=list(range(6)), epochs=20, batch_size=32),
    "runs: 200 small networks": dict(datasets=["edge", "xor"], architectures=["[25, 8, 2]", "[25, 16, 8, 2]"],
                                     activations=["relu", "tanh"], lrs=[0.01, 0.03, 0.1, 0.3, 1.0],
                                     seeds=list(range(5))),
}


class Peak(threading.Thread):
    """The peak resident memory of this process and its children, and the workers' CPU seconds."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.running, self.me = 0, True, psutil.Process()

    def tree(self):
        return [self.me, *self.me.children(recursive=True)]

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, sum(p.memory_info().rss for p in self.tree()))
            except psutil.Error:
                pass
            time.sleep(0.1)

    def worker_seconds(self):
        total = 0.0
        for process in self.me.children(recursive=True):
            try:
                total += sum(process.cpu_times()[:2])
            except psutil.Error:
                pass
        return total


def main():
    limits = Limits()
    load = os.getloadavg()
    print(f"bench_caps: default caps ({limits.max_seconds:.0f} s, {limits.max_memory_mb:.0f} MB); one BLAS thread "
          f"per worker; load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'click':38s} {'runs':>4s} {'model s':>8s} {'worker s':>9s} {'model MB':>9s} {'peak MB':>8s}")
    for name, choices in CLICKS.items():
        specs = expand_grid(**choices)
        datasets = load_grid_data(specs)
        try:
            check_limits(specs, limits, datasets, snapshots=SNAPSHOTS)
        except GridTooLarge as error:
            print(f"{name:38s} refused by the caps: {error}")
            continue
        model_seconds = estimate_seconds(specs, datasets)
        model_mb = estimate_memory(specs, datasets, SNAPSHOTS).total / MB
        pool = TrainingPool(workers=2).start()
        watch = Peak()
        baseline = sum(p.memory_info().rss for p in watch.tree())
        watch.start()
        before = watch.worker_seconds()
        try:
            pool.submit(specs, snapshots=SNAPSHOTS).result(timeout=900)
            worker = watch.worker_seconds() - before
        finally:
            watch.running = False
            pool.shutdown()
        print(f"{name:38s} {len(specs):4d} {model_seconds:8.0f} {worker:9.0f} {model_mb:9.0f} "
              f"{(watch.peak - baseline) / MB:8.0f}", flush=True)
    load = os.getloadavg()
    print(f"load after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; peak MB is above this process and its idle "
          "workers before the click")


if __name__ == "__main__":
    main()
