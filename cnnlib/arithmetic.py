"""Shape and cost arithmetic of convolutional layers (course notebooks 04-05, 10-12).

Pure Python: every function takes plain integers and returns plain integers, so the
lecture formulas (output size, padding, receptive field, parameters, multiply-adds,
memory) can be checked by hand and against Keras.

Padding is a non-negative integer (the lectures' P, applied on both sides) or one of
Keras's modes ``"valid"`` and ``"same"``.  A mode means exactly what Keras computes:
``"valid"`` floors ``(n - f)/s + 1`` and ``"same"`` gives ``ceil(n/s)``.  For an integer
padding the lectures' formula ``(n + 2p - f)/s + 1`` is used as written: when it is not a
whole number the filter "doesn't fit", and ``rounding`` decides what happens.
"""

import math

from cnnlib._validation import (
    check_bool,
    check_choice,
    check_padding,
    check_pair,
    check_positive_int,
    describe,
)

__all__ = [
    "activation_memory",
    "conv_macs",
    "conv_output_size",
    "conv_params",
    "dense_macs",
    "dense_params",
    "depthwise_conv_macs",
    "depthwise_conv_params",
    "separable_conv_macs",
    "separable_cost_ratio",
    "padding_to_keep_size",
    "pool_output_size",
    "receptive_field",
    "same_padding",
]

_ROUNDINGS = ("exact", "floor")
_DTYPE_BYTES = {  # bytes per element
    "float64": 8,
    "float32": 4,
    "float16": 2,
    "bfloat16": 2,
    "int64": 8,
    "int32": 4,
    "int8": 1,
    "uint8": 1,
}


def _effective_size(size, dilation):
    return (size - 1) * dilation + 1


def _format_number(value):
    text = f"{value:.2f}"
    return text if float(text) != round(value) else f"{value:.6g}"


def _output_size(n, size, stride, padding, dilation, rounding, noun):
    """Shared by conv_output_size and pool_output_size; arguments already checked."""
    eff = _effective_size(size, dilation)
    if padding == "same":
        return -(-n // stride)
    pad = 0 if padding == "valid" else padding
    span = n + 2 * pad - eff
    window = f"{eff}-wide {noun}" + (f" ({size} dilated by {dilation})" if dilation > 1 else "")
    if span < 0:
        name = "kernel_size" if noun == "filter" else "pool_size"
        raise ValueError(
            f"{name}={size} is too large: the {window} is larger than the "
            f"{n + 2 * pad}-wide {'padded ' if pad else ''}input (n={n}, padding={padding!r})"
        )
    skipped = span % stride
    if skipped and rounding == "exact" and padding != "valid":
        padded = f"a {n}-wide input" + (f" padded to {n + 2 * pad}" if pad else "")
        raise ValueError(
            f"({n} + 2*{pad} - {eff})/{stride} + 1 = {_format_number(span / stride + 1)} "
            f"is not a whole number: the {window} does not fit {padded} with stride "
            f"{stride} (frameworks floor it to {span // stride + 1} and silently ignore "
            f"the last {skipped} row(s) or column(s) along this axis); choose another stride "
            "or padding, or pass rounding='floor'"
        )
    return span // stride + 1


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1, *, rounding="exact"):
    """Output length along one axis of a convolution.  Course: notebook 04 (L1, L3, L5).

    Formula: ``(n + 2*padding - f)/stride + 1`` with the dilated kernel width
    ``f = (kernel_size - 1)*dilation + 1``.  ``padding="valid"`` and ``"same"`` give what
    Keras's ``Conv2D`` gives (``floor((n - f)/stride) + 1`` and ``ceil(n/stride)``).

    For an integer ``padding`` the formula may not give a whole number (the lectures'
    N=7, F=3, S=3 case: 2.33, the filter "doesn't fit").  ``rounding="exact"`` (default)
    then raises a ``ValueError`` that shows the fraction; ``rounding="floor"`` returns
    what TensorFlow/Keras compute, which drop the last rows/columns.  ``rounding`` has
    no effect on the Keras modes, which are defined by their own rounding.

    >>> conv_output_size(7, 3, stride=2)
    3
    >>> conv_output_size(7, 3, stride=3, rounding="floor")
    2
    >>> conv_output_size(7, 3, stride=3, padding="same")
    3
    """
    n = check_positive_int("n", n)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    stride = check_positive_int("stride", stride)
    padding = check_padding("padding", padding)
    dilation = check_positive_int("dilation", dilation)
    rounding = check_choice("rounding", rounding, _ROUNDINGS)
    return _output_size(n, kernel_size, stride, padding, dilation, rounding, "filter")


