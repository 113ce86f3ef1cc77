"""The training loop: ``fit`` trains one network, ``fit_lockstep`` trains K networks as one stack.

Both run the same loop. A stack of K networks that share data and architecture has parameters with a
leading axis of length K; every array operation then updates all K at once, which is what makes a
comparison grid of small networks fast (networks of different activations share the stack too). Each
network keeps its own initialisation, shuffling order, learning rate and divergence status, so its
history and weights are bit-identical to training it alone with ``fit``.
"""
import warnings
from dataclasses import dataclass, field

import numpy as np

from .validation import check_int, check_labels, check_X
from .losses import one_hot
from .network import Network
from .optim import SGD, Optimizer

STATUSES = ("ok", "diverged", "stopped")
DIVERGENCE_FACTOR = 100.0  # a loss above 100 x its value at initialisation counts as diverged
MAX_EPOCHS = 100_000


@dataclass
class History:
    """Per-epoch metrics of one training run, and how it ended (``status`` is one of STATUSES)."""

    train_loss: list = field(default_factory=list)  # mean over the epoch's samples
    train_acc: list = field(default_factory=list)   # fraction of the epoch's samples predicted right
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)   # per epoch, one L2 norm per Linear layer (mean over steps)
    snapshots: list = field(default_factory=list)   # [(epoch, flat parameters)] at the epochs asked for
    initial_loss: float = float("nan")
    status: str = "ok"
    message: str = ""

    @property
    def epochs(self):
        return len(self.train_loss)


def fit(net, X, y, epochs, batch_size=None, optimizer=None, seed=0, shuffle=True,
        X_val=None, y_val=None, on_epoch=None, snapshot_epochs=(), watch=None):
    """Train ``net`` in place with mini-batch gradient descent and return its History.

    ``batch_size=None`` means full batch. ``on_epoch(epoch, metrics)`` is called after every epoch;
    returning False stops training with status "stopped". A loss that becomes non-finite or exceeds
    100 times its initial value, or a gradient norm that is not finite (inputs far too large overflow
    it: the step taken is meaningless), stops training with status "diverged" and a message saying
    which; nothing is raised. ``snapshot_epochs`` lists epochs from 0 to ``epochs`` after which to keep
    a copy of the flat parameters (0: before training); load one back with ``net.flat_params[...] = params``.
    ``watch(epoch, params)`` sees the flat parameters after every epoch, to draw the network as it learns:
    a read-only view that the next epoch overwrites, so copy what you keep.
    Every argument is checked before training: a bad one is a ValueError naming it.
    """
    if not isinstance(net, Network) or net.n_models is not None:
        raise ValueError("'net' must be a single nn.Network; use fit_lockstep for a stack of networks.")
    seed = check_int("seed", seed, minimum=0)
    optimizer = SGD(0.1) if optimizer is None else optimizer
    histories = _train(net, X, y, epochs, batch_size, optimizer, [np.random.default_rng(seed)], shuffle,
                       X_val, y_val, on_epoch, snapshot_epochs, watch)
    return histories[0]


