"""ResNet-18/34/50/101/152 and the CIFAR-10 ResNets and plain networks (notebooks 13-14).

He, Zhang, Ren and Sun, "Deep residual learning for image recognition", CVPR 2016
(arXiv:1512.03385): Table 1 (ImageNet networks), Fig. 5 (basic and bottleneck blocks),
Section 3.3 (shortcut options A and B) and Section 4.2 (CIFAR-10 networks of depth 6n+2).

Layers are named as in ``keras.applications.ResNet50``: ``conv1_conv``, ``pool1_pool``, then
``conv{stage}_block{k}_{i}_conv/_bn/_relu`` for the i-th convolution of block k of stage
conv2 ... conv5 (``_0_conv`` is a projection shortcut), ``_add`` and ``_out`` after the sum,
and finally ``avg_pool`` and ``predictions``.
"""

import keras
from keras import layers

from cnnlib._validation import (
    check_bool,
    check_choice,
    check_classes,
    check_initializer,
    check_input_shape,
    check_int,
    check_positive_int,
    check_str,
    check_tensor,
)

__all__ = [
    "IMAGENET_RESNETS",
    "ZeroPadShortcut",
    "basic_block",
    "bottleneck_block",
    "conv_bn",
    "cifar_plain",
    "cifar_resnet",
    "resnet",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
]

#: depth -> (block, blocks per stage conv2 ... conv5), Table 1.
IMAGENET_RESNETS = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
    101: ("bottleneck", (3, 4, 23, 3)),
    152: ("bottleneck", (3, 8, 36, 3)),
}
_STRIDE_IN = ("1x1", "3x3")
_SHORTCUTS = ("A", "B")
_BN_EPSILON = 1.001e-5  # as keras.applications


@keras.saving.register_keras_serializable(package="cnnlib")
class ZeroPadShortcut(layers.Layer):
    """Shortcut option A of He et al. (2015): identity, subsampled by ``strides`` and with
    zero channels appended up to ``filters``.  It has no parameters."""

    def __init__(self, filters, strides=1, **kwargs):
        super().__init__(**kwargs)
        self.filters = check_positive_int("filters", filters)
        self.strides = check_positive_int("strides", strides)

    def build(self, input_shape):
        if input_shape[-1] is not None and input_shape[-1] > self.filters:
            raise ValueError(
                f"filters={self.filters} is fewer than the {input_shape[-1]} channels of the "
                "input: a zero-padding shortcut can only add channels (use a 1x1 projection, "
                "shortcut 'B')"
            )

    def call(self, inputs):
        x = inputs[:, :: self.strides, :: self.strides, :]
        extra = self.filters - x.shape[-1]
        return keras.ops.pad(x, [[0, 0], [0, 0], [0, 0], [0, extra]])

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape
        return batch, -(-height // self.strides), -(-width // self.strides), self.filters

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "strides": self.strides}


def conv_bn(x, filters, kernel_size, strides=1, relu=True, use_bias=True, name="conv1", *,
            batch_norm=True, kernel_initializer="glorot_uniform"):
    """Convolution ``{name}_conv``, batch normalisation ``{name}_bn`` and ReLU ``{name}_relu``.

    A strided convolution larger than 1x1 is preceded by symmetric zero padding
    ``{name}_pad`` of ``kernel_size // 2``, as in the paper's Torch code (Keras's
    ``padding="same"`` would pad only the bottom and right); otherwise padding is "same".
    ``batch_norm=False`` leaves out the batch normalisation (notebook 13 shows what it does);
    ``kernel_initializer`` is Keras's (its default, ``"glorot_uniform"``, unless given).
    """
    x = check_tensor("x", x)
    filters = check_positive_int("filters", filters)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    strides = check_positive_int("strides", strides)
    relu = check_bool("relu", relu)
    use_bias = check_bool("use_bias", use_bias)
    batch_norm = check_bool("batch_norm", batch_norm)
    name = check_str("name", name)
    kernel_initializer = check_initializer("kernel_initializer", kernel_initializer)
    padding = "same"
    if strides > 1 and kernel_size > 1:
        x = layers.ZeroPadding2D(kernel_size // 2, name=f"{name}_pad")(x)
        padding = "valid"
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias,
                      kernel_initializer=kernel_initializer, name=f"{name}_conv")(x)
    if batch_norm:
        x = layers.BatchNormalization(epsilon=_BN_EPSILON, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x) if relu else x


def _merge(x, shortcut, name):
    if shortcut is not None:
        x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def _shortcut(x, filters, strides, option, use_bias, name, **conv_options):
    """Identity when shapes match, else option "A" (zero padding) or "B" (1x1 projection)."""
    if strides == 1 and x.shape[-1] == filters:
        return x
    if option == "A":
        return ZeroPadShortcut(filters, strides, name=f"{name}_0_shortcut")(x)
    return conv_bn(x, filters, 1, strides, relu=False, use_bias=use_bias, name=f"{name}_0",
                   **conv_options)


