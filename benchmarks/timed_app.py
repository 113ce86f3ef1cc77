"""The app exactly as ``streamlit run streamlit_app.py`` runs it, plus one line in a log per training-pool
event, for bench_app.py: when a comparison was submitted (from the cache, joining one in training, or
new) and when a training finished, on the monotonic clock (the one Chromium's DevTools timestamps use).

    NN_LAB_POOL_LOG=/tmp/pool.jsonl streamlit run benchmarks/timed_app.py

Nothing of the app changes: two TrainingPool methods are wrapped to write the log, then streamlit_app.py
runs as the main script.
"""
import json
import os
import runpy
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from experiments import pool  # noqa: E402

if not getattr(pool.TrainingPool, "_timed", False):  # once per server, not once per script run
    _log = open(os.environ["NN_LAB_POOL_LOG"], "a", buffering=1)
    _submit, _finish = pool.TrainingPool.submit, pool.TrainingPool._finish

    def _write(**event):
        _log.write(json.dumps(event) + "\n")

    def submit(self, specs, catalog=None, snapshots=20):
        start = time.monotonic()
        before = dict(self.stats)
        job = _submit(self, specs, catalog, snapshots)
        how = next((name for name in ("cached", "shared", "trained") if self.stats[name] > before.get(name, 0)),
                   "?")
        _write(t=start, event="submit", training=id(job._training), how=how, runs=len(specs),
               dataset=specs[0].dataset, epochs=specs[0].epochs, answered=time.monotonic())
        return job

    def finish(self, training):
        _finish(self, training)
        _write(t=time.monotonic(), event="finished", training=id(training), status=training.status)

    pool.TrainingPool.submit, pool.TrainingPool._finish = submit, finish
    pool.TrainingPool._timed = True

runpy.run_path(os.path.join(ROOT, "streamlit_app.py"), run_name="__main__")
