"""One training pool for a whole server: a queue, a few single-threaded worker processes, a result cache.

Why: a public demo serves a class of visitors from one small machine (about 1 GB, two shared cores).
Training in each page's thread makes visitors wait on one interpreter, trains identical comparisons once
per visitor, and lets multi-threaded BLAS spin on an oversubscribed machine. So here:

- at most as many worker processes as cores, each running NumPy with one BLAS thread (``threadpoolctl``);
- a comparison is a pure function of its checked specs and seeds, so identical requests share one
  training while it runs and one cached Results afterwards (``ResultCache``, bounded in entries and bytes);
  comparisons on a visitor's own data are never shared;
- the page thread only submits and polls a ``Job``; Stop reaches the worker through an Event it polls
  every epoch.

A worker trains one lockstep group (``runner.group_runs``) at a time with ``runner.train_group``, exactly
as ``run_grid`` does, so results are bit-identical whatever the workers. Each worker talks to the parent
over its own Pipe, in small tuples (the progress channel):

    ("ready", None, blas_threads)                   once, when the worker has started
    ("epochs", task, indices, epochs, metrics)      every epoch of the running group, batched at most every
                                                    PROGRESS_SECONDS: metric -> array (epochs, runs[, layers])
    ("weights", task, indices, epoch, params)       the newest flat parameters of the group's runs of the first
                                                    seed (the ones drawn), at most every WEIGHTS_SECONDS
    ("done", task, outcomes, blas_threads)          the group's RunOutcomes, BLAS threads seen while training

``Job.results_so_far()`` turns the runs in training into Results rows with status "running", so a page
draws live curves and boundaries with the same figure functions as finished ones.

This module imports NumPy and the runner only inside functions, so that a worker limits its threads
before NumPy loads. Nothing here imports Streamlit: the app holds one TrainingPool with
``st.cache_resource``.
"""
import heapq
import itertools
import multiprocessing
import os
import sys
import threading
import time
import types
import weakref
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field

PROGRESS_SECONDS = 0.1  # live metrics reach the page about 10 times a second; charts redraw 2-5 times
WEIGHTS_SECONDS = 0.25  # live weights, for boundaries that redraw 2-4 times a second
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
STATUSES = ("queued", "running", "done", "cancelled", "failed")
RUNNING, WAITING = "running", "waiting"  # statuses of runs in training and not started, in results_so_far()


class PoolBusy(ValueError):
    """Too many comparisons are waiting; the message asks the visitor to try again shortly."""


def one_blas_thread():
    """Limit BLAS and OpenMP in this process to one thread (a threadpoolctl limiter, also a context manager)."""
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=1)


def blas_threads():
    """The most threads any BLAS or OpenMP library loaded in this process would use."""
    from threadpoolctl import threadpool_info
    return max((library["num_threads"] for library in threadpool_info()), default=1)


def results_nbytes(results):
    """About how many bytes a Results holds: its tables, each network's parameters and gradient buffer,
    the weight snapshots, and each distinct data array once."""
    total = int(results.runs.memory_usage(deep=True).sum() + results.history.memory_usage(deep=True).sum())
    total += sum(net.flat_params.nbytes + net.flat_grads.nbytes for net in results.networks.values())
    total += sum(params.nbytes for saved in results.snapshots.values() for _, params in saved)
    arrays = {id(a): a for d in results.datasets.values() for a in (d.X_train, d.y_train, d.X_test, d.y_test)}
    return total + sum(array.nbytes for array in arrays.values())


class ResultCache:
    """Finished comparisons by key, the least recently used evicted first, so that both the number of
    entries and their estimated bytes (``results_nbytes``) stay within bounds. Pinned entries (the classic
    comparison, trained at start-up) are never evicted but count towards the bytes."""

    def __init__(self, max_entries=32, max_bytes=64e6):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries, self._pinned, self.nbytes = OrderedDict(), set(), 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key][0]

    def put(self, key, results, pinned=False):
        """Keep ``results``; False if it alone is over ``max_bytes`` (then it is not kept)."""
        size = results_nbytes(results)
        if size > self.max_bytes:
            return False
        with self._lock:
            self.nbytes -= self._entries.pop(key, (None, 0))[1]
            self._entries[key] = (results, size)
            self.nbytes += size
            if pinned:
                self._pinned.add(key)
            for old in [k for k in self._entries if k not in self._pinned]:
                if len(self._entries) <= self.max_entries and self.nbytes <= self.max_bytes:
                    break
                self.nbytes -= self._entries.pop(old)[1]
            return key in self._entries

    def pin(self, key):
        with self._lock:
            if key in self._entries:
                self._pinned.add(key)

    def __len__(self):
        return len(self._entries)

    def __contains__(self, key):
        return key in self._entries


