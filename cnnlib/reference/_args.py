"""Arguments shared by the reference operations: arrays in float64, padding, window sizes."""

import numpy as np

from cnnlib._validation import check_array, check_instance, check_non_negative_int, check_pair
from cnnlib.arithmetic import same_padding

EXPLICIT_FORMS = "an int, (ph, pw) or ((top, bottom), (left, right))"


def as_float(array):
    """``array`` in float64 (or a wider float type), without a copy when it already is."""
    return array.astype(np.result_type(array.dtype, np.float64), copy=False)


def explicit_padding(padding):
    """An int, ``(ph, pw)`` or ``((top, bottom), (left, right))`` -> the nested form."""
    if not isinstance(padding, (tuple, list)):
        p = check_non_negative_int("padding", padding)
        return (p, p), (p, p)
    if len(padding) != 2:
        raise ValueError(f"padding must be {EXPLICIT_FORMS}, got {padding!r}")
    amounts = []
    for axis, side in zip("hw", padding, strict=True):
        if isinstance(side, (tuple, list)):
            if len(side) != 2:
                raise ValueError(f"padding must be {EXPLICIT_FORMS}, got {padding!r}")
            amounts.append(tuple(check_non_negative_int(f"padding ({axis})", p) for p in side))
        else:
            p = check_non_negative_int(f"padding ({axis})", side)
            amounts.append((p, p))
    return tuple(amounts)


def resolve_padding(padding, spatial, window, stride, explicit=True):
    """Padding "valid", "same" or (if ``explicit``) explicit -> ``((top, bottom), (left, right))``.

    "same" is TensorFlow's split for the given input, window and stride sizes.
    """
    valid = f"'valid', 'same' or {EXPLICIT_FORMS}" if explicit else "'valid' or 'same'"
    if isinstance(padding, str):
        if padding.lower() not in ("valid", "same"):
            raise ValueError(f"padding must be {valid}, got {padding!r}")
        if padding.lower() == "valid":
            return (0, 0), (0, 0)
        return tuple(same_padding(n, k, s) for n, k, s in zip(spatial, window, stride, strict=True))
    if not explicit:
        raise TypeError(f"padding must be {valid}, got {padding!r}")
    return explicit_padding(padding)


def require_fit(window_name, window, x_spatial, pads):
    if min(window) < 1:
        raise ValueError(f"{window_name} must not be empty, got a {window[0]}x{window[1]} window")
    padded = tuple(n + sum(p) for n, p in zip(x_spatial, pads, strict=True))
    if window[0] > padded[0] or window[1] > padded[1]:
        raise ValueError(
            f"{window_name} is {window[0]}x{window[1]} but the padded input is only "
            f"{padded[0]}x{padded[1]} (x is {x_spatial[0]}x{x_spatial[1]}, padding {pads}): "
            "the window must fit inside the padded input"
        )


def real_array(name, value):
    """``value`` as a float64 array of any shape, after checking that it holds real numbers."""
    return as_float(check_array(name, value))


def cache_of(cache, kind, forward):
    """``cache`` if it is the cache that ``forward`` returns (a ``kind`` named tuple)."""
    return check_instance("cache", cache, kind, f"the cache returned by {forward}")


def upstream_gradient(dout, shape, forward):
    """The upstream gradient as float64, after checking that it has the shape of ``out``."""
    dout = real_array("dout", dout)
    if dout.shape != tuple(shape):
        raise ValueError(
            f"dout must have the shape {tuple(shape)} of the output of {forward}, "
            f"got shape {dout.shape}"
        )
    return dout


def output_size(x_spatial, window, stride, pads):
    """(H_out, W_out) of a window sliding over the padded input, floored like TensorFlow."""
    sizes = zip(x_spatial, window, stride, pads, strict=True)
    return tuple((n + sum(p) - k) // s + 1 for n, k, s, p in sizes)


def conv_arguments(x, w, b, stride, padding):
    """Checked convolution arguments -> ``(x, w, b, stride, pads)``, arrays in float64."""
    x = as_float(check_array("x", x, 4, layout="(N, H, W, C_in)"))
    w = as_float(check_array("w", w, 4, layout="(kh, kw, C_in, C_out)"))
    if w.shape[2] != x.shape[3]:
        raise ValueError(f"w has {w.shape[2]} input channels but x has {x.shape[3]}")
    b = as_float(check_array("b", b, 1, layout="(C_out,)"))
    if b.shape != (w.shape[3],):
        raise ValueError(
            f"b must have shape ({w.shape[3]},) to match the {w.shape[3]} output "
            f"channels of w, got shape {b.shape}"
        )
    stride = check_pair("stride", stride)
    pads = resolve_padding(padding, x.shape[1:3], w.shape[:2], stride)
    require_fit("w", w.shape[:2], x.shape[1:3], pads)
    return x, w, b, stride, pads
