"""Ready-made checks of notebook 11's exercises: the cost of VGG's layers.

Like the checks of notebooks 00-06, each check is one call in the notebook,
``checks.check_vgg_conv_layer(vgg_conv_layer)``; the reference, the cases and the hints live
here.  The references count with :mod:`cnnlib.arithmetic`; the tests compare them with the
models that :func:`cnnlib.models.vgg` builds.
"""

import math

from cnnlib.checks.compare import is_int, is_real
from cnnlib.checks.core import Case, check_function

__all__ = ["check_stacked_conv_ratio", "check_vgg_conv_layer", "check_vgg_params"]


def _pair(got):
    """``got`` as a tuple of two numbers, or None."""
    if isinstance(got, tuple | list) and len(got) == 2 and all(is_real(v) for v in got):
        return tuple(got)
    return None


# Exercise 1: one convolution of VGG ----------------------------------------------------------


def _vgg_conv_layer(height, width, in_channels, filters):
    """(parameters with biases, output values) of a 3×3 convolution, stride 1, "same"."""
    from cnnlib import arithmetic

    out_height = arithmetic.conv_output_size(height, 3, 1, "same")
    out_width = arithmetic.conv_output_size(width, 3, 1, "same")
    return (arithmetic.conv_params(3, in_channels, filters),
            math.prod((out_height, out_width, filters)))


def _vgg_conv_layer_hint(case, expected, got):
    height, width, in_channels, filters = case.args
    pair = _pair(got)
    if pair is None:
        return "return a pair (parameters, activations)."
    params, activations = pair
    if params == expected[0] - filters:
        return ("L1's slide counts the weights only, (3·3·C_in)·C_out; Keras adds one bias per "
                "filter: (3·3·C_in + 1)·C_out.")
    if params != expected[0]:
        return "every filter has 3·3·C_in weights, one per input channel, plus one bias."
    if activations == (height - 2) * (width - 2) * filters:
        return ("VGG pads by 1 (\"same\"): a 3×3 convolution at stride 1 keeps the height and "
                "width.")
    return "one output value per filter at every position: height·width·filters."


def check_vgg_conv_layer(fn):
    """Check ``vgg_conv_layer(height, width, in_channels, filters)`` -> (parameters, activations)
    of one VGG convolution: 3×3, stride 1, padding 1 ("same"), biases counted as Keras counts
    them, activations = values of its output for one image (notebook 11).  The cases: L1's rows
    of VGG-16, the CIFAR-10 size, non-square and one-pixel inputs."""
    __tracebackhide__ = True
    cases = [
        Case((224, 224, 3, 64), label="L1: block1_conv1, 224×224×3 → 64"),
        Case((224, 224, 64, 64), label="L1: block1_conv2, 224×224×64 → 64"),
        Case((112, 112, 64, 128), label="L1: block2_conv1, 112×112×64 → 128"),
        Case((56, 56, 128, 256), label="L1: block3_conv1, 56×56×128 → 256"),
        Case((28, 28, 256, 512), label="L1: block4_conv1, 28×28×256 → 512"),
        Case((14, 14, 512, 512), label="L1: block5_conv3, 14×14×512 → 512"),
        Case((32, 32, 3, 64), label="CIFAR-10: 32×32×3 → 64"),
        Case((7, 5, 2, 3), label="non-square: 7×5×2 → 3"),
        Case((1, 1, 1, 1), label="one pixel, one channel, one filter"),
    ]
    check_function(fn, _vgg_conv_layer, cases, name="vgg_conv_layer",
                   hint=_vgg_conv_layer_hint)


# Exercise 2: a stack of 3x3 convolutions against one large convolution ------------------------


def _stacked_conv_ratio(n_layers, channels):
    """Weights of ``n_layers`` stacked 3×3 convolutions (C -> C, no biases) divided by the
    weights of one convolution with the same receptive field."""
    from cnnlib import arithmetic

    field = arithmetic.receptive_field([(3, 1)] * n_layers)
    stacked = n_layers * arithmetic.conv_params(3, channels, channels, use_bias=False)
    return stacked / arithmetic.conv_params(field, channels, channels, use_bias=False)


