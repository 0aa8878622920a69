"""MobileNetV2: inverted residuals and linear bottlenecks (notebook 19).

Sandler, Howard, Zhu, Zhmoginov and Chen, "MobileNetV2: inverted residuals and linear
bottlenecks", CVPR 2018 (arXiv:1801.04381): Table 1 (the bottleneck block), Table 2 (the
network) and Fig. 4 (stride-1 and stride-2 blocks).

Layers are named as in ``keras.applications.MobileNetV2``: ``Conv1``, ``bn_Conv1``,
``Conv1_relu``; then ``expanded_conv_*`` for the first block (no expansion) and
``block_{k}_expand/_depthwise/_project`` (with ``_BN``, ``_relu`` and ``_add``) for blocks
1 ... 16; finally ``Conv_1``, ``Conv_1_bn``, ``out_relu``, ``global_average_pooling2d`` and
``predictions``.
"""

import keras
from keras import layers

from cnnlib._validation import (
    check_input_shape,
    check_int,
    check_positive_int,
    check_real,
    check_str,
    check_tensor,
)

__all__ = ["MOBILENET_V2_STAGES", "inverted_residual_block", "make_divisible", "mobilenet_v2"]

#: Table 2, one row per stage: (expansion t, output channels c, blocks n, first stride s).
MOBILENET_V2_STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
_BN = {"epsilon": 1e-3, "momentum": 0.999}  # as keras.applications


def make_divisible(value, divisor=8):
    """``value`` rounded to the nearest multiple of ``divisor``, never below ``divisor`` nor
    more than 10% below ``value`` (the rounding of every width in MobileNetV2 and
    EfficientNet, so that channels suit vector hardware)."""
    value = check_real("value", value, 0, min_open=True)
    divisor = check_positive_int("divisor", divisor)
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def inverted_residual_block(x, expansion, filters, strides=1, name="block_1"):
    """The bottleneck residual block of Table 1 (Fig. 4): 1×1 expansion to ``expansion``
    times the input channels with ReLU6, 3×3 depthwise convolution (carrying the stride) with
    ReLU6, and a *linear* 1×1 projection to ``filters`` channels (no activation: the linear
    bottleneck).  The shortcut joins the two narrow ends when the stride is 1 and the
    channels match.  ``expansion=1`` leaves out the expansion (the first block)."""
    x = check_tensor("x", x)
    expansion = check_positive_int("expansion", expansion)
    filters = check_positive_int("filters", filters)
    strides = check_positive_int("strides", strides)
    name = check_str("name", name)
    in_channels = x.shape[-1]
    inputs = x
    if expansion != 1:
        x = layers.Conv2D(expansion * in_channels, 1, use_bias=False, name=f"{name}_expand")(x)
        x = layers.BatchNormalization(**_BN, name=f"{name}_expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{name}_expand_relu")(x)
    x = layers.DepthwiseConv2D(3, strides, padding="same", use_bias=False,
                               name=f"{name}_depthwise")(x)
    x = layers.BatchNormalization(**_BN, name=f"{name}_depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{name}_depthwise_relu")(x)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_project")(x)
    x = layers.BatchNormalization(**_BN, name=f"{name}_project_BN")(x)
    if strides == 1 and in_channels == filters:
        x = layers.Add(name=f"{name}_add")([inputs, x])
    return x


def mobilenet_v2(input_shape=(224, 224, 3), classes=1000, alpha=1.0, *, stem_strides=2):
    """MobileNetV2 (Table 2), built like ``keras.applications.MobileNetV2``.

    ``Conv1`` (3×3/2, 32 filters), 17 inverted residual blocks in the seven stages of
    ``MOBILENET_V2_STAGES``, ``Conv_1`` (1×1, 1280), global average pooling and a softmax
    layer.  With ``alpha=1`` and 1000 classes it has Keras's 3,538,984 parameters (BN moving
    statistics included) and 300.8M multiply-adds for a 224×224 image (the paper: 300M).

    ``alpha`` is the width multiplier (Section 6.1): every width times ``alpha``, rounded by
    :func:`make_divisible`, except the last 1280, which only grows (``alpha > 1``).
    ``stem_strides=1`` keeps the full resolution in ``Conv1``, for 32×32 CIFAR images (the
    final maps are then 1/16 of the input instead of 1/32).
    """
    stem_strides = check_int("stem_strides", stem_strides, 1, 2)
    input_shape = check_input_shape(input_shape, network="MobileNetV2")
    classes = check_int("classes", classes, 1)
    alpha = check_real("alpha", alpha, 0, min_open=True)

    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(make_divisible(32 * alpha), 3, stem_strides, padding="same",
                      use_bias=False, name="Conv1")(inputs)
    x = layers.BatchNormalization(**_BN, name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    block = 0
    for expansion, channels, blocks, first_stride in MOBILENET_V2_STAGES:
        for k in range(blocks):
            name = f"block_{block}" if block else "expanded_conv"
            x = inverted_residual_block(x, expansion, make_divisible(channels * alpha),
                                        first_stride if k == 0 else 1, name=name)
            block += 1
    last = make_divisible(1280 * alpha) if alpha > 1 else 1280
    x = layers.Conv2D(last, 1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(**_BN, name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    x = layers.GlobalAveragePooling2D(name="global_average_pooling2d")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=f"mobilenetv2_{alpha:g}")