def basic_block(x, filters, strides=1, shortcut="B", residual=True, use_bias=True,
                name="conv2_block1", *, batch_norm=True, kernel_initializer="glorot_uniform"):
    """Two 3x3 convolutions (Fig. 5 left); the first one carries the stride.  ``batch_norm``
    and ``kernel_initializer`` go to every :func:`conv_bn` of the block."""
    x = check_tensor("x", x)
    filters = check_positive_int("filters", filters)
    strides = check_positive_int("strides", strides)
    shortcut = check_choice("shortcut", shortcut, _SHORTCUTS)
    residual = check_bool("residual", residual)
    name = check_str("name", name)
    if residual and shortcut == "A" and x.shape[-1] > filters:
        raise ValueError(
            f"shortcut 'A' pads the input's {x.shape[-1]} channels with zeros, so filters must "
            f"be at least {x.shape[-1]}, got {filters}; use shortcut 'B' (a 1x1 projection)"
        )
    options = {"batch_norm": batch_norm, "kernel_initializer": kernel_initializer}
    skip = None
    if residual:
        skip = _shortcut(x, filters, strides, shortcut, use_bias, name, **options)
    x = conv_bn(x, filters, 3, strides, use_bias=use_bias, name=f"{name}_1", **options)
    x = conv_bn(x, filters, 3, relu=False, use_bias=use_bias, name=f"{name}_2", **options)
    return _merge(x, skip, name)


def bottleneck_block(x, filters, strides=1, stride_in="1x1", name="conv2_block1"):
    """1x1 (``filters``), 3x3 (``filters``) and 1x1 (``4 * filters``) convolutions (Fig. 5
    right), with a projection shortcut when the shape changes.  ``stride_in`` says which of
    the first two convolutions carries the stride."""
    x = check_tensor("x", x)
    filters = check_positive_int("filters", filters)
    strides = check_positive_int("strides", strides)
    stride_in = check_choice("stride_in", stride_in, _STRIDE_IN)
    name = check_str("name", name)
    skip = _shortcut(x, 4 * filters, strides, "B", True, name)
    first, second = (strides, 1) if stride_in == "1x1" else (1, strides)
    x = conv_bn(x, filters, 1, first, name=f"{name}_1")
    x = conv_bn(x, filters, 3, second, name=f"{name}_2")
    x = conv_bn(x, 4 * filters, 1, relu=False, name=f"{name}_3")
    return _merge(x, skip, name)


def resnet(depth, input_shape=(224, 224, 3), classes=1000, stride_in="1x1"):
    """ResNet-``depth`` for ImageNet (Table 1), built like ``keras.applications.ResNet50``.

    ``conv1`` (7x7/2, 64) and ``pool1`` (3x3/2 max) are followed by the stages conv2 ... conv5
    of 64, 128, 256 and 512 filters (x4 at the output of bottleneck blocks), of which conv3 ...
    conv5 halve the size in their first block; then global average pooling and a softmax layer.
    Depths 18 and 34 use basic blocks, 50, 101 and 152 bottleneck blocks (``IMAGENET_RESNETS``).
    A shortcut is the identity, or a 1x1 projection where the shape changes (option B).
    Convolutions keep their biases, as in ``keras.applications``, so that ResNet-50 has exactly
    its 25,636,712 parameters (BN moving statistics included).

    ``stride_in`` places the stride of a down-sampling bottleneck block: ``"1x1"`` (default) in
    its first 1x1 convolution, as in the paper's released models and ``keras.applications``
    (ResNet-50: 3.86G multiply-adds, Table 1's 3.8x10^9 "FLOPs"); ``"3x3"`` in its 3x3
    convolution, as in torchvision ("ResNet v1.5": 4.09G, and slightly more accurate).  Basic
    blocks always put the stride in their first 3x3 convolution, so ``stride_in`` does not
    change ResNet-18/34.
    Every input size works, e.g. ``(64, 64, 3)``; the final maps are 1/32 of it (at least 1x1).
    """
    depth = check_choice("depth", check_int("depth", depth), tuple(IMAGENET_RESNETS))
    input_shape = check_input_shape(input_shape, network=f"ResNet-{depth}")
    classes = check_classes(classes)
    stride_in = check_choice("stride_in", stride_in, _STRIDE_IN)

    kind, blocks_per_stage = IMAGENET_RESNETS[depth]
    inputs = keras.Input(shape=input_shape, name="input")
    x = conv_bn(inputs, 64, 7, strides=2, name="conv1")
    x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    stages = zip((64, 128, 256, 512), blocks_per_stage, strict=True)
    for stage, (filters, blocks) in enumerate(stages, 2):
        for k in range(1, blocks + 1):
            strides = 2 if stage > 2 and k == 1 else 1
            name = f"conv{stage}_block{k}"
            if kind == "basic":
                x = basic_block(x, filters, strides, name=name)
            else:
                x = bottleneck_block(x, filters, strides, stride_in, name=name)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=f"resnet{depth}")


