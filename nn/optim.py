"""Optimizers update a network's parameters from its gradients; layers never update themselves.

Each works on the network's flat parameter and gradient buffers, so one step is a handful of array
operations however many layers there are. The update rules are those of ``torch.optim.SGD`` (momentum
with dampening 0, optional Nesterov) and ``torch.optim.Adam`` (with bias correction), including how
``weight_decay`` adds ``weight_decay * p`` to the gradient of every parameter (classic L2 regularisation).
``lr`` and ``weight_decay`` may be arrays of shape (K, 1) to give each network of a stack its own value.
"""
import numpy as np

from ._checks import check_fraction, check_positive_float


class Optimizer:
    def __init__(self, lr, weight_decay=0.0):
        self.lr = check_positive_float("lr", lr)
        self.weight_decay = check_positive_float("weight_decay", weight_decay, allow_zero=True)
        self.state = None

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (arrays of the same shape)."""
        if np.any(self.weight_decay):
            grads = grads + self.weight_decay * params
        if self.state is None:
            self.state = self.init_state(params)
        self.update(params, grads)

    def init_state(self, params):
        return {}

    def update(self, params, grads):
        raise NotImplementedError

    def __repr__(self):
        settings = ", ".join(f"{key}={value!r}" for key, value in vars(self).items() if key != "state")
        return f"{type(self).__name__}({settings})"


class SGD(Optimizer):
    """p <- p - lr * g"""

    def update(self, params, grads):
        params -= self.lr * grads


class Momentum(Optimizer):
    """v <- beta v + g;  p <- p - lr v  (Nesterov: p <- p - lr (g + beta v))."""

    def __init__(self, lr, beta=0.9, nesterov=False, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta = check_fraction("beta", beta)
        self.nesterov = bool(nesterov)

    def init_state(self, params):
        return {"velocity": np.zeros_like(params)}

    def update(self, params, grads):
        velocity = self.state["velocity"]
        velocity *= self.beta
        velocity += grads
        params -= self.lr * (grads + self.beta * velocity if self.nesterov else velocity)


class Adam(Optimizer):
    """m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  p <- p - lr m_hat / (sqrt(v_hat) + eps),
    where m_hat = m / (1 - b1^t) and v_hat = v / (1 - b2^t) undo the zero initialisation of m and v."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta1 = check_fraction("beta1", beta1)
        self.beta2 = check_fraction("beta2", beta2)
        self.eps = check_positive_float("eps", eps)

    def init_state(self, params):
        return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}

    def update(self, params, grads):
        state = self.state
        state["t"] += 1
        m, v, t = state["m"], state["v"], state["t"]
        m *= self.beta1
        m += (1.0 - self.beta1) * grads
        v *= self.beta2
        v += (1.0 - self.beta2) * grads * grads
        m_hat = m / (1.0 - self.beta1 ** t)
        v_hat = v / (1.0 - self.beta2 ** t)
        params -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
