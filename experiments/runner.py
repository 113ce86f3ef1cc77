"""Train a grid of RunSpecs and collect the Results.

Runs that share data, layers as run, optimizer, epochs and batch size (``specs.lockstep_key``) are
trained in lockstep as one stacked network (``nn.fit_lockstep``), whatever their activations, which gives
the same bits as training each alone and costs far less Python overhead. Groups are spread over worker
processes with joblib; since a run's result does not depend on how runs are grouped or scheduled, it is
the same whatever ``jobs`` is.

Nothing heavy is imported at module load (no pandas, joblib or threadpoolctl): a worker process that
only trains imports NumPy, ``nn`` and this package's specs and datasets, once, and trains group after group.
"""
import time
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

import nn
from nn.validation import check_int

from .datasets import as_catalog
from .costs import estimate_seconds, group_runs, snapshot_schedule  # noqa: F401 (group_runs: the runner's API)
from .specs import RunSpec, check_spec, layers_as_run, load_grid_data, make_network, make_optimizer

BACKENDS = ("loky", "dask")
# Starting the worker processes, importing NumPy and nn in them and sending the results back costs a
# second or two on the 2-core CI machine; a grid estimated to train in less than this (estimate_seconds)
# is trained in one process.
ONE_PROCESS_SECONDS = 2.0


@dataclass
class RunOutcome:
    index: int
    spec: object
    layers: list
    status: str
    message: str
    seconds: float
    history: nn.History | None = None
    network: nn.Network | None = None


def train_group(data, indexed_specs, should_stop=None, snapshots=0, snapshot_seeds=(), on_epoch=None, on_weights=None):
    """Train specs that share data and shape in lockstep; on an exception, retry each alone to isolate it.
    Runs whose seed is in ``snapshot_seeds`` keep about ``snapshots`` copies of their weights.
    ``on_epoch(indices, epoch, metrics)`` is told every epoch's metrics (arrays, one value per run index
    in ``indices``), so a worker process can stream live curves (experiments.pool); ``on_weights(indices,
    epoch, params)`` sees every epoch's flat parameters, one row per run (read-only: copy what you keep)."""
    specs = [spec for _, spec in indexed_specs]
    first = specs[0]
    layers = layers_as_run(first, data.n_features, data.n_classes)
    n_train = len(data.y_train)
    batch_size = n_train if first.batch_size is None else min(first.batch_size, n_train)
    note = "" if first.batch_size is None or first.batch_size <= n_train else \
        f"batch size {first.batch_size} is more than the {n_train} training samples; trained full batch"
    indices = [index for index, _ in indexed_specs]

    def epoch_hook(epoch, metrics):
        if on_epoch is not None:
            on_epoch(indices, epoch, metrics)
        return should_stop is None or not should_stop()

    start = time.perf_counter()
    try:
        nets = [make_network(spec, layers) for spec in specs]
        histories = nn.fit_lockstep(nets, data.X_train, data.y_train, first.epochs, batch_size=batch_size,
                                    optimizers=[make_optimizer(spec) for spec in specs],
                                    seeds=[spec.seed for spec in specs], X_val=data.X_test, y_val=data.y_test,
                                    on_epoch=None if should_stop is None and on_epoch is None else epoch_hook,
                                    snapshot_epochs=snapshot_schedule(first.epochs, snapshots),
                                    snapshot_networks=[k for k, spec in enumerate(specs)
                                                       if spec.seed in snapshot_seeds],
                                    watch=None if on_weights is None else
                                    lambda epoch, params: on_weights(indices, epoch, params))
    except Exception as error:  # noqa: BLE001 - a failing run is recorded, the grid goes on
        if len(indexed_specs) > 1:
            return [outcome for item in indexed_specs
                    for outcome in train_group(data, [item], should_stop, snapshots, snapshot_seeds, on_epoch,
                                               on_weights)]
        return [RunOutcome(indexed_specs[0][0], first, layers, "error", f"{type(error).__name__}: {error}",
                           time.perf_counter() - start)]
    seconds = (time.perf_counter() - start) / len(specs)
    return [RunOutcome(index, spec, layers, history.status, "; ".join(filter(None, [history.message, note])),
                       seconds, history, net)
            for (index, spec), history, net in zip(indexed_specs, histories, nets)]


