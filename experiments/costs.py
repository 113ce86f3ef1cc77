"""What a comparison costs, before it is trained: how its runs are cut into lockstep groups (stacks of
networks trained at once, each under a memory bound), and the time and memory models that the caps
(limits.py), the pool's waiting times and the runner's sharing of work between processes all read.

The models were fitted and checked by measuring: benchmarks/bench_estimate.py (time) and
benchmarks/bench_memory.py (memory).
"""
from typing import NamedTuple

import nn

from .specs import count_params, layers_as_run, lockstep_key

GROUP_MEMORY_BYTES = 64e6  # a lockstep group's memory stays under this (group_memory); larger ones are split
MB = 2**20
FLOAT_BYTES = 8  # the networks are float64


def snapshot_schedule(epochs, count):
    """About ``count`` epochs from 0 to ``epochs``, closer together early on, where the boundary moves most."""
    import numpy as np
    if count <= 0:
        return []
    return sorted({0, epochs, *np.unique(np.geomspace(1, epochs, count - 1).round().astype(int)).tolist()})


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


def run_work(spec, n_train, layers):
    """Parameters x training samples x epochs: what one run costs, roughly."""
    return count_params(layers) * n_train * spec.epochs


def grid_work(specs, datasets):
    """Total work of checked specs; ``datasets`` is {data_key: Dataset} from ``load_grid_data``."""
    total = 0.0
    for spec in specs:
        data = datasets[spec.data_key()]
        total += run_work(spec, len(data.y_train), layers_as_run(spec, data.n_features, data.n_classes))
    return total


def estimate_seconds(specs, datasets):
    """A rough training time on one core of this project's CI machine, as the app's pool trains (test data
    scored every epoch, snapshots and live weights kept).

    Runs that share a lockstep key (``specs.lockstep_key``) train as one stack of K networks. A step costs
    about 28 us, plus 6.8 us per weight layer, plus 0.9 us per layer and network, plus 7.8 us per hidden
    layer for each activation the stack mixes in beyond its first; an epoch adds about 40 us (scoring the
    test data, shuffling, the metrics); the arithmetic adds about 0.23 ns per unit of work (parameters x
    samples x epochs) and 4.5 ns per hidden unit, sample and epoch of a tanh or sigmoid network (an
    exponential: ``nn`` activations say whether they compute one); a group adds about 6 ms. Fitted with
    ``benchmarks/bench_estimate.py --fit`` (the fastest of 3 trainings of each, as a pool worker trains:
    its epoch hook, live grids, 20 snapshots) on 26 groups from 1 to 36 networks on edge, lines, xor,
    circles, moons and digits, one BLAS thread; fitted / measured 0.77-1.13. The pool scales it by how
    fast groups really train on the server (``pool.timing.Speed``).
    """
    groups = {}
    for spec in specs:
        data = datasets[spec.data_key()]
        key = lockstep_key(spec, data)
        groups.setdefault(key, []).append((run_work(spec, len(data.y_train), list(key.layers)), spec.activation))
    seconds = 0.0
    for key, members in groups.items():
        layers, epochs = key.layers, key.epochs
        n_train = len(datasets[key.data_key].y_train)
        steps = epochs * -(-n_train // (key.batch_size or n_train))
        k, weight_layers, hidden_units = len(members), len(layers) - 1, sum(layers[1:-1])
        activations = {activation for _, activation in members}
        exp_networks = sum(nn.ACTIVATIONS[activation].exponential for _, activation in members
                           if activation in nn.ACTIVATIONS)
        seconds += (steps * (28.3e-6 + weight_layers * (6.8e-6 + 0.89e-6 * k)
                             + 7.8e-6 * (weight_layers - 1) * (len(activations) - 1))
                    + epochs * 38e-6
                    + 0.232e-9 * sum(work for work, _ in members)
                    + 4.5e-9 * epochs * n_train * hidden_units * exp_networks
                    + 0.006)
    return seconds


class MemoryEstimate(NamedTuple):
    """Bytes a comparison needs at its peak: ``workers`` for the groups training at once (two workers), and
    ``server`` for its Results in the server: the pool's copy and one visitor's (networks, snapshots)."""

    workers: float
    server: float

    @property
    def total(self):
        return self.workers + self.server


def group_memory(layers, optimizer, networks, drawn, n_train, n_test, batch_size, snapshot_count):
    """Peak bytes of a worker training one lockstep group of ``networks`` networks with these ``layers``, of
    which ``drawn`` keep ``snapshot_count`` weight snapshots each.

    Per network of the stack: its parameters and gradients alone and stacked, the final weights kept for
    networks that stop early, the squared gradients, and the optimizer's arrays (``nn.Optimizer.arrays``);
    the drawn runs' snapshots; the layers' buffers for a batch (forward and backward, and the last,
    smaller batch) and for the training and test data scored at once; and the outcome sent back, pickled."""
    params = count_params(layers)
    per_network = 2 + 2 + 1 + 1 + nn.OPTIMIZERS[optimizer].arrays
    batch = min(batch_size or n_train, n_train)
    activations = networks * sum(layers[1:]) * (10 * batch + 2 * n_train + 2 * n_test)
    snapshots = drawn * snapshot_count * params
    sent = 2 * (networks * params + snapshots)
    return FLOAT_BYTES * (networks * params * per_network + snapshots + activations + sent)


def estimate_memory(specs, datasets, snapshots=0, workers=2):
    """A MemoryEstimate of checked specs (``datasets`` from ``load_grid_data``), as the app's pool trains them:
    the ``workers`` largest groups at once, and the runs of the lowest seed keeping ``snapshots`` snapshots.
    In the server, a finished network holds its parameters and gradients, in the pool's copy and a visitor's."""
    lowest = min(spec.seed for spec in specs)
    peaks, server = [], 0.0
    for data_key, members in group_runs(specs, datasets):
        data, first = datasets[data_key], members[0][1]
        layers = layers_as_run(first, data.n_features, data.n_classes)
        count = len(snapshot_schedule(first.epochs, snapshots))
        drawn = sum(spec.seed == lowest for _, spec in members)
        peaks.append(group_memory(layers, first.optimizer, len(members), drawn, len(data.y_train),
                                  len(data.y_test), first.batch_size, count))
        server += FLOAT_BYTES * count_params(layers) * 2 * (2 * len(members) + count * drawn)
    return MemoryEstimate(sum(sorted(peaks)[-workers:]), server)
