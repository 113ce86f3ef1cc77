"""Run, Stop and the live progress panel.

A comparison trains in the server's training pool (``state.pool()``): worker processes with one BLAS
thread each, shared by every visitor, so the page's thread only submits and polls. Changing a widget,
switching pages or drawing another view never stops a training; only Stop does. Identical comparisons
of different visitors are trained once. The page polls the job from a fragment that reruns alone twice
a second; another one updates the live view (ui/live.py: numbers for the canvas renderer, not figures);
when the job ends the whole page reruns once to show the results.
"""
import time
from dataclasses import replace

import streamlit as st

from experiments import figures
from experiments.pool import PoolBusy, comparison_key

from . import state
from .live import live_view
from .plan import make_plan
from .text import plain

POLL_SECONDS = 0.5  # the progress bar moves twice a second; the live view as often, up to 12 configurations
RECENT_ENTRIES = 3  # comparisons kept per visitor (their own data included), so asking again is instant


class Job:
    """This visitor's comparison in the training pool: its progress, Stop, and its results."""

    def __init__(self, specs, catalog):
        self.key = comparison_key(specs)  # the same however the specs write the default data options
        self.handle = state.pool().submit(specs, catalog, snapshots=state.SNAPSHOTS)
        self.total = self.handle.progress().total
        self.started = time.perf_counter()
        self.ended = None
        self.stop_requested = False
        self.from_cache = self.handle.ready()  # trained before, for this visitor or another
        self.configurations = len({replace(spec, seed=0) for spec in specs})  # drawn live: one panel each
        self.error = None
        self.live = None  # the live view's state (ui/live.py), made at its first update

    @property
    def finished(self):
        if self.ended is None and self.handle.ready():
            self.ended = time.perf_counter()
        return self.ended is not None

    def progress(self):
        return self.handle.progress()

    def fraction(self, progress):
        """How far the training is, counting the epochs of the runs in training: the bar moves every poll."""
        epochs = [spec.epochs for spec in self.key]
        learning = sum(live["epoch"] / epochs[index] for index, live in progress.live.items())
        return min(1.0, (progress.done + learning) / max(1, progress.total))

    def queue_position(self):
        return self.handle.queue_position()

    def elapsed(self):
        return (self.ended or time.perf_counter()) - self.started

    def eta_seconds(self):
        return self.handle.eta_seconds()

    def stop(self):
        self.stop_requested = True
        self.handle.cancel()

    def wait(self, timeout=None):
        """Block until the results are ready (for tests and benchmarks; the page polls instead)."""
        self.handle.result(timeout)
        return self

    def live_results(self):
        """What has trained so far, the runs in training included (status "running")."""
        return self.handle.results_so_far()

    def results(self):
        """The Results, or None with ``error`` set if the training failed."""
        try:
            results = self.handle.result(timeout=30)
        except (RuntimeError, TimeoutError) as error:
            self.error = f"Training failed: {error}"
            return None
        results.runs.attrs["wall_seconds"] = self.elapsed()
        results.runs.attrs["from_cache"] = self.from_cache
        return results


def start(plan):
    """Run button: train ``plan``'s comparison, or show it at once if this visitor trained it recently."""
    s = st.session_state
    key = comparison_key(plan.specs)
    if key in s.recent:
        state.show_results(s.recent[key], plan.settings, "run", "The same comparison as before: shown from this "
                                                                "session's results, without training again.")
        return
    try:
        job = Job(plan.specs, state.catalog())
    except PoolBusy as error:
        s.training_error = str(error)
        return
    s.job, s.job_settings = job, plan.settings  # a session that ends drops the job: the pool's Job then
    if job.finished:  # frees its place (experiments.pool.Job); trained before: no need to poll
        _finish(job)


