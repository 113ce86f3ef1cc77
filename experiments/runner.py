"""Train a grid of RunSpecs and collect the Results.

Runs that share data, layers as run, optimizer, epochs and batch size (``specs.lockstep_key``) are
trained in lockstep as one stacked network (``nn.fit_lockstep``), whatever their activations, which gives
the same bits as training each alone and costs far less Python overhead. Groups are spread over worker
processes with joblib; since a run's result does not depend on how runs are grouped or scheduled, it is
the same whatever ``jobs`` is.

Nothing heavy is imported at module load (no pandas, joblib or threadpoolctl): a worker process that
only trains imports NumPy, ``nn`` and this package's specs and datasets, once, and trains group after group.
"""
import multiprocessing
import re
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass

import numpy as np

import nn
from nn.validation import check_int

from .datasets import as_catalog
from .limits import estimate_seconds, group_memory
from .specs import (RunSpec, check_spec, count_params, format_architecture, layers_as_run, load_grid_data, lockstep_key,
                    make_network, make_optimizer)

BACKENDS = ("loky", "dask")
DASK_TIMEOUT_SECONDS = 10.0  # to connect and hear the scheduler, for a worker to join, for a worker to run a check
DASK_TASK_SECONDS = (60.0, 10.0)  # no group finishing within 60 s + 10 x the longest group's estimate: stuck
GROUP_MEMORY_BYTES = 64e6  # a lockstep group's memory stays under this (limits.group_memory); larger ones are split
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


def snapshot_schedule(epochs, count):
    """About ``count`` epochs from 0 to ``epochs``, closer together early on, where the boundary moves most."""
    if count <= 0:
        return []
    return sorted({0, epochs, *np.unique(np.geomspace(1, epochs, count - 1).round().astype(int)).tolist()})


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


