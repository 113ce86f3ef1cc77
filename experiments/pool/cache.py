"""The finished comparisons a server keeps in memory, bounded in entries and in bytes."""
import threading
from collections import OrderedDict


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
