"""How good is the time model? ``experiments.costs.estimate_seconds`` against lockstep groups trained as
the app's pool trains them (``runner.train_group`` with an epoch hook, snapshots and a weights hook).

    python benchmarks/bench_estimate.py            # measured / estimated, per group and overall
    python benchmarks/bench_estimate.py --fit      # also the least-squares constants for the model
    python benchmarks/bench_estimate.py --comparisons   # whole comparisons in a pool: estimate against wait

The model: a group of K networks with L weight layers, trained for S steps (epochs x batches) on
parameters x samples x epochs = W units of work, mixing A activations, with X hidden units x samples x
epochs in its tanh and sigmoid networks (an exponential each), takes
S * (a + b L + c L K + h (L - 1) (A - 1)) + e E + f E K + d W + x X + g seconds. BLAS is held
to one thread, as in the pool's workers; the thread count is printed.
"""
import argparse
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import nn
from experiments.costs import estimate_seconds, run_work
from experiments.pool.worker import Drawing, Reporter
from experiments.runner import train_group
from experiments.specs import expand_grid, layers_as_run, load_grid_data

GROUPS = [  # (dataset, architecture, networks in the group, epochs, batch size)
    ("edge", "[25, 2]", 1, 200, 16), ("edge", "[25, 2]", 12, 200, 16),
    ("edge", "[25, 8, 2]", 1, 200, 16), ("edge", "[25, 8, 2]", 5, 200, 16), ("edge", "[25, 8, 2]", 12, 200, 16),
    ("edge", "[25, 16, 8, 2]", 3, 200, 16), ("edge", "[25, 16, 8, 2]", 12, 200, 16),
    ("edge", "[25, 32, 16, 2]", 5, 200, 16), ("edge", "[25, 32, 16, 8, 2]", 12, 100, 16),
    ("lines", "[25, 8, 2]", 3, 200, 16), ("circles", "[2, 16, 16, 2]", 6, 200, 16),
    ("xor", "[2, 8, 2]", 24, 300, 16), ("moons", "[2, 32, 32, 2]", 4, 100, 32),
    ("digits", "[64, 32, 10]", 1, 30, 32), ("digits", "[64, 128, 10]", 3, 20, 32),
    ("digits", "[64, 128, 10]", 2, 100, None), ("circles", "[2, 64, 64, 2]", 8, 300, None),
    ("digits", "[64, 16, 10]", 4, 400, 16), ("digits", "[64, 32, 16, 10]", 4, 200, 16),
    ("moons", "[2, 8, 2]", 6, 800, 16), ("circles", "[2, 16, 8, 2]", 6, 400, 16),
    # stacks that mix activations: (..., the activations, each for k / len(activations) networks)
    ("edge", "[25, 16, 8, 2]", 12, 200, 16, ("tanh",)), ("digits", "[64, 128, 10]", 3, 20, 32, ("sigmoid",)),
    ("edge", "[25, 8, 2]", 12, 200, 16, ("relu", "tanh", "sigmoid")),
    ("edge", "[25, 16, 8, 2]", 36, 200, 16, ("relu", "tanh", "sigmoid")),
    ("circles", "[2, 16, 16, 2]", 8, 200, 16, ("relu", "tanh", "sigmoid", "leaky_relu")),
]


def group_specs(dataset, architecture, k, epochs, batch_size, activations=("relu",)):
    per_activation = k // len(activations)
    return expand_grid(datasets=[dataset], architectures=[architecture], activations=list(activations),
                       lrs=[0.1 / (i + 1) for i in range(per_activation)], epochs=epochs, batch_size=batch_size)