def _stacked_conv_ratio_hint(case, expected, got):
    n_layers, channels = case.args
    if not is_real(got):
        return "return one number, the ratio (a float)."
    if got and math.isclose(1 / got, expected):
        return "the stack's weights go on top: stacked / single, a number below 1 for n ≥ 2."
    if math.isclose(got, n_layers * 9 / (3 * n_layers) ** 2):
        return ("the receptive field grows by 2 pixels per layer, not 3: n stacked 3×3 "
                "convolutions see (2n + 1)×(2n + 1) pixels.")
    if is_int(got):
        return "a ratio is a fraction: divide with / rather than //."
    return ("n layers of 3·3·C·C weights, against one layer of k·k·C·C with k the receptive "
            "field of the stack (arithmetic.receptive_field).")


def check_stacked_conv_ratio(fn):
    """Check ``stacked_conv_ratio(n_layers, channels)``: the weights of ``n_layers`` stacked 3×3
    convolutions (``channels`` in and out, stride 1, no biases) divided by those of a single
    convolution that sees the same receptive field (L1: 3·(3²C²) / 7²C² for three layers;
    notebook 11).  The cases: 1 to 5 layers, 1 to 512 channels."""
    __tracebackhide__ = True
    cases = [Case((3, 64), label="L1: three 3×3 layers against one 7×7, C=64")]
    cases += [Case((n_layers, channels), label=f"{n_layers} layers, C={channels}")
              for n_layers, channels in [(2, 64), (1, 128), (4, 256), (5, 512), (3, 1), (2, 3)]]
    check_function(fn, _stacked_conv_ratio, cases, name="stacked_conv_ratio", rtol=1e-9,
                   hint=_stacked_conv_ratio_hint)


# Exercise 3: the parameters of a whole VGG ---------------------------------------------------


_FILTERS = (64, 128, 256, 512, 512)


def _vgg_params(depth, input_size=224, classes=1000, dense_units=4096, *, biases=True):
    """Parameters of ``cnnlib.models.vgg(depth, (input_size, input_size, 3), classes,
    dense_units=dense_units)``, counted layer by layer with :mod:`cnnlib.arithmetic`."""
    from cnnlib import arithmetic
    from cnnlib.models.vgg import VGG_CONFIGS

    total, channels, size = 0, 3, input_size
    for filters, convs in zip(_FILTERS, VGG_CONFIGS[depth], strict=True):
        for _ in range(convs):
            total += arithmetic.conv_params(3, channels, filters, use_bias=biases)
            channels = filters
        size = arithmetic.pool_output_size(size, 2)
    units = size * size * channels
    for width in (dense_units, dense_units, classes):
        total += arithmetic.dense_params(units, width, use_bias=biases)
        units = width
    return total


def _vgg_params_hint(case, expected, got):
    if not is_real(got):
        return "return one whole number, the total."
    if got == _vgg_params(*case.args, biases=False):
        return "count the biases too: one per filter and one per dense unit."
    depth, input_size = case.args[:2]
    if input_size != 224 and got == _vgg_params(depth, 224, *case.args[2:]):
        return ("the input to fc1 is the flattened output of block5_pool: (input_size/32)²·512 "
                "values, 7·7·512 only for a 224-pixel input.")
    return ("add the 3×3 convolutions of the five blocks (VGG_CONFIGS gives how many per block, "
            "64-128-256-512-512 filters), then fc1, fc2 and the output layer.")


def check_vgg_params(fn):
    """Check ``vgg_params(depth, input_size=224, classes=1000, dense_units=4096)``: the total
    parameters, biases included, of ``cnnlib.models.vgg`` built for square RGB images without
    batch normalisation (notebook 11).  The cases: VGG-11/13/16/19 at ImageNet size (VGG-16:
    Keras's 138,357,544), CIFAR-10 sizes, and an input that is not a multiple of 32."""
    __tracebackhide__ = True
    cases = [Case((16,), label="VGG-16, ImageNet size"),
             Case((19,), label="VGG-19, ImageNet size"),
             Case((11,), label="VGG-11, ImageNet size"),
             Case((13,), label="VGG-13, ImageNet size"),
             Case((16, 32, 10, 512), label="VGG-16 for CIFAR-10, dense_units=512"),
             Case((11, 32, 10, 4096), label="VGG-11 for CIFAR-10, dense_units=4096"),
             Case((19, 64, 100, 256), label="VGG-19, 64×64 input, 100 classes, dense_units=256"),
             Case((13, 48, 10, 128), label="VGG-13, 48×48 input (poolings round down), "
                                           "dense_units=128")]
    check_function(fn, _vgg_params, cases, name="vgg_params", hint=_vgg_params_hint)