def pool_output_size(n, pool_size, stride=None, padding="valid", *, rounding="floor"):
    """Output length along one axis of a pooling layer.  Course: notebook 06.

    Same formula as :func:`conv_output_size`; ``stride`` defaults to ``pool_size`` as in
    Keras's ``MaxPool2D``.  Keras floors, hence ``rounding="floor"`` by default;
    ``rounding="exact"`` raises for an integer padding that does not fit.

    >>> pool_output_size(4, 2)
    2
    >>> pool_output_size(5, 2, padding="same")
    3
    """
    n = check_positive_int("n", n)
    pool_size = check_positive_int("pool_size", pool_size)
    stride = pool_size if stride is None else check_positive_int("stride", stride)
    padding = check_padding("padding", padding)
    rounding = check_choice("rounding", rounding, _ROUNDINGS)
    return _output_size(n, pool_size, stride, padding, 1, rounding, "pool window")


def same_padding(n, kernel_size, stride=1, dilation=1):
    """TensorFlow's ``"same"`` padding along one axis, as ``(before, after)``.  Notebook 04.

    ``total = max((ceil(n/stride) - 1)*stride + f - n, 0)`` with the dilated kernel width
    ``f``; ``before = total // 2`` and the odd extra row/column goes after (bottom/right).

    >>> same_padding(7, 3)
    (1, 1)
    >>> same_padding(6, 3, stride=2)
    (0, 1)
    """
    n = check_positive_int("n", n)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    stride = check_positive_int("stride", stride)
    dilation = check_positive_int("dilation", dilation)
    out = -(-n // stride)
    total = max((out - 1) * stride + _effective_size(kernel_size, dilation) - n, 0)
    return total // 2, total - total // 2


def padding_to_keep_size(kernel_size):
    """Zero padding ``P = (F - 1)/2`` that keeps the size at stride 1.  Notebook 04 (L1, L5).

    >>> [padding_to_keep_size(f) for f in (3, 5, 7)]
    [1, 2, 3]
    """
    kernel_size = check_positive_int("kernel_size", kernel_size)
    if kernel_size % 2 == 0:
        before, after = same_padding(kernel_size, kernel_size)
        raise ValueError(
            f"kernel_size must be odd, got {kernel_size}: the total padding F - 1 = "
            f"{kernel_size - 1} is odd, so no symmetric padding keeps the size "
            f"(padding='same' pads {before} before and {after} after)"
        )
    return (kernel_size - 1) // 2


def receptive_field(layers):
    """Receptive field, in input pixels, of one unit of the last layer.  Notebook 04 (L4).

    ``layers`` is a sequence of ``(kernel_size, stride)`` or ``(kernel_size, stride,
    dilation)`` for the stacked convolution/pooling layers, first layer first.  Formula:
    ``r = 1 + sum_l (f_l - 1) * prod_{i<l} s_i`` with the dilated widths ``f_l``.  An empty
    sequence gives 1 (a pixel sees itself).

    >>> receptive_field([(3, 1), (3, 1), (3, 1)])
    7
    >>> receptive_field([(3, 1), (2, 2), (3, 1)])
    8
    """
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(
            f"layers must be a sequence of (kernel_size, stride[, dilation]) tuples, "
            f"got {describe(layers)}"
        )
    field, jump = 1, 1
    for i, layer in enumerate(layers):
        if not isinstance(layer, (tuple, list)) or len(layer) not in (2, 3):
            raise ValueError(
                f"layers[{i}] must be (kernel_size, stride) or (kernel_size, stride, "
                f"dilation), got {layer!r}"
            )
        names = ("kernel_size", "stride", "dilation")
        kernel_size, stride, dilation = (
            check_positive_int(f"layers[{i}] {name}", value)
            for name, value in zip(names, (*layer, 1)[:3], strict=True)
        )
        field += (_effective_size(kernel_size, dilation) - 1) * jump
        jump *= stride
    return field


def conv_params(kernel_size, in_channels, filters, use_bias=True):
    """Trainable parameters of a 2-D convolution: ``K*(Kh*Kw*Kch + 1)``.  Notebook 05 (L3).

    >>> conv_params(2, 3, 2)
    26
    """
    kh, kw = check_pair("kernel_size", kernel_size)
    in_channels = check_positive_int("in_channels", in_channels)
    filters = check_positive_int("filters", filters)
    use_bias = check_bool("use_bias", use_bias)
    return filters * (kh * kw * in_channels + int(use_bias))


def dense_params(in_units, units, use_bias=True):
    """Trainable parameters of a dense layer: ``units*(in_units + 1)``.  Notebook 01 (L3).

    >>> dense_params(100 * 100, 100)
    1000100
    """
    in_units = check_positive_int("in_units", in_units)
    units = check_positive_int("units", units)
    use_bias = check_bool("use_bias", use_bias)
    return units * (in_units + int(use_bias))


def conv_macs(output_size, kernel_size, in_channels, filters):
    """Multiply-adds of one convolution for one example.  Notebook 05 (L3).

    ``Ho*Wo * Kh*Kw*Kch * K``: every output value needs one multiply-add per kernel
    weight.  ``output_size`` and ``kernel_size`` are ints (square) or ``(h, w)`` pairs.

    >>> conv_macs((150, 100), 5, 3, 200)  # 225 * 10**6
    225000000
    """
    oh, ow = check_pair("output_size", output_size)
    kh, kw = check_pair("kernel_size", kernel_size)
    in_channels = check_positive_int("in_channels", in_channels)
    filters = check_positive_int("filters", filters)
    return oh * ow * kh * kw * in_channels * filters


def dense_macs(in_units, units):
    """Multiply-adds of one dense layer for one example: ``in_units*units``.  Notebook 05.

    >>> dense_macs(4096, 1000)
    4096000
    """
    in_units = check_positive_int("in_units", in_units)
    units = check_positive_int("units", units)
    return in_units * units


def _dtype_name(dtype):
    """The name of a dtype given as a string, NumPy/TensorFlow dtype or NumPy scalar type."""
    if isinstance(dtype, str):
        return dtype
    name = getattr(dtype, "name", None)
    if not isinstance(name, str):
        name = getattr(dtype, "__name__", None)
    if not isinstance(name, str):
        raise TypeError(
            f"dtype must be a dtype or one of {sorted(_DTYPE_BYTES)}, got {describe(dtype)}"
        )
    return name


def activation_memory(shape, dtype="float32"):
    """Bytes taken by one example's tensor of ``shape`` (batch excluded).  Notebook 05 (L3).

    >>> activation_memory((150, 100, 200))  # 12 MB
    12000000
    """
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape must be a tuple of positive integers, got {describe(shape)}")
    sizes = [check_positive_int(f"shape[{i}]", size) for i, size in enumerate(shape)]
    name = _dtype_name(dtype)
    if name not in _DTYPE_BYTES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPE_BYTES)}, got {dtype!r}")
    return math.prod(sizes) * _DTYPE_BYTES[name]


