"""NumPy layers for backpropagation, forward and backward (course notebook 07).

Enough to train a small CNN from scratch: convolution, max and average pooling, ReLU, a
fully connected layer and the softmax cross-entropy loss.  As in CS231n's ``layers.py``,
every ``*_forward`` returns ``(out, cache)`` and every ``*_backward`` takes
``(dout, cache)``, where ``dout`` is the upstream gradient dL/dout (the shape of ``out``)
and returns the gradients with respect to the forward pass's inputs, in the same order.
Layouts, padding and float64 results are those of :mod:`cnnlib.reference.forward`.

The loops are naive on purpose (one iteration per output position) so that they read like
the lecture's formulas; :mod:`cnnlib.reference.fast` computes the same convolution quickly.
"""

from typing import NamedTuple

import numpy as np

from cnnlib._validation import check_array, check_pair
from cnnlib.reference._args import (
    as_float,
    cache_of,
    conv_arguments,
    output_size,
    real_array,
    require_fit,
    resolve_padding,
    upstream_gradient,
)
from cnnlib.reference.forward import avg_pool2d, conv2d, max_pool2d, pad2d

__all__ = [
    "avg_pool_backward",
    "avg_pool_forward",
    "conv_backward",
    "conv_forward",
    "dense_backward",
    "dense_forward",
    "max_pool_backward",
    "max_pool_forward",
    "relu_backward",
    "relu_forward",
    "softmax_cross_entropy",
]


class _ConvCache(NamedTuple):
    x: np.ndarray  # (N, H, W, C_in), float64
    w: np.ndarray  # (kh, kw, C_in, C_out), float64
    stride: tuple  # (sh, sw)
    pads: tuple  # ((top, bottom), (left, right))


class _PoolCache(NamedTuple):
    x: np.ndarray  # (N, H, W, C), float64
    window: tuple  # (ph, pw)
    stride: tuple
    pads: tuple


class _MaxPoolCache(_PoolCache):
    """A :class:`_PoolCache` from :func:`max_pool_forward`."""


class _AvgPoolCache(_PoolCache):
    """A :class:`_PoolCache` from :func:`avg_pool_forward`."""


class _ReluCache(NamedTuple):
    x: np.ndarray


class _DenseCache(NamedTuple):
    x: np.ndarray  # (N, d_1, ..., d_k), float64
    w: np.ndarray  # (D, M), float64


def conv_forward(x, w, b, stride=1, padding="valid"):
    """Convolution layer forward pass: :func:`~cnnlib.reference.conv2d`, plus a cache.

    Inputs:
    - x: input of shape (N, H, W, C_in)
    - w: kernels of shape (kh, kw, C_in, C_out)
    - b: biases of shape (C_out,)
    - stride: int or (sh, sw)
    - padding: "valid", "same" (TensorFlow's split, the odd extra row/column at the
      bottom/right), an int, (ph, pw) or ((top, bottom), (left, right))

    Returns a tuple of:
    - out: output of shape (N, H_out, W_out, C_out), as ``tf.nn.conv2d`` computes it
    - cache: what :func:`conv_backward` needs (x, w, the stride and the padding)
    """
    x, w, b, stride, pads = conv_arguments(x, w, b, stride, padding)
    return conv2d(x, w, b, stride, pads), _ConvCache(x, w, stride, pads)


def conv_backward(dout, cache):
    """Convolution layer backward pass, naive loops over the output positions.

    The forward pass computed ``out[:, i, j, :] = sum over the window at (i*sh, j*sw) of
    xp * w, plus b`` (``xp`` is the padded input), so each output position sends its
    upstream gradient back through the same window:

    - dL/dw: the padded input correlated with the upstream gradient,
      ``dw[m, k, c, f] = sum over n, i, j of xp[n, i*sh + m, j*sw + k, c] * dout[n, i, j, f]``;
    - dL/dx: the upstream gradient spread back over the windows, weighted by the kernel: the
      "full" correlation of dout with the kernel rotated 180° (a true full convolution with
      the kernel), summed over C_out; the part that falls on the padding is then cut off;
    - dL/db: the upstream gradient summed over N, H_out and W_out.

    (At a stride above 1, dout enters both correlations with sh - 1 zeros between its rows
    and sw - 1 between its columns.)

    When the stride is smaller than the kernel, the windows overlap: an input pixel then
    feeds several outputs, and its gradient is the sum of their contributions (``+=``;
    ``=`` would keep only the last window's).

    Inputs:
    - dout: upstream gradient of shape (N, H_out, W_out, C_out)
    - cache: the cache returned by :func:`conv_forward`

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, H, W, C_in)
    - dw: gradient with respect to w, of shape (kh, kw, C_in, C_out)
    - db: gradient with respect to b, of shape (C_out,)
    """
    x, w, (sh, sw), pads = cache_of(cache, _ConvCache, "conv_forward")
    kh, kw = w.shape[:2]
    out_h, out_w = output_size(x.shape[1:3], (kh, kw), (sh, sw), pads)
    dout = upstream_gradient(dout, (x.shape[0], out_h, out_w, w.shape[3]), "conv_forward")
    xp = pad2d(x, pads)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for i in range(out_h):
        for j in range(out_w):
            rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            upstream = dout[:, i, j, :]  # (N, C_out)
            dw += np.tensordot(xp[:, rows, cols, :], upstream, axes=([0], [0]))
            dxp[:, rows, cols, :] += np.tensordot(upstream, w, axes=([1], [3]))
    (top, _), (left, _) = pads
    dx = dxp[:, top : top + x.shape[1], left : left + x.shape[2], :]
    return dx, dw, dout.sum(axis=(0, 1, 2))


