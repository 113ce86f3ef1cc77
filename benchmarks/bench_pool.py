"""A class opens the demo at once: N simulated visitors (threads) press Run together; half ask for the
default comparison, half for a comparison of their own (30 runs). Reports each visitor's time from Run to
results (median and worst) and the peak resident memory of the process tree, for

- pool: one TrainingPool (as many single-threaded workers as cores), started and with the default
  comparison preloaded, as the app does at start-up; visitors submit and wait for their Job;
- in-process, at once: every visitor trains in the server process in its own thread (the app before the
  pool: one Python interpreter shared by all);
- in-process, one after another: the same trainings queued one by one in the server process.

    python benchmarks/bench_pool.py [--visitors 5 10 20]

The machine may be shared and noisy: times vary from run to run.
"""
import argparse
import contextlib
import os
import statistics
import threading
import time

import sys

import psutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.harness import resident_bytes  # noqa: E402
from experiments.pool import TrainingPool, blas_threads, one_blas_thread  # noqa: E402
from experiments.runner import run_grid  # noqa: E402
from experiments.specs import expand_grid  # noqa: E402

SNAPSHOTS = 20  # as the app asks


def comparisons(n):
    """Half the default comparison (3 runs), half distinct 30-run comparisons (their own seed)."""
    own = [expand_grid(activations=["relu", "tanh"], lrs=[0.5, 0.2, 0.1, 0.05, 0.01], seeds=[100 + i])
           for i in range(n - n // 2)]
    return [expand_grid() for _ in range(n // 2)] + own


class MemoryWatch(threading.Thread):
    """Samples the resident memory of this process and its children until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.process, self.peak, self.running = psutil.Process(), 0, True
        self.idle = self.rss() / 1e6

    def rss(self):
        return resident_bytes([self.process, *self.process.children(recursive=True)])

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.join()
        return f"{self.idle:.0f} / {self.peak / 1e6:.0f} MB"


def visitors_at_once(specs_list, visit):
    """Start one thread per visitor together; return each one's seconds from Run to results."""
    seconds = [None] * len(specs_list)
    barrier = threading.Barrier(len(specs_list))

    def run(index):
        barrier.wait()
        start = time.perf_counter()
        visit(index, specs_list[index])
        seconds[index] = time.perf_counter() - start

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(specs_list))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return seconds


def with_pool(specs_list):
    watch = MemoryWatch()
    watch.start()
    pool = TrainingPool().start()
    pool.preload(expand_grid(), snapshots=SNAPSHOTS).result()
    before, after, threads = [None] * len(specs_list), [None] * len(specs_list), set()

    clicks = threading.Lock()

    def visit(index, specs):
        with clicks:  # visitors who read their estimate at one instant could not know of each other's Run
            before[index] = pool.estimate_wait_seconds(specs, snapshots=SNAPSHOTS)  # shown before Run
            job = pool.submit(specs, snapshots=SNAPSHOTS)
        after[index] = job.eta_seconds()  # shown once queued
        job.result()
        if job.blas_threads is not None:  # None: from the cache, not trained
            threads.add(job.blas_threads)

    seconds = visitors_at_once(specs_list, visit)
    stats = dict(pool.stats)
    pool.shutdown()
    def ratios(estimates):
        ratios = [s / e for s, e in zip(seconds, estimates) if e]
        return f"{min(ratios):.2f}-{max(ratios):.2f}" if ratios else "-"

    return seconds, watch.stop(), {"workers": pool.workers, "BLAS threads in training": threads,
                                   "trainings": stats.get("trained", 0), "from cache": stats.get("cached", 0),
                                   "waited / estimate before Run": ratios(before),
                                   "waited / estimate once queued": ratios(after)}


def in_process_at_once(specs_list):
    watch = MemoryWatch()
    watch.start()
    seconds = visitors_at_once(specs_list, lambda index, specs: run_grid(specs, snapshots=SNAPSHOTS))
    return seconds, watch.stop(), {}


def in_process_one_after_another(specs_list):
    watch = MemoryWatch()
    watch.start()
    start, seconds = time.perf_counter(), []
    for specs in specs_list:  # everyone pressed Run at `start`; each waits for those before them
        run_grid(specs, snapshots=SNAPSHOTS)
        seconds.append(time.perf_counter() - start)
    return seconds, watch.stop(), {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, nargs="+", default=[5, 10, 20])
    args = parser.parse_args()
    print(f"cores: {len(os.sched_getaffinity(0))}; BLAS threads in this process: {blas_threads()} by default")
    run_grid(expand_grid(epochs=2))  # imports and first-call costs, paid once as a running server has
    for n in args.visitors:
        specs_list = comparisons(n)
        print(f"\n{n} visitors: {n // 2} x the default comparison (3 runs), {n - n // 2} x their own (30 runs)")
        for name, how, limit in [("pool", with_pool, False),
                                 ("in-process, at once, 1 BLAS thread", in_process_at_once, True),
                                 ("in-process, one after another, 1 BLAS thread", in_process_one_after_another,
                                  True)]:
            with one_blas_thread() if limit else contextlib.nullcontext():
                seconds, peak, notes = how(specs_list)
            default, own = seconds[:n // 2], seconds[n // 2:]
            print(f"  {name}:\n    median {statistics.median(seconds):5.2f} s, worst {max(seconds):5.2f} s "
                  f"(default: median {statistics.median(default):5.2f} s; own: median {statistics.median(own):5.2f} s)"
                  f"; RSS before / peak {peak}" + "".join(f"\n    {key}: {value}" for key, value in notes.items()))


if __name__ == "__main__":
    main()