@dataclass(frozen=True)
class Progress:
    """What a page shows while a comparison trains. ``live`` maps the run index of each run in training
    to its newest epoch's metrics ({"epoch", "train_loss", "train_acc", "val_loss", "val_acc", ...})."""

    status: str
    done: int
    total: int
    last_spec: object
    queue_position: int
    live: dict = field(default_factory=dict)


class _Training:
    """One comparison and everyone who asked for it. ``grid`` is a runner.GridTraining (checked specs,
    their data, lockstep groups, the outcomes that came back) until the Results are built."""

    def __init__(self, key, grid=None, results=None):
        self.key, self.grid, self.results = key, grid, results
        self.status = "queued" if results is None else "done"
        self.pending = [] if grid is None else list(range(len(grid.groups)))  # groups not yet sent
        self.running = {}  # group number -> the worker training it
        self.live = {}  # group number -> (run indices, epochs array, {metric: array (epochs, runs, ...)})
        self.weights = {}  # group number -> (run indices, epoch, newest flat parameters (runs, parameters))
        self.subscribers, self.last_spec, self.blas_threads, self.error = set(), None, None, None
        self.estimates = [] if grid is None else _group_estimates(grid.groups, grid.datasets)
        self.finished = threading.Event()
        self.finishing = results is not None
        self.total = len(results.runs) if grid is None else grid.total
        self.done = self.total if grid is None else 0
        if results is not None:
            self.finished.set()


def comparison_key(specs):
    """What identifies a comparison in the pool, whatever way its specs write the default data options."""
    return tuple(_canonical(spec) for spec in specs)


def _canonical(spec):
    """``spec`` with its built-in dataset's default options written out: "lines" and "lines with its default
    300 samples" are one comparison, so they share one training and one cache entry."""
    from dataclasses import replace

    from .datasets import DATASETS
    info = DATASETS.get(spec.dataset)
    if info is None:
        return spec
    return replace(spec, n_samples=info.n_samples if spec.n_samples is None else spec.n_samples,
                   noise=info.noise if spec.noise is None else spec.noise,
                   test_fraction=info.test_fraction if spec.test_fraction is None else spec.test_fraction)


def _group_estimates(groups, datasets):
    """Seconds each lockstep group is expected to train, on a quiet machine."""
    from .limits import estimate_seconds
    return [estimate_seconds([spec for _, spec in members], datasets) for _, members in groups]


def _checked(specs, catalog):
    """(checked specs, their canonical form): each spec through check_spec, then _canonical; a ``specs``
    that is not a non-empty list gets GridTraining's ValueError."""
    from .runner import GridTraining
    from .specs import check_spec
    if not isinstance(specs, (list, tuple)) or not specs:
        GridTraining(specs, catalog)  # raises its ValueError
    checked = [check_spec(spec, catalog) for spec in specs]
    return checked, tuple(_canonical(spec) for spec in checked)


