"""What the live view costs the training: the default comparison and a 30-configuration one, trained in a
TrainingPool (two workers, one BLAS thread each, as in the app) without a page and with one.

    python benchmarks/bench_live.py [--repeats 3] [--pages 1]

"With a page" is the app's live view, run in this process as the server runs it: as often as the app does
(``figures.live_seconds``: every 0.5 s for up to 6 configurations, every 1 s above 12) it
takes ``job.results_so_far()``, builds the live figures with ``figures.live_figures`` (the app's code) and
serialises them as Streamlit does (``plotly.io.to_json``). ``--pages 3`` simulates three visitors watching
their own comparison at once (three threads). The two ways alternate, repeat after repeat, and each training
starts from an empty result cache, so neither is served from the other. Reported: the training's wall time
without and with the page (median; on a busy machine this difference is mostly noise), the page's own CPU
time per redraw, and the page's CPU as a share of the training's (the steadier figure: CPU seconds the page
took per second of training, over the workers' cores).
"""
import argparse
import os
import threading
import time
from dataclasses import replace

import numpy as np
import plotly.io
from threadpoolctl import threadpool_info, threadpool_limits

from experiments import figures
from experiments.datasets import Catalog
from experiments.pool import ResultCache, TrainingPool
from experiments.settings import AppSettings

COMPARISONS = {
    "default (3 runs)": AppSettings(),
    "30 configurations": AppSettings(datasets=("edge",), architectures=("[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]",
                                                                        "[25, 16, 16, 2]", "[25, 32, 16, 2]"),
                                     activations=("relu", "tanh"), lrs=(0.3, 0.1, 0.03), epochs=400),
}


class Page(threading.Thread):
    """One visitor's live view: redraws from the job until it is ready; counts redraws and CPU seconds."""

    def __init__(self, job, configurations):
        super().__init__(daemon=True)
        self.job, self.redraws, self.cpu, self.bytes = job, 0, 0.0, 0
        self.seconds = figures.live_seconds(configurations)  # the app's cadence for this many

    def run(self):
        while not self.job.ready():
            start = time.thread_time()
            results = self.job.results_so_far()
            for fig in figures.live_figures(results).values():
                self.bytes += len(plotly.io.to_json(fig, validate=False))
            self.cpu += time.thread_time() - start
            self.redraws += 1
            time.sleep(self.seconds)


def train(pool, comparisons, catalog, watched):
    """Train every comparison at once; with ``watched``, one Page each. (seconds, pages)"""
    pool.cache = ResultCache()  # nothing from an earlier repeat
    start = time.perf_counter()
    jobs = [pool.submit(specs, catalog) for specs in comparisons]
    watchers = [Page(job, len({replace(spec, seed=0) for spec in specs})) for job, specs in zip(jobs, comparisons)] \
        if watched else []
    for watcher in watchers:
        watcher.start()
    for job in jobs:
        job.result(timeout=600)
    seconds = time.perf_counter() - start
    for watcher in watchers:
        watcher.join()
    return seconds, watchers


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pages", type=int, default=1, help="visitors watching at once")
    args = parser.parse_args()
    threadpool_limits(1)  # the server's own limit, as in the app
    catalog = Catalog()
    pool = TrainingPool(workers=2).start()
    print(f"cores {os.cpu_count()}, load {os.getloadavg()[0]:.1f}; BLAS threads: this process "
          f"{sorted({p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'})}, each worker 1")
    for name, settings in COMPARISONS.items():
        # each visitor their own comparison (other seeds), so the pool cannot share one training
        comparisons = [[replace(spec, seed=spec.seed + 100 * page) for spec in settings.specs(catalog)]
                       for page in range(args.pages)]
        times = {"without": [], "with": []}
        redraw_cpu, redraws, sizes, page_cpu = [], 0, [], 0.0
        for repeat in range(args.repeats):
            for way in (("without", "with") if repeat % 2 == 0 else ("with", "without")):
                seconds, watchers = train(pool, comparisons, catalog, way == "with")
                times[way].append(seconds)
                for watcher in watchers:
                    redraws += watcher.redraws
                    page_cpu += watcher.cpu
                    redraw_cpu.append(watcher.cpu / max(1, watcher.redraws))
                    sizes.append(watcher.bytes / max(1, watcher.redraws))
        without, with_page = np.median(times["without"]), np.median(times["with"])
        print(f"{name}, {len(comparisons[0])} runs each: without a page {without:.2f} s, with {args.pages} page(s) "
              f"{with_page:.2f} s: {100 * (with_page - without) / without:+.0f}% of the training time; "
              f"{redraws} redraws, page CPU {1000 * np.median(redraw_cpu):.0f} ms per redraw, "
              f"{np.median(sizes) / 1000:.0f} kB of figures per redraw")
        share = page_cpu / sum(times["with"])  # seconds of CPU per second of training, all pages together
        print(f"   the page(s) used {100 * share:.0f}% of one core while the comparison trained: "
              f"{100 * share / pool.workers:.0f}% of the CPU the {pool.workers} training workers use")
        print(f"   per repeat: without {', '.join(f'{t:.2f}' for t in times['without'])}; "
              f"with {', '.join(f'{t:.2f}' for t in times['with'])}")
    print(f"load after {os.getloadavg()[0]:.1f}")
    pool.shutdown()


if __name__ == "__main__":
    main()
