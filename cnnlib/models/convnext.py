"""ConvNeXt: a ResNet modernised step by step towards the vision transformers (notebook 19).

Liu, Mao, Wu, Feichtenhofer, Darrell and Xie, "A ConvNet for the 2020s", CVPR 2022
(arXiv:2201.03545): Fig. 4 (the block), Section 2 (the steps from ResNet-50) and Table 9
(ConvNeXt-T: stages of 3, 3, 9, 3 blocks with 96, 192, 384, 768 channels).

Layers are named as in ``keras.applications.ConvNeXtTiny`` without its ``convnext_tiny_``
prefix: ``stem_conv``, ``stem_layernorm``; ``downsampling_layernorm_{i}`` and
``downsampling_conv_{i}`` before stages 1 ... 3; ``stage_{s}_block_{k}_depthwise_conv``,
``_layernorm``, ``_pointwise_conv_1``, ``_gelu``, ``_pointwise_conv_2``, ``_layer_scale``,
``_add``; then ``head_gap``, ``head_layernorm`` and ``predictions``.
"""

import keras
from keras import layers

from cnnlib._validation import (
    check_input_shape,
    check_instance,
    check_int,
    check_positive_int,
    check_real,
    check_str,
    check_tensor,
)

__all__ = ["CONVNEXT_T", "LayerScale", "convnext", "convnext_block", "convnext_tiny"]

#: Table 9: (blocks per stage, channels per stage) of ConvNeXt-T.
CONVNEXT_T = ((3, 3, 9, 3), (96, 192, 384, 768))
_LN_EPSILON = 1e-6
_LAYER_SCALE_INIT = 1e-6


@keras.saving.register_keras_serializable(package="cnnlib")
class LayerScale(layers.Layer):
    """Multiplies each channel by a learned scale initialised to ``init_value`` (1e-6), so
    that every residual block starts close to the identity (Touvron et al. 2021, CaiT)."""

    def __init__(self, init_value=_LAYER_SCALE_INIT, **kwargs):
        super().__init__(**kwargs)
        self.init_value = check_real("init_value", init_value)

    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(input_shape[-1],), name="gamma",
                                     initializer=keras.initializers.Constant(self.init_value))

    def call(self, inputs):
        return inputs * self.gamma

    def get_config(self):
        return {**super().get_config(), "init_value": self.init_value}


def convnext_block(x, name="stage_0_block_0"):
    """The ConvNeXt block (Fig. 4): a 7×7 depthwise convolution, layer normalisation, an
    inverted bottleneck of two 1×1 convolutions (written as dense layers on each position)
    expanding to 4× the channels with one GELU between them, a layer scale, and the identity
    shortcut.  One normalisation and one activation per block, as in a transformer block."""
    x = check_tensor("x", x)
    name = check_str("name", name)
    channels = x.shape[-1]
    inputs = x
    x = layers.DepthwiseConv2D(7, padding="same", name=f"{name}_depthwise_conv")(x)
    x = layers.LayerNormalization(epsilon=_LN_EPSILON, name=f"{name}_layernorm")(x)
    x = layers.Dense(4 * channels, name=f"{name}_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=f"{name}_gelu")(x)
    x = layers.Dense(channels, name=f"{name}_pointwise_conv_2")(x)
    x = LayerScale(name=f"{name}_layer_scale")(x)
    return layers.Add(name=f"{name}_add")([inputs, x])


def _validated_stages(depths, widths):
    for argument, values in (("depths", depths), ("widths", widths)):
        check_instance(argument, values, (tuple, list), "a tuple of 4 positive integers")
        if len(values) != 4:
            raise ValueError(f"{argument} must be a tuple of 4 positive integers, got "
                             f"{tuple(values)!r}")
    return (tuple(check_positive_int(f"depths[{i}]", n) for i, n in enumerate(depths)),
            tuple(check_positive_int(f"widths[{i}]", n) for i, n in enumerate(widths)))


def convnext(depths=CONVNEXT_T[0], widths=CONVNEXT_T[1], input_shape=(224, 224, 3),
             classes=1000, *, patch_size=4, name="convnext"):
    """A ConvNeXt of four stages of ``depths`` blocks with ``widths`` channels.

    The stem "patchifies" the image with a ``patch_size``×``patch_size`` convolution of
    stride ``patch_size`` (4, like a vision transformer's 4×4 patches; 1 or 2 for 32×32
    CIFAR images) and a layer normalisation; a layer normalisation and a 2×2 convolution of
    stride 2 halve the size between stages; global average pooling, layer normalisation and a
    softmax layer end it.  Stochastic depth (a training-time regulariser without parameters)
    is left out.
    """
    depths, widths = _validated_stages(depths, widths)
    patch_size = check_positive_int("patch_size", patch_size)
    name = check_str("name", name)
    input_shape = check_input_shape(input_shape, min_size=patch_size * 8,
                                    network=f"a ConvNeXt with patch_size={patch_size}",
                                    why="the stem and three downsampling layers divide by "
                                        f"{patch_size * 8}")
    classes = check_int("classes", classes, 1)

    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(widths[0], patch_size, patch_size, name="stem_conv")(inputs)
    x = layers.LayerNormalization(epsilon=_LN_EPSILON, name="stem_layernorm")(x)
    for stage, (blocks, channels) in enumerate(zip(depths, widths, strict=True)):
        if stage > 0:
            x = layers.LayerNormalization(epsilon=_LN_EPSILON,
                                          name=f"downsampling_layernorm_{stage}")(x)
            x = layers.Conv2D(channels, 2, 2, name=f"downsampling_conv_{stage}")(x)
        for k in range(blocks):
            x = convnext_block(x, name=f"stage_{stage}_block_{k}")
    x = layers.GlobalAveragePooling2D(name="head_gap")(x)
    x = layers.LayerNormalization(epsilon=_LN_EPSILON, name="head_layernorm")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def convnext_tiny(input_shape=(224, 224, 3), classes=1000):
    """ConvNeXt-T (Table 9): 28,589,128 parameters with 1000 classes, as
    ``keras.applications.ConvNeXtTiny``; 4.46G multiply-adds per 224×224 image (the paper:
    4.5G FLOPs)."""
    return convnext(*CONVNEXT_T, input_shape, classes, name="convnext_tiny")
