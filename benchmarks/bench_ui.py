"""What one interaction costs the server: script runs, dataset loads, spec checks and time.

    python benchmarks/bench_ui.py [--repeats 7]

Drives the real app with Streamlit's AppTest (no browser): presses Run on the default comparison, then
changes Colour by (a fragment: only the comparison's curves, panels and table rerun; the curves' smoothing,
log scale and metric run in the browser, with no rerun at all) and, for contrast, changes a sidebar
widget (the whole page reruns). Timings alternate the two kinds of rerun and report medians, with the
BLAS thread count.
"""
import argparse
import os
import statistics
import time
from unittest import mock

from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest
from threadpoolctl import threadpool_info

import experiments.datasets
import experiments.specs

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "streamlit_app.py")


class Counts:
    """Counts real dataset loads (past every cache) and spec checks while active."""

    def __init__(self):
        self.loads = self.checks = 0
        self._load, self._check = experiments.datasets.load_dataset, experiments.specs.check_spec

    def __enter__(self):
        def load(*args, **kwargs):
            self.loads += 1
            return self._load(*args, **kwargs)

        def check(*args, **kwargs):
            self.checks += 1
            return self._check(*args, **kwargs)

        self.patches = [mock.patch.object(experiments.datasets, "load_dataset", load),
                        mock.patch.object(experiments.specs, "check_spec", check)]
        for patch in self.patches:
            patch.start()
        return self

    def __exit__(self, *exc):
        for patch in self.patches:
            patch.stop()


def rerun_fragment(at, key):
    """What the browser sends when a widget inside the fragment ``key`` changes."""
    fragment_id = next(iter(at._fragment_storage._ids_by_target_key[key]))
    original = RerunData.__init__

    def with_fragment(self, *args, **kwargs):
        kwargs.setdefault("fragment_id_queue", [fragment_id])
        original(self, *args, **kwargs)

    with mock.patch.object(RerunData, "__init__", with_fragment):
        at.run()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    blas = ", ".join(f"{i['internal_api']} {i['num_threads']} thread(s)" for i in threadpool_info()
                     if i["user_api"] == "blas")
    print(f"BLAS before the app limits it: {blas}")
    at = AppTest.from_file(APP, default_timeout=120).run()
    with Counts() as counts:
        start = time.perf_counter()
        at.button(key="run").click().run()
        job = at.session_state["job"]
        job.result(120)
        at.run()  # the poll that finds the job done, and the rerun that draws the results
        clicked = time.perf_counter() - start
    print(f"Run click on the default comparison ({job.total} runs): 2 full script runs (the click, the results) "
          f"plus a progress poll every 0.5 s while training; {counts.loads} dataset loads past the cache, "
          f"{counts.checks} spec checks; {clicked:.2f} s to results")
    blas = ", ".join(f"{i['internal_api']} {i['num_threads']} thread(s)" for i in threadpool_info()
                     if i["user_api"] == "blas")
    print(f"BLAS in the app: {blas}")

    fragment_times, page_times = [], []
    for repeat in range(args.repeats):  # alternate: a fragment rerun, then a whole-page rerun
        at.selectbox(key="curve_color").set_value("architecture" if repeat % 2 == 0 else "auto")
        with Counts() as slider_counts:
            start = time.perf_counter()
            rerun_fragment(at, "comparison")
            fragment_times.append(time.perf_counter() - start)
        at.run()
        start = time.perf_counter()
        at.multiselect(key="lrs").set_value([0.1, 0.01] if repeat % 2 == 0 else [0.1]).run()
        page_times.append(time.perf_counter() - start)
    print(f"Colour by: 1 fragment run, {slider_counts.loads} dataset loads, {slider_counts.checks} spec checks; "
          f"median {1000 * statistics.median(fragment_times):.0f} ms server time to redraw "
          f"(min {1000 * min(fragment_times):.0f}, max {1000 * max(fragment_times):.0f})")
    print(f"a sidebar change: 1 whole-page run; median {1000 * statistics.median(page_times):.0f} ms "
          f"(min {1000 * min(page_times):.0f}, max {1000 * max(page_times):.0f})")


if __name__ == "__main__":
    main()
