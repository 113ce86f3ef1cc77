"""The pool itself: one queue of comparisons for the whole server, dispatched group by group to at most
one worker process per core, a reader thread that follows the workers, and the cache of finished ones."""
import atexit
import itertools
import multiprocessing
import os
import threading
import time
import weakref
from collections import Counter, deque

from ..results import METRIC_NAMES
from .cache import ResultCache
from .job import Job, Progress, Training, own_copy
from .reader import Reader
from .stored import StoreLink
from .timing import Speed, finish_times, group_estimates, group_remaining
from .worker import start_worker


class PoolBusy(ValueError):
    """Too many comparisons are waiting, on the server or from one client; the message says what to do."""


def _checked(specs, catalog):
    """(checked specs, their canonical form): each spec through check_spec, then canonical_spec; a ``specs``
    that is not a non-empty list gets GridTraining's ValueError."""
    from ..runner import GridTraining
    from ..specs import canonical_spec, check_spec
    if not isinstance(specs, (list, tuple)) or not specs:
        GridTraining(specs, catalog)  # raises its ValueError
    checked = [check_spec(spec, catalog) for spec in specs]
    return checked, tuple(canonical_spec(spec) for spec in checked)


class TrainingPool(Reader):
    """Trains comparisons for every visitor of a server in at most ``workers`` processes (at most the number
    of cores). A comparison in ``store`` (an experiments.store.ResultStore, optional) is read from it rather
    than trained, and one trained is written there. At most ``max_jobs`` comparisons wait or train at once, and
    at most ``max_per_client`` of them
    for one client address (else ``PoolBusy``); a session has one at a time (its new one replaces the old).
    A comparison whose visitors have all gone (``job.Owner.alive``) is dropped within a few seconds, before
    its groups reach a worker or at its running groups' next epoch. Finished ones go to ``cache``. Workers
    start on first use (or ``start()``) and are reused."""

    def __init__(self, workers=None, cache=None, max_jobs=32, max_per_client=8, store=None):
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        self.workers = max(1, min(workers or cores, cores))
        self.cache = ResultCache() if cache is None else cache
        self.stored = None if store is None else StoreLink(store)
        self.max_jobs, self.max_per_client = max_jobs, max_per_client
        self.stats = Counter()  # submitted, trained, shared, cached, cancelled
        self._context = multiprocessing.get_context("spawn")  # never fork a server that runs threads
        self._lock = threading.RLock()
        self._queue = {}  # key -> Training not yet finished, oldest first
        self._workers, self._released, self._pinned = [], deque(), set()
        self._ids = itertools.count()
        self._speed, self._start_seconds = Speed(), 1.0  # measured / estimated seconds; a worker's start-up
        self._reader, self._closed, self._failed_starts, self._owners_checked = None, False, 0, 0.0
        self._trimmed = time.monotonic()
        # at exit, end the workers before multiprocessing does: one still starting would find its stop
        # Event's semaphore gone and print a traceback
        atexit.register(_shutdown_at_exit, weakref.ref(self))

    # ----- what a page calls -----
    def submit(self, specs, catalog=None, snapshots=20, owner=None, settings=None):
        """A Job training ``specs`` (as for run_grid); shared with an identical comparison in the queue,
        or done at once if one is in the cache or the store. ``owner`` (a ``job.Owner``) is who asks;
        ``settings`` (JSON data) is kept with the results in the store. ValueError for bad specs, PoolBusy when
        the queue, or this client's share of it, is full."""
        from nn.validation import check_int
        from ..datasets import as_catalog
        from ..runner import GridTraining
        catalog = as_catalog(catalog)
        snapshots = check_int("snapshots", snapshots, minimum=0, maximum=1000)
        _, checked = _checked(specs, catalog)
        private = any(spec.dataset in catalog.own for spec in checked)  # a visitor's upload is never shared
        key = (checked, snapshots, ("private", next(self._ids)) if private else ())
        with self._lock:
            self.stats["submitted"] += 1
            self._replace_session_work(owner, key)
            job = self._existing(key, owner)
        if job is not None:
            return job
        stored = None if self.stored is None or private else self.stored.get(key, catalog)  # outside the lock
        if stored is not None:
            with self._lock:
                self.stats["stored"] += 1
                self.cache.put(key, stored)
                return Job(self, Training(key, results=stored), owner)
        with self._lock:
            self._admit(owner)  # a full queue refuses before any data is loaded
        grid = GridTraining(checked, catalog, snapshots)  # loads the data, outside the lock
        with self._lock:
            job = self._existing(key, owner)  # the same comparison may have come in meanwhile
            if job is None:
                self._admit(owner)
                training = self._queue[key] = Training(key, grid, settings=settings)
                job = Job(self, training, owner)
                self.stats["trained"] += 1
                self._start_reader()
                self._dispatch()
            return job

    def find(self, specs, catalog=None, snapshots=20, owner=None):
        """A ready Job on the comparison of ``specs`` if it was trained before (in the memory cache or the
        store); None if not. Never trains: what a results link opens."""
        from ..datasets import as_catalog
        catalog = as_catalog(catalog)
        _, checked = _checked(specs, catalog)
        if any(spec.dataset in catalog.own for spec in checked):
            return None
        key = (checked, snapshots, ())
        with self._lock:
            cached = self.cache.get(key)
            if cached is not None:
                return Job(self, Training(key, results=cached), owner)
        stored = None if self.stored is None else self.stored.get(key, catalog)
        if stored is None:
            return None
        with self._lock:
            self.stats["stored"] += 1
            self.cache.put(key, stored)
            return Job(self, Training(key, results=stored), owner)

    def _existing(self, key, owner=None):
        """A Job on the cached or queued comparison ``key``; None if there is none."""
        if self._closed:
            raise RuntimeError("the training pool has been shut down.")
        cached = self.cache.get(key)
        if cached is not None:
            self.stats["cached"] += 1
            return Job(self, Training(key, results=cached), owner)
        if key in self._queue:
            self.stats["shared"] += 1
            return Job(self, self._queue[key], owner)
        return None

    def _admit(self, owner):
        """None if one more comparison may wait in the queue for ``owner``; else PoolBusy saying why."""
        if len(self._queue) >= self.max_jobs:
            raise PoolBusy(f"the server is busy: {len(self._queue)} comparisons are waiting or training. "
                           "Try again in a minute.")
        client = owner.client if owner is not None else None
        if client is not None:
            mine = sum(1 for training in self._queue.values()
                       if any(other.client == client for other in training.subscribers.values()))
            if mine >= self.max_per_client:
                self.stats["refused per client"] += 1
                raise PoolBusy(f"{mine} comparisons from your address are already waiting or training on this "
                               "server (the most one address may have at once); wait for one to finish, or stop one.")
        return None

    def _replace_session_work(self, owner, key):
        """A session has one comparison at a time: a new one releases what it asked for before."""
        if owner is None or owner.session is None:
            return
        for training in list(self._queue.values()):
            if training.key == key:
                continue
            for token, other in list(training.subscribers.items()):
                if other.session == owner.session:
                    self._unsubscribe(training, token)

    def preload(self, specs, catalog=None, snapshots=20, settings=None):
        """Submit a comparison that stays in the cache (and the store) for good (the classic one, at start-up)."""
        job = self.submit(specs, catalog, snapshots, settings=settings)
        with self._lock:
            self._pinned.add(job._training.key)
            self.cache.pin(job._training.key)
        if self.stored is not None and job.ready():
            self.stored.pin(job._training.key)  # from the store: kept there for good too
        return job

    def estimate_wait_seconds(self, specs, catalog=None, snapshots=20, datasets=None):
        """Seconds from a Run pressed now until the results, counting the queue ahead (0 if cached).
        ``datasets`` (from ``specs.load_grid_data``), if the caller has them, saves loading them again."""
        from ..datasets import as_catalog
        from ..costs import group_runs
        from ..runner import GridTraining
        catalog = as_catalog(catalog)
        checked, key = _checked(specs, catalog)
        if datasets is None or not all(spec.data_key() in datasets for spec in checked):
            datasets = GridTraining(checked, catalog, snapshots).datasets
        private = any(spec.dataset in catalog.own for spec in key)
        return self.estimate_wait(key, snapshots, group_estimates(group_runs(checked, datasets), datasets), private)

    def estimate_wait(self, key, snapshots, estimates, private=False):
        """``estimate_wait_seconds`` for a comparison already checked: ``key`` its ``specs.comparison_key``,
        ``estimates`` its groups' seconds (``timing.group_estimates``). Cheap: a page asks on every rerun."""
        full = (tuple(key), snapshots, ())
        if not private and full not in self.cache and self.stored is not None and self.stored.contains(full):
            return 0.0  # trained before (on this server or another sharing the store): read, not trained
        with self._lock:
            if not private and full in self.cache:
                return 0.0
            if not private and full in self._queue:
                return self._finish_times()[self._queue[full]]
            return self._finish_times(estimates)[None]

    def start(self, timeout=60.0):
        """Start every worker now rather than on first use, and wait until they can train."""
        with self._lock:
            while len(self._workers) < self.workers:
                self._workers.append(start_worker(self._context))
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
    def _dispatch(self):
        """Send waiting groups, oldest comparison first, to idle workers; start workers up to the limit
        (a group goes to a worker once it is ready, so that sending never waits on a worker's start-up)."""
        waiting = sum(len(training.pending) for training in self._queue.values())
        while len(self._workers) < min(self.workers, waiting + sum(w.task is not None for w in self._workers)):
            self._workers.append(start_worker(self._context))
        idle = [worker for worker in self._workers if worker.task is None and worker.ready]
        for training in self._queue.values():
            if training.pending and idle and not self._anyone_there(training):
                continue  # everyone who asked is gone: no new group for it until they are back or released
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

    def _unsubscribe(self, training, token, job=None, finished=None):
        """Drop a subscriber; with none left (and not pinned) stop the training: waiting groups are
        dropped, running ones stop at their next epoch."""
        finish = []
        with self._lock:
            if token not in training.subscribers:
                return
            del training.subscribers[token]
            training.gone.pop(token, None)
            if training.finished.is_set():
                return
            if job is not None:
                job._cancelled = True
            if training.subscribers or training.key in self._pinned:
                if job is not None:  # a visitor who stops a shared training keeps what finished so far
                    job._results = own_copy(training.grid.results_so_far())
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
                    pinned = training.key in self._pinned
                    self.cache.put(training.key, results, pinned=pinned)
                    if self.stored is not None:
                        self.stored.put_later(training.key, results, training.settings, pinned=pinned)
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
            live = {index: {"epoch": int(epochs[-1]), **{METRIC_NAMES[name]: values[-1, column]
                                                         for name, values in metrics.items()}}
                    for indices, epochs, metrics in training.live.values() for column, index in enumerate(indices)}
            position = self._queue_position(training) if status != "cancelled" else 0
            return Progress(status, training.done, training.total, training.last_spec, position, live)

    def _finish_times(self, extra=None):
        """Seconds from now until each unfinished comparison ends (and ``extra``, the group estimates of
        one more, under the key None); see ``timing.finish_times``."""
        with self._lock:
            now, speed = time.monotonic(), self._speed.value

            def remaining(worker):  # until the worker is free: its group's time left, or its start-up
                if worker.task is None:
                    return 0.0 if worker.ready else max(self._start_seconds - (now - worker.started), 0.0)
                training, number = worker.task
                live = training.live.get(number)
                fraction = 0.0 if live is None else float(live[1][-1]) / training.epochs[number]
                return group_remaining(training.estimates[number], speed, now - worker.started, fraction)

            free = [remaining(worker) for worker in self._workers]
            free += [self._start_seconds] * (self.workers - len(self._workers))  # not started yet
            queue = [(t, [t.estimates[n] for n in t.pending], [remaining(w) for w in t.running.values()])
                     for t in self._queue.values()]
            if extra is not None:
                queue.append((None, extra, []))
            return finish_times(free, queue, speed)


def _shutdown_at_exit(reference):
    pool = reference()
    if pool is not None and not pool._closed:
        pool.shutdown(timeout=1.0)