class Job:
    """One visitor's handle on a comparison, maybe shared with visitors who asked for the same one.
    Dropping the last reference (a session that ended) releases it like ``cancel``."""

    def __init__(self, pool, training):
        self._pool, self._training, self._token = pool, training, object()
        self._results = None  # this visitor's copy, or what finished before they stopped a shared training
        self._cancelled = False
        if not training.finished.is_set():
            training.subscribers.add(self._token)
            weakref.finalize(self, pool._released.append, (training, self._token))

    @property
    def status(self):
        """One of STATUSES; "cancelled" as soon as Stop is pressed (``result`` then waits for the runs
        in training to end, within an epoch)."""
        return "cancelled" if self._cancelled else self._training.status

    @property
    def blas_threads(self):
        """BLAS threads seen inside this comparison's training (1 in the pool's workers)."""
        return self._training.blas_threads

    def ready(self):
        return self._results is not None or self._training.finished.is_set()

    def queue_position(self):
        """1 + the comparisons ahead of this one that still wait for a worker; 0 once it trains."""
        return 0 if self._cancelled else self._pool._queue_position(self._training)

    def progress(self):
        """A Progress: status, runs done of total, the last finished spec, queue position, live metrics."""
        return self._pool._progress(self._training, self.status)

    def curves(self):
        """Every epoch's metrics so far of the runs in training: {run index: {"epoch": array, metric: array}}."""
        with self._pool._lock:
            return {index: {"epoch": epochs, **{name: values[:, column] for name, values in metrics.items()}}
                    for indices, epochs, metrics in self._training.live.values()
                    for column, index in enumerate(indices)}

    def results_so_far(self):
        """Results of every run of the comparison: those finished so far; those in training, with status
        "running", their curves so far and, for the first seed, their newest weights; and those not started,
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
            weights = dict(self._training.weights)
        from .runner import build_results
        running = [_running_outcome(grid, number, column, index, epochs, metrics, weights.get(number))
                   for number, indices, epochs, metrics in live for column, index in enumerate(indices)]
        started = {outcome.index for outcome in finished + running}
        waiting = [_waiting_outcome(grid, index) for index in range(grid.total) if index not in started]
        return build_results(sorted(finished + running + waiting, key=lambda outcome: outcome.index),
                             grid.datasets)

    def eta_seconds(self):
        """Seconds until this comparison's results are ready, counting the comparisons ahead of it."""
        return 0.0 if self.ready() or self._cancelled else self._pool._finish_times().get(self._training, 0.0)

    def cancel(self):
        """Stop: this visitor no longer waits. The training stops only if nobody else wants it."""
        self._pool._unsubscribe(self._training, self._token, self)

    release = cancel  # for a session that ended

    def result(self, timeout=None):
        """The Results (of the runs that finished, if stopped); TimeoutError if not ready in time."""
        if self._results is None:
            if not self._training.finished.wait(timeout):
                raise TimeoutError(f"the comparison is not trained yet ({self.status}).")
            if self._training.status == "failed":
                raise RuntimeError(f"the comparison could not be trained: {self._training.error}")
            self._results = _own_copy(self._training.results)
        return self._results


def _running_outcome(grid, number, column, index, epochs, metrics, weights):
    """A RunOutcome for run ``index`` (column ``column`` of its group's live arrays) in training."""
    import numpy as np

    import nn
    from .runner import RunOutcome
    from .specs import layers_as_run, make_network
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
    network = None
    if weights is not None and index in weights[0]:
        network = make_network(spec, layers)
        network.flat_params[...] = weights[2][weights[0].index(index)]
    return RunOutcome(index, spec, layers, status, history.message, 0.0, history, network)


def _waiting_outcome(grid, index):
    from .runner import RunOutcome
    from .specs import layers_as_run
    spec = grid.specs[index]
    data = grid.datasets[spec.data_key()]
    return RunOutcome(index, spec, layers_as_run(spec, data.n_features, data.n_classes), WAITING,
                      "waiting for a training worker", 0.0)


def _own_copy(results):
    """Results whose networks belong to this visitor alone: a network's forward pass writes into kept
    buffers, so two sessions must not share one. Tables, data and snapshots are shared, read-only, and so is
    the token: the copies hold the same numbers, so a figure drawn for one visitor serves the next."""
    from .results import Results
    return Results(results.runs.copy(deep=False), results.history.copy(deep=False),
                   {run_id: net.copy() for run_id, net in results.networks.items()}, results.datasets,
                   results.snapshots, token=results.token)


@dataclass
class _Worker:
    process: object
    conn: object
    stop: object  # an Event the training polls every epoch
    task: tuple | None = None  # (training, group number)
    started: float = 0.0
    ready: bool = False


