"""Ready-made checks of notebook 13's exercises (ResNet).

Like the checks of notebooks 00-06, each check is one call in the notebook,
``checks.check_zero_pad_shortcut(zero_pad_shortcut)``; the reference, the cases and the hints
live here.  The references count with :mod:`cnnlib.arithmetic` or compute with NumPy; the tests
compare them with the layers and models of :mod:`cnnlib.models.resnet`.
"""

import numpy as np

from cnnlib.checks.compare import is_real
from cnnlib.checks.core import Case, check_function

__all__ = ["check_bottleneck_macs", "check_cifar_resnet_params", "check_zero_pad_shortcut"]


# Exercise 1: the zero-padding shortcut (option A) --------------------------------------------


def _zero_pad_shortcut(x, filters, strides):
    """Option A: keep every ``strides``-th row and column from the first, then append zero
    channels up to ``filters``."""
    kept = x[:, ::strides, ::strides, :]
    return np.pad(kept, [(0, 0), (0, 0), (0, 0), (0, filters - x.shape[-1])])


def _zero_pad_shortcut_hint(case, expected, got):
    x, filters, strides = case.args
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return "return a NumPy array of shape (N, H', W', filters)."
    if got.shape == expected.shape:
        kept = x[:, ::strides, ::strides, :]
        extra = filters - x.shape[-1]
        if extra and np.array_equal(got[..., extra:], kept):
            return "the input's channels come first; the zero channels are appended after them."
        if strides > 1 and np.array_equal(got[..., : x.shape[-1]],
                                          x[:, 1::strides, 1::strides, :][:, : kept.shape[1],
                                                                          : kept.shape[2]]):
            return "keep rows and columns 0, 2, 4, ...: start from the first one."
        return "copy the kept pixels unchanged; only the new channels are zeros."
    if got.ndim != 4:
        return "return a NumPy array of shape (N, H', W', filters)."
    if got.shape[1:3] == expected.shape[1:3]:
        return "pad the channels up to `filters`: the output has `filters` channels."
    if got.shape[1:3] == x.shape[1:3]:
        return "the shortcut must halve the height and width like the block's strided convolution."
    if got.shape[1:3] == (x.shape[1] // strides, x.shape[2] // strides):
        return ("a stride-2 convolution with padding keeps ceil(H/2) rows: slice with ::strides, "
                "which keeps the last row of an odd-sized map too.")
    return "slice every `strides`-th row and column, then pad the channel axis with zeros."


def check_zero_pad_shortcut(fn):
    """Check ``zero_pad_shortcut(x, filters, strides)``: the parameter-free shortcut of option A
    (He et al. 2015, Section 3.3) on a batch ``x`` of shape (N, H, W, C): subsample by
    ``strides`` and append ``filters - C`` zero channels; it must equal
    :class:`cnnlib.models.resnet.ZeroPadShortcut` (notebook 13).  The cases: CIFAR ResNet
    stage changes (16 -> 32, 32 -> 64), odd and non-square maps, stride 1, no extra channels."""
    __tracebackhide__ = True
    rng = np.random.default_rng(13)

    def batch(*shape):
        return rng.integers(1, 10, size=shape).astype("float32")

    cases = [
        Case((batch(1, 4, 4, 2), 4, 2), label="4×4×2 -> 4 channels, stride 2"),
        Case((batch(2, 8, 8, 16), 32, 2), label="CIFAR conv3_block1: 16 -> 32 channels, stride 2"),
        Case((batch(1, 4, 4, 32), 64, 2), label="CIFAR conv4_block1: 32 -> 64 channels, stride 2"),
        Case((batch(2, 5, 5, 3), 6, 2), label="odd size 5×5×3 -> 6 channels, stride 2"),
        Case((batch(1, 6, 3, 1), 3, 2), label="non-square 6×3×1 -> 3 channels, stride 2"),
        Case((batch(1, 3, 3, 2), 5, 1), label="stride 1, 2 -> 5 channels"),
        Case((batch(2, 4, 4, 3), 3, 1), label="stride 1, no new channels: the identity"),
    ]
    check_function(fn, _zero_pad_shortcut, cases, name="zero_pad_shortcut",
                   hint=_zero_pad_shortcut_hint)


# Exercise 2: the parameters of a CIFAR-10 ResNet ----------------------------------------------


_CIFAR_WIDTHS = (16, 32, 64)


def _cifar_resnet_params(n, classes=10, *, bn_per_channel=2, conv_bias=False):
    """Trainable parameters of ``cnnlib.models.cifar_resnet(6 * n + 2, classes=classes)``
    (option A): 3×3 convolutions without biases, batch normalisation with ``bn_per_channel``
    parameters per channel, the dense output layer with biases."""
    from cnnlib import arithmetic

    def conv_bn(in_channels, filters):
        return (arithmetic.conv_params(3, in_channels, filters, use_bias=conv_bias)
                + bn_per_channel * filters)

    total, channels = conv_bn(3, _CIFAR_WIDTHS[0]), _CIFAR_WIDTHS[0]
    for filters in _CIFAR_WIDTHS:
        for _ in range(n):
            total += conv_bn(channels, filters) + conv_bn(filters, filters)
            channels = filters
    return total + arithmetic.dense_params(channels, classes)


def _cifar_resnet_params_hint(case, expected, got):
    if not is_real(got):
        return "return one whole number, the total."
    variants = [
        (dict(bn_per_channel=4), "Table 6 counts the trained parameters: a batch normalisation "
                                 "trains 2 per channel (scale γ and shift β); its moving mean "
                                 "and variance are not trained."),
        (dict(bn_per_channel=0), "every convolution is followed by a batch normalisation with "
                                 "2 trained parameters per channel."),
        (dict(conv_bias=True), "the convolutions have no biases: the batch normalisation's shift "
                               "β does their job."),
    ]
    for kwargs, hint in variants:
        if got == _cifar_resnet_params(*case.args, **case.kwargs, **kwargs):
            return hint
    n = case.args[0]
    if got == _cifar_resnet_params(n, **case.kwargs) + (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64):
        return "option A's shortcuts (zero padding) have no parameters."
    return ("conv1 (3×3, 3 -> 16), then 3 stages of n blocks of two 3×3 convolutions with 16, 32 "
            "and 64 filters (the first convolution of stages 2 and 3 sees half as many input "
            "channels), a batch normalisation after each convolution, and the dense layer "
            "64 -> classes.")


def check_cifar_resnet_params(fn):
    """Check ``cifar_resnet_params(n, classes=10)``: the trainable parameters of the CIFAR-10
    ResNet of depth 6n+2 with option A shortcuts, as ``cnnlib.models.cifar_resnet`` builds it and
    as Table 6 of He et al. (2015) counts them (ResNet-20: 0.27M; notebook 13).  The cases:
    n = 3, 5, 7, 9, 18 (Table 6), n = 1, and other numbers of classes."""
    __tracebackhide__ = True
    cases = [Case((n,), label=f"ResNet-{6 * n + 2}") for n in (3, 5, 7, 9, 18)]
    cases += [Case((1,), label="ResNet-8"),
              Case((3,), {"classes": 100}, label="ResNet-20 for 100 classes"),
              Case((2,), {"classes": 2}, label="ResNet-14 for 2 classes")]
    check_function(fn, _cifar_resnet_params, cases, name="cifar_resnet_params",
                   hint=_cifar_resnet_params_hint)


# Exercise 3: the multiply-adds of a bottleneck block ------------------------------------------


def _bottleneck_macs(size, in_channels, filters, *, projection=True, expansion=4):
    """Multiply-adds of ``cnnlib.models.resnet.bottleneck_block(x, filters)`` at stride 1 on a
    ``size``×``size``×``in_channels`` input: 1×1 (filters), 3×3 (filters), 1×1
    (``4 * filters``), and a 1×1 projection to ``4 * filters`` channels when the input has a
    different number of channels."""
    from cnnlib import arithmetic

    out_channels = expansion * filters
    total = (arithmetic.conv_macs(size, 1, in_channels, filters)
             + arithmetic.conv_macs(size, 3, filters, filters)
             + arithmetic.conv_macs(size, 1, filters, out_channels))
    if projection and in_channels != out_channels:
        total += arithmetic.conv_macs(size, 1, in_channels, out_channels)
    return total


def _bottleneck_macs_hint(case, expected, got):
    size, in_channels, filters = case.args
    if not is_real(got):
        return "return one whole number, the total."
    projection = size**2 * in_channels * 4 * filters
    if in_channels != 4 * filters and got == expected - projection:
        return ("the input has a different number of channels than the block's output, so the "
                "shortcut is a 1×1 projection convolution: count it too.")
    if in_channels == 4 * filters and got == expected + projection:
        return "when the channels match, the shortcut is the identity: it costs nothing."
    if got == expected - size**2 * 6 * filters**2:
        return "a 3×3 convolution has 3·3 = 9 weights per input channel and filter, not 3."
    if got == _bottleneck_macs(*case.args, expansion=1):
        return "the last 1×1 convolution expands to 4·filters channels."
    if size > 1 and got * size**2 == expected:
        return "every output position needs its own multiply-adds: multiply by size·size."
    return ("add the three convolutions, each size·size·(k·k·C_in)·C_out: 1×1 to filters, 3×3 "
            "filters -> filters, 1×1 to 4·filters (and the projection if there is one).")


def check_bottleneck_macs(fn):
    """Check ``bottleneck_macs(size, in_channels, filters)``: the multiply-adds of one bottleneck
    block (He et al. 2015, Fig. 5 right) at stride 1 on a ``size``×``size``×``in_channels``
    input, as :func:`cnnlib.models.resnet.bottleneck_block` builds it and
    :mod:`cnnlib.profile` counts it (notebook 13).  The cases: the paper's 256-d block on
    56×56, the first blocks of ResNet-50's stages (with a projection), small sizes."""
    __tracebackhide__ = True
    cases = [
        Case((56, 256, 64), label="Fig. 5: 56×56×256, filters 64 (identity shortcut)"),
        Case((56, 64, 64), label="ResNet-50 conv2_block1: 56×56×64 -> 256 (projection)"),
        Case((14, 1024, 256), label="ResNet-50 conv4 block: 14×14×1024, filters 256"),
        Case((7, 2048, 512), label="ResNet-50 conv5 block: 7×7×2048, filters 512"),
        Case((1, 4, 1), label="1×1×4, filters 1"),
        Case((3, 6, 2), label="3×3×6 -> 8 channels (projection)"),
    ]
    check_function(fn, _bottleneck_macs, cases, name="bottleneck_macs",
                   hint=_bottleneck_macs_hint)
