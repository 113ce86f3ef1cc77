"""Command line: ``python -m experiments run ...``, ``python -m experiments datasets`` and
``python -m experiments store list|show|export|prune``. The flags of ``run`` that choose the grid are made
from the settings table (experiments/fields.py): one per row, its name, help and default there."""
import argparse
import inspect
import os
import sys
import time

from nn.validation import check_choice

from .architectures import canonical_architecture
from .datasets import DATASETS, load_dataset
from .fields import ARCHITECTURE, FIELDS, as_text, data_options
from .numbers import read_number, read_whole
from .runner import BACKENDS, GridTraining
from .specs import expand_grid


class CliError(Exception):
    """A bad value on the command line: one line on stderr, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise CliError(message)


def build_parser():
    parser = Parser(prog="python -m experiments",
                    description="Train a grid of small NumPy networks and compare them.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run = commands.add_parser("run", help="train every combination and write runs.csv and history.csv")
    add_setting_flags(run)
    run.add_argument("--jobs", default="1", help="worker processes, one BLAS thread each (default 1: this process); "
                                                 "a grid too small to share is trained in one process")
    run.add_argument("--backend", default="loky", choices=BACKENDS, help="loky (local processes) or dask")
    run.add_argument("--scheduler", default=None, help="dask scheduler address, with --backend dask")
    run.add_argument("--demo-limits", action="store_true",
                     help="refuse a grid over the public demo's caps (NN_LAB_MAX_RUNS, NN_LAB_MAX_WORK, ...; "
                          "see experiments.limits.Limits.from_env)")
    run.add_argument("--out", default="results", help="output folder (default results/)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--snapshots", default="20", help="weight copies kept per drawn run while training (default 20, "
                                                      "as the app keeps); saved with --store")
    run.add_argument("--store", nargs="?", const="", default=None, metavar="URL", help=STORE_HELP + "; also save the "
                     "comparison there, so the app opens it at once")
    commands.add_parser("datasets", help="list the datasets")
    store = commands.add_parser("store", help="list, show, export or prune the comparisons in the results store")
    actions = store.add_subparsers(dest="action", required=True, parser_class=Parser)
    where = Parser(add_help=False)
    where.add_argument("--store", default="", metavar="URL", help=STORE_HELP)
    actions.add_parser("list", parents=[where], help="every stored comparison, the most recently used first")
    actions.add_parser("show", parents=[where], help="a comparison's summary").add_argument("key")
    export = actions.add_parser("export", parents=[where], help="write a comparison's runs.csv and history.csv")
    export.add_argument("key")
    export.add_argument("folder")
    actions.add_parser("prune", parents=[where], help="remove the least recently used comparisons until the store "
                                                      "is within NN_LAB_STORE_MAX_BYTES")
    return parser


STORE_HELP = ("the results store: any SQLAlchemy URL such as sqlite:////path/results.sqlite or "
              "postgresql+psycopg://user:password@host/db (default: NN_LAB_STORE_URL, else .nn-lab/results.sqlite)")


def add_setting_flags(parser):
    """One flag per row of the settings table that names one: several values or one, its help, and its
    default (expand_grid's; a data option's default is each dataset's own)."""
    defaults = {name: parameter.default for name, parameter in inspect.signature(expand_grid).parameters.items()}
    for row in FIELDS:
        if not row.flag:
            continue
        default = None if row.per_dataset else defaults[row.parameter]
        if default is not None:
            default = [_as_flag_text(row, value) for value in default] if row.many else _as_flag_text(row, default)
        choices = f", one or more of: {', '.join(row.choices())}" if row.choices else ""
        said = "each dataset's own" if row.per_dataset else " ".join(default) if row.many else default
        parser.add_argument(f"--{row.flag}", nargs="+" if row.many else None, default=default, metavar=row.metavar,
                            help=f"{row.help}{choices} (default: {said})")


def _as_flag_text(row, value):
    return row.none_as if value is None and row.none_as else as_text(value)


def _given(args, row):
    return getattr(args, row.flag.replace("-", "_"))


def flag_value(row, text):
    """One word given to a setting's flag: a number read as the app reads a typed one (``number``), the
    batch of the whole training set for "full", and names and architectures as written (expand_grid checks
    every value, as it checks the library's)."""
    if row.none_as and text == row.none_as:
        return None
    if row.type in (int, float):
        return number(row.flag, text, row.type)
    return text


def number(name, text, kind=float):
    """``text`` as an int or a finite float, read as the app reads a typed number (experiments.numbers): "1e3"
    is 1000 epochs; "1_0", "١٠", "１０", "nan", "inf" and "2.5" for a whole number are refused with a message
    naming --``name``."""
    whole = kind is int
    hint = f" (write it in the digits 0-9, such as {'16' if whole else '0.1 or 1e-3'})"
    try:
        return (read_whole if whole else read_number)(text, f"--{name}", hint)
    except ValueError as error:
        raise CliError(str(error)) from None


def unique(flag, values, key, warn):
    """``values`` without repeats (compared by ``key``, so 25-8-2 repeats [25, 8, 2]); a repeat would train
    identical runs, so it is dropped with a warning."""
    kept, repeated = {}, []
    for value in values:
        if key(value) in kept:
            repeated.append(value)
        else:
            kept[key(value)] = value
    if repeated:
        warn(f"warning: --{flag} repeats {', '.join(dict.fromkeys(map(str, repeated)))}; each value is trained once.")
    return list(kept.values())


def dataset_options(args, datasets, warn):
    """{dataset: {option: value}} for the data options' flags (--samples, --noise, --test-fraction), given
    only to the datasets that have the option. One that applies to none of them is an error; to some of
    them, a warning."""
    options = {name: {} for name in datasets}
    for row in data_options():
        if _given(args, row) is None:
            continue
        value = flag_value(row, _given(args, row))
        without = [name for name in datasets if getattr(DATASETS[name], row.name) is None]
        for name in datasets:
            if name not in without:
                options[name][row.name] = value
        reasons = row.absent if len(without) == 1 else "; ".join(f"{name}: {row.absent}" for name in without)
        if len(without) == len(datasets):
            raise CliError(f"--{row.flag} does not apply to {', '.join(without)} ({reasons}); leave it out.")
        if without:
            warn(f"warning: --{row.flag} does not apply to {', '.join(without)} ({reasons}); used for the others "
                 "only.")
    return options


def specs_from_args(args, warn=None):
    """The grid the flags ask for, each setting's flag read as its row of the settings table says."""
    warn = warn or (lambda message: None)
    grid = {}
    for row in FIELDS:
        given = _given(args, row) if row.flag else None
        if given is None or row.per_dataset:
            continue
        if not row.many:
            grid[row.parameter] = flag_value(row, given)
            continue
        key = canonical_architecture if row.type == ARCHITECTURE else (lambda value: value)
        grid[row.parameter] = unique(row.flag, [flag_value(row, text) for text in given], key, warn)
    grid["datasets"] = [check_choice("dataset", name, DATASETS) for name in grid["datasets"]]
    return expand_grid(**grid, dataset_options=dataset_options(args, grid["datasets"], warn))


def check_scheduler(args):
    """--scheduler goes with --backend dask, and the other way round; its address must look like one."""
    from .dask_cluster import SchedulerError, check_scheduler_address
    if args.scheduler is not None and args.backend != "dask":
        raise CliError("--scheduler is used only with --backend dask; add --backend dask or leave --scheduler out.")
    if args.backend == "dask":
        if args.scheduler is None:
            raise CliError("--backend dask needs --scheduler ADDRESS, such as --scheduler tcp://127.0.0.1:8786.")
        try:
            check_scheduler_address(args.scheduler)
        except SchedulerError as error:
            raise CliError(f"--scheduler {args.scheduler!r}: {error.reason}") from None


def check_demo_limits(specs):
    """--demo-limits: the public demo's caps (Limits.from_env), checked before any training."""
    from .limits import Limits, check_limits
    from .specs import load_grid_data
    check_limits(specs, Limits.from_env(), load_grid_data(specs))


class ProgressBar:
    """``[####....] 12/108 runs  1.2s  edge [25, 8, 2]`` on one line; ``note`` (how the runs are trained) is
    written on a line of its own above the bar, when the bar first moves."""

    def __init__(self, stream, enabled, note=""):
        self.stream, self.enabled, self.note, self.start = stream, enabled, note, time.perf_counter()

    def __call__(self, done, total, spec, outcome):
        if not self.enabled:
            return
        if self.note:
            self.stream.write(self.note + "\n")
            self.note = ""
        width = 30
        filled = int(width * done / total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} runs "
                          f"{time.perf_counter() - self.start:6.1f}s  {spec.dataset} {spec.architecture:<16}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def format_summary(summary):
    if summary.empty:
        return "no run finished, so there is nothing to summarise (every run failed: see the messages on stderr)."
    lines = [f"{'dataset':10s} {'architecture':16s} {'layers':16s} {'activation':10s} {'optimizer':9s} "
             f"{'lr':>8s} {'runs':>4s} {'train acc':>15s} {'test acc':>15s}"]
    for row in summary.itertuples():
        def mean_std(mean, std):
            return f"{mean:.3f}" + (f" ± {std:.3f}" if row.runs > 1 else "")
        flag = f"  ({row.diverged} diverged)" if row.diverged else ""
        lines.append(f"{row.dataset:10s} {row.architecture:16s} {row.layers:16s} {row.activation:10s} "
                     f"{row.optimizer:9s} {row.lr:8g} {row.runs:4d} "
                     f"{mean_std(row.train_acc_mean, row.train_acc_std):>15s} "
                     f"{mean_std(row.test_acc_mean, row.test_acc_std):>15s}{flag}")
    return "\n".join(lines)


def check_output_folder(folder):
    """Fail before training, not after, when results cannot be written to ``folder``."""
    probe = os.path.join(folder, ".write-test")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(probe, "w") as handle:
            handle.write("")
        os.remove(probe)
    except OSError as error:
        raise CliError(f"--out {folder!r} is not a writable folder ({error.strerror or error}).") from None


def command_run(args, stdout, stderr):
    from .dask_cluster import SchedulerError
    check_scheduler(args)
    specs = specs_from_args(args, lambda message: stderr.write(message + "\n"))
    check_output_folder(args.out)
    jobs = number("jobs", args.jobs, int)
    snapshots = number("snapshots", args.snapshots, int)
    if args.demo_limits:
        check_demo_limits(specs)
    store = None if args.store is None else open_store(args.store)  # fail before training, not after
    try:
        training = GridTraining(specs, snapshots=snapshots)
        _, note = training.plan(jobs, args.backend)  # one process when the grid is too small to share
        results = training.run(jobs, ProgressBar(stderr, not args.quiet, note), backend=args.backend,
                               scheduler=args.scheduler)
    except SchedulerError as error:
        raise CliError(f"--scheduler {args.scheduler}: {error.reason}") from None
    results.to_csv(args.out)
    stdout.write(format_summary(results.summary()) + "\n")
    errors = results.runs[results.runs["status"] == "error"]
    for row in errors.itertuples():
        stderr.write(f"run {row.run_id} failed: {row.message}\n")
    stdout.write(f"wrote {args.out.rstrip('/')}/runs.csv and history.csv ({len(results.runs)} runs)\n")
    if store is not None:
        save_in_store(store, training.specs, snapshots, results, stdout)


def open_store(url):
    """The results store at ``url`` ("" for the default one); StoreUnavailable (exit 2) names the URL."""
    from .store import ResultStore
    return ResultStore.from_env(url=url or None)


def save_in_store(store, specs, snapshots, results, stdout):
    from dataclasses import asdict

    from .store import store_key
    if len(results.runs) < len(specs) or (results.runs["status"] == "stopped").any():
        stdout.write(f"not saved in {store.url}: the comparison did not finish\n")
        return
    key = store_key(specs, snapshots)
    settings = {"specs": [asdict(spec) for spec in specs], "snapshots": snapshots}
    saved = store.put(key, results, settings=settings)
    stdout.write(f"saved in {store.url} as {key}\n" if saved else
                 f"not saved in {store.url}: it is larger than the store's whole budget\n")


def command_store(args, stdout):
    store = open_store(args.store)
    try:
        if args.action == "list":
            stdout.write(f"{len(store.list())} comparisons, {store.size() / 1e6:.1f} MB of "
                         f"{store.max_bytes / 1e6:g} MB in {store.url}\n")
            for info in store.list():
                stdout.write(f"{info.key}  {info.n_runs:4d} runs  {info.bytes / 1e6:7.2f} MB  last used "
                             f"{_when(info.last_used)}{'  pinned' if info.pinned else ''}\n")
        elif args.action == "show":
            key = find_key(store, args.key)
            info = store.info(key)
            stdout.write(f"{key}: {info.n_runs} runs, {info.bytes / 1e6:.2f} MB, stored {_when(info.created)}, last "
                         f"used {_when(info.last_used)}\n")
            from .results import summarize
            stdout.write(format_summary(summarize(store.runs(key))) + "\n")
        elif args.action == "export":
            check_output_folder(args.folder)
            key = find_key(store, args.key)
            store.get(key).to_csv(args.folder)
            stdout.write(f"wrote {args.folder.rstrip('/')}/runs.csv and history.csv\n")
        else:
            removed = store.prune()
            stdout.write(f"removed {len(removed)} comparisons; {store.size() / 1e6:.1f} MB of "
                         f"{store.max_bytes / 1e6:g} MB in use\n")
    finally:
        store.close()


def find_key(store, text):
    """The stored key that is ``text`` or starts with it (at least 8 hex digits, as ``store list`` shows)."""
    found = [info.key for info in store.list() if len(text) >= 8 and info.key.startswith(text.lower())]
    if len(found) != 1:
        what = "no comparison" if not found else f"{len(found)} comparisons"
        raise CliError(f"{what} in {store.url} with key {text!r}; `python -m experiments store list` shows the keys.")
    return found[0]


def _when(seconds):
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def command_datasets(stdout):
    stdout.write(f"{'name':10s} {'features':>8s} {'classes':>7s} {'samples':>7s}  description\n")
    for name, info in DATASETS.items():
        sizes = info.split_sizes()  # counted from the class sizes, without making the data (or scikit-learn)
        if sizes is None:  # sizes that depend on the draw: xor and xor4, quick to make with NumPy alone
            data = load_dataset(name)
            sizes = len(data.y_train), len(data.y_test)
        samples = f"{sizes[0]}+{sizes[1]}" if info.test_fraction else f"{sizes[0]}"
        stdout.write(f"{name:10s} {info.n_features:8d} {info.n_classes:7d} {samples:>7s}  {info.description}\n")


def main(argv=None, stdout=None, stderr=None):
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        if args.command == "datasets":
            command_datasets(stdout)
        elif args.command == "store":
            command_store(args, stdout)
        else:
            command_run(args, stdout, stderr)
    except (CliError, ValueError) as error:
        stderr.write(f"error: {error}\n")
        return 2
    except KeyboardInterrupt:
        stderr.write("interrupted\n")
        return 130
    return 0
