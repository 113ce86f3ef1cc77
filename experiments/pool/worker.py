"""The training worker process and its protocol: it trains the lockstep groups the pool sends, one at a
time, with one BLAS thread, exactly as ``run_grid`` does (``runner.train_group``), and streams its progress
back over its own Pipe.

Parent -> worker: ``(task_id, data, members, snapshots, snapshot_seeds)`` to train a group; ``None`` to end.
Worker -> parent, in small tuples:

    ("ready", None, blas_threads)                   once, when the worker has started
    ("epochs", task, indices, epochs, metrics)      every epoch of the running group, batched at most every
                                                    PROGRESS_SECONDS: metric -> array (epochs, runs[, layers])
    ("grids", task, indices, epoch, grids)          the drawn runs' (the first seed's) newest boundary grids,
                                                    computed here with grids.probability_grid (a few KB
                                                    each), at most every GRIDS_SECONDS
    ("done", task, outcomes, blas_threads)          the group's RunOutcomes, BLAS threads seen while training

A worker is started with one BLAS thread in its environment, so the limit holds from its first import. It
holds the networks, so it draws them: the server relays bytes and never rebuilds a network while it trains.
"""
import os
import sys
import time
import types
from dataclasses import dataclass

PROGRESS_SECONDS = 0.1  # live metrics reach the page about 10 times a second; charts redraw 2-5 times
GRIDS_SECONDS = 0.25  # live boundary grids, for panels that redraw 2-4 times a second
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread():
    """Limit BLAS and OpenMP in this process to one thread (a threadpoolctl limiter, also a context manager)."""
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=1)


def blas_threads():
    """The most threads any BLAS or OpenMP library loaded in this process would use."""
    from threadpoolctl import threadpool_info
    return max((library["num_threads"] for library in threadpool_info()), default=1)


@dataclass
class Worker:
    """The parent's handle on one worker process."""

    process: object
    conn: object
    stop: object  # an Event the training polls every epoch
    task: tuple | None = None  # (training, group number)
    started: float = 0.0
    ready: bool = False


def start_worker(context):
    """Start a worker process in ``context`` (a spawn context: a server that runs threads is never forked)."""
    parent, child = context.Pipe()
    stop = context.Event()
    process = context.Process(target=worker_main, args=(child, stop), daemon=True, name="nn-lab-training")
    main, environ = sys.modules.get("__main__"), dict(os.environ)
    # a spawned child re-imports the parent's __main__; under Streamlit that is the app script, which would run
    # the whole page in every worker: start it with a bare one. And one BLAS thread before NumPy loads there.
    sys.modules["__main__"] = types.ModuleType("__main__")
    os.environ.update({variable: "1" for variable in THREAD_VARIABLES})
    try:
        process.start()
    finally:
        sys.modules["__main__"] = main
        for variable in THREAD_VARIABLES:
            if variable in environ:
                os.environ[variable] = environ[variable]
            else:
                os.environ.pop(variable, None)
    child.close()
    return Worker(process, parent, stop, started=time.monotonic())


# ----- in the worker process -----
def worker_main(conn, stop):
    """Train the groups the parent sends, one at a time, with one BLAS thread, until told to end."""
    for variable in THREAD_VARIABLES:  # already set by start_worker; kept for a worker started otherwise
        os.environ[variable] = "1"
    one_blas_thread()  # stays in force for the life of the process
    from ..runner import train_group
    from .memory import fix_mmap_threshold, give_back
    fix_mmap_threshold()
    conn.send(("ready", None, blas_threads()))
    while True:
        try:
            task = conn.recv()
        except EOFError:  # the parent ended
            return
        if task is None:
            return
        task_id, data, members, snapshots, snapshot_seeds = task
        drawn = [(index, spec) for index, spec in members if spec.seed in snapshot_seeds]  # one panel each
        reporter = Reporter(conn, task_id, Drawing(data, drawn))
        outcomes = train_group(data, members, stop.is_set, snapshots, snapshot_seeds, on_epoch=reporter,
                               on_weights=reporter.grids)
        reporter.flush()
        conn.send(("done", task_id, outcomes, reporter.threads))
        del outcomes, reporter
        give_back(collect=False)  # a large group's memory goes back before the next group comes


class Drawing:
    """The drawn runs of a group (the first seed's: one boundary panel each) as networks to load weights into,
    and the grid of points they are drawn at, made once per group."""

    def __init__(self, data, drawn):
        from ..grids import dataset_plane
        from ..specs import layers_as_run, make_network
        self.n_classes = data.n_classes
        self.networks = {index: make_network(spec, layers_as_run(spec, data.n_features, data.n_classes))
                         for index, spec in drawn}
        self.inputs = dataset_plane(data).grid_inputs() if drawn else None

    def grids(self, indices, params):
        """{run index: grid bytes} of the drawn runs among ``indices`` (rows of ``params``)."""
        from ..grids import probability_grid
        grids = {}
        for row, index in enumerate(indices):
            network = self.networks.get(index)
            if network is not None:
                network.flat_params[...] = params[row]
                grids[index] = probability_grid(network, self.inputs, self.n_classes)
        return grids


class Reporter:
    """The worker's on_epoch hook: forwards every epoch's metrics, batched to one message per PROGRESS_SECONDS;
    and its on_weights hook (``grids``)."""

    def __init__(self, conn, task_id, drawing=None):
        self.conn, self.task_id, self.indices, self.rows = conn, task_id, None, []
        self.sent, self.threads = time.monotonic(), None
        self.drawing, self.grids_sent = drawing, 0.0

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

    def grids(self, indices, epoch, params):
        """The on_weights hook: the drawn runs' boundary grids at this epoch, at most every GRIDS_SECONDS."""
        if self.drawing is None or not self.drawing.networks or time.monotonic() - self.grids_sent < GRIDS_SECONDS:
            return
        self.flush()  # the curves reach the page no later than the panels
        grids = self.drawing.grids(indices, params)
        if grids:
            self.conn.send(("grids", self.task_id, list(grids), epoch, list(grids.values())))
        self.grids_sent = time.monotonic()

    def flush(self):
        import numpy as np
        if self.rows:
            metrics = {name: np.stack([row[name] for _, row in self.rows]) for name in self.rows[0][1]}
            self.conn.send(("epochs", self.task_id, self.indices, np.array([e for e, _ in self.rows]), metrics))
        self.rows, self.sent = [], time.monotonic()
