"""The pool's link to the experiment store (experiments.store): comparisons trained before a restart, or by
another server sharing the database, are read back instead of trained again; finished ones are written
there, in a thread of their own, so that no visitor waits for the database.

A store that fails (a server gone, a disk full) never fails a visitor: the pool goes on with its memory cache
alone and the failure is logged once per kind. A visitor's own data never reaches the store (the pool keys
such comparisons as private, and the store refuses them anyway).
"""
import logging
import queue
import threading

log = logging.getLogger(__name__)
WRITE_QUEUE = 16  # comparisons waiting to be written; beyond this one is dropped (logged), not waited for


class _Read:
    """A read of one comparison in flight; those who ask meanwhile wait for it (``waiting`` counts them)."""

    def __init__(self):
        self.done, self.results, self.waiting = threading.Event(), None, 0


class StoreLink:
    """``store`` (an experiments.store.ResultStore) as the pool uses it: ``get``, ``contains`` and
    ``put_later``, keyed by the pool's comparison key (checked specs, snapshots, private marker)."""

    def __init__(self, store):
        self.store = store
        self.failures = set()  # what has failed and was logged: "read", "write", ...
        self._writes = queue.Queue(maxsize=WRITE_QUEUE)
        self._writer = threading.Thread(target=self._write, name="nn-lab-store", daemon=True)
        self._writer.start()
        self._reads, self._reads_lock = {}, threading.Lock()  # key -> _Read in flight

    @staticmethod
    def _name(key):
        """The store's key for the pool's ``key``; None for a private comparison (never stored)."""
        specs, snapshots, private = key
        if private:
            return None
        from ..store import store_key
        return store_key(specs, snapshots)

    def get(self, key, catalog=None):
        """The stored Results of ``key``, or None (not stored, private, or the store failed). Read once however
        many sessions ask at the same moment: a class opening one results link after a restart waits for one
        read, not for one each."""
        with self._reads_lock:
            read = self._reads.get(key)
            first = read is None
            if first:
                read = self._reads[key] = _Read()
            else:
                read.waiting += 1
        if not first:
            read.done.wait()
            return read.results
        try:
            read.results = self._try("read", lambda name: self.store.get(name, catalog), key)
        finally:
            with self._reads_lock:
                del self._reads[key]
            read.done.set()
        return read.results

    def contains(self, key):
        return bool(self._try("look up", self.store.contains, key))

    def put_later(self, key, results, settings=None, pinned=False):
        """Write ``results`` in the writer thread (a private or incomplete comparison is not written)."""
        try:
            self._writes.put_nowait((key, results, settings, pinned))
        except queue.Full:
            self._failed("write", "the store is behind; a comparison was not stored")

    def pin(self, key):
        self._try("pin", self.store.pin, key)

    def flush(self, timeout=None):
        """Wait until every write asked for so far is done (tests, shutdown)."""
        done = threading.Event()
        self._writes.put((None, done, None, None))
        return done.wait(timeout)

    def _write(self):
        while True:
            key, results, settings, pinned = self._writes.get()
            if key is None:
                results.set()  # flush's marker
                continue
            self._try("write", lambda name: self.store.put(name, results, settings, pinned=pinned), key)

    def _try(self, what, action, key):
        try:
            name = self._name(key)
            return None if name is None else action(name)
        except ValueError as error:  # StoreUnavailable (a ValueError), or a comparison the store refuses
            self._failed(what, str(error))
            return None

    def _failed(self, what, message):
        if what not in self.failures:
            self.failures.add(what)
            log.warning("results store: could not %s (%s); going on with the memory cache.", what, message)
