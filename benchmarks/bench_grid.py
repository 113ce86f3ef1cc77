"""Time a 108-run comparison grid on edge against the same 108 fits done one after another by scikit-learn's
MLPClassifier, two ways:

- the whole command as a user runs it: ``python -m experiments run ... --jobs 1`` (and ``--jobs 2``) in a
  fresh process, start-up, imports and CSV writing included;
- ``run_grid`` alone in this (warm) process, jobs=1 and jobs=2, its worker processes already started;

and, first, how fast ``python -m experiments datasets`` and ``run --help`` answer.

    python benchmarks/bench_grid.py [--repeats 3] [--blas-threads 1]

Every repeat times the five, one after another, in an order that rotates from repeat to repeat; the
speed-ups are medians of the ratios within each repeat, so a machine that slows down for a minute slows
both sides of a ratio; ``free cores`` before and after tells whether the machine let --jobs 2 use two.
The grid is the README's command: 3 architectures x 3 activations x 4 learning rates
x 3 seeds; 200 epochs, batch 16, plain SGD. MLPClassifier is set up as in bench_nn.py (momentum 0,
alpha 0, constant rate, no early stopping). ``--blas-threads 1`` (the default) limits BLAS to one thread
in this process and in the command's (``0``: the library's default); workers always use one each.
"""
import argparse
import filecmp
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def checkout_first():
    """Time the checkout this script is in. Installed from it (pip install -e .), nothing to do; otherwise (not
    installed, or another copy installed) put it first on the path."""
    found = importlib.util.find_spec("experiments")
    if found is None or not (found.origin or "").startswith(os.path.join(ROOT, "")):
        sys.path.insert(0, ROOT)


checkout_first()
from experiments.datasets import load_dataset  # noqa: E402
from experiments.runner import run_grid  # noqa: E402
from experiments.specs import expand_grid  # noqa: E402

ARCHITECTURES = ["[25,2]", "[25,8,2]", "[25,16,8,2]"]
ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic"}  # ours -> scikit-learn's name
LRS = ["0.3", "0.1", "0.03", "0.01"]
SEEDS = ["0", "1", "2"]
COMMAND = ["run", "--dataset", "edge", "--arch", *ARCHITECTURES, "--activation", *ACTIVATIONS, "--lr", *LRS,
           "--epochs", "200", "--batch-size", "16", "--seeds", *SEEDS, "--quiet"]


def grid_specs():
    return expand_grid(datasets=["edge"], architectures=ARCHITECTURES, activations=list(ACTIVATIONS),
                       lrs=[float(lr) for lr in LRS], seeds=[int(seed) for seed in SEEDS], epochs=200, batch_size=16)


def time_sklearn(specs, data):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning, and overflow at the largest rates
        for spec in specs:
            hidden = [int(size) for size in spec.architecture.strip("[]").split(",")][1:-1]
            MLPClassifier(hidden_layer_sizes=tuple(hidden), activation=ACTIVATIONS[spec.activation], solver="sgd",
                          momentum=0.0, alpha=0.0, learning_rate="constant", learning_rate_init=spec.lr,
                          batch_size=16, max_iter=200, tol=0.0, n_iter_no_change=200, shuffle=True,
                          random_state=spec.seed).fit(data.X_train, data.y_train)
    return time.perf_counter() - start


def command_environment(blas_threads):
    env = dict(os.environ)
    if blas_threads:
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[variable] = str(blas_threads)
    return env


def time_command(jobs, out, env):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "experiments", *COMMAND, "--jobs", str(jobs), "--out", out], cwd=ROOT,
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def time_start_up(env, repeats=7):
    """Median seconds of the quick commands, alternated, with a bare ``import numpy`` as the floor."""
    commands = {"python -m experiments datasets": ["-m", "experiments", "datasets"],
                "python -m experiments run --help": ["-m", "experiments", "run", "--help"],
                "python -c 'import numpy' (floor)": ["-c", "import numpy"]}
    times = {name: [] for name in commands}
    for _ in range(repeats):
        for name, arguments in commands.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, *arguments], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) for name, values in times.items()}


def free_cores():
    """The cores this run gets, roughly, on a shared machine: the CPU time two busy one-second Python loops
    receive when started together, divided by the wall time they take (2.0: two free cores)."""
    loop = [sys.executable, "-c", "for i in range(10_000_000): pass"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for process in [subprocess.Popen(loop), subprocess.Popen(loop)]:
        process.wait()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / wall


def time_run_grid(specs, jobs):
    start = time.perf_counter()
    run_grid(specs, jobs=jobs)
    return time.perf_counter() - start


def blas_threads_here():
    return sorted({pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"})


def blas_threads_of_command(env):
    code = ("import numpy, threadpoolctl; print(sorted({p['num_threads'] for p in threadpoolctl.threadpool_info() "
            "if p['user_api'] == 'blas'}))")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads here and in the command (0: default)")
    args = parser.parse_args()
    limit = threadpool_limits(args.blas_threads) if args.blas_threads else None
    env = command_environment(args.blas_threads)
    specs, data = grid_specs(), load_dataset("edge")
    out = tempfile.mkdtemp(prefix="bench-grid-")
    print(f"free cores before: {free_cores():.1f} of {os.cpu_count()}")
    for name, seconds in time_start_up(env).items():
        print(f"{name:34s} {seconds:7.2f} s")
    run_grid(specs, jobs=2)  # start the worker pool once, as a long-running app or notebook would

    contenders = {
        "MLPClassifier": lambda: time_sklearn(specs, data),
        "command --jobs 1": lambda: time_command(1, os.path.join(out, "jobs1"), env),
        "command --jobs 2": lambda: time_command(2, os.path.join(out, "jobs2"), env),
        "run_grid jobs=1": lambda: time_run_grid(specs, 1),
        "run_grid jobs=2": lambda: time_run_grid(specs, 2),
    }
    names = list(contenders)
    times = {name: [] for name in names}
    for repeat in range(args.repeats):
        for name in names[repeat % len(names):] + names[:repeat % len(names)]:
            times[name].append(contenders[name]())
        print(f"repeat {repeat + 1}: " + ", ".join(f"{name} {times[name][-1]:.2f} s" for name in names), flush=True)

    sklearn = np.array(times["MLPClassifier"])
    print(f"\n{len(specs)} runs on edge, 200 epochs, batch 16; median of {args.repeats} alternated repeats")
    print(f"BLAS threads: this process {blas_threads_here()}, the command {blas_threads_of_command(env)}, "
          "each worker of --jobs 2 [1]")
    print(f"{'MLPClassifier, one after another':34s} {np.median(sklearn):7.2f} s")
    for name in names[1:]:
        ours = np.array(times[name])
        print(f"{name:34s} {np.median(ours):7.2f} s   {np.median(sklearn / ours):5.1f}x faster "
              f"(per repeat {', '.join(f'{r:.1f}x' for r in sklearn / ours)})")
    print(f"free cores after: {free_cores():.1f} of {os.cpu_count()}")
    same = all(filecmp.cmp(os.path.join(out, "jobs1", name), os.path.join(out, "jobs2", name), shallow=False)
               for name in ("history.csv",))
    print(f"history.csv of --jobs 1 and --jobs 2 identical: {same}")
    if limit is not None:
        limit.restore_original_limits()


if __name__ == "__main__":
    main()
