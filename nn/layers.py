"""Layers: each has ``forward`` (caching what backward needs) and ``backward`` (returns the gradient below).

Shapes are written for one network, ``x`` of shape (batch, n_in). Every layer also works unchanged on a
stack of K networks trained in lockstep (``x`` of shape (K, batch, n_in), ``W`` of shape (K, n_in, n_out)):
the code only uses the last two axes, which is why ``.T`` is spelled ``swapaxes(-1, -2)``.
"""
import numpy as np

from .validation import check_fraction


class Layer:
    """What every layer shares: ``buffer``, arrays kept per shape and reused by the next call.

    Allocating a fresh megabyte-sized array every step costs more than the arithmetic on it: while
    another large temporary is alive, each new one is fresh memory that the operating system must
    hand over page by page. So forward and backward write into buffers, with ``out=`` arguments.
    """

    exponential = False  # whether it computes an exponential per unit and sample (the time model asks)

    def __init__(self):
        self.buffers = {}

    def buffer(self, kind, shape, dtype=np.float64, fill=None):
        """The array called ``kind`` of this shape and dtype, created (and filled) on first use."""
        key = (kind, shape, dtype)
        array = self.buffers.get(key)
        if array is None:
            array = self.buffers[key] = np.empty(shape, dtype) if fill is None else np.full(shape, fill, dtype)
        return array

    def clear_caches(self):
        """Forget what forward keeps for backward, and the buffers (a large input leaves large ones)."""
        self.__dict__.update({key: None for key in ("x", "h", "dh_dz") if key in self.__dict__})
        self.buffers = {}


class Linear(Layer):
    """z = x @ W + b, with W of shape (n_in, n_out) and b of shape (1, n_out)."""

    def __init__(self, W, b, dW, db, propagate_grad=True):
        super().__init__()
        # W, b, dW and db are views into the network's flat parameter and gradient buffers.
        self.W, self.b, self.dW, self.db = W, b, dW, db
        # The first layer's input gradient is never used, and for wide inputs it is the costliest product.
        self.propagate_grad = propagate_grad
        self.x = None

    def forward(self, x):
        self.x = x
        z_shape = self.W.shape[:-2] + (x.shape[-2], self.W.shape[-1])  # (batch, n_out)
        z = np.matmul(x, self.W, out=self.buffer("z", z_shape, self.W.dtype))
        z += self.b
        return z

    def backward(self, grad_z):
        # dL/dW = x^T grad_z,  dL/db = 1^T grad_z (the sum over the batch),  dL/dx = grad_z W^T
        np.matmul(self.x.swapaxes(-1, -2), grad_z, out=self.dW)
        ones = self.buffer("ones", (1, grad_z.shape[-2]), grad_z.dtype, fill=1.0)
        np.matmul(ones, grad_z, out=self.db)  # a matrix product sums faster than .sum(axis=-2)
        if not self.propagate_grad:
            return None
        dx_shape = grad_z.shape[:-1] + self.W.shape[-2:-1]
        return np.matmul(grad_z, self.W.swapaxes(-1, -2), out=self.buffer("dx", dx_shape, grad_z.dtype))


# The activations work in place on the Linear layer's output z: the Linear keeps its input x, not z.

class ReLU(Layer):
    """h = max(0, z); dh/dz = 1 where z > 0, else 0. He initialisation suits it."""

    init = "he"

    def forward(self, z):
        # NumPy's maximum is twice as fast against an array of zeros as against the scalar 0.0
        self.h = np.maximum(z, self.buffer("zeros", z.shape, z.dtype, fill=0.0), out=z)
        return self.h

    def backward(self, grad_h):
        grad_h *= np.greater(self.h, 0.0, out=self.buffer("active", grad_h.shape, bool))
        return grad_h


class LeakyReLU(Layer):
    """h = z if z > 0 else slope * z (0 <= slope < 1); keeps a small gradient for negative inputs."""

    init = "he"

    def __init__(self, slope=0.01):
        super().__init__()
        self.slope = check_fraction("slope", slope)  # forward's max(mask, slope) needs 0 <= slope < 1

    def forward(self, z):
        # dh/dz = 1 where z > 0, else slope: max(1 or 0, slope). Then h = z * dh/dz.
        self.dh_dz = np.greater(z, 0.0, out=self.buffer("dh_dz", z.shape, z.dtype))
        np.maximum(self.dh_dz, self.slope, out=self.dh_dz)
        return np.multiply(z, self.dh_dz, out=z)

    def backward(self, grad_h):
        grad_h *= self.dh_dz
        return grad_h


