"""Time nn against scikit-learn's MLPClassifier on the same work, alternating the two in one process.

    python benchmarks/bench_nn.py [--repeats 5] [--blas-threads 1,2] [--load 0]

``--blas-threads 1,2`` times every workload with BLAS limited to one thread and to two (threadpoolctl),
alternated within each repeat, so both counts see the same machine; ``--load 3`` keeps three busy Python
processes running meanwhile: a loaded machine, reproducibly (on two cores, two-thread BLAS then waits for
a core that is not free).

MLPClassifier is set up to do the same work: plain SGD (momentum 0), no L2 (alpha 0), a constant learning
rate, the same batch size, epochs and hidden layers, and no early stopping (tol 0, n_iter_no_change = epochs).
Prints the median seconds of each and the ratio (>1 means nn is faster), then the cost of one full-batch
digits step against the matrix products it cannot avoid, and against the same step written as bare NumPy
(one function, no classes, every array preallocated): the floor for any NumPy network on this machine;
and, last, np.tanh against nn's own tanh (exp-based: np.tanh is not vectorised for float64 without AVX-512).
"""
import argparse
import subprocess
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

import nn  # the project is installed (pip install -e .), so no path edits are needed
from experiments.datasets import load_dataset

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


def full_batch_step_against_matmul(repeats):
    """Seconds per full-batch digits step of nn, of only its five matrix products, and of a bare NumPy step."""
    data = load_dataset("digits")
    X, epochs, n = data.X_train, 200, len(data.X_train)
    Y = np.eye(10)[data.y_train]
    rng = np.random.default_rng(0)
    W1, b1 = rng.normal(size=(64, 128)) * np.sqrt(2 / 64), np.zeros((1, 128))
    W2, b2 = rng.normal(size=(128, 10)) * np.sqrt(2 / 128), np.zeros((1, 10))
    z1, z2, dh, zeros = np.empty((n, 128)), np.empty((n, 10)), np.empty((n, 128)), np.zeros((n, 128))
    dW1, db1, dW2, db2 = np.empty_like(W1), np.empty_like(b1), np.empty_like(W2), np.empty_like(b2)
    active, ones_n, ones_c = np.empty((n, 128), bool), np.ones((1, n)), np.ones((10, 1))

    def products():
        start = time.perf_counter()
        for _ in range(epochs):
            np.matmul(X, W1, out=z1)        # forward, layer 1
            np.matmul(z1, W2, out=z2)       # forward, layer 2
            np.matmul(z1.T, z2, out=dW2)    # dW2
            np.matmul(z2, W2.T, out=dh)     # gradient into the hidden layer
            np.matmul(X.T, dh, out=dW1)     # dW1
        return time.perf_counter() - start

    def bare_numpy():
        start = time.perf_counter()
        for _ in range(epochs):
            np.add(np.matmul(X, W1, out=z1), b1, out=z1)
            np.maximum(z1, zeros, out=z1)
            np.add(np.matmul(z1, W2, out=z2), b2, out=z2)
            np.subtract(z2, np.take_along_axis(z2, z2.argmax(axis=1)[:, None], axis=1), out=z2)
            np.exp(z2, out=z2)
            np.divide(z2, z2 @ ones_c, out=z2)
            np.multiply(np.subtract(z2, Y, out=z2), 1 / n, out=z2)  # (p - y) / n
            np.matmul(z1.T, z2, out=dW2)
            np.matmul(ones_n, z2, out=db2)
            np.matmul(z2, W2.T, out=dh)
            np.multiply(dh, np.greater(z1, 0, out=active), out=dh)
            np.matmul(X.T, dh, out=dW1)
            np.matmul(ones_n, dh, out=db1)
            for param, grad in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
                param -= 0.1 * grad
        return time.perf_counter() - start

    times = {"nn": [], "products": [], "bare": []}
    for _ in range(repeats):  # alternate, so all three see the same machine load
        times["nn"].append(time_nn(data, [64, 128, 10], epochs, None, 0.1))
        times["products"].append(products())
        times["bare"].append(bare_numpy())
    return {key: float(np.median(values)) / epochs for key, values in times.items()}


