"""Optimizers update a network's parameters from its gradients; layers never update themselves.

Each works on the network's flat parameter and gradient buffers, so one step is a handful of array
operations however many layers there are. The update rules are those of ``torch.optim.SGD`` (momentum
with dampening 0, optional Nesterov) and ``torch.optim.Adam`` (with bias correction), including how
``weight_decay`` adds ``weight_decay * p`` to the gradient of every parameter (classic L2 regularisation).
``lr`` and ``weight_decay`` may be arrays of shape (K, 1) to give each network of a stack its own value.
Intermediate results go to two scratch arrays kept in ``state``: a stack of networks has megabytes of
parameters, and fresh temporaries of that size cost more than the arithmetic.
"""
import numpy as np

from .validation import check_fraction, check_positive_float


class Optimizer:
    arrays = 2  # arrays of the parameters' size it keeps (its scratch arrays and state): the memory model's fact

    def __init__(self, lr, weight_decay=0.0):
        self.lr = check_positive_float("lr", lr)
        self.weight_decay = check_positive_float("weight_decay", weight_decay, allow_zero=True)
        self.state = None

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (arrays of the same shape). ``lr`` is read at every step
        (a schedule may change it); ``weight_decay`` is read once, at the first step."""
        if self.state is None:
            self.state = {"scratch": (np.empty_like(params), np.empty_like(params)),
                          "decays": bool(np.any(self.weight_decay)), **self.init_state(params)}
        if self.state["decays"]:  # checked once: np.any on every small step costs more than the step's update
            decayed = np.multiply(params, self.weight_decay, out=self.state["scratch"][1])
            grads = np.add(grads, decayed, out=decayed)  # g + weight_decay * p
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
        params -= np.multiply(grads, self.lr, out=self.state["scratch"][0])


class Momentum(Optimizer):
    """v <- beta v + g;  p <- p - lr v  (Nesterov: p <- p - lr (g + beta v))."""

    arrays = 3  # and the velocity

    def __init__(self, lr, beta=0.9, nesterov=False, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta = check_fraction("beta", beta)
        self.nesterov = bool(nesterov)

    def init_state(self, params):
        return {"velocity": np.zeros_like(params)}

    def update(self, params, grads):
        velocity, scratch = self.state["velocity"], self.state["scratch"][0]
        velocity *= self.beta
        velocity += grads
        direction = velocity
        if self.nesterov:
            direction = np.multiply(velocity, self.beta, out=scratch)
            direction += grads  # g + beta v
        params -= np.multiply(direction, self.lr, out=scratch)


class Adam(Optimizer):
    """m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  p <- p - lr m_hat / (sqrt(v_hat) + eps),
    where m_hat = m / (1 - b1^t) and v_hat = v / (1 - b2^t) undo the zero initialisation of m and v."""

    arrays = 4  # and the two moments

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
        first, second = state["scratch"]  # ``second`` may hold grads (with weight decay): read them first
        m *= self.beta1
        m += np.multiply(grads, 1.0 - self.beta1, out=first)
        v *= self.beta2
        squared = np.multiply(grads, grads, out=first)
        v += np.multiply(squared, 1.0 - self.beta2, out=first)
        m_hat = np.divide(m, 1.0 - self.beta1 ** t, out=second)
        denominator = np.divide(v, 1.0 - self.beta2 ** t, out=first)  # v_hat
        denominator = np.sqrt(denominator, out=denominator)
        denominator += self.eps
        step = np.divide(m_hat, denominator, out=second)
        params -= np.multiply(step, self.lr, out=step)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
