"""A from-scratch NumPy multilayer perceptron: layers, loss, optimizers and a training loop.

    >>> import numpy as np, nn
    >>> net = nn.Network([2, 8, 2], activation="tanh", seed=0)
    >>> history = nn.fit(net, X, y, epochs=200, optimizer=nn.Adam(0.01))
"""
from .layers import ACTIVATIONS, INITIALIZERS, LeakyReLU, Linear, ReLU, Sigmoid, Tanh
from .losses import SoftmaxCrossEntropy, softmax
from .network import Network
from .optim import OPTIMIZERS, SGD, Adam, Momentum, Optimizer
from .training import STATUSES, History, fit, fit_lockstep

__all__ = ["ACTIVATIONS", "INITIALIZERS", "OPTIMIZERS", "STATUSES", "Adam", "History", "LeakyReLU", "Linear",
           "Momentum", "Network", "Optimizer", "ReLU", "SGD", "Sigmoid", "SoftmaxCrossEntropy", "Tanh", "fit",
           "fit_lockstep", "softmax"]