def fit_lockstep(nets, X, y, epochs, batch_size=None, optimizers=None, seeds=None, shuffle=True,
                 X_val=None, y_val=None, on_epoch=None, snapshot_epochs=(), watch=None, snapshot_networks=None):
    """Train several networks of one architecture on the same data at once; returns their Histories.
    Their activations may differ: each is applied to its own networks' rows of the stack.

    ``optimizers`` is one optimizer per network, all of one class and differing at most in ``lr`` and
    ``weight_decay``; ``seeds`` gives each network's shuffling seed. Networks are updated in place.
    ``on_epoch`` receives the metrics as arrays with one value per network (NaN for a network that ended
    in an earlier epoch), ``watch`` the parameters as one row per network, shape (networks, parameters).
    ``snapshot_networks``: the positions in ``nets`` of the networks whose snapshots are kept (None: all);
    the others' histories have none, and their copies are never made (a snapshot costs a network's size).
    """
    nets = list(nets)
    if not nets or not all(isinstance(net, Network) and net.n_models is None for net in nets):
        raise ValueError("'nets' must be a non-empty list of single nn.Network objects.")
    seeds = [0] * len(nets) if seeds is None else [check_int("seeds", seed, minimum=0) for seed in seeds]
    optimizers = [SGD(0.1) for _ in nets] if optimizers is None else list(optimizers)
    if len(seeds) != len(nets) or len(optimizers) != len(nets):
        raise ValueError(f"need one seed and one optimizer per network; got {len(nets)} networks, "
                         f"{len(seeds)} seeds and {len(optimizers)} optimizers.")
    if snapshot_networks is not None:
        snapshot_networks = sorted({check_int("snapshot_networks", k, minimum=0, maximum=len(nets) - 1)
                                    for k in snapshot_networks})
    stacked = Network.stack(nets)
    histories = _train(stacked, X, y, epochs, batch_size, _stack_optimizers(optimizers, stacked.dtype),
                       [np.random.default_rng(seed) for seed in seeds], shuffle, X_val, y_val, on_epoch,
                       snapshot_epochs, watch, snapshot_networks)
    for net, row in zip(nets, stacked.flat_params):  # row k of a stack is network k's flat parameters
        net.flat_params[...] = row
    return histories


def _stack_optimizers(optimizers, dtype):
    """One optimizer whose ``lr`` and ``weight_decay`` are (K, 1) arrays of the parameters' dtype, one row
    per network: a float32 network alone multiplies by its rate in float32 (a Python float takes the
    array's type), so a float64 array of rates would change the bits of a float32 stack."""
    first = optimizers[0]
    def settings(opt):
        return {key: value for key, value in vars(opt).items() if key not in ("lr", "weight_decay", "state")}
    for opt in optimizers:
        if not isinstance(opt, Optimizer) or type(opt) is not type(first) or settings(opt) != settings(first):
            raise ValueError("networks trained in lockstep need optimizers of one class that differ only in "
                             f"'lr' and 'weight_decay'; got {optimizers!r}.")
    stacked = type(first).__new__(type(first))
    stacked.__dict__.update(vars(first), state=None)
    stacked.lr = np.array([[opt.lr] for opt in optimizers], dtype=dtype)
    stacked.weight_decay = np.array([[opt.weight_decay] for opt in optimizers], dtype=dtype)
    return stacked


def _check_fit_inputs(net, X, y, epochs, batch_size, optimizer, X_val, y_val, on_epoch):
    X = check_X(X, net.layer_sizes[0], net.dtype)
    y = check_labels(y, X.shape[0], net.layer_sizes[-1])
    epochs = check_int("epochs", epochs, minimum=1, maximum=MAX_EPOCHS)
    if batch_size is None:
        batch_size = X.shape[0]
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if batch_size > X.shape[0]:
        warnings.warn(f"batch_size={batch_size} is larger than the {X.shape[0]} training samples; "
                      f"using full batches of {X.shape[0]}.", stacklevel=3)
        batch_size = X.shape[0]
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"'optimizer' must be an nn optimizer such as SGD(0.1); got {optimizer!r}.")
    if (X_val is None) != (y_val is None):
        raise ValueError("'X_val' and 'y_val' must be given together.")
    if X_val is not None:
        X_val = check_X(X_val, net.layer_sizes[0], net.dtype, name="X_val")
        y_val = check_labels(y_val, X_val.shape[0], net.layer_sizes[-1], name="y_val")
    if on_epoch is not None and not callable(on_epoch):
        raise ValueError(f"'on_epoch' must be callable or None; got {on_epoch!r}.")
    return X, y, epochs, batch_size, X_val, y_val


