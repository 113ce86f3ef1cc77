"""The app exactly as ``streamlit run streamlit_app.py`` runs it, plus a log of when things happened on the
server, for bench_app.py. One JSON line per event, wall-clock seconds (``time.time()``, the clock a page's
``performance.timeOrigin + performance.now()`` follows), each with the Streamlit session it happened in:

- "submit": a comparison reached the training pool (``how``: from the cache, shared with one in training,
  or trained anew; its number of runs and epochs say which comparison it is);
- "finished": a training ended;
- "poll": the progress panel's fragment started a run (the page asks for one twice a second);
- "accuracy": the Compare page wrote its "Accuracy" heading (st.subheader or a markdown heading), after
  the curves and the boundaries: the server has built the results' charts;
- "run": one script run (the whole script, or fragments: ``fragment``), its wall seconds and the CPU
  seconds of its thread (``cpu``): what one interaction costs the server;
- "live": one update of the live view (ui/live.py): the script's CPU seconds for it (``cpu``, the thread's
  time), of which taking the workers' grids (``grids``: ``live_grids``), and the bytes of its data as the
  browser receives them (``bytes``, JSON).

    NN_LAB_EVENT_LOG=/tmp/events.jsonl streamlit run benchmarks/timed_app.py

Nothing of the app changes: a few functions are wrapped to write the log, then streamlit_app.py runs as
the main script.
"""
import functools
import json
import os
import runpy
import sys
import time
import weakref

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from streamlit.runtime.scriptrunner import script_runner  # noqa: E402

from experiments import pool  # noqa: E402
from ui import live, training  # noqa: E402


def _write(**event):
    if "session" not in event:
        context = get_script_run_ctx(suppress_warning=True)
        event["session"] = context.session_id if context else None
    _LOG.write(json.dumps(event) + "\n")


if not getattr(pool.TrainingPool, "_timed", False):  # once per server, not once per script run
    _LOG = open(os.environ["NN_LAB_EVENT_LOG"], "a", buffering=1)
    _submit, _finish, _panel = pool.TrainingPool.submit, pool.TrainingPool._finish, training._progress_panel
    _subheader, _markdown = st.subheader, st.markdown

    _SEEN = weakref.WeakSet()  # the pool's trainings handed out so far

    def submit(self, specs, catalog=None, snapshots=20, **options):  # options: the owner, as the app passes it
        start = time.time()
        job = _submit(self, specs, catalog, snapshots, **options)
        training_ = job._training
        # a training handed out before is shared; a new one without data to train is the cache's answer
        how = "shared" if training_ in _SEEN else "cached" if training_.grid is None else "trained"
        _SEEN.add(training_)
        _write(t=start, event="submit", training=id(training_), how=how, runs=len(specs),
               epochs=specs[0].epochs, answered=time.time())
        return job

    def finish(self, training_):
        _finish(self, training_)
        _write(t=time.time(), event="finished", training=id(training_), status=training_.status, session=None)

    @functools.wraps(_panel)
    def progress_panel(*args, **kwargs):
        _write(t=time.time(), event="poll")
        return _panel(*args, **kwargs)

    def _heading(write):
        """``write`` (st.subheader or st.markdown), logging when it writes the "Accuracy" heading."""
        @functools.wraps(write)
        def wrapper(body, *args, **kwargs):
            if isinstance(body, str) and body.lstrip("#").strip() == "Accuracy":
                _write(t=time.time(), event="accuracy")
            return write(body, *args, **kwargs)
        return wrapper

    _live_view, _live_canvas, _live_grids = training.live_view, live.canvas, live.live_grids
    _SENT = {}

    def live_grids(*args, **kwargs):
        start = time.thread_time()
        grids = _live_grids(*args, **kwargs)
        _SENT["grids"] = time.thread_time() - start
        return grids

    def live_canvas(data, key, *args, **kwargs):
        _SENT["data"] = data
        return _live_canvas(data, key, *args, **kwargs)

    @functools.wraps(_live_view)
    def live_view(job):
        start = time.thread_time()
        _live_view(job)
        cpu = time.thread_time() - start
        sent = _SENT.pop("data", None)  # measured after the timed part: what Streamlit sends, as JSON
        _write(t=time.time(), event="live", cpu=cpu, grids=_SENT.pop("grids", 0.0),
               bytes=len(json.dumps(sent)) if sent is not None else 0)

    live.canvas, live.live_grids, training.live_view = live_canvas, live_grids, live_view

    _run_script = script_runner.ScriptRunner._run_script

    def run_script(self, rerun_data):
        start, cpu = time.time(), time.thread_time()
        try:
            return _run_script(self, rerun_data)
        finally:
            _write(t=start, event="run", wall=time.time() - start, cpu=time.thread_time() - cpu,
                   fragment=bool(rerun_data.fragment_id_queue), session=self._session_id)

    script_runner.ScriptRunner._run_script = run_script
    pool.TrainingPool.submit, pool.TrainingPool._finish = submit, finish
    training._progress_panel, st.subheader, st.markdown = progress_panel, _heading(_subheader), _heading(_markdown)
    pool.TrainingPool._timed = True  # the wrappers keep this first run's globals (_LOG, _write) alive

runpy.run_path(os.path.join(ROOT, "streamlit_app.py"), run_name="__main__")
