"""The live view on Compare while a comparison trains: one canvas element (ui/components) fed with numbers.

Every update sends only what is new (``experiments.figures.live.LiveFeed``): the new epochs of every run,
the runs whose state changed and each drawn configuration's newest grid. The runs in training come from the
pool's live curves, cheap at every update; the runs that ended, from ``Job.results_so_far()``, read again
only when another group of runs has ended. The grids of the runs in training are drawn by the workers
(``live_grids``); a run that ended is drawn once, here, from its final network.
"""
import streamlit as st

from experiments.figures.live import LiveFeed, pool_curves, run_curves, running_state
from experiments.grids import dataset_plane, probability_grid
from experiments.results import RUNNING, WAITING

from .components import canvas

LIVE_KEY = "live_view"


class LiveState:
    """What one Job's live view remembers between updates (kept in the session): its feed, and the runs that
    ended (their curves, state and grid never change again)."""

    def __init__(self, job):
        self.job = job
        self.feed = LiveFeed(job.results_so_far())
        self.done, self.ended, self.ended_grids, self.inputs = -1, {}, {}, {}
        self.resynced = None

    def inputs_for(self, dataset, data):
        if dataset not in self.inputs:
            self.inputs[dataset] = dataset_plane(data).grid_inputs()
        return self.inputs[dataset]

    def refresh_ended(self, job):
        """Read the runs that ended again if more have ended since the last time."""
        done = job.progress().done
        if done == self.done:
            return
        results = job.results_so_far()
        runs = results.runs[~results.runs["status"].isin([RUNNING, WAITING])]
        history = dict(tuple(results.history.groupby("run_id", sort=False))) if len(results.history) else {}
        for row in runs.itertuples():
            if row.run_id in self.ended:
                continue
            acc = None if row.test_acc != row.test_acc else float(row.test_acc)
            curves = run_curves(history[row.run_id]) if row.run_id in history else None
            self.ended[row.run_id] = (curves, (row.status, acc))
            if row.run_id in self.feed.drawn and row.run_id in results.networks:
                data = results.datasets[row.run_id]
                self.ended_grids[row.run_id] = (int(row.epochs_run), probability_grid(
                    results.networks[row.run_id], self.inputs_for(row.dataset, data), data.n_classes))
        self.done = done

    def update(self, job):
        """The next update of the live view."""
        self.refresh_ended(job)
        running = {run: pool_curves(curves) for run, curves in job.curves().items() if run not in self.ended}
        curves = {**{run: c for run, (c, _) in self.ended.items() if c is not None}, **running}
        states = {**{run: state for run, (_, state) in self.ended.items()},
                  **{run: running_state(c) for run, c in running.items()}}
        grids = {**self.ended_grids, **live_grids(job, self, set(running))}
        return self.feed.update(curves, states, grids)


def live_grids(job, live, running):
    """{run: (epoch, grid bytes)}: the newest grid of every drawn run in training, as its worker computed it
    (``Job.grids``): the server relays bytes and rebuilds no network while a comparison trains."""
    return {run: grid for run, grid in job.grids().items() if run in running and run in live.feed.drawn}


def live_view(job):
    """Draw (or update) the live view of ``job``."""
    live = st.session_state.get("live_state")
    if live is None or live.job is not job:
        live = st.session_state.live_state = LiveState(job)
    asked = (st.session_state.get(LIVE_KEY) or {}).get("resync")
    if asked is not None and asked != live.resynced:  # the browser missed an update: everything again
        live.resynced = asked
        live.feed.resend()
    canvas(live.update(job), key=LIVE_KEY)
