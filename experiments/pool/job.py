"""A comparison in the pool and a visitor's handle on it (the future a page holds): status, progress, the
runs trained so far, Stop, and the results."""
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Callable

from ..results import METRIC_NAMES, RUNNING, WAITING
from .timing import group_estimates



@dataclass(frozen=True)
class Progress:
    """What a page shows while a comparison trains. ``live`` maps the run index of each run in training
    to its newest epoch's metrics ({"epoch", "train_loss", "train_acc", "test_loss", "test_acc", "grad_norm"})."""

    status: str
    done: int
    total: int
    last_spec: object
    queue_position: int
    live: dict = field(default_factory=dict)


def _always():
    return True


@dataclass(frozen=True, eq=False)
class Owner:
    """Who asked for a comparison: ``alive()`` says whether they are still there (a page's session with its
    browser connected), ``session`` and ``client`` (the address it came from, when known) name them for the
    pool's caps. A script or a test that submits has the default owner: always there, unnamed."""

    session: str | None = None
    client: str | None = None
    alive: Callable[[], bool] = _always


class Training:
    """One comparison and everyone who asked for it. ``grid`` is a runner.GridTraining (checked specs,
    their data, lockstep groups, the outcomes that came back) until the Results are built."""

    def __init__(self, key, grid=None, results=None, settings=None):
        self.key, self.grid, self.results, self.settings = key, grid, results, settings
        self.status = "queued" if results is None else "done"
        self.pending = [] if grid is None else list(range(len(grid.groups)))  # groups not yet sent
        self.running = {}  # group number -> the worker training it
        self.live = {}  # group number -> (run indices, epochs array, {metric: array (epochs, runs, ...)})
        self.grids = {}  # run index -> (epoch, its newest boundary grid: bytes, grids.probability_grid)
        self.subscribers = {}  # token of each Job waiting for it -> its Owner
        self.gone = {}  # token -> when its owner was first seen gone (released after a grace period)
        self.last_spec, self.blas_threads, self.error = None, None, None
        self.estimates = [] if grid is None else group_estimates(grid.groups, grid.datasets)
        self.epochs = [] if grid is None else [members[0][1].epochs for _, members in grid.groups]  # per group
        self.finished = threading.Event()
        self.finishing = results is not None
        self.total = len(results.runs) if grid is None else grid.total
        self.done = self.total if grid is None else 0
        if results is not None:
            self.finished.set()


class Job:
    """One visitor's handle on a comparison, maybe shared with visitors who asked for the same one.
    Dropping the last reference (a session that ended) releases it like ``cancel``."""

    def __init__(self, pool, training, owner=None):
        self._pool, self._training, self._token = pool, training, object()
        self.owner = owner or Owner()
        self._results = None  # this visitor's copy, or what finished before they stopped a shared training
        self._cancelled = False
        self.started, self._ended = time.monotonic(), None
        self.from_cache = training.finished.is_set()  # trained before, for this visitor or another
        if not self.from_cache:
            training.subscribers[self._token] = self.owner
            weakref.finalize(self, pool._released.append, (training, self._token))

    @property
    def specs(self):
        """The comparison's checked specs, their data options written out (``specs.comparison_key``)."""
        return self._training.key[0]

    @property
    def total(self):
        return self._training.total

    @property
    def configurations(self):
        """How many configurations (runs apart from their seed): one boundary panel each."""
        return len({spec.config() for spec in self.specs})

    @property
    def status(self):
        """"queued", "running", "done", "cancelled" or "failed"; "cancelled" as soon as Stop is pressed
        (``result`` then waits for the runs in training to end, within an epoch)."""
        return "cancelled" if self._cancelled else self._training.status

    @property
    def cancelled(self):
        return self._cancelled

    @property
    def blas_threads(self):
        """BLAS threads seen inside this comparison's training (1 in the pool's workers)."""
        return self._training.blas_threads

    def ready(self):
        ready = self._results is not None or self._training.finished.is_set()
        if ready and self._ended is None:
            self._ended = time.monotonic()
        return ready

    def elapsed(self):
        """Seconds since this visitor asked, until the results were first seen ready."""
        return (self._ended or time.monotonic()) - self.started

    def queue_position(self):
        """1 + the comparisons ahead of this one that still wait for a worker; 0 once it trains."""
        return 0 if self._cancelled else self._pool._queue_position(self._training)

    def progress(self):
        """A Progress: status, runs done of total, the last finished spec, queue position, live metrics."""
        return self._pool._progress(self._training, self.status)

    def fraction(self, progress):
        """How far the training is, counting the epochs of the runs in training: a bar moves every poll."""
        learning = sum(live["epoch"] / self.specs[index].epochs for index, live in progress.live.items())
        return min(1.0, (progress.done + learning) / max(1, progress.total))

    def curves(self):
        """Every epoch's metrics so far of the runs in training: {run index: {"epoch": array, metric: array}},
        the metrics named as in the results' history ("test_loss", not nn's "val_loss")."""
        with self._pool._lock:
            return {index: {"epoch": epochs, **{METRIC_NAMES[name]: values[:, column]
                                                for name, values in metrics.items()}}
                    for indices, epochs, metrics in self._training.live.values()
                    for column, index in enumerate(indices)}

    def results_so_far(self):
        """Results of every run of the comparison: those finished so far; those in training, with status
        "running" and their curves so far (no network: the workers draw them, see ``grids``); and those not started,
        with status "waiting" and no numbers. Every run is there from the start, so its label and colour
        stay the same while the comparison trains. The final Results once ready."""
        if self.ready():
            return self.result()
        with self._pool._lock:
            grid = self._training.grid
            if grid is None:  # finished between the two checks
                return self.result()
            finished = list(grid.outcomes)
            live = [(number, *self._training.live[number]) for number in self._training.live]
        from ..results import build_results
        running = [_running_outcome(grid, number, column, index, epochs, metrics)
                   for number, indices, epochs, metrics in live for column, index in enumerate(indices)]
        started = {outcome.index for outcome in finished + running}
        waiting = [_waiting_outcome(grid, index) for index in range(grid.total) if index not in started]
        return build_results(sorted(finished + running + waiting, key=lambda outcome: outcome.index),
                             grid.datasets)

    def grids(self):
        """{run index: (epoch, grid bytes)}: the newest boundary grid of every drawn run that has trained in a
        worker (``grids.probability_grid`` over ``grids.dataset_plane`` of its data), as the worker sent it."""
        with self._pool._lock:
            return dict(self._training.grids)

    def eta_seconds(self):
        """Seconds until this comparison's results are ready, counting the comparisons ahead of it."""
        return 0.0 if self.ready() or self._cancelled else self._pool._finish_times().get(self._training, 0.0)

    def cancel(self):
        """Stop: this visitor no longer waits. The training stops only if nobody else wants it."""
        self._pool._unsubscribe(self._training, self._token, self)

    def result(self, timeout=None):
        """The Results (of the runs that finished, if stopped); TimeoutError if not ready in time,
        RuntimeError if the training failed."""
        if self._results is None:
            if not self._training.finished.wait(timeout):
                raise TimeoutError(f"the comparison is not trained yet ({self.status}).")
            if self._training.status == "failed":
                raise RuntimeError(f"the comparison could not be trained: {self._training.error}")
            self._results = own_copy(self._training.results)
        self.ready()
        return self._results


