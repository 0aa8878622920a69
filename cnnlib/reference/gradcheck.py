"""Numeric gradient checking (course notebook 07).

A backward pass is checked by comparing it with gradients estimated from the forward pass
alone, by centred differences in float64::

    dx_numeric = numeric_gradient(lambda x: conv_forward(x, w, b)[0], x, dout)
    relative_error(dx, dx_numeric)   # about 1e-10 for a correct backward pass
"""

import numpy as np

from cnnlib.reference._args import real_array

__all__ = ["numeric_gradient", "relative_error"]


def numeric_gradient(f, x, dout=None, h=1e-5):
    """Gradient of ``sum(f(x) * dout)`` with respect to x, by centred differences.

    For every element ``x[k]``: ``(g(x + h e_k) - g(x - h e_k)) / (2h)`` with
    ``g(x) = sum(f(x) * dout)``.  The error is O(h²) from the formula plus about
    eps * |g| / h from rounding; h = 1e-5 in float64 balances them (relative errors around
    1e-10).  The estimate is wrong where f has a kink within h of x (ReLU at 0, two values
    of a max-pool window closer than 2h).  Costs two calls of f per element of x.

    Inputs:
    - f: function taking an array of the shape of x and returning an array (or a scalar);
      it is given a float64 copy of x (changed between calls), never the caller's x
    - x: the point, an array of real numbers
    - dout: upstream gradient of the shape of f(x); None for all ones (the gradient of
      ``sum(f(x))``, e.g. of a scalar loss)
    - h: the step, a positive number

    Returns:
    - grad: float64 array of the shape of x
    """
    if not callable(f):
        raise TypeError(f"f must be a function of x, got {type(f).__name__}")
    x = np.array(real_array("x", x), dtype=np.float64)  # a copy: it is changed in place below
    if isinstance(h, bool) or not isinstance(h, (int, float, np.integer, np.floating)):
        raise TypeError(f"h must be a positive number, got {h!r}")
    if not 0 < h < np.inf:
        raise ValueError(f"h must be a positive finite number, got {h}")
    out_shape = np.shape(f(x.copy()))
    dout = np.ones(out_shape) if dout is None else real_array("dout", dout)
    if dout.shape != out_shape:
        raise ValueError(f"dout must have the shape {out_shape} of f(x), got shape {dout.shape}")

    def g(value):
        # np.array copies: f may return a view of its argument, which changes with x.
        return np.sum(np.array(f(value), dtype=np.float64) * dout)

    grad = np.empty_like(x)
    for k in np.ndindex(x.shape):
        saved = x[k]
        x[k] = saved + h
        above = g(x)
        x[k] = saved - h
        below = g(x)
        x[k] = saved
        grad[k] = (above - below) / (2 * h)
    return grad


def relative_error(a, b):
    """Relative error of two arrays, scaled by their largest entries.

    ``max |a - b| / max(|a| + |b|)``, the maxima over all entries, the denominator floored
    at the smallest positive normal float64 (so that two zero arrays give 0).  Unlike the
    elementwise ``max(|a - b| / (|a| + |b|))``, entries near zero (a gradient that cancels)
    do not blow it up; it is 0 for equal arrays, and 1 when one of them is zero and the
    other not.

    Inputs:
    - a, b: arrays of real numbers of the same shape

    Returns:
    - error: a float in [0, 1]
    """
    a, b = real_array("a", a), real_array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = max(np.max(np.abs(a) + np.abs(b), initial=0.0), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(a - b), initial=0.0) / scale)
