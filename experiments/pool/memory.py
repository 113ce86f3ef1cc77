"""Giving memory back to the operating system after a large comparison, so that neither the server nor a
worker keeps the high-water mark of one visitor's networks.

glibc's malloc serves arrays above a threshold from their own mappings, returned when freed; but the
threshold grows with the largest array freed (up to 32 MB), after which such arrays come from the heap,
whose freed pages stay with the process. A fixed threshold keeps large arrays in their own mappings, and
``malloc_trim`` hands back what the heap no longer uses. Elsewhere than glibc both do nothing.
"""
import ctypes
import gc

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
MMAP_THRESHOLD_BYTES = 256 * 1024


def _libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def fix_mmap_threshold(size=MMAP_THRESHOLD_BYTES):
    """Serve every allocation of ``size`` bytes or more from its own mapping, for the life of the process;
    True where glibc did so."""
    libc = _libc()
    return bool(libc and libc.mallopt(M_MMAP_THRESHOLD, int(size)))


def give_back(collect=True):
    """Collect unreachable cycles (``collect``) and return the heap's free pages to the operating system."""
    if collect:
        gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
