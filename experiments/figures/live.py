"""What the Compare page sends while a comparison trains: a feed of numbers for the canvas renderer's live view
(ui/components/live.js), not figures. The first update holds everything (every run, each dataset's plane and
points, every curve so far, the grids); each later one only what is new: the new epochs of every run, the
grids that changed, the runs whose state changed. The browser keeps what it was sent and draws the curves
growing and the panels changing in place.

Which runs: all of them from the start (``Job.results_so_far()`` lists the runs not started as "waiting"),
so their colours never change; a curve appears with its first epoch, a panel when its configuration's first
seed has a grid; a diverged run ends there, marked. At most LIVE_PANELS panels per dataset, the
configurations in training first.
"""
import uuid

import numpy as np

from ..results import RUNNING, WAITING
from .common import config_colors, curve_encoding, first_seed_runs
from .panels import encode, plane_payload

LIVE_POINTS = 200  # data points per split over each live panel
LIVE_PANELS = 12  # boundary panels per dataset drawn live
CURVES = ("train_loss", "test_loss", "train_acc", "test_acc")  # named as in the results' history and Job.curves()

LIVE_UPDATE_SECONDS = 0.02  # the server's CPU for one live update, grids included (bench_live.py)
LIVE_BUDGET = 0.5  # of one core, for the live views of all visitors together: the rest draws results


def live_seconds(configurations, watchers=1):
    """Seconds between live updates: twice a second for a few configurations, once a second for many (more
    panels to repaint in the browser, more bytes each time). With ``watchers`` visitors watching at once,
    each updates less often, so that together they keep to LIVE_BUDGET of one core and a visitor's Run is not
    queued behind other visitors' live views in the server's one Python process."""
    alone = 0.5 if configurations <= 12 else 1.0
    return max(alone, watchers * LIVE_UPDATE_SECONDS / LIVE_BUDGET)


def _values(array, digits):
    return [float(v) if np.isfinite(v) else None for v in np.round(np.asarray(array, dtype=float), digits)]


def run_curves(history):
    """A finished run's curves as the feed takes them, from its rows of a Results history table."""
    return {name: history[name].to_numpy() for name in CURVES}


def pool_curves(curves):
    """The pool's live curves of a run in training (``Job.curves()``: {"epoch", "train_loss", "test_loss",
    ...}) as the feed takes them."""
    return {name: curves[name] for name in CURVES if name in curves}


def running_state(curves):
    """(status, test accuracy) of a run in training from its curves: diverged once its loss is not finite
    (the pool carries a diverged network along its lockstep group with NaN metrics)."""
    loss = np.asarray(curves["train_loss"], dtype=float)
    acc = np.asarray(curves["test_acc"], dtype=float)
    finite = acc[np.isfinite(acc)]
    return ("diverged" if len(loss) and not np.isfinite(loss[-1]) else RUNNING), \
        (float(finite[-1]) if len(finite) else None)


class LiveFeed:
    """One visitor's live view of one comparison, update after update: what the browser was sent, so that
    each update sends only what is new. ``results``: the comparison at its start (every run listed)."""

    def __init__(self, results, max_panels=LIVE_PANELS):
        runs = results.runs
        self.id = uuid.uuid4().hex  # the browser keeps one model per feed
        self.max_panels = max_panels
        labels, keys = results.labels(), results.labels(include_dataset=True)
        colors = config_colors(results, curve_encoding(runs, facet_by=None).color_by)
        drawn = set(first_seed_runs(runs)["run_id"])
        self.datasets = list(dict.fromkeys(runs["dataset"]))
        self.runs = [{"run": int(row.run_id), "key": keys[row.run_id], "label": labels[row.run_id],
                      "title": labels[row.run_id].split(" · "), "dataset": str(row.dataset),
                      "color": colors[labels[row.run_id]], "drawn": row.run_id in drawn} for row in runs.itertuples()]
        self.order = {run["run"]: index for index, run in enumerate(self.runs)}
        self.drawn = {run["run"]: run["dataset"] for run in self.runs if run["drawn"]}
        self.data = {}  # dataset -> its Dataset (the planes and grids are drawn on it)
        for row in runs.itertuples():
            self.data.setdefault(row.dataset, results.datasets[row.run_id])
        self.planes = {name: plane_payload(data, LIVE_POINTS) for name, data in self.data.items()}
        self.epochs = int(runs["epochs"].max())
        self.seq = 0
        self.full_next = True
        self.sent = {}  # run -> how many epochs the browser has
        self.state_sent = {}  # run -> (status, accuracy) the browser has
        self.grid_sent = {}  # run -> the grid (epoch, bytes) the browser has

    def resend(self):
        """The browser lost track (an update missed): the next update sends everything again."""
        self.full_next = True

    def panels(self, states, grids):
        """{dataset: [run, ...]}: the drawn runs with a grid, those in training first, at most max_panels."""
        order = {}
        for run, dataset in self.drawn.items():
            if run in grids:
                order.setdefault(dataset, []).append(run)
        return {dataset: sorted(runs, key=lambda run: (states.get(run, (WAITING,))[0] != RUNNING,
                                                       self.order[run]))[:self.max_panels]
                for dataset, runs in order.items()}

    def update(self, curves, states, grids):
        """The next update for the browser. ``curves``: {run: {"train_loss", "test_loss", "train_acc",
        "test_acc": arrays of every epoch so far}} (runs with none may be left out); ``states``: {run:
        (status, test accuracy or None)}; ``grids``: {run: (epoch, grid bytes)}, the newest of each drawn run."""
        full = self.full_next
        if full:
            self.sent, self.state_sent, self.grid_sent = {}, {}, {}
        self.seq += 1
        payload = {"view": "live", "feed": self.id, "seq": self.seq, "base": None if full else self.seq - 1,
                   "epochs": self.epochs, "status": {}, "acc": {}, "curves": {}, "grids": {}}
        if full:
            payload.update(runs=self.runs, planes=self.planes, datasets=self.datasets)
        for run, series in curves.items():
            have, length = self.sent.get(run, 0), len(series["train_loss"])
            if length > have:
                payload["curves"][run] = {"from": have, **{name: _values(values[have:length], 4 if "loss" in name
                                                                         else 3) for name, values in series.items()}}
                self.sent[run] = length
        for run, (status, acc) in states.items():
            if self.state_sent.get(run) != (status, acc):
                payload["status"][run], payload["acc"][run] = status, acc
                self.state_sent[run] = (status, acc)
        drawn_panels = self.panels(states, grids)
        for runs in drawn_panels.values():
            for run in runs:
                if self.grid_sent.get(run) != grids[run]:
                    payload["grids"][run] = [int(grids[run][0]), encode(grids[run][1])]
                    self.grid_sent[run] = grids[run]
        payload["panels"] = drawn_panels
        self.full_next = False
        return payload