def _pool_arguments(x, pool_size, stride, padding):
    """Checked pooling arguments -> ``(x, window, stride, pads)``, x in float64."""
    x = as_float(check_array("x", x, 4, layout="(N, H, W, C)"))
    window = check_pair("pool_size", pool_size)
    stride = window if stride is None else check_pair("stride", stride)
    pads = resolve_padding(padding, x.shape[1:3], window, stride, explicit=False)
    require_fit("pool_size", window, x.shape[1:3], pads)
    return x, window, stride, pads


def _pool_dout(dout, cache, forward):
    out_spatial = output_size(cache.x.shape[1:3], cache.window, cache.stride, cache.pads)
    return upstream_gradient(dout, (cache.x.shape[0], *out_spatial, cache.x.shape[3]), forward)


def max_pool_forward(x, pool_size=2, stride=None, padding="valid"):
    """Max pooling forward pass: :func:`~cnnlib.reference.max_pool2d`, plus a cache.

    Inputs:
    - x: input of shape (N, H, W, C)
    - pool_size: int or (ph, pw)
    - stride: int or (sh, sw); defaults to pool_size
    - padding: "valid" or "same"

    Returns a tuple of:
    - out: output of shape (N, H_out, W_out, C)
    - cache: what :func:`max_pool_backward` needs
    """
    x, window, stride, pads = _pool_arguments(x, pool_size, stride, padding)
    return max_pool2d(x, window, stride, padding), _MaxPoolCache(x, window, stride, pads)


def max_pool_backward(dout, cache):
    """Max pooling backward pass: each window's gradient goes to its maximum only.

    The other cells of the window did not change the output, so their gradient is 0.  A
    cell that is the maximum of several overlapping windows collects the sum of their
    gradients.  Ties: when a window holds its maximum more than once, the whole gradient
    goes to the first one in row-major order (top row first, then left to right), which is
    what TensorFlow's CPU kernel does (``tf.nn.max_pool2d`` under ``tf.GradientTape``).

    Inputs:
    - dout: upstream gradient of shape (N, H_out, W_out, C)
    - cache: the cache returned by :func:`max_pool_forward`

    Returns:
    - dx: gradient with respect to x, of shape (N, H, W, C)
    """
    cache = cache_of(cache, _MaxPoolCache, "max_pool_forward")
    dout = _pool_dout(dout, cache, "max_pool_forward")
    x, (ph, pw), (sh, sw), pads = cache
    xp = pad2d(x, pads, value=-np.inf)
    dxp = np.zeros_like(xp)
    batch, channel = np.ogrid[: x.shape[0], : x.shape[3]]  # index every (n, c) pair at once
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            window = xp[:, i * sh : i * sh + ph, j * sw : j * sw + pw, :]
            # argmax returns the first maximum of the flattened (row-major) window.
            row, col = np.divmod(window.reshape(x.shape[0], ph * pw, -1).argmax(axis=1), pw)
            dxp[batch, i * sh + row, j * sw + col, channel] += dout[:, i, j, :]
    (top, _), (left, _) = pads
    return dxp[:, top : top + x.shape[1], left : left + x.shape[2], :]


def avg_pool_forward(x, pool_size=2, stride=None, padding="valid"):
    """Average pooling forward pass: :func:`~cnnlib.reference.avg_pool2d`, plus a cache.

    Shapes and arguments as in :func:`max_pool_forward`.
    """
    x, window, stride, pads = _pool_arguments(x, pool_size, stride, padding)
    return avg_pool2d(x, window, stride, padding), _AvgPoolCache(x, window, stride, pads)


def avg_pool_backward(dout, cache):
    """Average pooling backward pass: each window's gradient is shared equally by its cells.

    A window that averaged k real cells (k = ph*pw, fewer where "same" padding cuts in)
    gives each of them dout / k; overlapping windows add up.

    Inputs:
    - dout: upstream gradient of shape (N, H_out, W_out, C)
    - cache: the cache returned by :func:`avg_pool_forward`

    Returns:
    - dx: gradient with respect to x, of shape (N, H, W, C)
    """
    cache = cache_of(cache, _AvgPoolCache, "avg_pool_forward")
    dout = _pool_dout(dout, cache, "avg_pool_forward")
    x, (ph, pw), (sh, sw), pads = cache
    real = pad2d(np.ones((1, *x.shape[1:3], 1)), pads)[0, :, :, 0]
    dxp = np.zeros((x.shape[0], *real.shape, x.shape[3]))
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            rows, cols = slice(i * sh, i * sh + ph), slice(j * sw, j * sw + pw)
            dxp[:, rows, cols, :] += dout[:, i, j, None, None, :] / real[rows, cols].sum()
    (top, _), (left, _) = pads
    return dxp[:, top : top + x.shape[1], left : left + x.shape[2], :]