def features(specs, datasets):
    """(steps, steps x L, steps x L x K, steps x (L - 1) x (activations - 1), epochs, epochs x K, work, 1) of
    one lockstep group: the model's terms."""
    spec = specs[0]
    data = datasets[spec.data_key()]
    n_train = len(data.y_train)
    steps = spec.epochs * -(-n_train // min(spec.batch_size or n_train, n_train))
    sizes = layers_as_run(spec, data.n_features, data.n_classes)  # the same for every run of the group
    layers, hidden_units = len(sizes) - 1, sum(sizes[1:-1])
    work = sum(run_work(s, n_train, sizes) for s in specs)
    extra_activations = len({s.activation for s in specs}) - 1
    exp_numbers = spec.epochs * n_train * hidden_units * sum(
        nn.ACTIVATIONS[s.activation].exponential for s in specs if s.activation in nn.ACTIVATIONS)
    return np.array([steps, steps * layers, steps * layers * len(specs), steps * (layers - 1) * extra_activations,
                     spec.epochs, spec.epochs * len(specs), work, exp_numbers, 1.0], dtype=float)


class Pipe:
    """Where a worker's Reporter sends its messages: counted here, as a pipe would take them."""

    def __init__(self):
        self.sent = 0

    def send(self, message):
        self.sent += 1


def time_group(specs, datasets, repeats):
    """The fastest of ``repeats`` trainings of the group as a pool worker trains it: the epoch hook and the
    live grids of the first seed's runs (the worker's own Reporter and Drawing), 20 snapshots."""
    data = datasets[specs[0].data_key()]
    members = list(enumerate(specs))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        reporter = Reporter(Pipe(), None, Drawing(data, [(i, spec) for i, spec in members if spec.seed == 0]))
        train_group(data, members, should_stop=lambda: False, snapshots=20, snapshot_seeds=(0,),
                    on_epoch=reporter, on_weights=reporter.grids)
        reporter.flush()
        best = min(best, time.perf_counter() - start)
    return best


COMPARISONS = {  # issue 24's cases, as a visitor chooses them in the sidebar
    "112 runs: edge, xor, circles, digits": dict(datasets=("edge", "xor", "circles", "digits"),
                                                 architectures=("[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]",
                                                                "[25, 12, 6, 2]"),
                                                 activations=("relu", "tanh"), lrs=(0.3, 0.1, 0.03, 0.01)),
    "digits, 8 runs, 800 epochs": dict(datasets=("digits",), architectures=("[25, 8, 2]", "[25, 16, 8, 2]"),
                                       activations=("relu", "tanh"), lrs=(0.1, 0.01), epochs=800),
    "circles and moons, 12 runs": dict(datasets=("circles", "moons"), architectures=("[25, 8, 2]", "[25, 16, 8, 2]"),
                                       activations=("relu", "tanh", "sigmoid"), lrs=(0.1,)),
    "circles and moons, 12 runs, 800 epochs": dict(datasets=("circles", "moons"),
                                                   architectures=("[25, 8, 2]", "[25, 16, 8, 2]"),
                                                   activations=("relu", "tanh", "sigmoid"), lrs=(0.1,), epochs=800),
    "the default (lines, 3 runs)": dict(),
    "30 runs on edge": dict(datasets=("edge",), architectures=("[25, 2]", "[25, 8, 2]", "[25, 16, 8, 2]"),
                            activations=("relu", "tanh"), lrs=(0.01, 0.03, 0.1, 0.3, 1.0)),
}


def comparisons():
    """Each comparison in a fresh pool of two workers, one after another, as the app's pool trains them
    (live grids, 20 snapshots): the wait the sidebar would show before Run against the wait measured."""
    from experiments.pool import TrainingPool
    from experiments.settings import AppSettings
    print(f"{'comparison':42s} {'runs':>4s} {'shown':>7s} {'waited':>7s} {'waited/shown':>12s}")
    pool = TrainingPool(workers=2).start()
    try:
        for name, choices in COMPARISONS.items():
            specs = AppSettings(**choices).specs()
            shown = pool.estimate_wait_seconds(specs, snapshots=20)
            start = time.perf_counter()
            pool.submit(specs, snapshots=20).result(timeout=900)
            waited = time.perf_counter() - start
            print(f"{name:42s} {len(specs):4d} {shown:6.1f}s {waited:6.1f}s {waited / shown:12.2f}", flush=True)
    finally:
        pool.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="times each group is trained; the fastest counts")
    parser.add_argument("--fit", action="store_true", help="print the least-squares constants of the model")
    parser.add_argument("--comparisons", action="store_true", help="instead: whole comparisons in a pool")
    args = parser.parse_args()
    import os
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.comparisons:
        comparisons()
        return
    rows = []
    with threadpool_limits(1, user_api="blas"):
        threads = {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}
        print(f"BLAS threads: {sorted(threads)}; fastest of {args.repeats} per group\n")
        print(f"{'group':46s} {'measured':>9s} {'estimate':>9s} {'ratio':>6s}")
        for dataset, architecture, k, epochs, batch_size, *activations in GROUPS:
            specs = group_specs(dataset, architecture, k, epochs, batch_size, *activations)
            datasets = load_grid_data(specs)
            measured = time_group(specs, datasets, args.repeats)
            estimate = estimate_seconds(specs, datasets)
            rows.append((features(specs, datasets), measured, estimate))
            mixed = f" {'/'.join(activations[0])}" if activations else ""
            name = f"{dataset} {architecture} x{k}{mixed}, {epochs} epochs, batch {batch_size or 'full'}"
            print(f"{name:46s} {measured:8.2f}s {estimate:8.2f}s {measured / estimate:6.2f}")
    ratios = np.array([measured / estimate for _, measured, estimate in rows])
    print(f"\nmeasured / estimate: median {np.median(ratios):.2f}, {ratios.min():.2f} to {ratios.max():.2f}")
    if args.fit:
        from scipy.optimize import nnls
        X = np.array([row[0] for row in rows])
        y = np.array([row[1] for row in rows])
        weights = 1 / y  # relative errors: a small group matters as much as a large one
        coefficients, _ = nnls(X * weights[:, None], y * weights)
        a, b, c, h, e, f, d, x, g = coefficients
        print(f"fit: per step {a * 1e6:.1f} us + {b * 1e6:.1f} us per layer + {c * 1e6:.2f} us per layer and "
              f"network + {h * 1e6:.1f} us per hidden layer and extra activation; per epoch {e * 1e6:.0f} us + "
              f"{f * 1e6:.1f} us per network; {d * 1e9:.3f} ns per unit of work; {x * 1e9:.1f} ns per hidden "
              f"unit and sample of a tanh or sigmoid network; {g * 1e3:.0f} ms per group")
        fitted = X @ coefficients / y
        print(f"fitted / measured: {fitted.min():.2f} to {fitted.max():.2f}")


if __name__ == "__main__":
    main()