def tanh_against_numpys(repeats, calls=5000):
    """Nanoseconds per number of np.tanh and of nn's exp-based tanh (nn.layers.tanh), alternated, on the
    hidden layer of 12 stacked [25, 16, 8, 2] networks at batch 16 (12 x 16 x 16 numbers)."""
    from nn.layers import tanh
    z = np.random.default_rng(0).normal(size=(12, 16, 16)) * 3
    out, t = np.empty_like(z), np.empty_like(z)

    def per_number(function):
        start = time.perf_counter()
        for _ in range(calls):
            out[...] = z
            function(out)
        return (time.perf_counter() - start) / calls / z.size * 1e9

    times = {"numpy": [], "nn": [], "copy": []}
    for _ in range(repeats):
        times["numpy"].append(per_number(lambda a: np.tanh(a, out=a)))
        times["nn"].append(per_number(lambda a: tanh(a, t)))
        times["copy"].append(per_number(lambda a: None))
    copy = float(np.median(times["copy"]))
    return {key: float(np.median(values)) - copy for key, values in times.items() if key != "copy"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--blas-threads", default="1,2", help="BLAS thread counts to compare, e.g. 1,2")
    parser.add_argument("--load", type=int, default=0, help="busy processes running meanwhile")
    args = parser.parse_args()
    counts = [int(count) for count in args.blas_threads.split(",")]
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.load)]
    try:
        run(args.repeats, counts, args.load)
    finally:
        for process in busy:
            process.kill()


def run(repeats, counts, load):
    datasets = {name: load_dataset(name) for name in ("edge", "digits", "circles")}
    print(f"BLAS threads {counts}, alternated; {load} busy processes meanwhile")
    header = " ".join(f"{f'{who} {n}t (s)':>13s}" for who in ("nn", "sklearn") for n in counts)
    print(f"{'workload':26s} {header}  " + " ".join(f"{f'speed-up {n}t':>12s}" for n in counts))
    for label, name, sizes, epochs, batch_size, lr in WORKLOADS:
        times = {(who, n): [] for who in ("nn", "sklearn") for n in counts}
        for _ in range(repeats):  # alternate, so every column sees the same machine load
            for n in counts:
                with threadpool_limits(n):
                    times["nn", n].append(time_nn(datasets[name], sizes, epochs, batch_size, lr))
                    times["sklearn", n].append(time_sklearn(datasets[name], sizes, epochs, batch_size, lr))
        median = {key: float(np.median(values)) for key, values in times.items()}
        cells = " ".join(f"{median[who, n]:13.3f}" for who in ("nn", "sklearn") for n in counts)
        ratios = " ".join(f"{median['sklearn', n] / median['nn', n]:11.1f}x" for n in counts)
        print(f"{label:26s} {cells}  {ratios}", flush=True)
    with threadpool_limits(counts[0]):
        step = full_batch_step_against_matmul(repeats)
    print(f"\nfull-batch digits step ({counts[0]} BLAS thread(s)): nn {step['nn'] * 1e3:.2f} ms; its matrix products "
          f"alone {step['products'] * 1e3:.2f} ms (ratio {step['nn'] / step['products']:.2f}); "
          f"bare NumPy {step['bare'] * 1e3:.2f} ms (ratio {step['bare'] / step['products']:.2f})")
    cost = tanh_against_numpys(repeats)
    print(f"tanh of 12 x 16 x 16 float64 numbers: np.tanh {cost['numpy']:.1f} ns per number, nn.layers.tanh "
          f"{cost['nn']:.1f} ns ({cost['numpy'] / cost['nn']:.1f}x faster)")


if __name__ == "__main__":
    main()
