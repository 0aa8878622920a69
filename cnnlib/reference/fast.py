"""Fast convolution by im2col/col2im: each pass is a few matrix products (notebook 07).

im2col copies every window of the padded input into one row of a matrix, so that the
convolution becomes a single matrix product with the kernels flattened into columns::

    cols = im2col(x, kh, kw, stride, padding)           # (N*H_out*W_out, kh*kw*C_in)
    out = cols @ w.reshape(kh * kw * C_in, C_out) + b   # (N*H_out*W_out, C_out)

The backward pass is two more products, ``dw = cols.T @ dout`` and
``dcols = dout @ w.T``, and col2im, which adds each row of ``dcols`` back onto the window
it came from (overlapping windows add up).  The results equal those of
:func:`~cnnlib.reference.conv_forward` and :func:`~cnnlib.reference.conv_backward` up to
rounding.  The products run in BLAS, which makes this fast; the price is memory: ``cols``
holds every input value once per window that reads it (about kh*kw/(sh*sw) times).
"""

from typing import NamedTuple

import numpy as np

from cnnlib._validation import check_array, check_pair, check_positive_int
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
from cnnlib.reference.forward import pad2d

__all__ = ["col2im", "conv_backward_im2col", "conv_forward_im2col", "im2col"]


class _Im2colCache(NamedTuple):
    x_shape: tuple  # (N, H, W, C_in)
    cols: np.ndarray  # (N*H_out*W_out, kh*kw*C_in), float64
    w: np.ndarray  # (kh, kw, C_in, C_out), float64
    stride: tuple  # (sh, sw)
    pads: tuple  # ((top, bottom), (left, right))


def _im2col(xp, kh, kw, stride):
    """im2col of an already padded input."""
    sh, sw = stride
    # (N, H_out, W_out, C, kh, kw): views into xp, one per window, no copy yet.
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    # Rows in (n, i, j) order; each row in (kh, kw, C) order, the order of w.reshape(-1, C_out).
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, kh * kw * xp.shape[3])


def _col2im(cols, x_shape, kh, kw, stride, pads):
    """col2im into an array of shape ``x_shape``; arguments already checked."""
    n, h, w, c = x_shape
    (top, bottom), (left, right) = pads
    hp, wp = h + top + bottom, w + left + right
    out_h, out_w = output_size((h, w), (kh, kw), stride, pads)
    sh, sw = stride
    # Flat index into the padded input of cols[r, q]: where the window of row r starts,
    # plus where its element q lies inside the window.
    starts = np.arange(n)[:, None, None] * hp + sh * np.arange(out_h)[:, None]
    starts = (starts * wp + sw * np.arange(out_w)) * c  # (N, H_out, W_out)
    inside = (np.arange(kh)[:, None, None] * wp + np.arange(kw)[:, None]) * c + np.arange(c)
    index = starts.reshape(-1, 1) + inside.reshape(1, -1)  # (N*H_out*W_out, kh*kw*C)
    xp = np.zeros(n * hp * wp * c, cols.dtype)
    # add.at, not xp[index] += cols: a pixel read by several windows appears several times in
    # index, and each of its gradients must be added.
    np.add.at(xp, index.ravel(), cols.ravel())
    return xp.reshape(n, hp, wp, c)[:, top : top + h, left : left + w, :]


def im2col(x, kh, kw, stride=1, padding="valid"):
    """Every kh x kw window of the padded input, flattened into one row of a matrix.

    Inputs:
    - x: input of shape (N, H, W, C)
    - kh, kw: window height and width
    - stride: int or (sh, sw)
    - padding: "valid", "same", an int, (ph, pw) or ((top, bottom), (left, right)), as in
      :func:`~cnnlib.reference.conv2d`

    Returns:
    - cols: array of shape (N*H_out*W_out, kh*kw*C); row ``(n*H_out + i)*W_out + j`` is the
      window of example n under output position (i, j), in (kh, kw, C) order
    """
    x = as_float(check_array("x", x, 4, layout="(N, H, W, C)"))
    window = check_positive_int("kh", kh), check_positive_int("kw", kw)
    stride = check_pair("stride", stride)
    pads = resolve_padding(padding, x.shape[1:3], window, stride)
    require_fit("the (kh, kw) window", window, x.shape[1:3], pads)
    return _im2col(pad2d(x, pads), *window, stride)


