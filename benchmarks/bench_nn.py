"""Time nn against scikit-learn's MLPClassifier on the same work, alternating the two in one process.

    python benchmarks/bench_nn.py [--repeats 5]

MLPClassifier is set up to do the same work: plain SGD (momentum 0), no L2 (alpha 0), a constant learning
rate, the same batch size, epochs and hidden layers, and no early stopping (tol 0, n_iter_no_change = epochs).
Prints the median seconds of each and the ratio (>1 means nn is faster), then the cost of one full-batch
digits step against the matrix products it cannot avoid.
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
import nn  # noqa: E402
from experiments.datasets import load_dataset  # noqa: E402

WORKLOADS = [  # (label, dataset, layer sizes, epochs, batch size or None for full, lr)
    ("edge [25,2]", "edge", [25, 2], 200, 16, 0.1),
    ("edge [25,8,2]", "edge", [25, 8, 2], 200, 16, 0.1),
    ("edge [25,16,8,2]", "edge", [25, 16, 8, 2], 200, 16, 0.1),
    ("digits [64,128,10] full", "digits", [64, 128, 10], 500, None, 0.1),
    ("digits [64,128,10] b32", "digits", [64, 128, 10], 200, 32, 0.01),
    ("circles [2,16,8,2] full", "circles", [2, 16, 8, 2], 1000, None, 0.1),
]


def time_nn(data, sizes, epochs, batch_size, lr):
    net = nn.Network(sizes, activation="relu", seed=0)
    start = time.perf_counter()
    nn.fit(net, data.X_train, data.y_train, epochs, batch_size=batch_size, optimizer=nn.SGD(lr), seed=0)
    return time.perf_counter() - start


def time_sklearn(data, sizes, epochs, batch_size, lr):
    model = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu", solver="sgd", momentum=0.0,
                          alpha=0.0, learning_rate="constant", learning_rate_init=lr,
                          batch_size=batch_size or len(data.y_train), max_iter=epochs, tol=0.0,
                          n_iter_no_change=epochs, shuffle=True, random_state=0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data.X_train, data.y_train)
    return time.perf_counter() - start


def median_of(function, repeats):
    return float(np.median([function() for _ in range(repeats)]))


def full_batch_step_against_matmul(repeats):
    """Seconds per full-batch digits step, and per step of only its five matrix products."""
    data = load_dataset("digits")
    X, epochs = data.X_train, 200
    step = median_of(lambda: time_nn(data, [64, 128, 10], epochs, None, 0.1), repeats) / epochs
    rng = np.random.default_rng(0)
    W1, W2 = rng.normal(size=(64, 128)), rng.normal(size=(128, 10))
    H, G2 = rng.normal(size=(len(X), 128)), rng.normal(size=(len(X), 10))
    outs = [np.empty((len(X), 128)), np.empty((len(X), 10)), np.empty((128, 10)), np.empty((len(X), 128)),
            np.empty((64, 128))]

    def products():
        start = time.perf_counter()
        for _ in range(epochs):
            np.matmul(X, W1, out=outs[0])        # forward, layer 1
            np.matmul(H, W2, out=outs[1])        # forward, layer 2
            np.matmul(H.T, G2, out=outs[2])      # dW2
            np.matmul(G2, W2.T, out=outs[3])     # gradient into the hidden layer
            np.matmul(X.T, outs[3], out=outs[4])  # dW1
        return time.perf_counter() - start

    return step, median_of(products, repeats) / epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    datasets = {name: load_dataset(name) for name in ("edge", "digits", "circles")}
    print(f"{'workload':28s} {'nn (s)':>9s} {'sklearn (s)':>12s} {'speed-up':>9s}")
    for label, name, sizes, epochs, batch_size, lr in WORKLOADS:
        times = {"nn": [], "sklearn": []}
        for _ in range(args.repeats):  # alternate, so both see the same machine load
            times["nn"].append(time_nn(datasets[name], sizes, epochs, batch_size, lr))
            times["sklearn"].append(time_sklearn(datasets[name], sizes, epochs, batch_size, lr))
        ours, theirs = np.median(times["nn"]), np.median(times["sklearn"])
        print(f"{label:28s} {ours:9.3f} {theirs:12.3f} {theirs / ours:8.1f}x", flush=True)
    step, products = full_batch_step_against_matmul(args.repeats)
    print(f"\nfull-batch digits step: {step * 1e3:.2f} ms; its matrix products alone: {products * 1e3:.2f} ms; "
          f"ratio {step / products:.2f}")


if __name__ == "__main__":
    main()
