"""VGG-11/13/16/19 (notebook 11).

Simonyan and Zisserman, "Very deep convolutional networks for large-scale image recognition",
ICLR 2015 (arXiv:1409.1556), Table 1 (configurations A, B, D, E).
"""

import keras
from keras import layers

from cnnlib._validation import (
    check_bool,
    check_choice,
    check_classes,
    check_input_shape,
    check_int,
    check_positive_int,
    check_rate,
    check_str,
    check_tensor,
)

__all__ = ["VGG_CONFIGS", "vgg", "vgg11", "vgg13", "vgg16", "vgg19", "vgg_block"]

#: depth -> number of 3x3 convolutions in each of the five blocks (Table 1: A, B, D, E).
VGG_CONFIGS = {11: (1, 1, 2, 2, 2), 13: (2, 2, 2, 2, 2), 16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
_FILTERS = (64, 128, 256, 512, 512)
_VGG_MIN_SIZE = 2 ** len(_FILTERS)  # five 2x2/2 max poolings


def vgg_block(x, filters, convs, batch_norm=False, name="block1"):
    """``convs`` 3x3 convolutions (stride 1, same padding, ReLU), then a 2x2/2 max pooling.

    Layers are named ``{name}_conv1`` ... ``{name}_pool`` as in ``keras.applications``; with
    ``batch_norm`` each convolution is followed by ``{name}_convK_bn`` and ``{name}_convK_relu``.
    """
    x = check_tensor("x", x)
    filters = check_positive_int("filters", filters)
    convs = check_positive_int("convs", convs)
    batch_norm = check_bool("batch_norm", batch_norm)
    name = check_str("name", name)
    if min((n for n in x.shape[1:3] if n is not None), default=2) < 2:
        raise ValueError(f"x is {x.shape[1]}x{x.shape[2]}: the block's 2x2/2 max pooling needs "
                         "at least 2x2 maps")
    for k in range(1, convs + 1):
        conv = f"{name}_conv{k}"
        if batch_norm:
            x = layers.Conv2D(filters, 3, padding="same", name=conv)(x)
            x = layers.BatchNormalization(name=f"{conv}_bn")(x)
            x = layers.Activation("relu", name=f"{conv}_relu")(x)
        else:
            x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=conv)(x)
    return layers.MaxPooling2D(2, strides=2, name=f"{name}_pool")(x)


def vgg(depth=16, input_shape=(224, 224, 3), classes=1000, batch_norm=False, dense_units=4096,
        dropout=0.5):
    """VGG-``depth`` of Simonyan and Zisserman (2015), named like ``keras.applications.VGG16``.

    Five blocks of 3x3 convolutions with 64, 128, 256, 512 and 512 filters, each ended by a 2x2
    max pooling (``block1_conv1`` ... ``block5_pool``), then ``flatten``, two ReLU dense layers
    ``fc1`` and ``fc2`` of ``dense_units`` units, each followed by dropout (``fc1_dropout``,
    ``fc2_dropout``; 0.5 in the paper, left out when ``dropout=0``), and the softmax layer
    ``predictions``.  ``depth`` counts the weight layers: VGG-16 has 13 convolutions and 3 dense
    layers (``VGG_CONFIGS`` gives the convolutions per block).

    With the defaults VGG-16 has 138,357,544 parameters and VGG-19 143,667,240, exactly as
    ``keras.applications`` (dropout has none).  ``batch_norm=True`` inserts batch normalisation
    between each convolution and its ReLU (the later "VGG-BN" variant, not in the paper).

    Any input of at least 32x32 works: for CIFAR-10 use ``input_shape=(32, 32, 3)``,
    ``classes=10`` and a smaller head such as ``dense_units=512``.
    """
    depth = check_choice("depth", check_int("depth", depth), tuple(VGG_CONFIGS))
    input_shape = check_input_shape(
        input_shape, _VGG_MIN_SIZE, f"VGG-{depth}", "five 2x2/2 max poolings"
    )
    classes = check_classes(classes)
    batch_norm = check_bool("batch_norm", batch_norm)
    dense_units = check_positive_int("dense_units", dense_units)
    dropout = check_rate("dropout", dropout)

    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for block, (filters, convs) in enumerate(zip(_FILTERS, VGG_CONFIGS[depth], strict=True), 1):
        x = vgg_block(x, filters, convs, batch_norm, name=f"block{block}")
    x = layers.Flatten(name="flatten")(x)
    for name in ("fc1", "fc2"):
        x = layers.Dense(dense_units, activation="relu", name=name)(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"{name}_dropout")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=f"vgg{depth}" + ("_bn" if batch_norm else ""))


def vgg11(input_shape=(224, 224, 3), classes=1000, **kwargs):
    """VGG-11 (configuration A): ``vgg(11, ...)``; other keyword arguments as :func:`vgg`."""
    return vgg(11, input_shape, classes, **kwargs)


def vgg13(input_shape=(224, 224, 3), classes=1000, **kwargs):
    """VGG-13 (configuration B): ``vgg(13, ...)``; other keyword arguments as :func:`vgg`."""
    return vgg(13, input_shape, classes, **kwargs)


def vgg16(input_shape=(224, 224, 3), classes=1000, **kwargs):
    """VGG-16 (configuration D): ``vgg(16, ...)``; other keyword arguments as :func:`vgg`."""
    return vgg(16, input_shape, classes, **kwargs)


def vgg19(input_shape=(224, 224, 3), classes=1000, **kwargs):
    """VGG-19 (configuration E): ``vgg(19, ...)``; other keyword arguments as :func:`vgg`."""
    return vgg(19, input_shape, classes, **kwargs)
