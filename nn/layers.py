"""Layers: each has ``forward`` (caching what backward needs) and ``backward`` (returns the gradient below).

Shapes are written for one network, ``x`` of shape (batch, n_in). Every layer also works unchanged on a
stack of K networks trained in lockstep (``x`` of shape (K, batch, n_in), ``W`` of shape (K, n_in, n_out)):
the code only uses the last two axes, which is why ``.T`` is spelled ``swapaxes(-1, -2)``.
"""
import numpy as np


class Linear:
    """z = x @ W + b, with W of shape (n_in, n_out) and b of shape (1, n_out).

    ``forward`` and ``backward`` write into output buffers kept per batch shape and reused by the next
    call: allocating a fresh megabyte-sized array every step costs more than the arithmetic on it.
    """

    def __init__(self, W, b, dW, db, propagate_grad=True):
        # W, b, dW and db are views into the network's flat parameter and gradient buffers.
        self.W, self.b, self.dW, self.db = W, b, dW, db
        # The first layer's input gradient is never used, and for wide inputs it is the costliest product.
        self.propagate_grad = propagate_grad
        self.x = None
        self.buffers = {}

    def buffer(self, kind, shape):
        key = (kind, shape)
        if key not in self.buffers:
            self.buffers[key] = np.empty(shape, dtype=self.W.dtype)
        return self.buffers[key]

    def forward(self, x):
        self.x = x
        z = np.matmul(x, self.W, out=self.buffer("z", self.W.shape[:-2] + (x.shape[-2], self.W.shape[-1])))  # (batch, n_out)
        z += self.b
        return z

    def backward(self, grad_z):
        # dL/dW = x^T grad_z,  dL/db = 1^T grad_z (the sum over the batch),  dL/dx = grad_z W^T
        np.matmul(self.x.swapaxes(-1, -2), grad_z, out=self.dW)
        ones = self.buffers.get(("ones", grad_z.shape[-2]))
        if ones is None:
            ones = self.buffers[("ones", grad_z.shape[-2])] = np.ones((1, grad_z.shape[-2]), self.W.dtype)
        np.matmul(ones, grad_z, out=self.db)
        if not self.propagate_grad:
            return None
        return np.matmul(grad_z, self.W.swapaxes(-1, -2), out=self.buffer("dx", grad_z.shape[:-1] + self.W.shape[-2:-1]))


class ReLU:
    """h = max(0, z); dh/dz = 1 where z > 0, else 0. He initialisation suits it."""

    init = "he"

    def forward(self, z):
        self.h = np.maximum(z, 0.0, out=z)  # in place: the Linear below keeps x, not z
        return self.h

    def backward(self, grad_h):
        grad_h *= self.h > 0
        return grad_h


class LeakyReLU:
    """h = z if z > 0 else slope * z; keeps a small gradient for negative inputs."""

    init = "he"

    def __init__(self, slope=0.01):
        self.slope = slope

    def forward(self, z):
        self.positive = z > 0
        self.h = np.where(self.positive, z, self.slope * z)
        return self.h

    def backward(self, grad_h):
        return grad_h * np.where(self.positive, 1.0, self.slope)


class Tanh:
    """h = tanh(z); backward uses the cached output: dh/dz = 1 - h^2."""

    init = "xavier"

    def forward(self, z):
        self.h = np.tanh(z, out=z)
        return self.h

    def backward(self, grad_h):
        grad_h *= 1.0 - self.h * self.h
        return grad_h


class Sigmoid:
    """h = 1 / (1 + e^-z), computed as (1 + tanh(z/2)) / 2, which never overflows; dh/dz = h (1 - h)."""

    init = "xavier"

    def forward(self, z):
        z *= 0.5
        h = np.tanh(z, out=z)
        h += 1.0
        h *= 0.5
        self.h = h
        return h

    def backward(self, grad_h):
        grad_h *= self.h * (1.0 - self.h)
        return grad_h


ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "tanh": Tanh, "sigmoid": Sigmoid}


def he_normal(rng, n_in, n_out, dtype):
    """N(0, 2/n_in): keeps the variance of ReLU activations constant with depth (He et al., 2015)."""
    return rng.standard_normal((n_in, n_out)).astype(dtype) * np.sqrt(2.0 / n_in)


def xavier_normal(rng, n_in, n_out, dtype):
    """N(0, 2/(n_in + n_out)): for tanh and sigmoid (Glorot and Bengio, 2010)."""
    return rng.standard_normal((n_in, n_out)).astype(dtype) * np.sqrt(2.0 / (n_in + n_out))


INITIALIZERS = {"he": he_normal, "xavier": xavier_normal}
