"""Command line: ``python -m experiments run ...`` and ``python -m experiments datasets``."""
import argparse
import os
import sys
import time

import nn

from .datasets import DATASETS, load_dataset
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
    run.add_argument("--dataset", nargs="+", default=["edge"], metavar="NAME",
                     help=f"one or more of: {', '.join(DATASETS)}")
    run.add_argument("--arch", nargs="+", default=["[25,2]", "[25,8,2]", "[25,16,8,2]"], metavar="LAYERS",
                     help='architectures such as "[25,8,2]", 25,8,2 or 25-8-2')
    run.add_argument("--activation", nargs="+", default=["relu"], metavar="NAME",
                     help=f"one or more of: {', '.join(sorted(nn.ACTIVATIONS))}")
    run.add_argument("--lr", nargs="+", default=["0.1"], metavar="LR", help="learning rates")
    run.add_argument("--optimizer", nargs="+", default=["sgd"], metavar="NAME",
                     help=f"one or more of: {', '.join(nn.OPTIMIZERS)}")
    run.add_argument("--epochs", default="200", help="epochs per run (default 200)")
    run.add_argument("--batch-size", default="16", help='samples per step, or "full" (default 16)')
    run.add_argument("--l2", default="0", help="L2 weight decay (default 0)")
    run.add_argument("--seeds", nargs="+", default=["0"], metavar="SEED", help="replicate seeds (default 0)")
    run.add_argument("--samples", default=None, help="samples per dataset (default: each dataset's own)")
    run.add_argument("--noise", default=None, help="noise level (default: each dataset's own)")
    run.add_argument("--test-fraction", default=None, help="held-out fraction (default: each dataset's own)")
    run.add_argument("--data-seed", default="0", help="seed of the data split (default 0)")
    run.add_argument("--jobs", default="1", help="worker processes, one BLAS thread each (default 1: this process); "
                                                 "a grid too small to share is trained in one process")
    run.add_argument("--backend", default="loky", choices=BACKENDS, help="loky (local processes) or dask")
    run.add_argument("--scheduler", default=None, help="dask scheduler address, with --backend dask")
    run.add_argument("--out", default="results", help="output folder (default results/)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    commands.add_parser("datasets", help="list the datasets")
    return parser


def number(name, text, kind=float):
    try:
        value = kind(text)
    except (TypeError, ValueError):
        raise CliError(f"--{name} must be a {'whole ' if kind is int else ''}number; got {text!r}.") from None
    return value


def specs_from_args(args):
    batch = None if args.batch_size == "full" else number("batch-size", args.batch_size, int)
    options = {key: value for key, value in (
        ("n_samples", None if args.samples is None else number("samples", args.samples, int)),
        ("noise", None if args.noise is None else number("noise", args.noise)),
        ("test_fraction", None if args.test_fraction is None else number("test-fraction", args.test_fraction)),
    ) if value is not None}
    return expand_grid(datasets=args.dataset, architectures=args.arch, activations=args.activation,
                       lrs=[number("lr", lr) for lr in args.lr], optimizers=args.optimizer,
                       seeds=[number("seeds", seed, int) for seed in args.seeds],
                       epochs=number("epochs", args.epochs, int), batch_size=batch, l2=number("l2", args.l2),
                       dataset_options={name: options for name in args.dataset},
                       data_seed=number("data-seed", args.data_seed, int))


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
    lines = [f"{'dataset':10s} {'architecture':16s} {'layers':16s} {'activation':10s} {'optimizer':9s} "
             f"{'lr':>8s} {'runs':>4s} {'train acc':>15s} {'test acc':>15s}"]
    for row in summary.itertuples():
        def mean_std(mean, std):
            return f"{mean:.3f}" + (f" ± {std:.3f}" if row.runs > 1 else "")
        flag = f"  ({row.diverged} diverged)" if row.diverged else ""
        lines.append(f"{row.dataset:10s} {row.architecture:16s} {row.layers:16s} {row.activation:10s} "
                     f"{row.optimizer:9s} {row.lr:8g} {row.runs:4d} {mean_std(row.train_acc_mean, row.train_acc_std):>15s} "
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
    specs = specs_from_args(args)
    check_output_folder(args.out)
    jobs = number("jobs", args.jobs, int)
    training = GridTraining(specs)
    _, note = training.plan(jobs, args.backend)  # one process when the grid is too small to share
    results = training.run(jobs, ProgressBar(stderr, not args.quiet, note), backend=args.backend,
                           scheduler=args.scheduler)
    results.to_csv(args.out)
    stdout.write(format_summary(results.summary()) + "\n")
    errors = results.runs[results.runs["status"] == "error"]
    for row in errors.itertuples():
        stderr.write(f"run {row.run_id} failed: {row.message}\n")
    stdout.write(f"wrote {args.out.rstrip('/')}/runs.csv and history.csv ({len(results.runs)} runs)\n")


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
        else:
            command_run(args, stdout, stderr)
    except (CliError, ValueError) as error:
        stderr.write(f"error: {error}\n")
        return 2
    except KeyboardInterrupt:
        stderr.write("interrupted\n")
        return 130
    return 0