def _check_snapshot_epochs(snapshot_epochs, epochs):
    """The set of epochs (0 to ``epochs``) after which to keep the parameters."""
    if isinstance(snapshot_epochs, (str, bytes, dict)) or not hasattr(snapshot_epochs, "__iter__"):
        raise ValueError(f"'snapshot_epochs' must be a list of epochs from 0 to {epochs} (0: before training), "
                         f"or () for none; got {snapshot_epochs!r}.")
    return {check_int("snapshot_epochs", epoch, minimum=0, maximum=epochs) for epoch in snapshot_epochs}


def _train(net, X, y, epochs, batch_size, optimizer, rngs, shuffle, X_val, y_val, on_epoch, snapshot_epochs=(),
           watch=None, snapshot_networks=None):
    """The loop behind fit and fit_lockstep. Per-network values are scalars, or arrays of shape (K,)."""
    X, y, epochs, batch_size, X_val, y_val = _check_fit_inputs(
        net, X, y, epochs, batch_size, optimizer, X_val, y_val, on_epoch)
    if watch is not None and not callable(watch):
        raise ValueError(f"'watch' must be callable or None; got {watch!r}.")
    params_view = None
    if watch is not None:
        params_view = net.flat_params.view()
        params_view.flags.writeable = False
    snapshot_epochs = _check_snapshot_epochs(snapshot_epochs, epochs)
    kept = slice(None) if snapshot_networks is None else snapshot_networks  # rows of a stack whose snapshots
    snapshots = [(0, net.flat_params[kept].copy())] if 0 in snapshot_epochs else []  # are kept
    n_samples, n_classes = X.shape[0], net.layer_sizes[-1]
    Y = one_hot(y, n_classes, net.dtype)
    Y_val = None if X_val is None else one_hot(y_val, n_classes, net.dtype)
    per_net = () if net.n_models is None else (net.n_models,)
    params, grads, layer_offsets = net.flat_params, net.flat_grads, net.layer_offsets
    records = {key: [] for key in ("train_loss", "train_acc", "val_loss", "val_acc", "grad_norm")}
    running = np.ones(per_net, dtype=bool)   # still training
    diverged = np.zeros(per_net, dtype=bool)
    epochs_run = np.zeros(per_net, dtype=int)
    final_params = params.copy()  # the weights of networks that stop early are kept here
    squared_grads = np.empty_like(grads)
    batches = [slice(start, start + batch_size) for start in range(0, n_samples, batch_size)]
    n_batches = len(batches)
    predicted = np.empty(per_net + (n_samples,), dtype=np.intp)  # this epoch's predictions, counted once
    shuffled = None  # X, Y and y in the epoch's order: arrays rewritten every epoch, not new ones

    with np.errstate(all="ignore"):  # a diverging run overflows; it is detected below, not warned about
        initial_loss = net.loss_fn.forward(net.forward(X), Y)
        for epoch in range(1, epochs + 1):
            if shuffle and batch_size < n_samples:  # a full batch's order changes nothing but rounding
                order = np.stack([rng.permutation(n_samples) for rng in rngs]) if per_net \
                    else rngs[0].permutation(n_samples)
                if shuffled is None:
                    shuffled = [np.empty(order.shape + data.shape[1:], data.dtype) for data in (X, Y, y)]
                X_epoch, Y_epoch, y_epoch = [np.take(data, order, axis=0, out=out)
                                             for data, out in zip((X, Y, y), shuffled)]
            else:
                X_epoch, Y_epoch, y_epoch = X, Y, y
            loss_sum = np.zeros(per_net)
            norm_sum = np.zeros(per_net + (len(layer_offsets),))
            for batch in batches:
                logits = net.forward(X_epoch[..., batch, :])
                loss_sum += net.loss_fn.forward(logits, Y_epoch[..., batch, :]) * logits.shape[-2]
                predicted[..., batch] = net.loss_fn.predicted
                net.backward()
                # ||grad||_2 of each Linear layer: its W and b lie side by side in the flat buffer
                np.multiply(grads, grads, out=squared_grads)
                norm_sum += np.sqrt(np.add.reduceat(squared_grads, layer_offsets, axis=-1))
                optimizer.step(params, grads)
            n_correct = (predicted == y_epoch).sum(axis=-1)

            metrics = {"train_loss": loss_sum / n_samples, "train_acc": n_correct / n_samples,
                       "grad_norm": norm_sum / n_batches}
            if X_val is not None:
                logits_val = net.forward(X_val)
                metrics["val_loss"] = net.loss_fn.forward(logits_val, Y_val)
                metrics["val_acc"] = (net.loss_fn.predicted == y_val).mean(axis=-1)
            for key, value in metrics.items():
                records[key].append(value)
            if epoch in snapshot_epochs:
                snapshots.append((epoch, params[kept].copy()))

            epochs_run[running] = epoch
            loss = metrics["train_loss"]
            # also catches NaN and inf, in the loss or in a gradient norm (the step taken was not finite)
            newly_diverged = running & ~((loss <= DIVERGENCE_FACTOR * initial_loss) & np.isfinite(loss)
                                         & np.isfinite(metrics["grad_norm"]).all(axis=-1))
            diverged |= newly_diverged
            ended = newly_diverged
            if on_epoch is not None and on_epoch(epoch, _of_running(metrics, running)) is False:
                ended = running.copy()
            if watch is not None:
                watch(epoch, params_view)
            if ended.any():
                final_params[ended] = params[ended]
                running &= ~ended
                if not running.any():
                    break
        final_params[running] = params[running]
    params[...] = final_params
    net.clear_caches()

    status = np.where(diverged, "diverged", np.where(running, "ok", "stopped"))
    indices = [()] if not per_net else [(k,) for k in range(per_net[0])]
    records = {key: np.asarray(values) for key, values in records.items()}  # (epochs, networks...) each
    histories = [_history(records, index, int(epochs_run[index]), float(initial_loss[index]), str(status[index]))
                 for index in indices]
    rows = {index: index if snapshot_networks is None else (snapshot_networks.index(index[0]),)
            for index in indices if snapshot_networks is None or index[0] in snapshot_networks}
    for history, index in zip(histories, indices):  # views of one array per snapshot epoch, not copies
        history.snapshots = [(epoch, saved[rows[index]]) for epoch, saved in snapshots
                             if epoch <= history.epochs] if index in rows else []
    return histories


