"""Argument checks shared by :mod:`cnnlib.reference.backward` and :mod:`~.fast`."""

import numpy as np

from cnnlib.arithmetic import _check_pair
from cnnlib.reference.forward import _as_float, _check_array, _check_fits, _resolve_padding


def _check_real(name, value):
    """``value`` as a float64 array of any shape, after checking that it holds real numbers."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {array.dtype}")
    return _as_float(array)


def _check_cache(cache, kind, forward):
    if not isinstance(cache, kind):
        raise TypeError(
            f"cache must be the cache returned by {forward}, got {type(cache).__name__}"
        )
    return cache


def _check_dout(dout, shape, forward):
    """The upstream gradient as float64, after checking that it has the shape of ``out``."""
    dout = _check_real("dout", dout)
    if dout.shape != tuple(shape):
        raise ValueError(
            f"dout must have the shape {tuple(shape)} of the output of {forward}, "
            f"got shape {dout.shape}"
        )
    return dout


def _output_size(x_spatial, window, stride, pads):
    """(H_out, W_out) of a window sliding over the padded input, floored like TensorFlow."""
    sizes = zip(x_spatial, window, stride, pads, strict=True)
    return tuple((n + sum(p) - k) // s + 1 for n, k, s, p in sizes)


def _check_conv(x, w, b, stride, padding):
    """Checked convolution arguments -> ``(x, w, b, stride, pads)``, arrays in float64."""
    x = _as_float(_check_array("x", x, 4, "(N, H, W, C_in)"))
    w = _as_float(_check_array("w", w, 4, "(kh, kw, C_in, C_out)"))
    if w.shape[2] != x.shape[3]:
        raise ValueError(f"w has {w.shape[2]} input channels but x has {x.shape[3]}")
    b = _as_float(_check_array("b", b, 1, "(C_out,)"))
    if b.shape != (w.shape[3],):
        raise ValueError(
            f"b must have shape ({w.shape[3]},) to match the {w.shape[3]} output "
            f"channels of w, got shape {b.shape}"
        )
    stride = _check_pair("stride", stride)
    pads = _resolve_padding(padding, x.shape[1:3], w.shape[:2], stride)
    _check_fits("w", w.shape[:2], x.shape[1:3], pads)
    return x, w, b, stride, pads