def resnet18(input_shape=(224, 224, 3), classes=1000):
    """ResNet-18: ``resnet(18, ...)``."""
    return resnet(18, input_shape, classes)


def resnet34(input_shape=(224, 224, 3), classes=1000):
    """ResNet-34: ``resnet(34, ...)``."""
    return resnet(34, input_shape, classes)


def resnet50(input_shape=(224, 224, 3), classes=1000, stride_in="1x1"):
    """ResNet-50: ``resnet(50, ...)``; same layers and parameters as ``keras.applications``."""
    return resnet(50, input_shape, classes, stride_in)


def resnet101(input_shape=(224, 224, 3), classes=1000, stride_in="1x1"):
    """ResNet-101: ``resnet(101, ...)``."""
    return resnet(101, input_shape, classes, stride_in)


def resnet152(input_shape=(224, 224, 3), classes=1000, stride_in="1x1"):
    """ResNet-152: ``resnet(152, ...)``."""
    return resnet(152, input_shape, classes, stride_in)


def cifar_resnet(depth=20, input_shape=(32, 32, 3), classes=10, shortcut="A", residual=True, *,
                 batch_norm=True, kernel_initializer="glorot_uniform"):
    """The CIFAR-10 ResNet of depth 6n+2 of He et al. (2015), Section 4.2, or its plain twin.

    ``conv1`` is a 3x3 convolution with 16 filters; stages conv2, conv3 and conv4 hold n basic
    blocks each with 16, 32 and 64 filters on 32x32, 16x16 and 8x8 maps (the first block of
    conv3 and conv4 halves the size with a stride-2 convolution); then global average pooling
    and a softmax layer: 6n + 2 weight layers.  Convolutions have no biases (batch
    normalisation follows each one).

    ``shortcut`` is the paper's option where a block changes the shape: ``"A"`` (default, the
    one the paper uses on CIFAR-10) subsamples the input by 2 and pads it with zero channels
    (:class:`ZeroPadShortcut`, no parameters), ``"B"`` is a 1x1 projection with batch
    normalisation.  With option A, ``residual=False`` (the plain network: same layers without
    shortcuts, ``shortcut`` is then ignored) has exactly the same parameters as the ResNet.

    Parameters with 10 classes and option A; the paper's figures (Table 6) are the trainable
    ones, which option A reproduces at every depth (option B adds 2,752 trainable parameters,
    which makes ResNet-32 0.47M and ResNet-56 0.86M):

    =====  ==  ==========  =========  =====
    depth  n   trainable   all        paper
    =====  ==  ==========  =========  =====
    20     3   269,722     271,098    0.27M
    32     5   464,154     466,426    0.46M
    44     7   658,586     661,754    0.66M
    56     9   853,018     857,082    0.85M
    110    18  1,727,962   1,736,058  1.7M
    =====  ==  ==========  =========  =====

    "all" adds the batch normalisation moving means and variances, which Keras counts in
    ``count_params()`` (and the profiler too) but which are not trained.

    ``batch_norm=False`` builds the same network without batch normalisation (each
    convolution then has a bias, since no batch-norm shift replaces it); ``kernel_initializer``
    initialises every convolution: Keras's ``"glorot_uniform"`` by default, ``"he_normal"``
    for the paper's (He et al. 2015b).  Notebook 13 compares the gradients of these variants
    at initialisation.
    """
    depth = check_int("depth", depth)
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(
            f"depth must be 6n+2 for a positive integer n (20, 32, 44, 56, 110), got {depth}"
        )
    input_shape = check_input_shape(input_shape, network=f"the CIFAR ResNet-{depth}")
    classes = check_classes(classes)
    shortcut = check_choice("shortcut", shortcut, _SHORTCUTS)
    residual = check_bool("residual", residual)
    batch_norm = check_bool("batch_norm", batch_norm)
    options = {"use_bias": not batch_norm, "batch_norm": batch_norm,
               "kernel_initializer": check_initializer("kernel_initializer", kernel_initializer)}

    inputs = keras.Input(shape=input_shape, name="input")
    x = conv_bn(inputs, 16, 3, name="conv1", **options)
    for stage, filters in enumerate((16, 32, 64), 2):
        for k in range(1, (depth - 2) // 6 + 1):
            strides = 2 if stage > 2 and k == 1 else 1
            x = basic_block(x, filters, strides, shortcut, residual,
                            name=f"conv{stage}_block{k}", **options)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    kind = "resnet" if residual else "plain"
    return keras.Model(inputs, outputs, name=f"cifar_{kind}{depth}")


def cifar_plain(depth=20, input_shape=(32, 32, 3), classes=10, *, batch_norm=True,
                kernel_initializer="glorot_uniform"):
    """The plain CIFAR-10 network of depth 6n+2: ``cifar_resnet(..., residual=False)``."""
    return cifar_resnet(depth, input_shape, classes, residual=False, batch_norm=batch_norm,
                        kernel_initializer=kernel_initializer)
