"""Run, Stop and the live progress panel.

A comparison trains off the page's thread, so the page stays responsive: changing a widget, switching
pages or drawing another view never stops it; only Stop does. The page polls the job from a fragment that
reruns alone twice a second, and when the job ends the whole page reruns once to show the results.
"""
import threading
import time
import weakref

import streamlit as st

from experiments import figures
from experiments.runner import GridTraining

from . import state
from .plan import make_plan
from .text import plain

POLL_SECONDS = 0.5
LIVE_CURVES_EVERY = 2.0  # seconds between redraws of the live learning curves
RECENT_ENTRIES = 3  # comparisons kept per visitor, so asking for the same one again is instant


class Job:
    """One comparison training in a background thread; ``stop()`` ends it within one epoch."""

    def __init__(self, specs, catalog, estimated_seconds=0.0, snapshots=20):
        self.key = tuple(specs)
        self.estimated = estimated_seconds
        self.training = GridTraining(specs, catalog, snapshots)
        self.total = self.training.total
        self.stop_requested = threading.Event()
        self.error = None
        self.started = time.perf_counter()
        self.ended = None
        self.last = None
        self.thread = threading.Thread(target=self._run, name="nn-lab-training", daemon=True)
        self.thread.start()

    def _run(self):
        pace = state.pace()
        with pace.lock:
            pace.running += 1
        try:
            self.training.run(progress=self._progress, should_stop=self.stop_requested.is_set)
        except Exception as error:  # noqa: BLE001 - shown to the visitor as a message
            self.error = f"Training failed: {type(error).__name__}: {error}"
        finally:
            self.ended = time.perf_counter()
            with pace.lock:
                pace.running -= 1
            if self.done == self.total and not self.error:
                pace.record(self.estimated, self.elapsed())

    def _progress(self, done, total, spec, outcome):
        self.last = spec

    def stop(self):
        self.stop_requested.set()

    @property
    def finished(self):
        return self.ended is not None

    @property
    def done(self):
        return len(self.training.outcomes)

    def elapsed(self):
        return (self.ended or time.perf_counter()) - self.started

    def eta_seconds(self):
        """Seconds left: from the pace so far once runs have finished, else from the estimate."""
        if not self.done:
            return max(0.0, state.pace().expect(self.estimated)[0] - self.elapsed()) if self.estimated else None
        return self.elapsed() / self.done * (self.total - self.done)

    def results(self):
        results = self.training.results_so_far()
        results.runs.attrs["wall_seconds"] = self.elapsed()
        return results


def start(plan):
    """Run button: train ``plan``'s comparison, or show it at once if this visitor trained it recently."""
    s = st.session_state
    key = tuple(plan.specs)
    if key in s.recent:
        state.show_results(s.recent[key], plan.settings, "run", "The same comparison as before: shown from this "
                                                                "session's results, without training again.")
        return
    job = Job(plan.specs, state.catalog(), plan.seconds)
    s.job, s.job_settings = job, plan.settings
    # Stop the job if the visitor's session ends (the tab closed and Streamlit dropped the session).
    s.job_guard = _Guard()
    weakref.finalize(s.job_guard, job.stop)


def start_lesson(lesson):
    """A lesson's button: show its settings in the sidebar, train them, and open the page that shows it best."""
    state.apply_settings(lesson.settings)
    plan = make_plan(lesson.settings, state.catalog())
    if plan.error:
        st.session_state.training_error = plan.error
        return
    start(plan)
    st.session_state.goto = lesson.page


class _Guard:
    """Lives in the session; when Streamlit discards the session, its finalizer stops the session's job."""


def stop():
    if st.session_state.job is not None:
        st.session_state.job.stop()


def restart(plan):
    stop()
    st.session_state.job = None
    start(plan)


def _finish(job):
    """The job ended: its results become the visitor's results."""
    s = st.session_state
    s.job, s.live_figure = None, None
    if job.error and not job.done:
        s.notice = None
        s.training_error = job.error
        return
    results = job.results()
    if job.done == job.total and not job.error:
        recent = s.recent
        recent.pop(job.key, None)
        recent[job.key] = results
        while len(recent) > RECENT_ENTRIES:
            recent.pop(next(iter(recent)))
        notice = None
    else:
        finished = int((results.runs["status"] != "stopped").sum())
        partial = job.done - finished
        notice = (f"Stopped: {finished} of {job.total} runs finished" +
                  (f", {partial} stopped part-way" if partial else "") +
                  "; what trained is shown. Press Run to train the whole comparison.")
    state.show_results(results, s.job_settings, "run", notice)


def panel():
    """The progress of the visitor's training, redrawn alone every half second while it runs."""
    if st.session_state.get("training_error"):
        st.error(plain(st.session_state.pop("training_error")))
    if st.session_state.job is None:
        return
    st.fragment(run_every=POLL_SECONDS)(_progress_panel)()


def _progress_panel():
    job = st.session_state.job
    if job is None:
        return
    if job.finished:
        _finish(job)
        st.rerun()
    done, total = job.done, job.total
    eta = job.eta_seconds()
    left = "estimating the time left…" if eta is None else f"about {max(1, round(eta))} s left"
    last = job.last
    last_text = "" if last is None else f" · last: {last.dataset} {last.architecture} {last.activation} lr {last.lr:g}"
    cols = st.columns([5, 1], vertical_alignment="center")
    cols[0].progress(done / total, text=plain(f"Training: {done} of {total} runs · {job.elapsed():.0f} s · {left}"
                                              f"{last_text}"))
    cols[1].button("■ Stop", key="stop_main", on_click=stop, help="Stop training and keep the runs that finished.",
                   width="stretch")
    if done and done < total and not job.stop_requested.is_set():
        if time.perf_counter() - st.session_state.get("live_drawn", 0.0) > LIVE_CURVES_EVERY:
            st.session_state.live_drawn = time.perf_counter()
            st.session_state.live_figure = figures.learning_curves_figure(job.results())  # not cached: it changes
        if st.session_state.get("live_figure") is not None:
            st.plotly_chart(st.session_state.live_figure, key="live_curves")