def _of_running(metrics, running):
    """The epoch's metrics, NaN for the networks of a stack that ended before this epoch (diverged): they
    are carried along with the others but no longer train, so nobody watching should see them go on."""
    if running.all():
        return metrics
    return {key: np.where(running.reshape(running.shape + (1,) * (value.ndim - 1)), value, np.nan)
            for key, value in metrics.items()}


def _history(records, index, epochs_run, initial_loss, status):
    """The History of the network at ``index`` (``()`` for a single network) from the per-epoch records,
    arrays of shape (epochs, networks...)."""
    columns = {key: values[(slice(epochs_run), *index)].tolist() if len(values) else []
               for key, values in records.items()}
    last_loss = columns["train_loss"][-1] if epochs_run else float("nan")
    overflowed = status == "diverged" and np.isfinite(last_loss) and not np.isfinite(columns["grad_norm"][-1]).all()
    messages = {
        "ok": "",
        "stopped": f"stopped after epoch {epochs_run}",
        "diverged": f"diverged at epoch {epochs_run}: " + (
            f"a gradient norm overflowed to {'inf' if np.isinf(columns['grad_norm'][-1]).any() else 'nan'} "
            f"(training loss {last_loss:.3g}); "
            "the inputs may be far too large (standardise them) or the learning rate too high"
            if overflowed else
            f"training loss {last_loss:.3g} (initial {initial_loss:.3g}); try a smaller learning rate"),
    }
    return History(**columns, initial_loss=initial_loss, status=status, message=messages[status])
