"""Softmax cross-entropy over the classes, averaged over the batch."""
import numpy as np


class SoftmaxCrossEntropy:
    """L = -mean_i log softmax(z_i)[y_i], computed with log-sum-exp; dL/dz = (p - y_onehot) / n.

    Works on (batch, classes) and on stacks (K, batch, classes), where the loss is an array of shape (K,).
    ``forward`` also keeps ``predicted``, the argmax of each row, which it needs for the shift anyway.
    """

    def forward(self, logits, y_onehot):
        self.predicted = logits.argmax(axis=-1)  # (batch,)
        row_max = np.take_along_axis(logits, self.predicted[..., None], axis=-1)
        shifted = logits - row_max  # log-sum-exp trick: the largest entry of every row becomes 0
        exp = np.exp(shifted)
        sum_exp = exp @ np.ones((exp.shape[-1], 1), exp.dtype)  # row sums; a matrix product is faster
        # log p_true = shifted_true - log(sum_j exp(shifted_j))
        log_p_true = (shifted * y_onehot).sum(axis=(-2, -1)) - np.log(sum_exp).sum(axis=(-2, -1))
        self.n = logits.shape[-2]
        self.p = np.divide(exp, sum_exp, out=exp)
        self.y_onehot = y_onehot
        return -log_p_true / self.n

    def backward(self):
        grad = self.p - self.y_onehot
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