def col2im(cols, x_shape, kh, kw, stride=1, padding="valid"):
    """The adjoint of :func:`im2col`: add each row back onto the window it was copied from.

    Where windows overlap, their values add up; the part that falls on the padding is
    dropped.  ``col2im(im2col(x, ...), x.shape, ...)`` is therefore not x but x times the
    number of windows that read each pixel.

    Inputs:
    - cols: array of shape (N*H_out*W_out, kh*kw*C), laid out as :func:`im2col` returns it
    - x_shape: the shape (N, H, W, C) of the input that im2col read
    - kh, kw, stride, padding: as given to :func:`im2col`

    Returns:
    - x: array of shape x_shape
    """
    cols = real_array("cols", cols)
    if (
        not isinstance(x_shape, (tuple, list))
        or len(x_shape) != 4
        or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) for d in x_shape)
        or min(x_shape) < 1
    ):
        raise ValueError(f"x_shape must be 4 positive integers (N, H, W, C), got {x_shape!r}")
    x_shape = tuple(int(d) for d in x_shape)
    window = check_positive_int("kh", kh), check_positive_int("kw", kw)
    stride = check_pair("stride", stride)
    pads = resolve_padding(padding, x_shape[1:3], window, stride)
    require_fit("the (kh, kw) window", window, x_shape[1:3], pads)
    out_h, out_w = output_size(x_shape[1:3], window, stride, pads)
    expected = (x_shape[0] * out_h * out_w, window[0] * window[1] * x_shape[3])
    if cols.shape != expected:
        raise ValueError(
            f"cols must have shape (N*H_out*W_out, kh*kw*C) = {expected} for x_shape "
            f"{x_shape}, a {window[0]}x{window[1]} window, stride {stride} and padding "
            f"{pads}, got shape {cols.shape}"
        )
    return _col2im(cols, x_shape, *window, stride, pads)


def conv_forward_im2col(x, w, b, stride=1, padding="valid"):
    """Convolution layer forward pass by im2col: ``cols @ w.reshape(-1, C_out) + b``.

    Arguments, shapes and ``out`` as in :func:`~cnnlib.reference.conv_forward`; the cache
    (which holds cols) is for :func:`conv_backward_im2col`.
    """
    x, w, b, stride, pads = conv_arguments(x, w, b, stride, padding)
    kh, kw, _, c_out = w.shape
    out_h, out_w = output_size(x.shape[1:3], (kh, kw), stride, pads)
    cols = _im2col(pad2d(x, pads), kh, kw, stride)
    out = cols @ w.reshape(-1, c_out)
    out += b
    out = out.reshape(x.shape[0], out_h, out_w, c_out)
    return out, _Im2colCache(x.shape, cols, w, stride, pads)


def conv_backward_im2col(dout, cache):
    """Convolution layer backward pass by im2col: two matrix products and col2im.

    ``dw = cols.T @ dout`` and ``dx = col2im(dout @ w.T)`` (with dout as a matrix of
    N*H_out*W_out rows); the same results as :func:`~cnnlib.reference.conv_backward`.

    Inputs:
    - dout: upstream gradient of shape (N, H_out, W_out, C_out)
    - cache: the cache returned by :func:`conv_forward_im2col`

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, H, W, C_in)
    - dw: gradient with respect to w, of shape (kh, kw, C_in, C_out)
    - db: gradient with respect to b, of shape (C_out,)
    """
    x_shape, cols, w, stride, pads = cache_of(cache, _Im2colCache, "conv_forward_im2col")
    kh, kw, _, c_out = w.shape
    out_h, out_w = output_size(x_shape[1:3], (kh, kw), stride, pads)
    dout = upstream_gradient(dout, (x_shape[0], out_h, out_w, c_out), "conv_forward_im2col")
    dout_rows = dout.reshape(-1, c_out)  # (N*H_out*W_out, C_out), rows in the order of cols
    dw = (cols.T @ dout_rows).reshape(w.shape)
    dx = _col2im(dout_rows @ w.reshape(-1, c_out).T, x_shape, kh, kw, stride, pads)
    return dx, dw, dout_rows.sum(axis=0)
