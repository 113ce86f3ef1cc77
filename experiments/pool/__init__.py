"""One training pool for a whole server: a queue, a few single-threaded worker processes, a result cache.

Why: a public demo serves a class of visitors from one small machine (about 1 GB, two shared cores).
Training in each page's thread makes visitors wait on one interpreter, trains identical comparisons once
per visitor, and lets multi-threaded BLAS spin on an oversubscribed machine. So here:

- at most as many worker processes as cores, each running NumPy with one BLAS thread (``worker``);
- a comparison is a pure function of its checked specs and seeds, so identical requests share one
  training while it runs and one cached Results afterwards (``cache``, bounded in entries and bytes);
  comparisons on a visitor's own data are never shared;
- the page thread only submits and polls a ``Job`` (``job``); Stop reaches the worker through an Event it
  polls every epoch; the queue, the workers and the reader thread that follows them are the
  ``scheduler``'s, and ``timing`` says when each comparison will be ready.

A worker trains one lockstep group (``costs.group_runs``) at a time with ``runner.train_group``, exactly
as ``run_grid`` does, so results are bit-identical whatever the workers. Nothing here imports Streamlit:
the app holds one TrainingPool with ``st.cache_resource``. Names are imported when first used, so a worker
process loads only ``worker`` (and NumPy, with one BLAS thread) before it trains.
"""
import importlib

_PUBLIC = {"TrainingPool": "scheduler", "PoolBusy": "scheduler", "Job": "job", "Progress": "job",
           "ResultCache": "cache", "results_nbytes": "cache", "one_blas_thread": "worker", "blas_threads": "worker"}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'experiments.pool' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