def start_lesson(lesson):
    """A lesson's button: show its settings in the sidebar, train them, and open the page that shows it best."""
    state.apply_settings(lesson.settings)
    plan = make_plan(lesson.settings, state.catalog())
    if plan.error:
        st.session_state.training_error = plan.error
        return
    start(plan)
    st.session_state.goto = lesson.page


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
    s.job = None
    results = job.results()
    if results is None:
        s.notice, s.training_error = None, job.error
        return
    runs = results.runs
    if runs.empty:
        s.notice = "Stopped before any run had trained; the results below are the ones you had."
        return
    stopped = int((runs["status"] == "stopped").sum())
    failed = bool((runs["status"] == "error").any())  # e.g. a worker ran out of memory: Run tries again
    if not job.stop_requested and not stopped and not failed and len(runs) == job.total:
        recent = s.recent
        recent.pop(job.key, None)
        recent[job.key] = results
        while len(recent) > RECENT_ENTRIES:
            recent.pop(next(iter(recent)))
        notice = None
    else:
        notice = (f"Stopped: {len(runs) - stopped} of {job.total} runs finished" +
                  (f", {stopped} stopped part-way (shown as far as they got)" if stopped else "") +
                  ". Press ▶ Run to train the whole comparison.")
    state.show_results(results, s.job_settings, "run", notice)


def panel(live=False):
    """The progress of the visitor's training, redrawn alone twice a second while it runs; with ``live``
    (the Compare page) also the curves and boundaries of the runs in training."""
    if st.session_state.get("training_error"):
        st.error(plain(st.session_state.pop("training_error")))
    job = st.session_state.job
    if job is None:
        return
    # the live view has its own fragment, updated less often the more configurations it draws and the more
    # visitors watch: an update costs the server's CPU, which the training and other visitors need
    st.session_state.live_seconds = live_seconds(job) if live and not job.finished else None
    st.fragment(run_every=POLL_SECONDS)(_progress_panel)()
    if st.session_state.live_seconds is not None:
        st.fragment(run_every=st.session_state.live_seconds)(_live_panel)()


def live_seconds(job):
    """Seconds between this visitor's live updates, counting everyone watching now (state.watchers)."""
    return figures.live_seconds(job.configurations, state.watchers().count(besides=state.session_token()))


def _live_panel():
    job = st.session_state.job
    if job is None or job.stop_requested or job.finished:
        return
    if job.progress().status != "queued":
        state.watchers().seen(state.session_token(), st.session_state.live_seconds or POLL_SECONDS)
        live_view(job)
        seconds = st.session_state.get("live_seconds") or POLL_SECONDS
        st.caption("Live: the curves grow and the boundaries change as the networks learn, updated "
                   + ("twice a second" if seconds <= 0.5 else f"every {seconds:.2g} s")
                   + (" while many visitors watch" if seconds > 1.0 else "")
                   + " (panels show each configuration's first seed, those in training first; a configuration "
                     "appears when its training starts).")


def _progress_panel():
    job = st.session_state.job
    if job is None:
        return
    if job.finished:
        _finish(job)
        st.rerun()
    current = st.session_state.get("live_seconds")
    if current is not None and not 1 / 2 < live_seconds(job) / current < 2:
        st.rerun()  # visitors came or left: the live fragment starts again at the rate that shares the CPU
    progress = job.progress()
    cols = st.columns([5, 1], vertical_alignment="center")
    eta = job.eta_seconds()
    left = f"about {max(1, round(eta))} s left" if eta else "finishing…"
    if progress.status == "queued":
        ahead = max(progress.queue_position - 1, 0)
        place = "yours is next" if ahead == 0 else \
            f"{ahead} comparison{'s' if ahead != 1 else ''} of other visitors ahead of yours"
        cols[0].progress(0.0, text=plain(f"Waiting for a free training worker: every worker is training another "
                                         f"visitor's comparison; {place} · {job.elapsed():.0f} s · {left}"))
        cols[1].button("✕ Cancel", key="stop_main", on_click=stop, width="stretch",
                       help="Leave the queue; nothing of this comparison has trained yet.")
        return
    cols[0].progress(job.fraction(progress), text=plain(
        f"Training: {progress.done} of {progress.total} runs finished, {len(progress.live)} learning now · "
        f"{job.elapsed():.0f} s · {left}"))
    cols[1].button("■ Stop", key="stop_main", on_click=stop, width="stretch",
                   help="Stop training and keep what has trained so far, the runs part-way included.")
