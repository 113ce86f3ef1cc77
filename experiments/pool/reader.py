"""The pool's reader thread: what the workers say (progress, grids, finished groups, a death) and who of
the visitors waiting has gone. A part of ``TrainingPool`` (a mixin: it works on the pool's state, under its
lock), apart so that each file reads alone."""
import threading
import time

from .job import lost_outcomes
from .memory import give_back

IDLE_TRIM_SECONDS = 15.0  # while no comparison trains, memory is given back this often (memory.give_back)
OWNER_CHECK_SECONDS = 0.5  # how often the reader asks whether the visitors waiting are still there ...
GONE_GRACE_SECONDS = 2.0  # ... and how long one may be gone (a page reconnecting) before their work is dropped


class Reader:
    """The reader thread's side of TrainingPool (see scheduler.py for the state it shares)."""

    def _start_reader(self):
        if self._reader is None:
            self._reader = threading.Thread(target=self._read, name="nn-lab-pool", daemon=True)
            self._reader.start()

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
                if time.monotonic() - self._owners_checked >= OWNER_CHECK_SECONDS:
                    self._drop_work_of_the_gone(finished)
                if not self._closed:
                    self._dispatch()
            for training in finished:
                self._finish(training)
            if not self._queue and time.monotonic() - self._trimmed >= IDLE_TRIM_SECONDS:
                self._trimmed = time.monotonic()
                give_back()  # visitors' results dropped since (sessions that ended) go back to the system

    def _drop_work_of_the_gone(self, finished):
        """Release every visitor whose page has been gone for GONE_GRACE_SECONDS (a closed tab): a comparison
        nobody waits for any more stops (``_unsubscribe``). Its groups are held back from the workers meanwhile
        (``_dispatch`` skips a comparison whose visitors are all gone)."""
        now = self._owners_checked = time.monotonic()
        for training in list(self._queue.values()):
            self._anyone_there(training)
            for token, since in list(training.gone.items()):
                if now - since >= GONE_GRACE_SECONDS:
                    self.stats["released gone"] += 1
                    self._unsubscribe(training, token, finished=finished)

    def _anyone_there(self, training):
        """Ask each visitor waiting for ``training`` whether they are still there, noting since when those
        who are not have been gone; True if one is (or the comparison is pinned, or nobody asked)."""
        now, there = time.monotonic(), not training.subscribers or training.key in self._pinned
        for token, owner in training.subscribers.items():
            try:
                alive = owner.alive()
            except Exception:  # noqa: BLE001 - a broken check must not end the reader; count them as there
                alive = True
            if alive:
                training.gone.pop(token, None)
                there = True
            else:
                training.gone.setdefault(token, now)
        return there

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
            message = ("done", None, lost_outcomes(*worker.task), None)
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
        elif message[0] == "grids":
            _, _, indices, epoch, grids = message
            training.grids.update({index: (epoch, grid) for index, grid in zip(indices, grids)})
        elif message[0] == "done":
            _, _, outcomes, threads = message
            seconds = time.monotonic() - worker.started  # as the visitor waits: training and transfer
            worker.task = None
            del training.running[number]
            training.live.pop(number, None)
            training.grid.outcomes.extend(outcomes)
            training.done += len(outcomes)
            training.last_spec = outcomes[-1].spec if outcomes else training.last_spec
            training.blas_threads = max(training.blas_threads or 0, threads or 0) or None
            if all(o.status == "ok" for o in outcomes):
                self._speed.record(seconds, training.estimates[number])
            if not training.pending and not training.running and not training.finishing:
                training.finishing = True
                finished.append(training)

    def _recover(self, worker, message, error, finished):
        """A message could not be handled. Live curves or grids: dropped (the results still come). A
        finished group: its comparison fails with the error, and the worker is free again."""
        if worker.task is None:
            return
        training, number = worker.task
        if message is not None and message[0] in ("epochs", "grids"):
            training.live.pop(number, None)
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


def _concatenate(old, new):
    import numpy as np
    return np.concatenate([old, new])
