"""Time a 108-run comparison grid on edge with run_grid (jobs=1 and jobs=2) against the same 108 fits done
one after another by scikit-learn's MLPClassifier.

    python benchmarks/bench_grid.py [--repeats 3]

The grid: 3 architectures x 3 activations x 4 learning rates x 3 seeds; 200 epochs, batch 16, plain SGD.
MLPClassifier is set up as in bench_nn.py (momentum 0, alpha 0, constant rate, no early stopping).
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from experiments.datasets import load_dataset  # noqa: E402
from experiments.runner import run_grid  # noqa: E402
from experiments.specs import expand_grid  # noqa: E402

ARCHITECTURES = ["[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"]
ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic"}  # ours -> scikit-learn's name
LRS = [0.5, 0.1, 0.05, 0.01]
SEEDS = [0, 1, 2]


def grid_specs():
    return expand_grid(datasets=["edge"], architectures=ARCHITECTURES, activations=list(ACTIVATIONS), lrs=LRS,
                       seeds=SEEDS, epochs=200, batch_size=16)


def time_sklearn(specs):
    data = load_dataset("edge")
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


def time_grid(specs, jobs):
    start = time.perf_counter()
    results = run_grid(specs, jobs=jobs)
    return time.perf_counter() - start, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    specs = grid_specs()
    run_grid(specs[:2], jobs=2)  # start the worker pool once, as a long-running app or CLI session would
    times = {1: [], 2: []}
    for _ in range(args.repeats):
        for jobs in (1, 2):
            seconds, results = time_grid(specs, jobs)
            times[jobs].append(seconds)
    sklearn_seconds = time_sklearn(specs)
    print(f"{len(specs)} runs on edge, 200 epochs, batch 16")
    print(f"MLPClassifier, one after another: {sklearn_seconds:7.2f} s")
    for jobs in (1, 2):
        ours = float(np.median(times[jobs]))
        print(f"run_grid jobs={jobs}:                 {ours:7.2f} s   {sklearn_seconds / ours:5.1f}x faster")
    ok = results.runs["status"].value_counts().to_dict()
    print(f"statuses: {ok}; mean test accuracy {results.runs['test_acc'].mean():.3f}")


if __name__ == "__main__":
    main()