def _running_outcome(grid, number, column, index, epochs, metrics):
    """A RunOutcome for run ``index`` (column ``column`` of its group's live arrays) in training."""
    import numpy as np

    import nn
    from ..runner import RunOutcome
    from ..specs import layers_as_run
    spec = grid.specs[index]
    data = grid.datasets[grid.groups[number][0]]
    layers = layers_as_run(spec, data.n_features, data.n_classes)
    # a network that diverged is carried along by its group with NaN metrics (nn's on_epoch): it ended there
    ended = np.flatnonzero(np.isnan(metrics["train_loss"][:, column]))
    trained = int(ended[0]) if len(ended) else len(epochs)
    status, message = (RUNNING, f"training: epoch {int(epochs[-1])} of {spec.epochs}") if trained == len(epochs) \
        else ("diverged", f"diverged after epoch {int(epochs[trained - 1]) if trained else 0}")
    history = nn.History(**{name: values[:trained, column].tolist() for name, values in metrics.items()},
                         status=status, message=message)
    return RunOutcome(index, spec, layers, status, history.message, 0.0, history)


def _waiting_outcome(grid, index):
    from ..runner import RunOutcome
    from ..specs import layers_as_run
    spec = grid.specs[index]
    data = grid.datasets[spec.data_key()]
    return RunOutcome(index, spec, layers_as_run(spec, data.n_features, data.n_classes), WAITING,
                      "waiting for a training worker", 0.0)


def lost_outcomes(training, number):
    """The runs of group ``number`` as errors: its worker died (killed, out of memory)."""
    from ..runner import RunOutcome
    from ..specs import layers_as_run
    data_key, members = training.grid.groups[number]
    data = training.grid.datasets[data_key]
    return [RunOutcome(index, spec, layers_as_run(spec, data.n_features, data.n_classes), "error",
                       "the training process ended unexpectedly (out of memory?); try again", 0.0)
            for index, spec in members]


def own_copy(results):
    """Results whose networks belong to this visitor alone: a network's forward pass writes into kept
    buffers, so two sessions must not share one. Tables, data and snapshots are shared, read-only, and so is
    the token: the copies hold the same numbers, so a figure drawn for one visitor serves the next."""
    from ..results import Results
    return Results(results.runs.copy(deep=False), results.history.copy(deep=False),
                   {run_id: net.copy() for run_id, net in results.networks.items()}, results.datasets,
                   results.snapshots, token=results.token)
