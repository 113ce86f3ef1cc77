"""Softmax cross-entropy over the classes, averaged over the batch."""
import numpy as np

from .layers import Layer


class SoftmaxCrossEntropy(Layer):
    """L = -mean_i log softmax(z_i)[y_i], computed with log-sum-exp; dL/dz = (p - y_onehot) / n.

    Works on (batch, classes) and on stacks (K, batch, classes), where the loss is an array of shape (K,).
    ``forward`` also keeps ``predicted``, the argmax of each row, which it needs for the shift anyway.
    """

    def forward(self, logits, y_onehot):
        self.predicted = logits.argmax(axis=-1)  # (batch,)
        # each row's largest entry, picked by its index in the flattened logits: row r starts at r * classes
        # (an integer index costs a few microseconds where np.take_along_axis costs about twenty)
        row_max = logits.reshape(-1)[self.predicted + self.row_starts(logits.shape)]
        row_max = row_max[..., None]  # (batch, 1)
        # log-sum-exp trick: the largest entry of every row becomes 0, so exp cannot overflow
        shifted = np.subtract(logits, row_max, out=self.buffer("shifted", logits.shape, logits.dtype))
        # log p_true = shifted_true - log(sum_j exp(shifted_j))
        shifted_true = np.multiply(shifted, y_onehot, out=self.buffer("true", logits.shape, logits.dtype))
        exp = np.exp(shifted, out=shifted)
        ones = self.buffer("ones", (logits.shape[-1], 1), logits.dtype, fill=1.0)
        sum_exp = exp @ ones  # (batch, 1) row sums; a matrix product is faster than .sum(axis=-1)
        log_p_true = shifted_true.sum(axis=(-2, -1)) - np.log(sum_exp).sum(axis=(-2, -1))
        self.n = logits.shape[-2]
        self.p = np.divide(exp, sum_exp, out=exp)
        self.y_onehot = y_onehot
        # in the logits' dtype whether log_p_true is an array (a stack) or a scalar (one network): NumPy 1.x
        # would turn a float32 scalar divided by an int into float64, and a stack's loss would then differ
        return np.divide(-log_p_true, self.n, dtype=logits.dtype)

    def row_starts(self, shape):
        """The flat index of the first entry of every row of a C-ordered array of ``shape``: (batch,)."""
        key = ("row starts", shape)
        starts = self.buffers.get(key)
        if starts is None:
            starts = self.buffers[key] = np.arange(0, np.prod(shape), shape[-1]).reshape(shape[:-1])
        return starts

    def backward(self):
        grad = np.subtract(self.p, self.y_onehot, out=self.buffer("grad", self.p.shape, self.p.dtype))
        grad *= 1.0 / self.n
        return grad


def softmax(logits):
    """Row-wise softmax, stable for any finite logits."""
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def one_hot(labels, n_classes, dtype=np.float64):
    out = np.zeros(labels.shape + (n_classes,), dtype=dtype)
    np.put_along_axis(out, labels[..., None], 1.0, axis=-1)
    return out
