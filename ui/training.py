"""Run, Stop and the live progress panel.

A comparison trains in the server's training pool (``state.pool()``): worker processes with one BLAS
thread each, shared by every visitor, so the page's thread only submits and polls. Changing a widget,
switching pages or drawing another view never stops a training; only Stop does. Identical comparisons
of different visitors are trained once. The page polls the job from a fragment that reruns alone twice
a second; another one updates the live view (ui/live.py: numbers for the canvas renderer, not figures);
when the job ends the whole page reruns once to show the results.
"""
import streamlit as st

from experiments import figures
from experiments.pool import PoolBusy

from . import links, state
from .live import live_view
from .plan import make_plan
from .text import plain

POLL_SECONDS = 0.5  # the progress bar of a comparison in training moves twice a second ...
QUEUED_POLL_SECONDS = 2.0  # ... of one waiting for a worker, once in two seconds: only its place changes
POLL_CPU_SECONDS = 0.01  # the server's CPU for one poll of the progress bar (bench_queue.py) ...
POLL_BUDGET = 0.25  # ... and the share of one core all visitors' polls keep to together
RECENT_ENTRIES = 3  # comparisons kept per visitor (their own data included), so asking again is instant


def start(plan):
    """Run button: train ``plan``'s comparison, or show it at once if this visitor trained it recently."""
    s = st.session_state
    key = plan.key
    if key in s.recent:
        state.show_results(s.recent[key], plan.settings, "run", "The same comparison as before: shown from this "
                           "session's results, without training again.", key=links.shareable_key(plan.specs))
        return
    try:
        job = state.pool().submit(plan.specs, state.catalog(), snapshots=state.SNAPSHOTS, owner=state.owner(),
                                  settings=plan.settings.shareable().to_query())
    except PoolBusy as error:
        s.training_error = str(error)
        return
    s.job, s.job_settings = job, plan.settings  # a session that ends drops the job: the pool then frees its place
    if job.ready():  # trained before: no need to poll
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
        st.session_state.job.cancel()


def restart(plan):
    stop()
    st.session_state.job = None
    start(plan)


def _finish(job):
    """The job ended: its results become the visitor's results."""
    s = st.session_state
    s.job = None
    s.pop("live_state", None)  # the live view's memory of this job (ui/live.py)
    try:
        results = job.result(timeout=30)
    except (RuntimeError, TimeoutError) as error:
        s.notice, s.training_error = None, f"Training failed: {error}"
        return
    results.runs.attrs.update(wall_seconds=job.elapsed(), from_cache=job.from_cache)
    runs = results.runs
    if runs.empty:
        s.notice = "Stopped before any run had trained; the results below are the ones you had."
        return
    # the runs' own statuses say what happened: a Stop that reached the pool in a group's last epoch stopped nothing
    stopped = int((runs["status"] == "stopped").sum())
    finished = int(runs["status"].isin(["ok", "diverged"]).sum())
    key = None
    if finished == job.total:
        key = links.shareable_key(job.specs)  # names it in a results link
        recent = s.recent
        recent.pop(job.specs, None)
        recent[job.specs] = results
        while len(recent) > RECENT_ENTRIES:
            recent.pop(next(iter(recent)))
        notice = f"All {job.total} runs had finished before Stop took effect." if job.cancelled else None
    else:
        notice = (f"Stopped: {finished} of {job.total} runs finished" +
                  (f", {stopped} stopped part-way (shown as far as they got)" if stopped else "") +
                  ". Press ▶ Run to train the whole comparison.")
    state.show_results(results, s.job_settings, "run", notice, key=key)


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
    st.session_state.live_seconds = live_seconds(job) if live and not job.ready() else None
    st.session_state.poll_seconds = poll_seconds(job)
    st.fragment(run_every=st.session_state.poll_seconds)(_progress_panel)()
    if st.session_state.live_seconds is not None:
        st.fragment(run_every=st.session_state.live_seconds)(_live_panel)()


def poll_seconds(job):
    """Seconds between this visitor's progress polls: twice a second while training, every two seconds while
    waiting, and slower while many visitors poll, so that a class waiting in a long queue keeps the server
    free to answer a newcomer (each poll is a script run in the server's one Python process)."""
    pollers = state.pollers().count(besides=state.session_token())
    alone = QUEUED_POLL_SECONDS if job.progress().status == "queued" else POLL_SECONDS
    return max(alone, pollers * POLL_CPU_SECONDS / POLL_BUDGET)


def live_seconds(job):
    """Seconds between this visitor's live updates, counting everyone watching now (state.watchers)."""
    return figures.live_seconds(job.configurations, state.watchers().count(besides=state.session_token()))


def _live_panel():
    job = st.session_state.job
    if job is None or job.cancelled or job.ready():
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
    if job.ready():
        _finish(job)
        st.rerun()
    polled = st.session_state.get("poll_seconds") or POLL_SECONDS
    state.pollers().seen(state.session_token(), polled)
    current = st.session_state.get("live_seconds")
    if not 1 / 2 < poll_seconds(job) / polled < 2 or \
            (current is not None and not 1 / 2 < live_seconds(job) / current < 2):
        st.rerun()  # training began, or visitors came or left: the fragments start again at the new pace
    progress = job.progress()
    cols = st.columns([4, 1], vertical_alignment="center")  # Stop keeps its word at 800 px
    eta = job.eta_seconds()
    left = f"about {max(1, round(eta))} s left" if eta else "finishing…"
    if progress.status == "queued":
        ahead = max(progress.queue_position - 1, 0)
        place = "yours is next" if ahead == 0 else \
            f"{ahead} comparison{'s' if ahead != 1 else ''} of other visitors ahead of yours"
        cols[0].progress(0.0, text=plain(f"Waiting for a free training worker: every worker is training another "
                                         f"visitor's comparison; {place} · {job.elapsed():.0f} s · {left}"))
        cols[1].button("Cancel", icon=":material/close:", key="stop_main", on_click=stop, width="stretch",
                       help="Leave the queue; nothing of this comparison has trained yet.")
        return
    cols[0].progress(job.fraction(progress), text=plain(
        f"Training: {progress.done} of {progress.total} runs finished, {len(progress.live)} learning now · "
        f"{job.elapsed():.0f} s · {left}"))
    cols[1].button("Stop", icon=":material/stop:", key="stop_main", on_click=stop, width="stretch",
                   help="Stop training and keep what has trained so far, the runs part-way included.")