def relu_forward(x):
    """ReLU forward pass, ``max(x, 0)`` elementwise.

    Inputs:
    - x: array of any shape

    Returns a tuple of:
    - out: array of the shape of x
    - cache: what :func:`relu_backward` needs (x)
    """
    x = real_array("x", x)
    return np.maximum(x, 0), _ReluCache(x)


def relu_backward(dout, cache):
    """ReLU backward pass: the gradient passes where x > 0 and is 0 elsewhere.

    At x == 0, where ReLU has no derivative, the gradient is 0, as in ``tf.nn.relu``.

    Inputs:
    - dout: upstream gradient of the shape of x
    - cache: the cache returned by :func:`relu_forward`

    Returns:
    - dx: gradient with respect to x
    """
    (x,) = cache_of(cache, _ReluCache, "relu_forward")
    return np.where(x > 0, upstream_gradient(dout, x.shape, "relu_forward"), 0.0)


def dense_forward(x, w, b):
    """Fully connected layer forward pass, ``out = x.reshape(N, D) @ w + b``.

    Inputs:
    - x: input of shape (N, d_1, ..., d_k), flattened row-major to (N, D) with
      D = d_1 * ... * d_k, as ``keras.layers.Flatten`` flattens an NHWC tensor
    - w: weights of shape (D, M)
    - b: biases of shape (M,)

    Returns a tuple of:
    - out: output of shape (N, M)
    - cache: what :func:`dense_backward` needs (x and w)
    """
    x = real_array("x", x)
    if x.ndim < 2:
        raise ValueError(f"x must be an array of shape (N, d_1, ..., d_k), got shape {x.shape}")
    w = as_float(check_array("w", w, 2, layout="(D, M)"))
    features = int(np.prod(x.shape[1:]))
    if w.shape[0] != features:
        raise ValueError(
            f"w has {w.shape[0]} rows but x has D = {features} features per example "
            f"(x has shape {x.shape})"
        )
    b = as_float(check_array("b", b, 1, layout="(M,)"))
    if b.shape != (w.shape[1],):
        raise ValueError(
            f"b must have shape ({w.shape[1]},) to match the {w.shape[1]} columns of w, "
            f"got shape {b.shape}"
        )
    return x.reshape(x.shape[0], features) @ w + b, _DenseCache(x, w)


def dense_backward(dout, cache):
    """Fully connected layer backward pass.

    ``dx = dout @ w.T`` (reshaped back to the shape of x), ``dw = x.T @ dout`` (with x
    flattened), ``db = dout`` summed over the batch.

    Inputs:
    - dout: upstream gradient of shape (N, M)
    - cache: the cache returned by :func:`dense_forward`

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, d_1, ..., d_k)
    - dw: gradient with respect to w, of shape (D, M)
    - db: gradient with respect to b, of shape (M,)
    """
    x, w = cache_of(cache, _DenseCache, "dense_forward")
    dout = upstream_gradient(dout, (x.shape[0], w.shape[1]), "dense_forward")
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], w.shape[0]).T @ dout
    return dx, dw, dout.sum(axis=0)


def softmax_cross_entropy(logits, y):
    """Softmax cross-entropy loss, averaged over the batch, and its gradient.

    ``loss = mean over n of -log softmax(logits[n])[y[n]]``, as
    ``tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))``.
    Numerically stable: each row's maximum is subtracted before exponentiating (softmax
    does not change), so large logits neither overflow nor give ``log(0)``.  The gradient
    is ``(softmax(logits) - one_hot(y)) / N``.

    Inputs:
    - logits: scores of shape (N, K), N >= 1
    - y: integer class labels of shape (N,), each in [0, K)

    Returns a tuple of:
    - loss: the mean loss, a float
    - dlogits: gradient of the loss with respect to logits, of shape (N, K)
    """
    logits = as_float(check_array("logits", logits, 2, layout="(N, K)"))
    if 0 in logits.shape:
        raise ValueError(f"logits must hold at least one example and one class, got shape "
                         f"{logits.shape}")
    n, classes = logits.shape
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must be an array of integer class labels, got dtype {y.dtype}")
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), one label per row of logits, got shape "
                         f"{y.shape}")
    if y.min() < 0 or y.max() >= classes:
        raise ValueError(
            f"y must hold class labels in [0, {classes - 1}] for {classes} classes, got "
            f"values from {y.min()} to {y.max()}"
        )
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    dlogits = np.exp(log_probs)
    dlogits[rows, y] -= 1
    return float(-log_probs[rows, y].mean()), dlogits / n
