"""GoogLeNet (Inception-v1) and the cost of its Inception modules (notebook 12).

Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke and Rabinovich, "Going deeper with
convolutions", CVPR 2015 (arXiv:1409.4842), Table 1 and Fig. 2-3.
"""

from typing import NamedTuple

import keras
from keras import layers

from cnnlib._validation import (
    check_bool,
    check_classes,
    check_input_shape,
    check_instance,
    check_positive_int,
    check_str,
    check_tensor,
)

__all__ = [
    "INCEPTION_MODULES",
    "InceptionConfig",
    "auxiliary_head",
    "googlenet",
    "inception_macs",
    "inception_module",
]


class InceptionConfig(NamedTuple):
    """One row of Table 1: the module's input and the filters of its four branches.

    ``size`` and ``in_channels`` describe the input at a 224x224 image; ``n1x1`` is the 1x1
    branch, ``n3x3_reduce`` and ``n5x5_reduce`` the 1x1 bottlenecks before the 3x3 and 5x5
    convolutions, and ``pool_proj`` the 1x1 projection after the 3x3 max pooling.
    """

    size: int
    in_channels: int
    n1x1: int
    n3x3_reduce: int
    n3x3: int
    n5x5_reduce: int
    n5x5: int
    pool_proj: int

    @property
    def out_channels(self):
        """Channels of the concatenated output."""
        return self.n1x1 + self.n3x3 + self.n5x5 + self.pool_proj


#: Table 1 of Szegedy et al. (2014): module name -> InceptionConfig.
INCEPTION_MODULES = {
    "3a": InceptionConfig(28, 192, 64, 96, 128, 16, 32, 32),
    "3b": InceptionConfig(28, 256, 128, 128, 192, 32, 96, 64),
    "4a": InceptionConfig(14, 480, 192, 96, 208, 16, 48, 64),
    "4b": InceptionConfig(14, 512, 160, 112, 224, 24, 64, 64),
    "4c": InceptionConfig(14, 512, 128, 128, 256, 24, 64, 64),
    "4d": InceptionConfig(14, 512, 112, 144, 288, 32, 64, 64),
    "4e": InceptionConfig(14, 528, 256, 160, 320, 32, 128, 128),
    "5a": InceptionConfig(7, 832, 256, 160, 320, 32, 128, 128),
    "5b": InceptionConfig(7, 832, 384, 192, 384, 48, 128, 128),
}
_AUX_AFTER = {"4a": "aux1", "4d": "aux2"}
_AUX_MIN_SIZE = 65  # the auxiliary heads' 5x5/3 average pooling needs 4a's maps to be >= 5x5


def _inception_config(config):
    """``config`` if it is an InceptionConfig of positive integers."""
    check_instance("config", config, InceptionConfig, "an InceptionConfig")
    return InceptionConfig(*(check_positive_int(f"config.{field}", value)
                             for field, value in zip(config._fields, config, strict=True)))


def inception_macs(config, bottleneck=True):
    """Multiply-adds of one Inception module for one example (no biases, as in notebook 05).

    With ``bottleneck=False`` the naive module of Fig. 2(a): 1x1, 3x3 and 5x5 convolutions
    straight on the input (the pooling branch costs nothing).  With ``bottleneck=True`` the
    module of Fig. 2(b) that GoogLeNet uses, with the 1x1 reductions and the pool projection.

    >>> lecture = InceptionConfig(28, 256, 128, 64, 192, 64, 96, 64)
    >>> inception_macs(lecture, bottleneck=False), inception_macs(lecture)
    (854196224, 271351808)
    """
    c = _inception_config(config)
    bottleneck = check_bool("bottleneck", bottleneck)
    if bottleneck:
        per_pixel = (c.in_channels * (c.n1x1 + c.n3x3_reduce + c.n5x5_reduce + c.pool_proj)
                     + 9 * c.n3x3_reduce * c.n3x3 + 25 * c.n5x5_reduce * c.n5x5)
    else:
        per_pixel = c.in_channels * (c.n1x1 + 9 * c.n3x3 + 25 * c.n5x5)
    return c.size * c.size * per_pixel


def inception_module(x, config, name="inception_3a"):
    """The Inception module of Fig. 2(b): four ReLU branches concatenated along channels.

    Layers: ``{name}_1x1``, ``{name}_3x3_reduce`` -> ``{name}_3x3``, ``{name}_5x5_reduce`` ->
    ``{name}_5x5``, ``{name}_pool`` -> ``{name}_pool_proj``, and the concatenation ``{name}``.
    Only the filter counts of ``config`` are used; the input's size is that of ``x``.
    """
    x = check_tensor("x", x)
    config = _inception_config(config)
    name = check_str("name", name)

    def conv(t, filters, size, suffix):
        return layers.Conv2D(filters, size, padding="same", activation="relu",
                             name=f"{name}_{suffix}")(t)

    branch1 = conv(x, config.n1x1, 1, "1x1")
    branch3 = conv(conv(x, config.n3x3_reduce, 1, "3x3_reduce"), config.n3x3, 3, "3x3")
    branch5 = conv(conv(x, config.n5x5_reduce, 1, "5x5_reduce"), config.n5x5, 5, "5x5")
    pooled = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    branch_pool = conv(pooled, config.pool_proj, 1, "pool_proj")
    return layers.Concatenate(name=name)([branch1, branch3, branch5, branch_pool])


