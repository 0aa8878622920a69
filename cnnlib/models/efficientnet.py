"""Squeeze-and-excitation and EfficientNet-B0 (MBConv blocks, compound scaling; notebook 19).

Hu, Shen and Sun, "Squeeze-and-excitation networks", CVPR 2018 (arXiv:1709.01507), Fig. 1
and Section 3.  Tan and Le, "EfficientNet: rethinking model scaling for convolutional neural
networks", ICML 2019 (arXiv:1905.11946): Table 1 (EfficientNet-B0) and Section 3.3 (compound
scaling: depth α^φ, width β^φ, resolution γ^φ with α·β²·γ² ≈ 2; α = 1.2, β = 1.1, γ = 1.15).

Layers are named as in ``keras.applications.EfficientNetB0``: ``stem_conv``, ``stem_bn``,
``stem_activation``; ``block{stage}{letter}_expand_conv``, ``_dwconv``, ``_se_squeeze``,
``_se_reduce``, ``_se_expand``, ``_se_excite``, ``_project_conv``, ``_add`` for block
``letter`` (a, b, ...) of stage 1 ... 7; ``top_conv``, ``avg_pool``, ``top_dropout`` and
``predictions``.
"""

import math

import keras
from keras import layers

from cnnlib._validation import (
    check_input_shape,
    check_int,
    check_positive_int,
    check_rate,
    check_real,
    check_str,
    check_tensor,
)
from cnnlib.models.mobilenet import make_divisible

__all__ = ["COMPOUND_SCALING", "EFFICIENTNET_B0_STAGES", "efficientnet", "efficientnet_b0",
           "mbconv_block", "squeeze_excite"]

#: Table 1, one row per stage: (expansion, kernel, first stride, output channels, layers).
EFFICIENTNET_B0_STAGES = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
)
#: Section 3.3: the grid-searched depth, width and resolution bases (α, β, γ).
COMPOUND_SCALING = (1.2, 1.1, 1.15)
_SE_RATIO = 0.25
_DROP_CONNECT = 0.2  # largest stochastic-depth rate, reached by the last block


def squeeze_excite(x, squeeze_channels, name="se"):
    """Squeeze-and-excitation (Hu et al. 2018, Fig. 1): global average pooling ("squeeze")
    to one value per channel, a 1×1 reduction to ``squeeze_channels`` with swish, a 1×1
    expansion back with a sigmoid ("excitation"), and the input's channels scaled by the
    result: a per-channel gate computed from the whole image."""
    x = check_tensor("x", x)
    squeeze_channels = check_positive_int("squeeze_channels", squeeze_channels)
    name = check_str("name", name)
    channels = x.shape[-1]
    s = layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_squeeze")(x)
    s = layers.Conv2D(squeeze_channels, 1, activation="swish", name=f"{name}_reduce")(s)
    s = layers.Conv2D(channels, 1, activation="sigmoid", name=f"{name}_expand")(s)
    return layers.Multiply(name=f"{name}_excite")([x, s])


def mbconv_block(x, expansion, kernel_size, strides, filters, drop_rate=0.0, name="block1a"):
    """MBConv (Table 1), MobileNetV2's inverted residual with squeeze-and-excitation and
    swish: 1×1 expansion (left out if ``expansion`` is 1), ``kernel_size`` depthwise
    convolution carrying the stride, squeeze-and-excitation reducing to a quarter of the
    *input* channels, and a linear 1×1 projection to ``filters``; an identity shortcut
    (with stochastic depth, dropping the whole residual with probability ``drop_rate``)
    when the stride is 1 and the channels match."""
    x = check_tensor("x", x)
    expansion = check_positive_int("expansion", expansion)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    strides = check_positive_int("strides", strides)
    filters = check_positive_int("filters", filters)
    drop_rate = check_rate("drop_rate", drop_rate)
    name = check_str("name", name)
    in_channels = x.shape[-1]
    inputs = x
    if expansion != 1:
        x = layers.Conv2D(expansion * in_channels, 1, use_bias=False,
                          name=f"{name}_expand_conv")(x)
        x = layers.BatchNormalization(name=f"{name}_expand_bn")(x)
        x = layers.Activation("swish", name=f"{name}_expand_activation")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides, padding="same", use_bias=False,
                               name=f"{name}_dwconv")(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    x = layers.Activation("swish", name=f"{name}_activation")(x)
    x = squeeze_excite(x, max(1, int(in_channels * _SE_RATIO)), name=f"{name}_se")
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_project_conv")(x)
    x = layers.BatchNormalization(name=f"{name}_project_bn")(x)
    if strides == 1 and in_channels == filters:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}_drop")(x)
        x = layers.Add(name=f"{name}_add")([x, inputs])
    return x


def efficientnet(width=1.0, depth=1.0, input_shape=(224, 224, 3), classes=1000, *,
                 dropout=0.2, stem_strides=2, name="efficientnet"):
    """EfficientNet with width and depth multipliers (B0: 1.0 and 1.0), built like
    ``keras.applications.EfficientNetB0`` without its input rescaling and normalisation layers.

    ``stem_conv`` (3×3/2, 32), the seven MBConv stages of ``EFFICIENTNET_B0_STAGES``,
    ``top_conv`` (1×1, 1280), global average pooling, dropout and a softmax layer.  Widths are
    multiplied by ``width`` and rounded by :func:`~cnnlib.models.mobilenet.make_divisible`, the
    layers of each stage by ``depth`` and rounded up; the input size is the third dimension of
    compound scaling (``COMPOUND_SCALING``).  ``stem_strides=1`` keeps the full resolution in
    the stem, for 32×32 CIFAR images.
    """
    width = check_real("width", width, 0, min_open=True)
    name = check_str("name", name)
    depth = check_real("depth", depth, 0, min_open=True)
    input_shape = check_input_shape(input_shape, network="EfficientNet")
    classes = check_int("classes", classes, 1)
    dropout = check_rate("dropout", dropout)
    stem_strides = check_int("stem_strides", stem_strides, 1, 2)

    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(make_divisible(32 * width), 3, stem_strides, padding="same",
                      use_bias=False, name="stem_conv")(inputs)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("swish", name="stem_activation")(x)
    repeats = [math.ceil(depth * n) for *_, n in EFFICIENTNET_B0_STAGES]
    block, blocks = 0, sum(repeats)
    for stage, ((expansion, kernel, stride, channels, _), n) in enumerate(
            zip(EFFICIENTNET_B0_STAGES, repeats, strict=True), 1):
        for k in range(n):
            x = mbconv_block(x, expansion, kernel, stride if k == 0 else 1,
                             make_divisible(channels * width), _DROP_CONNECT * block / blocks,
                             name=f"block{stage}{chr(ord('a') + k)}")
            block += 1
    x = layers.Conv2D(make_divisible(1280 * width), 1, use_bias=False, name="top_conv")(x)
    x = layers.BatchNormalization(name="top_bn")(x)
    x = layers.Activation("swish", name="top_activation")(x)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name="top_dropout")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def efficientnet_b0(input_shape=(224, 224, 3), classes=1000):
    """EfficientNet-B0 (Table 1): 5,330,564 parameters with 1000 classes, 7 fewer than
    ``keras.applications.EfficientNetB0``, whose input ``Normalization`` layer stores a mean
    and a variance per colour channel and a count; 0.386G multiply-adds per 224×224 image (the
    paper: 0.39B FLOPs)."""
    return efficientnet(1.0, 1.0, input_shape, classes, name="efficientnet_b0")