def group_runs(specs, datasets):
    """[(data_key, [(index, spec), ...]), ...]: lockstep groups in the order of their first run."""
    groups = {}
    for index, spec in enumerate(specs):
        groups.setdefault(lockstep_key(spec, datasets[spec.data_key()]), []).append((index, spec))
    chunks = []
    for key, members in groups.items():
        # one activation's networks side by side: a stack applies each activation once per run of them
        members.sort(key=lambda member: member[1].activation)  # stable: the grid's order within each
        data = datasets[key.data_key]
        # the memory of one more network in the stack: its parameters, optimizer state, buffers (no snapshots)
        per_network = group_memory(list(key.layers), key.optimizer, 1, 0, len(data.y_train), len(data.y_test),
                                   key.batch_size, 0)
        size = max(1, int(GROUP_MEMORY_BYTES // per_network))
        chunks += [(key.data_key, members[i:i + size]) for i in range(0, len(members), size)]
    return chunks


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
        task_timeout = _task_timeout(self.groups, self.datasets) if backend == "dask" else None
        if backend == "dask":
            scheduler = check_scheduler_address(scheduler)
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
            with _dask_client(scheduler, task_timeout) if backend == "dask" else nullcontext(), \
                    parallel_config(backend=backend):
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
        return build_results(sorted(self.outcomes, key=lambda outcome: outcome.index), self.datasets)


def run_grid(specs, jobs=1, progress=None, should_stop=None, backend="loky", scheduler=None, snapshots=0,
             catalog=None):
    """Train every spec and return Results (rows in the order of ``specs``).

    ``progress(done, total, spec, outcome)`` is called as runs finish. ``should_stop()`` is polled every
    epoch (and between groups); when it returns True, running runs end with status "stopped" and runs not
    yet started are left out. ``backend="dask"`` sends the groups to the dask.distributed scheduler at
    ``scheduler`` (an address such as tcp://10.0.0.5:8786); every exchange with the cluster is bounded in
    time (see ``_dask_client``), and a cluster that cannot be used raises SchedulerError (a ValueError)
    saying what went wrong instead of waiting. With ``snapshots=20`` the runs of the lowest
    seed (those drawn as decision-boundary panels) keep about 20 copies of their weights during training.
    ``catalog`` (an experiments.Catalog) adds datasets of the user's own (see dataset_from_csv).
    """
    return GridTraining(specs, catalog, snapshots).run(jobs, progress, should_stop, backend, scheduler)


def _check_jobs(jobs):
    if isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs < 1 or jobs > 64:
        raise ValueError(f"'jobs' must be an integer from 1 to 64; got {jobs!r}.")
    return int(jobs)


class SchedulerError(ValueError):
    """The dask scheduler at ``address`` cannot be used; ``reason`` says why, in a sentence."""

    def __init__(self, address, reason):
        super().__init__(reason if address is None else f"dask scheduler {address!r}: {reason}")
        self.address, self.reason = address, reason


SCHEDULER_ADDRESS = re.compile(r"((tcp|tls)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})|inproc://\S+")


def check_scheduler_address(address):
    """``address`` if it is written like a scheduler address (tcp://host:port, tls://host:port, host:port
    or an in-process inproc:// one); SchedulerError if not. Nothing is contacted."""
    if address is None or (isinstance(address, str) and not address.strip()):
        raise SchedulerError(None, "the dask backend needs a scheduler address, such as tcp://127.0.0.1:8786.")
    match = SCHEDULER_ADDRESS.fullmatch(address.strip()) if isinstance(address, str) else None
    if match is None or (match.group(4) is not None and not 1 <= int(match.group(4)) <= 65535):
        raise SchedulerError(address, "not a scheduler address; write it like tcp://127.0.0.1:8786 (scheme, host "
                                      "and a port from 1 to 65535).")
    return address.strip()


def _worker_check():
    """Run on a worker before any training: unpickling it there imports this module, so it proves the
    workers have the project installed."""
    return nn.__name__


def _task_timeout(groups, datasets):
    """Seconds without any group finishing after which the cluster counts as stuck: generous for the
    longest group's estimated time, so only a worker that hangs or has vanished reaches it."""
    base, factor = DASK_TASK_SECONDS
    longest = max(estimate_seconds([spec for _, spec in members], datasets) for _, members in groups)
    return base + factor * longest


def _ask_scheduler(address, timeout):
    """Check that a dask scheduler answers at ``address``, over a connection of our own whose every step
    is bounded by ``timeout``. distributed's Client waits forever for the handshake of a server that
    accepts and stays silent, and allocates whatever length a server that replies garbage announces
    (exabytes): this check runs first, in a thread with its own event loop, so neither can happen."""
    import asyncio
    from distributed.comm import connect

    async def ask():
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    outcome = {}

    def target():
        try:
            outcome["identity"] = asyncio.run(asyncio.wait_for(ask(), 2 * timeout))
        except BaseException as error:  # noqa: BLE001 - reported below, in words
            outcome["error"] = error

    thread = threading.Thread(target=target, name="dask-scheduler-check", daemon=True)
    thread.start()
    thread.join(3 * timeout)
    error = outcome.get("error")
    unreachable = isinstance(error, OSError) and "trying to connect" in str(error)
    if thread.is_alive() or (isinstance(error, TimeoutError) and not unreachable):
        raise SchedulerError(address, f"it accepts connections but gave no answer within {2 * timeout:g} s; is it a "
                                      "dask scheduler (usually port 8786)?")
    if unreachable:
        raise SchedulerError(address, f"cannot connect within {timeout:g} s (nothing listens there, or a firewall "
                                      "drops the connection); is the scheduler running?")
    if error is not None:
        raise SchedulerError(address, f"it answered, but not as a dask scheduler does ({_short_error(error)}); is "
                                      "it the scheduler's address (usually port 8786)?")
    identity = outcome.get("identity")
    kind = identity.get("type") if isinstance(identity, dict) else None
    if kind != "Scheduler":
        raise SchedulerError(address, f"it answered, but is not a dask scheduler (it says it is {kind or 'unknown'}).")


def _short_error(error):
    text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _connect_dask(scheduler, timeout):
    """A Client of the scheduler at ``scheduler`` with at least one worker that can run this project;
    otherwise SchedulerError naming what went wrong, within a few ``timeout`` periods."""
    try:
        from distributed import Client
    except ImportError:
        raise ValueError("the dask backend needs dask.distributed: pip install 'dask[distributed]'.") from None
    _ask_scheduler(scheduler, timeout)
    try:
        client = Client(scheduler, timeout=timeout)
    except Exception as error:  # noqa: BLE001 - any failure to connect is one message
        raise SchedulerError(scheduler, f"cannot connect ({_short_error(error)}).") from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            raise SchedulerError(scheduler, f"no worker joined it within {timeout:g} s; start one with "
                                            f"`dask worker {scheduler}`.") from None
        future = client.submit(_worker_check, pure=False)
        try:
            future.result(timeout=timeout)
        except TimeoutError:
            future.cancel()
            raise SchedulerError(scheduler, f"its workers did not run a check task within {timeout:g} s (busy, or "
                                            "unable to load this project?).") from None
        except Exception as error:  # noqa: BLE001 - e.g. ModuleNotFoundError on the worker
            raise SchedulerError(scheduler, f"its workers cannot run this project's code ({_short_error(error)}); "
                                            "install the project (nn and experiments) where the workers run.") from None
    except BaseException:
        _close_client(client, timeout)
        raise
    return client


def _close_client(client, timeout):
    try:
        client.close(timeout=timeout)
    except Exception:  # noqa: BLE001 - closing a broken connection may fail; there is nothing left to do
        pass


@contextmanager
def _dask_client(scheduler, task_timeout=None, timeout=None):
    """Connect to the scheduler (checked first: see ``_connect_dask``); while training, turn the cluster's
    failures into SchedulerError: no group finishing within ``task_timeout`` seconds (joblib's timeout),
    a lost connection, workers that died or cannot load the project."""
    timeout = DASK_TIMEOUT_SECONDS if timeout is None else timeout
    client = _connect_dask(scheduler, timeout)
    from distributed import KilledWorker
    try:
        yield client
    except (TimeoutError, multiprocessing.TimeoutError):  # joblib raises the latter
        raise SchedulerError(scheduler, f"no group of runs finished within {task_timeout:.0f} s (far beyond the "
                                        "estimate); a worker is stuck or gone.") from None
    except (OSError, ImportError, KilledWorker) as error:
        raise SchedulerError(scheduler, f"training on the cluster failed ({_short_error(error)}).") from None
    finally:
        _close_client(client, timeout)


def build_results(outcomes, datasets):
    # pandas is imported here, not at module load: a worker process that only trains never needs it
    import pandas as pd

    from .results import RUN_COLUMNS, Results
    run_rows, histories, networks, run_datasets, snapshots = [], [], {}, {}, {}
    for outcome in outcomes:
        spec, history = outcome.spec, outcome.history
        data = datasets[spec.data_key()]
        run_id = outcome.index
        row = {**asdict(spec), "run_id": run_id, "layers": format_architecture(outcome.layers),
               "batch_size": "full" if spec.batch_size is None else spec.batch_size,
               "n_samples": data.options.get("n_samples", len(data.y_train) + len(data.y_test)),
               "noise": data.options.get("noise", np.nan), "test_fraction": data.options.get("test_fraction", 0.0),
               "status": outcome.status, "message": outcome.message, "seconds": outcome.seconds,
               "n_params": count_params(outcome.layers)}
        if history is None or history.epochs == 0:
            row.update(epochs_run=0, **{key: np.nan for key in
                                        ("train_loss", "train_acc", "test_loss", "test_acc", "best_test_acc",
                                         "best_epoch")})
        else:
            test_acc = np.asarray(history.val_acc)
            best = int(np.nanargmax(test_acc)) if np.isfinite(test_acc).any() else 0
            row.update(epochs_run=history.epochs, train_loss=history.train_loss[-1], train_acc=history.train_acc[-1],
                       test_loss=history.val_loss[-1], test_acc=history.val_acc[-1],
                       best_test_acc=float(test_acc[best]), best_epoch=best + 1)
            histories.append((run_id, history))
            if outcome.network is not None:  # a run in training has one only if it is drawn live
                networks[run_id] = outcome.network
            if history.snapshots:
                snapshots[run_id] = history.snapshots
        run_datasets[run_id] = data
        run_rows.append(row)
    runs = pd.DataFrame(run_rows, columns=RUN_COLUMNS)
    runs["batch_size"] = runs["batch_size"].astype(object)
    return Results(runs, history_table(histories), networks, run_datasets, snapshots)


def history_table(histories):
    """One row per run and epoch from [(run_id, History)], built column by column (one DataFrame, not one per
    run). A run with fewer layers than the deepest has NaN in the extra grad_norm columns."""
    import pandas as pd

    from .results import GRAD_NORM_PREFIX, HISTORY_COLUMNS, METRIC_NAMES
    if not histories:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    norms = [np.asarray(history.grad_norm) for _, history in histories]
    n_layers = max(norm.shape[1] for norm in norms)
    table = {"run_id": np.concatenate([np.full(history.epochs, run_id) for run_id, history in histories]),
             "epoch": np.concatenate([np.arange(1, history.epochs + 1) for _, history in histories])}
    for field, column in METRIC_NAMES.items():
        if field == "grad_norm":
            continue
        table[column] = np.concatenate([np.asarray(getattr(history, field), dtype=float) for _, history in histories])
    for layer in range(n_layers):
        table[f"{GRAD_NORM_PREFIX}{layer + 1}"] = np.concatenate(
            [norm[:, layer] if layer < norm.shape[1] else np.full(len(norm), np.nan) for norm in norms])
    return pd.DataFrame(table)