def tanh(z, t):
    """tanh(z) written into z; ``t`` is a scratch array of z's shape.

    On float64 it is sign(z) (2 / (1 + t) - 1) with t = e^(-2|z|) in [0, 1], which never overflows and is
    within 3.4e-16 (1.5 units in the last place of 1) of np.tanh: absolutely, not relatively, as |z| below
    about 1e-16 gives 0 or 2.2e-16. Why not np.tanh: on float64 NumPy vectorises it only with AVX-512, and
    without it np.tanh is 2.5x slower than this (35 ns per number against 14; benchmarks/bench_nn.py
    prints both); it was the largest cost in a step of a small tanh or sigmoid network. On float32 NumPy's
    own is vectorised, faster and closer, so it is used."""
    if z.dtype == np.float32:
        return np.tanh(z, out=z)
    np.abs(z, out=t)
    np.negative(t, out=t)
    np.exp(t, out=t)
    t *= t  # e^(-2|z|) as e^(-|z|) squared: -2|z| itself overflows for |z| near the largest float
    t += 1.0
    np.divide(2.0, t, out=t)
    t -= 1.0  # (1 - e^(-2|z|)) / (1 + e^(-2|z|)) = tanh(|z|)
    return np.copysign(t, z, out=z)


class Tanh(Layer):
    """h = tanh(z); backward uses the cached output: dh/dz = 1 - h^2."""

    init = "xavier"
    exponential = True  # one exp per unit and sample: the time model counts it

    def forward(self, z):
        # "scratch" serves forward's tanh and then backward's dh/dz: one array per shape, not two
        self.h = tanh(z, self.buffer("scratch", z.shape, z.dtype))
        return self.h

    def backward(self, grad_h):
        dh_dz = np.multiply(self.h, self.h, out=self.buffer("scratch", grad_h.shape, grad_h.dtype))
        grad_h *= np.subtract(1.0, dh_dz, out=dh_dz)
        return grad_h


class Sigmoid(Layer):
    """h = 1 / (1 + e^-z), computed as (1 + tanh(z/2)) / 2, which never overflows; dh/dz = h (1 - h)."""

    init = "xavier"
    exponential = True

    def forward(self, z):
        z *= 0.5
        h = tanh(z, self.buffer("scratch", z.shape, z.dtype))  # the scratch array is backward's dh/dz next
        h += 1.0
        h *= 0.5
        self.h = h
        return h

    def backward(self, grad_h):
        dh_dz = np.subtract(1.0, self.h, out=self.buffer("scratch", grad_h.shape, grad_h.dtype))
        dh_dz *= self.h
        grad_h *= dh_dz
        return grad_h


class PerNetwork(Layer):
    """The activations of a stack whose networks differ in activation: each activation works on its own
    networks' rows of z (a view, so in place, as always), and a stack still makes one matrix product per
    Linear layer for all its networks. ``parts`` is [(slice of networks, activation layer), ...]."""

    def __init__(self, parts):
        super().__init__()
        self.parts = parts

    def forward(self, z):
        for networks, activation in self.parts:
            activation.forward(z[networks])
        return z

    def backward(self, grad_h):
        for networks, activation in self.parts:
            activation.backward(grad_h[networks])
        return grad_h

    def clear_caches(self):
        super().clear_caches()
        for _, activation in self.parts:
            activation.clear_caches()


ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "tanh": Tanh, "sigmoid": Sigmoid}


def he_normal(rng, n_in, n_out, dtype):
    """N(0, 2/n_in): keeps the variance of ReLU activations constant with depth (He et al., 2015)."""
    return rng.standard_normal((n_in, n_out)).astype(dtype) * np.sqrt(2.0 / n_in)


def xavier_normal(rng, n_in, n_out, dtype):
    """N(0, 2/(n_in + n_out)): for tanh and sigmoid (Glorot and Bengio, 2010)."""
    return rng.standard_normal((n_in, n_out)).astype(dtype) * np.sqrt(2.0 / (n_in + n_out))


INITIALIZERS = {"he": he_normal, "xavier": xavier_normal}
