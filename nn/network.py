"""The network: a list of layers, a forward loop and a backward loop."""
import numpy as np

from .validation import check_choice, check_dtype, check_int, check_labels, check_layer_sizes, check_X
from .layers import ACTIVATIONS, INITIALIZERS, Linear, PerNetwork
from .losses import SoftmaxCrossEntropy, one_hot, softmax


class Network:
    """A multilayer perceptron: Linear, activation, Linear, ..., Linear -> softmax cross-entropy.

    ``layer_sizes`` is the full list as users write it: ``[25, 16, 8, 2]`` has 25 inputs, hidden layers
    of 16 and 8 units and 2 classes; ``[25, 2]`` has no hidden layer (multinomial logistic regression).

    All parameters live in one flat buffer (and all gradients in another); each layer's ``W``, ``b``,
    ``dW`` and ``db`` are views into them, so an optimizer updates every parameter in one operation.
    """

    def __init__(self, layer_sizes, activation="relu", seed=0, init="auto", dtype=np.float64):
        self.layer_sizes = check_layer_sizes(layer_sizes)
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self.init = check_choice("init", init, ["auto", *INITIALIZERS])
        self.dtype = check_dtype(dtype)
        self.seed = check_int("seed", seed, minimum=0)
        init_name = ACTIVATIONS[activation].init if init == "auto" else init
        rng = np.random.default_rng(seed)
        weights = [INITIALIZERS[init_name](rng, n_in, n_out, self.dtype)
                   for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:])]
        self._build([(W, np.zeros((1, W.shape[1]), self.dtype)) for W in weights])

    def _build(self, weights, n_models=None):
        """Create the layers over flat buffers holding ``weights`` [(W, b), ...] (stacked if n_models)."""
        lead = () if n_models is None else (n_models,)
        flat = np.zeros(lead + (sum(W.shape[-2] * W.shape[-1] + b.shape[-1] for W, b in weights),), self.dtype)
        self._build_flat(flat, n_models)
        for layer, (W, b) in zip(self.linear_layers, weights):
            layer.W[...], layer.b[...] = W, b

    def _build_flat(self, flat_params, n_models=None):
        """Create the layers over ``flat_params`` (taken as it is, not copied): every Linear layer's W and b,
        in order, W row by row; a stack of n_models networks has one such row per network."""
        lead = () if n_models is None else (n_models,)
        self.n_models = n_models
        sizes = [n_in * n_out + n_out for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:])]
        self.layer_offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        if flat_params.shape != lead + (sum(sizes),) or flat_params.dtype != self.dtype:
            raise ValueError(f"flat parameters of a {self.layer_sizes} network must have shape "
                             f"{lead + (sum(sizes),)} and dtype {np.dtype(self.dtype).name}; got "
                             f"{flat_params.shape} {flat_params.dtype}.")
        self.flat_params, self.flat_grads = flat_params, np.zeros_like(flat_params)
        self.layers = []
        for index, (n_in, n_out, start) in enumerate(zip(self.layer_sizes[:-1], self.layer_sizes[1:],
                                                         self.layer_offsets)):
            views = []
            for flat in (self.flat_params, self.flat_grads):
                views += [flat[..., start:start + n_in * n_out].reshape(lead + (n_in, n_out)),
                          flat[..., start + n_in * n_out:start + n_in * n_out + n_out].reshape(lead + (1, n_out))]
            self.layers.append(Linear(*views, propagate_grad=index > 0))
            if index < len(sizes) - 1:
                self.layers.append(self._activation_layer())
        self.loss_fn = SoftmaxCrossEntropy()

    @classmethod
    def from_flat(cls, layer_sizes, flat_params, activation="relu", seed=0, init="auto", dtype=np.float64):
        """A network over a copy of ``flat_params`` (as a network's ``flat_params`` holds them: what a worker
        sends, a snapshot): one array copied, no layer by layer."""
        net = object.__new__(cls)
        net.__dict__.update(layer_sizes=check_layer_sizes(layer_sizes),
                            activation=check_choice("activation", activation, ACTIVATIONS),
                            init=check_choice("init", init, ["auto", *INITIALIZERS]), dtype=check_dtype(dtype),
                            seed=check_int("seed", seed, minimum=0))
        net._build_flat(np.array(flat_params, dtype=net.dtype, copy=True))
        return net

    def _activation_layer(self):
        """One activation layer; for a stack (``activation`` then names one per network) that mixes
        activations, a PerNetwork layer with one part per run of networks that share one."""
        if self.n_models is None:
            return ACTIVATIONS[self.activation]()
        parts, start = [], 0
        for stop in range(1, self.n_models + 1):
            if stop == self.n_models or self.activation[stop] != self.activation[start]:
                parts.append((slice(start, stop), ACTIVATIONS[self.activation[start]]()))
                start = stop
        return parts[0][1] if len(parts) == 1 else PerNetwork(parts)

    # ----- the two loops -----
    def forward(self, X):
        """Logits for a batch X of shape (n, n_in). Layers cache what ``backward`` needs."""
        out = X
        try:
            for layer in self.layers:
                out = layer.forward(out)
        except ValueError:  # say it in the network's words, not NumPy's matmul's (costs nothing when it works)
            if np.shape(X)[-1:] != (self.layer_sizes[0],):
                raise ValueError(f"'X' has {np.shape(X)[-1] if np.ndim(X) else 0} features but the network's input "
                                 f"layer expects {self.layer_sizes[0]}.") from None
            raise
        return out.copy()  # the last layer's buffer is reused by the next call

    def loss(self, logits, y):
        """Mean softmax cross-entropy of ``logits`` against labels (integers or one-hot)."""
        y = np.asarray(y)
        y_onehot = y.astype(self.dtype) if y.ndim == logits.ndim else one_hot(y, logits.shape[-1], self.dtype)
        return self.loss_fn.forward(logits, y_onehot)

    def backward(self):
        """Fill every layer's gradients from the last ``loss`` call."""
        grad = self.loss_fn.backward()
        for layer in reversed(self.layers):
            grad = layer.backward(grad)

    # ----- predictions (checked input) -----
    def clear_caches(self):
        """Drop what forward and backward keep between calls (a large input leaves large buffers)."""
        for layer in self.layers:
            layer.clear_caches()
        self.loss_fn = SoftmaxCrossEntropy()

    def logits(self, X):
        """Logits for checked input X, leaving no caches behind."""
        X = check_X(X, self.layer_sizes[0], self.dtype)
        try:
            return self.forward(X)
        finally:
            self.clear_caches()

    def hidden_activations(self, X):
        """The output of every hidden layer's activation for checked input X: [(n, width), ...]."""
        X = check_X(X, self.layer_sizes[0], self.dtype)
        outputs = []
        try:
            for layer in self.layers[:-1]:
                X = layer.forward(X)
                if not isinstance(layer, Linear):
                    outputs.append(X.copy())
        finally:
            self.clear_caches()
        return outputs

    def predict_proba(self, X):
        return softmax(self.logits(X))

    def predict(self, X):
        return self.logits(X).argmax(axis=-1)

    def accuracy(self, X, y):
        logits = self.logits(X)
        correct = logits.argmax(axis=-1) == check_labels(y, logits.shape[-2], self.layer_sizes[-1])
        return float(correct.mean()) if self.n_models is None else correct.mean(axis=-1)

    # ----- parameters -----
    @property
    def linear_layers(self):
        return [layer for layer in self.layers if isinstance(layer, Linear)]

    @property
    def n_params(self):
        return int(self.flat_params.shape[-1])

    def get_weights(self):
        """Copies of [(W, b), ...], one pair per Linear layer."""
        return [(layer.W.copy(), layer.b.copy()) for layer in self.linear_layers]

    def set_weights(self, weights):
        """Load [(W, b), ...] as returned by ``get_weights``; shapes must match. Nothing is changed unless
        every pair is right."""
        count = len(self.linear_layers)
        if isinstance(weights, (str, bytes, dict)) or not hasattr(weights, "__iter__"):
            raise ValueError(f"'weights' must be a list of {count} (W, b) pairs as returned by get_weights; "
                             f"got {weights!r}.")
        weights = list(weights)
        if len(weights) != count:
            raise ValueError(f"'weights' must hold {count} (W, b) pairs; got {len(weights)}.")
        checked = []
        for index, (layer, pair) in enumerate(zip(self.linear_layers, weights)):
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
                got = f"{len(pair)} item(s)" if hasattr(pair, "__len__") and not isinstance(pair, (str, bytes)) \
                    else repr(pair)
                raise ValueError(f"weights[{index}] must be a (W, b) pair of arrays; got {got}.")
            for name, target, value in (("W", layer.W, pair[0]), ("b", layer.b, pair[1])):
                try:
                    value = np.asarray(value, dtype=self.dtype)
                except (TypeError, ValueError):
                    raise ValueError(f"weights[{index}] {name} must be an array of numbers; got {value!r}.") from None
                if value.shape != target.shape:
                    raise ValueError(f"weights[{index}] {name} must have shape {target.shape}; got {value.shape}.")
                checked.append((target, value))
        for target, value in checked:
            target[...] = value

    def copy(self):
        """An independent network with the same weights."""
        clone = self._blank(self.seed)
        clone._build_flat(self.flat_params.copy(), self.n_models)
        return clone

    def _blank(self, seed):
        """A Network with this one's settings and no layers yet (for copy, stack and unstack)."""
        blank = object.__new__(Network)
        blank.__dict__.update(layer_sizes=list(self.layer_sizes), activation=self.activation, init=self.init,
                              dtype=self.dtype, seed=seed)
        return blank

    # ----- stacks of networks trained in lockstep -----
    @classmethod
    def stack(cls, networks):
        """One network whose parameters have a leading axis of length K: the K given networks side by side.
        Its ``seed`` and ``activation`` are lists, one entry per network: activations may differ."""
        first = networks[0]
        for net in networks[1:]:
            if net.layer_sizes != first.layer_sizes or net.dtype != first.dtype:
                raise ValueError("only networks with the same layer sizes and dtype can be stacked.")
        stacked = first._blank([net.seed for net in networks])
        stacked.activation = [net.activation for net in networks]
        stacked._build_flat(np.stack([net.flat_params for net in networks]), n_models=len(networks))
        return stacked

    def unstack(self):
        """The K networks of a stacked network, as independent copies (row k of the flat parameters is
        network k's flat parameters)."""
        nets = []
        for k in range(self.n_models):
            net = self._blank(self.seed[k])
            net.activation = self.activation[k]
            net._build_flat(self.flat_params[k].copy())
            nets.append(net)
        return nets

    def __getstate__(self):
        """Pickle settings and the flat parameters only (for worker processes: one array); the layers and
        their views are rebuilt on load."""
        settings = {key: getattr(self, key) for key in ("layer_sizes", "activation", "init", "dtype", "seed")}
        return {**settings, "flat_params": self.flat_params, "n_models": self.n_models}

    def __setstate__(self, state):
        state = dict(state)
        flat, n_models = state.pop("flat_params"), state.pop("n_models")
        self.__dict__.update(state)
        self._build_flat(np.require(flat, requirements=["C", "W"]), n_models)

    def __repr__(self):
        return f"Network({self.layer_sizes}, activation={self.activation!r}, n_params={self.n_params})"