def auxiliary_head(x, classes, name="aux1"):
    """An auxiliary classifier (Section 5): 5x5/3 average pooling, 1x1 convolution with 128
    filters, a dense layer of 1024 units, 70% dropout and a softmax layer."""
    x = check_tensor("x", x)
    classes = check_classes(classes)
    name = check_str("name", name)
    if min((n for n in x.shape[1:3] if n is not None), default=5) < 5:
        raise ValueError(f"x is {x.shape[1]}x{x.shape[2]}: the head's 5x5/3 average pooling "
                         "needs at least 5x5 maps")
    x = layers.AveragePooling2D(5, strides=3, name=f"{name}_avg_pool")(x)
    x = layers.Conv2D(128, 1, activation="relu", name=f"{name}_conv")(x)
    x = layers.Flatten(name=f"{name}_flatten")(x)
    x = layers.Dense(1024, activation="relu", name=f"{name}_fc")(x)
    x = layers.Dropout(0.7, name=f"{name}_dropout")(x)
    return layers.Dense(classes, activation="softmax", name=f"{name}_predictions")(x)


def googlenet(input_shape=(224, 224, 3), classes=1000, aux_heads=False):
    """GoogLeNet of Szegedy et al. (2014), following Table 1.

    ``conv1`` (7x7/2, 64) -> ``pool1`` (3x3/2) -> ``conv2_reduce`` (1x1, 64) -> ``conv2`` (3x3,
    192) -> ``pool2`` -> Inception ``inception_3a``, ``3b`` -> ``pool3`` -> ``4a`` ... ``4e`` ->
    ``pool4`` -> ``5a``, ``5b`` -> ``avg_pool`` (global) -> ``dropout`` (40%) -> ``predictions``.
    Every convolution uses ReLU and same padding, and the max poolings are 3x3/2 with same
    padding, so a 224x224 image gives the table's 112, 56, 28, 14 and 7.  The filters of each
    module are in ``INCEPTION_MODULES``; the global average pooling equals the paper's 7x7
    average pooling at 224x224 and lets smaller images through.

    With ``aux_heads=True`` the model has three outputs, ``[predictions, aux1_predictions,
    aux2_predictions]``: the auxiliary classifiers after 4a and 4d that the paper trains with
    weight 0.3 and drops at inference (they need inputs of at least 65x65).

    Parameters: 6,998,552 with 1000 classes and no auxiliary heads (13,378,280 with them).  The
    paper's Table 1 sums to about 6.8M: it counts no biases (8,280 here) and several of its rows
    are below what their own filter counts give (conv1: 2.7K for 9,408 weights; 5b: 1,388K for
    1,442,816).  torchvision's ``googlenet`` has 6,624,904 = 6,998,552 - 380,928 (its "5x5"
    branches use 3x3 kernels, a known quirk of that implementation) - 7,280 convolution
    biases + 14,560 batch-normalisation scales and offsets.  Local response
    normalisation after pool1 and conv2 is left out (it has no parameters and no Keras layer).
    """
    aux_heads = check_bool("aux_heads", aux_heads)
    input_shape = check_input_shape(
        input_shape, _AUX_MIN_SIZE if aux_heads else 1, "GoogLeNet with aux_heads=True",
        "the auxiliary heads' 5x5/3 average pooling on inception_4a and 4d",
    )
    classes = check_classes(classes)

    def conv(t, filters, size, name, strides=1):
        return layers.Conv2D(filters, size, strides=strides, padding="same", activation="relu",
                             name=name)(t)

    def pool(t, name):
        return layers.MaxPooling2D(3, strides=2, padding="same", name=name)(t)

    inputs = keras.Input(shape=input_shape, name="input")
    x = pool(conv(inputs, 64, 7, "conv1", strides=2), "pool1")
    x = pool(conv(conv(x, 64, 1, "conv2_reduce"), 192, 3, "conv2"), "pool2")
    aux_outputs = []
    for module, config in INCEPTION_MODULES.items():
        x = inception_module(x, config, name=f"inception_{module}")
        if module in ("3b", "4e"):
            x = pool(x, f"pool{module[0]}")
        if aux_heads and module in _AUX_AFTER:
            aux_outputs.append(auxiliary_head(x, classes, name=_AUX_AFTER[module]))
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    x = layers.Dropout(0.4, name="dropout")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    if aux_outputs:
        outputs = [outputs, *aux_outputs]
    return keras.Model(inputs, outputs, name="googlenet")