class TrainingPool:
    """Trains comparisons for every visitor of a server in at most ``workers`` processes (at most the number
    of cores). At most ``max_jobs`` comparisons wait or train at once (else ``PoolBusy``); finished ones go
    to ``cache``. Workers start on first use (or ``start()``) and are reused."""

    def __init__(self, workers=None, cache=None, max_jobs=32):
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        self.workers = max(1, min(workers or cores, cores))
        self.cache = ResultCache() if cache is None else cache
        self.max_jobs = max_jobs
        self.stats = Counter()  # submitted, trained, shared, cached, cancelled
        self._context = multiprocessing.get_context("spawn")  # never fork a server that runs threads
        self._lock = threading.RLock()
        self._queue = {}  # key -> _Training not yet finished, oldest first
        self._workers, self._released, self._pinned = [], deque(), set()
        self._ids = itertools.count()
        self._speed, self._start_seconds = 1.0, 1.0  # measured / estimated seconds; a worker's start-up
        self._reader, self._closed, self._failed_starts = None, False, 0

    # ----- what a page calls -----
    def submit(self, specs, catalog=None, snapshots=20):
        """A Job training ``specs`` (as for run_grid); shared with an identical comparison in the queue,
        or done at once if one is in the cache. ValueError for bad specs, PoolBusy when the queue is full."""
        from nn.validation import check_int
        from .datasets import as_catalog
        from .runner import GridTraining
        catalog = as_catalog(catalog)
        snapshots = check_int("snapshots", snapshots, minimum=0, maximum=1000)
        _, checked = _checked(specs, catalog)
        private = any(spec.dataset in catalog.own for spec in checked)  # a visitor's upload is never shared
        key = (checked, snapshots, ("private", next(self._ids)) if private else ())
        with self._lock:
            self.stats["submitted"] += 1
            job = self._existing(key)
        if job is not None:
            return job
        grid = GridTraining(checked, catalog, snapshots)  # loads the data, outside the lock
        with self._lock:
            job = self._existing(key)  # the same comparison may have come in meanwhile
            if job is None:
                training = self._queue[key] = _Training(key, grid)
                job = Job(self, training)
                self.stats["trained"] += 1
                self._start_reader()
                self._dispatch()
            return job

    def _existing(self, key):
        """A Job on the cached or queued comparison ``key``; None if there is none; PoolBusy if full."""
        if self._closed:
            raise RuntimeError("the training pool has been shut down.")
        cached = self.cache.get(key)
        if cached is not None:
            self.stats["cached"] += 1
            return Job(self, _Training(key, results=cached))
        if key in self._queue:
            self.stats["shared"] += 1
            return Job(self, self._queue[key])
        if len(self._queue) >= self.max_jobs:
            raise PoolBusy(f"the server is busy: {len(self._queue)} comparisons are waiting or training. "
                           "Try again in a minute.")
        return None

    def preload(self, specs, catalog=None, snapshots=20):
        """Submit a comparison that stays in the cache for good (the classic one, at start-up)."""
        job = self.submit(specs, catalog, snapshots)
        with self._lock:
            self._pinned.add(job._training.key)
            self.cache.pin(job._training.key)
        return job

    def estimate_wait_seconds(self, specs, catalog=None, snapshots=20, datasets=None):
        """Seconds from a Run pressed now until the results, counting the queue ahead (0 if cached).
        ``datasets`` (from ``specs.load_grid_data``), if the caller has them, saves loading them again."""
        from .datasets import as_catalog
        from .runner import GridTraining, group_runs
        catalog = as_catalog(catalog)
        checked, specs = _checked(specs, catalog)
        if datasets is not None and all(spec.data_key() in datasets for spec in checked):
            datasets = {spec.data_key(): datasets[old.data_key()] for spec, old in zip(specs, checked)}
        else:
            datasets = GridTraining(specs, catalog, snapshots).datasets
        private = any(spec.dataset in catalog.own for spec in specs)
        key = (specs, snapshots, ())
        with self._lock:
            if not private and key in self.cache:
                return 0.0
            if not private and key in self._queue:
                return self._finish_times()[self._queue[key]]
            return self._finish_times(_group_estimates(group_runs(specs, datasets), datasets))[None]

    def start(self, timeout=60.0):
        """Start every worker now rather than on first use, and wait until they can train."""
        with self._lock:
            while len(self._workers) < self.workers:
                self._start_worker()
            self._start_reader()
        deadline = time.monotonic() + timeout
        while not all(worker.ready for worker in self._workers) and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def shutdown(self, timeout=2.0):
        """Stop every training, end the workers and the reader thread."""
        with self._lock:
            self._closed = True
            for training in self._queue.values():
                training.pending.clear()
                training.status = "cancelled"
            for worker in self._workers:
                worker.stop.set()
        deadline = time.monotonic() + timeout
        while any(w.task for w in self._workers) and time.monotonic() < deadline:
            time.sleep(0.02)  # the reader collects the stopped groups
        with self._lock:
            for worker in self._workers:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        if self._reader is not None:
            self._reader.join(timeout)
        for worker in self._workers:
            worker.process.join(max(0.1, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.terminate()
        for training in [t for t in list(self._queue.values()) if not t.finishing]:
            training.finishing = True
            self._finish(training)
        self._workers = []

    # ----- scheduling, in the parent -----
    def _start_worker(self):
        parent, child = self._context.Pipe()
        stop = self._context.Event()
        process = self._context.Process(target=_worker_main, args=(child, stop), daemon=True,
                                        name="nn-lab-training")
        main = sys.modules.get("__main__")
        # a spawned child re-imports the parent's __main__; under Streamlit that is the app script, which
        # would run the whole page in every worker: start it with a bare one
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            process.start()
        finally:
            sys.modules["__main__"] = main
        child.close()
        worker = _Worker(process, parent, stop, started=time.monotonic())
        self._workers.append(worker)
        return worker

    def _start_reader(self):
        if self._reader is None:
            self._reader = threading.Thread(target=self._read, name="nn-lab-pool", daemon=True)
            self._reader.start()

    def _dispatch(self):
        """Send waiting groups, oldest comparison first, to idle workers; start workers up to the limit
        (a group goes to a worker once it is ready, so that sending never waits on a worker's start-up)."""
        waiting = sum(len(training.pending) for training in self._queue.values())
        while len(self._workers) < min(self.workers, waiting + sum(w.task is not None for w in self._workers)):
            self._start_worker()
        idle = [worker for worker in self._workers if worker.task is None and worker.ready]
        for training in self._queue.values():
            while training.pending:
                if not idle:
                    return
                worker, number = idle.pop(0), training.pending.pop(0)
                data_key, members = training.grid.groups[number]
                seeds = {min(spec.seed for spec in training.grid.specs)} if training.grid.snapshots else set()
                worker.stop.clear()
                worker.task, worker.started = (training, number), time.monotonic()
                training.running[number], training.status = worker, "running"
                try:
                    worker.conn.send(((id(training), number), training.grid.datasets[data_key], members,
                                      training.grid.snapshots, seeds))
                except OSError:  # the worker died: the reader records the group as lost
                    pass

    def _read(self):
        """The reader thread: receive the workers' messages, release what sessions dropped, dispatch."""
        from multiprocessing.connection import wait
        while not self._closed or any(w.task for w in self._workers):
            with self._lock:
                workers = {worker.conn: worker for worker in self._workers}
            if not workers:
                time.sleep(0.1)
            messages = []
            for conn in wait(list(workers), timeout=0.1) if workers else []:
                try:
                    messages.append((workers[conn], conn.recv()))
                except (EOFError, OSError):
                    messages.append((workers[conn], None))
            finished = []
            with self._lock:
                for worker, message in messages:
                    try:
                        self._handle(worker, message, finished)
                    except Exception as error:  # noqa: BLE001 - the reader serves every visitor: it must go on
                        self.stats["errors"] += 1
                        self._recover(worker, message, f"{type(error).__name__}: {error}", finished)
                while self._released:
                    self._unsubscribe(*self._released.popleft(), finished=finished)
                if not self._closed:
                    self._dispatch()
            for training in finished:
                self._finish(training)

    def _handle(self, worker, message, finished):
        if message is None:  # the worker died (killed, out of memory): its runs are recorded as errors
            self._workers.remove(worker)
            worker.process.join(0.1)
            if not worker.ready:
                self._failed_starts += 1
                if self._failed_starts >= 3:  # workers cannot start here: fail rather than retry forever
                    self._fail_all(f"training workers cannot start (exit code {worker.process.exitcode})",
                                   finished)
            if worker.task is None:
                return
            message = ("done", None, _lost_outcomes(*worker.task), None)
        if message[0] == "ready":
            worker.ready, self._start_seconds = True, time.monotonic() - worker.started
            self._failed_starts = 0
            return
        training, number = worker.task
        if message[0] == "epochs":
            _, _, indices, epochs, metrics = message
            if number in training.live and training.live[number][0] == indices:  # else a retry, run by run
                old = training.live[number]
                epochs = _concatenate(old[1], epochs)
                metrics = {name: _concatenate(old[2][name], values) for name, values in metrics.items()}
            training.live[number] = (indices, epochs, metrics)
        elif message[0] == "weights":
            training.weights[number] = message[2:]
        elif message[0] == "done":
            _, _, outcomes, threads = message
            seconds = time.monotonic() - worker.started  # as the visitor waits: training and transfer
            worker.task = None
            del training.running[number]
            training.live.pop(number, None)
            training.weights.pop(number, None)
            training.grid.outcomes.extend(outcomes)
            training.done += len(outcomes)
            training.last_spec = outcomes[-1].spec if outcomes else training.last_spec
            training.blas_threads = max(training.blas_threads or 0, threads or 0) or None
            if training.estimates[number] > 0 and all(o.status == "ok" for o in outcomes):
                ratio = seconds / training.estimates[number]
                self._speed = min(20.0, max(0.2, 0.5 * self._speed + 0.5 * ratio))
            if not training.pending and not training.running and not training.finishing:
                training.finishing = True
                finished.append(training)

    def _recover(self, worker, message, error, finished):
        """A message could not be handled. Live curves or weights: dropped (the results still come). A
        finished group: its comparison fails with the error, and the worker is free again."""
        if worker.task is None:
            return
        training, number = worker.task
        if message is not None and message[0] in ("epochs", "weights"):
            training.live.pop(number, None)
            training.weights.pop(number, None)
            return
        worker.task = None
        training.running.pop(number, None)
        training.pending.clear()
        training.error = training.error or f"the training pool lost track of this comparison ({error})"
        if not training.running and not training.finishing:
            training.finishing = True
            finished.append(training)

    def _fail_all(self, error, finished):
        for training in self._queue.values():
            training.pending.clear()
            if not training.running and not training.finishing:
                training.error, training.finishing = error, True
                finished.append(training)

    def _unsubscribe(self, training, token, job=None, finished=None):
        """Drop a subscriber; with none left (and not pinned) stop the training: waiting groups are
        dropped, running ones stop at their next epoch."""
        finish = []
        with self._lock:
            if token not in training.subscribers:
                return
            training.subscribers.discard(token)
            if training.finished.is_set():
                return
            if job is not None:
                job._cancelled = True
            if training.subscribers or training.key in self._pinned:
                if job is not None:  # a visitor who stops a shared training keeps what finished so far
                    job._results = _own_copy(training.grid.results_so_far())
                return
            self.stats["cancelled"] += 1
            training.status = "cancelled"
            training.pending.clear()
            # out of the queue now: a Run of the same comparison while its groups stop trains it afresh
            if self._queue.get(training.key) is training:
                del self._queue[training.key]
            for worker in training.running.values():
                worker.stop.set()
            if not training.running and not training.finishing:
                training.finishing = True
                finish.append(training)
        if finished is not None:
            finished.extend(finish)
        else:
            for item in finish:
                self._finish(item)

    def _finish(self, training):
        """Build the Results (outside the lock), cache them if complete and shareable, wake the waiters."""
        try:
            results, error = training.grid.results_so_far(), training.error
        except Exception as exc:  # noqa: BLE001 - reported to every subscriber by Job.result
            results, error = None, f"{type(exc).__name__}: {exc}"
        with self._lock:
            if self._queue.get(training.key) is training:
                del self._queue[training.key]
            training.results, training.error, training.grid = results, error, None
            if error is not None:
                training.status = "failed"
            elif training.status != "cancelled":
                training.status = "done"
                complete = not (results.runs["status"] == "error").any()
                if complete and not training.key[2]:
                    self.cache.put(training.key, results, pinned=training.key in self._pinned)
            training.finished.set()

    def _queue_position(self, training):
        """1 + the comparisons ahead that still wait for a worker; 0 once this one trains (or is done)."""
        with self._lock:
            if training.status != "queued" or training.key not in self._queue:
                return 0
            ahead = itertools.takewhile(lambda other: other is not training, self._queue.values())
            return 1 + sum(1 for other in ahead if other.pending)

    def _progress(self, training, status):
        with self._lock:
            live = {index: {"epoch": int(epochs[-1]), **{name: values[-1, column] for name, values in
                                                         metrics.items()}}
                    for indices, epochs, metrics in training.live.values() for column, index in enumerate(indices)}
            position = self._queue_position(training) if status != "cancelled" else 0
            return Progress(status, training.done, training.total, training.last_spec, position, live)

    def _finish_times(self, extra=None):
        """Seconds from now until each unfinished comparison ends (and ``extra``, the group estimates of
        one more, under the key None): the queue scheduled oldest first, each group to the worker free
        first, estimates scaled by how fast groups really ran here (``_speed``)."""
        with self._lock:
            now, speed = time.monotonic(), self._speed

            def remaining(worker):  # until the worker is free: its group's estimate, or its start-up
                if worker.task is None:
                    return 0.0 if worker.ready else max(self._start_seconds - (now - worker.started), 0.0)
                training, number = worker.task
                return max(training.estimates[number] * speed - (now - worker.started), 0.0)

            free = [remaining(worker) for worker in self._workers]
            free += [self._start_seconds] * (self.workers - len(self._workers))  # not started yet
            heapq.heapify(free)
            queue = [(t, [t.estimates[n] for n in t.pending], t.running.values()) for t in self._queue.values()]
            ends = {}
            for training, estimates, workers in queue + ([(None, extra, [])] if extra is not None else []):
                end = max(map(remaining, workers), default=0.0)
                for estimate in estimates:
                    start = heapq.heappop(free)
                    end = max(end, start + estimate * speed)
                    heapq.heappush(free, start + estimate * speed)
                ends[training] = end
            return ends


def _concatenate(old, new):
    import numpy as np
    return np.concatenate([old, new])


def _lost_outcomes(training, number):
    from .runner import RunOutcome
    from .specs import layers_as_run
    data_key, members = training.grid.groups[number]
    data = training.grid.datasets[data_key]
    return [RunOutcome(index, spec, layers_as_run(spec, data.n_features, data.n_classes), "error",
                       "the training process ended unexpectedly (out of memory?); try again", 0.0)
            for index, spec in members]


# ----- in the worker process -----
def _worker_main(conn, stop):
    """Train the groups the parent sends, one at a time, with one BLAS thread, until told to end."""
    for variable in THREAD_VARIABLES:  # before NumPy loads here (the parent's may be set otherwise)
        os.environ[variable] = "1"
    one_blas_thread()  # stays in force for the life of the process
    from .runner import train_group
    conn.send(("ready", None, blas_threads()))
    while True:
        try:
            task = conn.recv()
        except EOFError:  # the parent ended
            return
        if task is None:
            return
        task_id, data, members, snapshots, snapshot_seeds = task
        reporter = _Reporter(conn, task_id, {index for index, spec in members if spec.seed in snapshot_seeds})
        outcomes = train_group(data, members, stop.is_set, snapshots, snapshot_seeds, on_epoch=reporter,
                               on_weights=reporter.weights)
        reporter.flush()
        conn.send(("done", task_id, outcomes, reporter.threads))


class _Reporter:
    """The worker's on_epoch hook: forwards every epoch's metrics, batched to one message per PROGRESS_SECONDS."""

    def __init__(self, conn, task_id, drawn=()):
        self.conn, self.task_id, self.indices, self.rows = conn, task_id, None, []
        self.sent, self.threads = time.monotonic(), None
        self.drawn, self.weights_sent = drawn, 0.0  # the runs whose weights are sent: the first seed's

    def __call__(self, indices, epoch, metrics):
        import numpy as np
        if self.threads is None:
            self.threads = blas_threads()  # measured inside the training, where it matters
        if indices != self.indices:
            self.flush()
            self.indices = list(indices)
        self.rows.append((epoch, {name: np.array(value) for name, value in metrics.items()}))
        if time.monotonic() - self.sent >= PROGRESS_SECONDS:
            self.flush()

    def weights(self, indices, epoch, params):
        """The on_weights hook: the drawn runs' newest parameters, at most every WEIGHTS_SECONDS."""
        if not self.drawn or time.monotonic() - self.weights_sent < WEIGHTS_SECONDS:
            return
        self.flush()  # the curves reach the page no later than the weights
        rows = [row for row, index in enumerate(indices) if index in self.drawn]
        if rows:
            self.conn.send(("weights", self.task_id, [indices[row] for row in rows], epoch, params[rows]))
        self.weights_sent = time.monotonic()

    def flush(self):
        import numpy as np
        if self.rows:
            metrics = {name: np.stack([row[name] for _, row in self.rows]) for name in self.rows[0][1]}
            self.conn.send(("epochs", self.task_id, self.indices, np.array([e for e, _ in self.rows]), metrics))
        self.rows, self.sent = [], time.monotonic()
