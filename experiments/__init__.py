"""Experiments on the ``nn`` network: datasets, grids of run specs, training them, results and figures.

The public API for notebooks and scripts::

    from experiments import expand_grid, run_grid, read_results, load_dataset, RunSpec
    results = run_grid(expand_grid(datasets=["circles"], activations=["relu", "tanh"]))
    results.summary()

Names are imported when first used, so ``import experiments`` stays fast (no pandas, scikit-learn or
Plotly until something needs them).
"""
import importlib

_PUBLIC = {
    "RunSpec": "specs", "expand_grid": "specs", "check_spec": "specs", "parse_architecture": "specs",
    "load_dataset": "datasets", "dataset_from_csv": "own_data", "Catalog": "datasets", "DATASETS": "datasets",
    "Dataset": "datasets",
    "run_grid": "runner", "GridTraining": "runner",
    "Results": "results", "read_results": "saved", "results_from_csv": "saved",
    "Limits": "limits", "GridTooLarge": "specs", "check_limits": "limits", "estimate_seconds": "costs",
    "lr_range_test": "lr_finder",
    "TrainingPool": "pool",
    "ResultStore": "store", "StoreUnavailable": "store", "store_key": "store",
    "figures": None,
}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'experiments' has no attribute {name!r}")
    module = importlib.import_module(f".{_PUBLIC[name] or name}", __name__)
    value = module if _PUBLIC[name] is None else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