def depthwise_conv_params(kernel_size, channels, use_bias=True):
    """Trainable parameters of a depthwise convolution (one ``Kh×Kw`` filter per channel):
    ``C*(Kh*Kw + 1)``.  Notebook 19.

    >>> depthwise_conv_params(3, 32, use_bias=False)
    288
    """
    kh, kw = check_pair("kernel_size", kernel_size)
    channels = check_positive_int("channels", channels)
    use_bias = check_bool("use_bias", use_bias)
    return channels * (kh * kw + int(use_bias))


def depthwise_conv_macs(output_size, kernel_size, channels):
    """Multiply-adds of a depthwise convolution for one example: ``Ho*Wo * Kh*Kw * C``, a
    ``Kh×Kw`` window per output value, no sum over channels.  Notebook 19.

    >>> depthwise_conv_macs(112, 3, 32)
    3612672
    """
    oh, ow = check_pair("output_size", output_size)
    kh, kw = check_pair("kernel_size", kernel_size)
    channels = check_positive_int("channels", channels)
    return oh * ow * kh * kw * channels


def separable_conv_macs(output_size, kernel_size, in_channels, filters):
    """Multiply-adds of a depthwise-separable convolution (Howard et al. 2017, MobileNet,
    Section 3.1): a depthwise ``Kh×Kw`` convolution, then a pointwise 1×1 convolution to
    ``filters`` channels, ``Ho*Wo*(Kh*Kw*C_in + C_in*filters)``.  Notebook 19.

    >>> separable_conv_macs(56, 3, 128, 128)
    54992896
    """
    oh, ow = check_pair("output_size", output_size)
    check_positive_int("in_channels", in_channels)
    return (depthwise_conv_macs((oh, ow), kernel_size, in_channels)
            + conv_macs((oh, ow), 1, in_channels, filters))


def separable_cost_ratio(kernel_size, filters):
    """Multiply-adds of a depthwise-separable convolution over those of the standard one it
    replaces: ``1/filters + 1/(Kh*Kw)``, whatever the input channels and output size
    (MobileNet, Section 3.1: 8 to 9 times fewer for 3×3 kernels).  Notebook 19.

    >>> round(separable_cost_ratio(3, 256), 4)
    0.115
    """
    kh, kw = check_pair("kernel_size", kernel_size)
    filters = check_positive_int("filters", filters)
    return 1 / filters + 1 / (kh * kw)