def share_groups(groups, datasets, jobs):
    """Lockstep groups cut and ordered for ``jobs`` worker processes, longest first (by estimate_seconds).

    Workers take the chunks in this order, so the long ones start at once and the short ones fill in at the
    end. While cutting the longest chunk into 2 to ``jobs`` balanced pieces shortens the estimated finish
    of the whole grid, it is cut: one group of 12 runs becomes two of 6 for 2 workers, but 9 groups stay
    whole (a stack of 6 costs more than half a stack of 12). Any grouping trains the same bits.
    """
    def seconds(members):
        return estimate_seconds([spec for _, spec in members], datasets)

    def finish(chunks):  # workers take the longest chunk left whenever they are free
        loads = [0.0] * jobs
        for cost, _, _ in sorted(chunks, key=lambda chunk: -chunk[0]):
            loads[loads.index(min(loads))] += cost
        return max(loads)

    chunks = [(seconds(members), data_key, members) for data_key, members in groups]
    while jobs > 1:
        chunks.sort(key=lambda chunk: -chunk[0])
        (_, data_key, members), rest = chunks[0], chunks[1:]
        candidates = []
        for pieces in range(2, min(jobs, len(members)) + 1):
            cut = [members[i * len(members) // pieces:(i + 1) * len(members) // pieces] for i in range(pieces)]
            candidates.append(rest + [(seconds(part), data_key, part) for part in cut])
        best = min(candidates, key=finish, default=None)
        if best is None or finish(best) >= finish(chunks):
            break
        chunks = best
    return [(data_key, members) for _, data_key, members in sorted(chunks, key=lambda chunk: -chunk[0])]


def with_one_blas_thread(function, *args, **kwargs):
    """``function(*args, **kwargs)`` with BLAS (and OpenMP) limited to one thread: how a worker process
    trains, so that N workers use N cores rather than competing for them with BLAS threads."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1):
        return function(*args, **kwargs)


class GridTraining:
    """One comparison being trained: its checked specs, their data, and the outcomes so far.

    ``run()`` trains and returns the Results; ``results_so_far()`` gives the Results of the runs that
    finished, at any moment (after a Stop, or while training goes on in another thread).
    """

    def __init__(self, specs, catalog=None, snapshots=0):
        specs = list(specs) if not isinstance(specs, (str, bytes, RunSpec)) and hasattr(specs, "__iter__") \
            else None
        if specs is None:
            raise ValueError("'specs' must be a list of RunSpecs (see expand_grid).")
        catalog = as_catalog(catalog)
        self.specs = [check_spec(spec, catalog) for spec in specs]
        if not self.specs:
            raise ValueError("'specs' is empty: choose at least one dataset, architecture, activation and "
                             "learning rate.")
        self.snapshots = check_int("snapshots", snapshots, minimum=0, maximum=1000)
        self.datasets = load_grid_data(self.specs, catalog)
        self.groups = group_runs(self.specs, self.datasets)
        self.outcomes = []

    @property
    def total(self):
        return len(self.specs)

    def plan(self, jobs=1, backend="loky"):
        """How ``run(jobs, backend=backend)`` trains: (local processes, note). With loky and jobs > 1, a grid
        estimated to train in less than ONE_PROCESS_SECONDS trains in this process, since starting workers
        would take longer than they save; the note then says so (it is "" otherwise). With dask the
        processes are the cluster's (None)."""
        jobs = _check_jobs(jobs)
        if backend not in BACKENDS:
            raise ValueError(f"'backend' must be one of {list(BACKENDS)}; got {backend!r}.")
        if backend == "dask":
            return None, ""
        if jobs > 1:
            seconds = estimate_seconds(self.specs, self.datasets)
            if seconds < ONE_PROCESS_SECONDS:
                return 1, (f"training in one process: about {seconds:.1f} s of work is too little to share among "
                           f"{jobs} worker processes")
            return min(jobs, len(share_groups(self.groups, self.datasets, jobs))), ""
        return 1, ""

    def run(self, jobs=1, progress=None, should_stop=None, backend="loky", scheduler=None):
        """Train every run not yet trained; see ``run_grid``."""
        for name, function in (("progress", progress), ("should_stop", should_stop)):
            if function is not None and not callable(function):
                raise ValueError(f"'{name}' must be a function (or None); got {function!r}.")
        processes, _ = self.plan(jobs, backend)
        if scheduler is not None and backend != "dask":
            raise ValueError(f"'scheduler' is used only with backend='dask'; got scheduler={scheduler!r} with "
                             f"backend={backend!r}.")
        cluster, task_timeout = nullcontext(), None
        if backend == "dask":  # distributed is imported only here: an optional dependency
            from . import dask_cluster
            task_timeout = dask_cluster.task_timeout(self.groups, self.datasets)
            cluster = dask_cluster.connected(dask_cluster.check_scheduler_address(scheduler), task_timeout)
        snapshot_seeds = {min(spec.seed for spec in self.specs)} if self.snapshots else set()
        group_options = {"snapshots": self.snapshots, "snapshot_seeds": snapshot_seeds}

        def collect(group_outcomes):
            for outcome in group_outcomes:
                self.outcomes.append(outcome)
                if progress is not None:
                    progress(len(self.outcomes), self.total, outcome.spec, outcome)

        if processes == 1:
            for data_key, members in self.groups:
                if should_stop is not None and should_stop():
                    break
                collect(train_group(self.datasets[data_key], members, should_stop, **group_options))
        else:
            # Workers start once and train chunk after chunk, one at a time (batch_size=1), longest first.
            from joblib import Parallel, delayed, parallel_config
            chunks = share_groups(self.groups, self.datasets, processes or 1)
            with cluster, parallel_config(backend=backend):
                parallel = Parallel(n_jobs=processes or -1, batch_size=1, return_as="generator_unordered",
                                    timeout=task_timeout)
                for group_outcomes in parallel(delayed(with_one_blas_thread)(train_group, self.datasets[key], members,
                                                                             **group_options)
                                               for key, members in chunks):
                    collect(group_outcomes)
                    if should_stop is not None and should_stop():
                        break
        return self.results_so_far()

    def results_so_far(self):
        """Results of the runs finished so far, in the order of the specs."""
        from .results import build_results  # pandas: not at module load, a worker that only trains needs none
        return build_results(sorted(self.outcomes, key=lambda outcome: outcome.index), self.datasets)


def run_grid(specs, jobs=1, progress=None, should_stop=None, backend="loky", scheduler=None, snapshots=0,
             catalog=None):
    """Train every spec and return Results (rows in the order of ``specs``).

    ``progress(done, total, spec, outcome)`` is called as runs finish. ``should_stop()`` is polled every
    epoch (and between groups); when it returns True, running runs end with status "stopped" and runs not
    yet started are left out. ``backend="dask"`` sends the groups to the dask.distributed scheduler at
    ``scheduler`` (an address such as tcp://10.0.0.5:8786); every exchange with the cluster is bounded in
    time (see ``dask_cluster.connected``), and a cluster that cannot be used raises SchedulerError (a ValueError)
    saying what went wrong instead of waiting. With ``snapshots=20`` the runs of the lowest
    seed (those drawn as decision-boundary panels) keep about 20 copies of their weights during training.
    ``catalog`` (an experiments.Catalog) adds datasets of the user's own (see dataset_from_csv).
    """
    return GridTraining(specs, catalog, snapshots).run(jobs, progress, should_stop, backend, scheduler)


def _check_jobs(jobs):
    if isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs < 1 or jobs > 64:
        raise ValueError(f"'jobs' must be an integer from 1 to 64; got {jobs!r}.")
    return int(jobs)
