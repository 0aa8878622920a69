"""Ready-made checks of notebook 19's exercises (efficient convolutions).

Like :mod:`cnnlib.checks.resnet`, each check is one call in the notebook,
``checks.check_inverted_residual_macs(inverted_residual_macs)``; the reference, the cases and
the hints live here.  The references count with :mod:`cnnlib.arithmetic`; the tests compare
them with the blocks of :mod:`cnnlib.models.mobilenet` and :mod:`cnnlib.models.efficientnet`
as :mod:`cnnlib.profile` counts them.
"""

import numbers

from cnnlib.checks.core import Case, check_function

__all__ = ["check_inverted_residual_macs", "check_mbconv_params"]


def _is_count(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


# Exercise 1: the multiply-adds of an inverted residual block ---------------------------------


def _inverted_residual_macs(size, in_channels, filters, expansion, strides=1, *,
                            kernel_size=3, depthwise=True):
    """Multiply-adds of ``inverted_residual_block(x, expansion, filters, strides)`` on a
    ``size``×``size``×``in_channels`` input: 1×1 expansion (if ``expansion`` > 1) at the input
    size, 3×3 depthwise and 1×1 projection at the output size ``ceil(size / strides)``."""
    from cnnlib import arithmetic

    hidden = expansion * in_channels
    out = -(-size // strides)
    total = arithmetic.conv_macs(out, 1, hidden, filters)
    if depthwise:
        total += arithmetic.depthwise_conv_macs(out, kernel_size, hidden)
    else:
        total += arithmetic.conv_macs(out, kernel_size, hidden, hidden)
    if expansion != 1:
        total += arithmetic.conv_macs(size, 1, in_channels, hidden)
    return total


def _inverted_residual_macs_hint(case, expected, got):
    size, in_channels, filters, expansion, strides = (*case.args, 1)[:5]
    if not _is_count(got):
        return "return one whole number, the total."
    if got == _inverted_residual_macs(*case.args, depthwise=False):
        return ("the 3×3 convolution is depthwise: each of the expanded channels has its own "
                "3×3 filter, 9 multiply-adds per output value, no sum over channels.")
    if strides > 1 and got == _inverted_residual_macs(size, in_channels, filters, expansion, 1):
        return ("the depthwise convolution carries the stride: it and the projection run on "
                "the smaller output map, ceil(size / strides) per side.")
    if expansion == 1 and got == expected + size**2 * in_channels**2:
        return "with expansion 1 there is no expansion convolution."
    return ("add the 1×1 expansion (size²·C_in·t·C_in), the 3×3 depthwise convolution "
            "(out²·9·t·C_in) and the 1×1 projection (out²·t·C_in·filters).")


def check_inverted_residual_macs(fn):
    """Check ``inverted_residual_macs(size, in_channels, filters, expansion, strides=1)``: the
    multiply-adds of MobileNetV2's inverted residual block (Sandler et al. 2018, Table 1) on a
    ``size``×``size``×``in_channels`` input, as
    :func:`cnnlib.models.mobilenet.inverted_residual_block` builds it and :mod:`cnnlib.profile`
    counts it (notebook 19).  The cases: blocks of MobileNetV2 at 224×224, stride 2 on an odd
    size, the first block (expansion 1)."""
    __tracebackhide__ = True
    cases = [
        Case((56, 24, 24, 6), label="block_2: 56×56×24 -> 24, expansion 6"),
        Case((112, 16, 24, 6, 2), label="block_1: 112×112×16 -> 24, stride 2"),
        Case((14, 96, 160, 6, 2), label="block_13: 14×14×96 -> 160, stride 2"),
        Case((7, 160, 320, 6), label="block_16: 7×7×160 -> 320"),
        Case((112, 32, 16, 1), label="expanded_conv: expansion 1"),
        Case((5, 4, 8, 3, 2), label="5×5×4 -> 8, expansion 3, stride 2 (odd size)"),
    ]
    check_function(fn, _inverted_residual_macs, cases, name="inverted_residual_macs",
                   hint=_inverted_residual_macs_hint)


# Exercise 2: the trainable parameters of an MBConv block --------------------------------------


def _mbconv_params(in_channels, filters, expansion, kernel_size, *, bn_per_channel=2,
                   se_base=None):
    """Trainable parameters of ``mbconv_block(x, expansion, kernel_size, 1, filters)`` on
    ``in_channels`` channels: convolutions without biases followed by batch normalisation
    (``bn_per_channel`` trained values per channel), squeeze-and-excitation to
    ``max(1, int(in_channels / 4))`` channels with biases."""
    from cnnlib import arithmetic

    hidden = expansion * in_channels
    squeezed = max(1, int((in_channels if se_base is None else se_base(hidden)) * 0.25))
    total = (arithmetic.depthwise_conv_params(kernel_size, hidden, use_bias=False)
             + bn_per_channel * hidden
             + arithmetic.conv_params(1, hidden, squeezed)
             + arithmetic.conv_params(1, squeezed, hidden)
             + arithmetic.conv_params(1, hidden, filters, use_bias=False)
             + bn_per_channel * filters)
    if expansion != 1:
        total += arithmetic.conv_params(1, in_channels, hidden, use_bias=False)
        total += bn_per_channel * hidden
    return total


def _mbconv_params_hint(case, expected, got):
    if not _is_count(got):
        return "return one whole number, the total."
    variants = [
        ({"bn_per_channel": 4}, "count only the trained parameters: a batch normalisation "
                                "trains 2 per channel (γ and β); its moving mean and variance "
                                "are not trained."),
        ({"bn_per_channel": 0}, "each convolution outside the squeeze-and-excitation is followed "
                                "by a batch normalisation with 2 trained parameters per channel."),
        ({"se_base": lambda hidden: hidden}, "the squeeze-and-excitation reduces to a quarter "
                                             "of the block's *input* channels, not of the "
                                             "expanded ones."),
    ]
    for kwargs, hint in variants:
        if got == _mbconv_params(*case.args, **kwargs):
            return hint
    return ("expansion 1×1 (no bias) + BN, k×k depthwise (no bias) + BN, squeeze-and-excitation "
            "(two 1×1 convolutions with biases), projection 1×1 (no bias) + BN.")


def check_mbconv_params(fn):
    """Check ``mbconv_params(in_channels, filters, expansion, kernel_size)``: the trainable
    parameters of EfficientNet's MBConv block with squeeze-and-excitation (Tan and Le 2019,
    Table 1), as :func:`cnnlib.models.efficientnet.mbconv_block` builds it (notebook 19).  The
    cases: blocks of EfficientNet-B0, expansion 1, a squeeze to a single channel."""
    __tracebackhide__ = True
    cases = [
        Case((16, 24, 6, 3), label="block2a: 16 -> 24, expansion 6, 3×3"),
        Case((24, 40, 6, 5), label="block3a: 24 -> 40, expansion 6, 5×5"),
        Case((192, 320, 6, 3), label="block7a: 192 -> 320, expansion 6, 3×3"),
        Case((32, 16, 1, 3), label="block1a: 32 -> 16, expansion 1"),
        Case((3, 5, 2, 3), label="3 -> 5, expansion 2: a squeeze to 1 channel"),
    ]
    check_function(fn, _mbconv_params, cases, name="mbconv_params", hint=_mbconv_params_hint)
