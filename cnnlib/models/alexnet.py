"""AlexNet, single-tower (notebook 10).

Krizhevsky, Sutskever and Hinton, "ImageNet classification with deep convolutional neural
networks", NIPS 2012, Section 3 and Fig. 2.
"""

import keras
from keras import layers

from cnnlib._validation import (
    check_choice,
    check_classes,
    check_input_shape,
    check_positive_int,
    check_rate,
    check_real,
    check_str,
)

__all__ = ["ALEXNET_FILTERS", "alexnet", "alexnet_cifar"]

ALEXNET_FILTERS = (96, 256, 384, 384, 256)  # conv1 ... conv5


def alexnet(input_shape=(227, 227, 3), classes=1000, dropout=0.5, *, width=1.0,
            dense_units=4096, conv1_kernel=11, conv1_strides=4, conv1_padding="valid",
            name="alexnet"):
    """AlexNet of Krizhevsky et al. (2012) as one tower, with the paper's layer names.

    ====== =============== ======== ======= =========== ======== =========
    name   type            maps     size    kernel      stride   padding
    ====== =============== ======== ======= =========== ======== =========
    conv1  convolution     96       55x55   11x11       4        valid
    pool1  max pooling     96       27x27   3x3         2        valid
    conv2  convolution     256      27x27   5x5         1        same
    pool2  max pooling     256      13x13   3x3         2        valid
    conv3  convolution     384      13x13   3x3         1        same
    conv4  convolution     384      13x13   3x3         1        same
    conv5  convolution     256      13x13   3x3         1        same
    pool5  max pooling     256      6x6     3x3         2        valid
    fc6    fully connected 4096                                  (dropout)
    fc7    fully connected 4096                                  (dropout)
    fc8    fully connected classes                               softmax
    ====== =============== ======== ======= =========== ======== =========

    The lecture's table numbers the same layers C1, S2, C3, S4, C5, C6, C7, S8, F9, F10, Out.
    Every convolution and hidden dense layer uses ReLU; ``dropout`` (0.5 in the paper) follows
    fc6 and fc7.  The input is 227x227: with 224x224, as printed in the paper, conv1 would give
    (224 - 11)/4 + 1 = 54.25 maps per side, not 55.

    With 1000 classes the model has 62,378,344 parameters (the paper's "60 million"): 3,747,200
    in the convolutions and 58,631,144 in the dense layers.  Differences from the paper: the
    two GPU towers are merged into one, so conv2, conv4 and conv5 see all the maps of the
    previous layer instead of half of them (the two-tower model has 60,965,224 parameters,
    2,334,080 of them in the convolutions: the lecture's "2·10⁶"), and
    local response normalisation after conv1 and conv2 is left out (Keras has no such layer, it
    has no parameters, and later networks replaced it by batch normalisation).

    The keyword arguments scale the design down for small images (see :func:`alexnet_cifar`):
    ``width`` multiplies the number of filters of every convolution (``ALEXNET_FILTERS``, rounded
    to at least 1), ``dense_units`` sets the width of fc6 and fc7, and ``conv1_kernel``,
    ``conv1_strides`` and ``conv1_padding`` (``"valid"`` or ``"same"``) set conv1.
    """
    conv1_kernel = check_positive_int("conv1_kernel", conv1_kernel)
    conv1_strides = check_positive_int("conv1_strides", conv1_strides)
    check_choice("conv1_padding", conv1_padding, ("valid", "same"))
    input_shape = check_input_shape(
        input_shape, _min_size(conv1_kernel, conv1_strides, conv1_padding), "AlexNet",
        f"a {conv1_kernel}x{conv1_kernel}/{conv1_strides} conv1 and three 3x3/2 poolings",
    )
    classes = check_classes(classes)
    dropout = check_rate("dropout", dropout)
    width = check_real("width", width, 0, min_open=True)
    dense_units = check_positive_int("dense_units", dense_units)
    check_str("name", name)
    filters = [max(1, round(width * n)) for n in ALEXNET_FILTERS]

    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(filters[0], conv1_kernel, strides=conv1_strides, padding=conv1_padding,
                      activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = layers.Conv2D(filters[1], 5, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = layers.Conv2D(filters[2], 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv2D(filters[3], 3, padding="same", activation="relu", name="conv4")(x)
    x = layers.Conv2D(filters[4], 3, padding="same", activation="relu", name="conv5")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool5")(x)
    x = layers.Flatten(name="flatten")(x)
    for layer_name in ("fc6", "fc7"):
        x = layers.Dense(dense_units, activation="relu", name=layer_name)(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"drop{layer_name[2:]}")(x)
    outputs = layers.Dense(classes, activation="softmax", name="fc8")(x)
    return keras.Model(inputs, outputs, name=name)


def _min_size(kernel, strides, padding):
    """The smallest input side whose pool5 output is still 1x1: pool5 needs 3, pool2 7 and
    pool1 15 from conv1."""
    return 14 * strides + (1 if padding == "same" else kernel)


def alexnet_cifar(input_shape=(32, 32, 3), classes=10, dropout=0.5, name="alexnet_cifar"):
    """AlexNet's design scaled down to CIFAR-10's 32x32x3 images (notebook 10).

    conv1 cannot keep its 11x11 kernel with stride 4 on 32 pixels: it becomes 5x5 with stride 2
    and "same" padding; the filters are a quarter of AlexNet's (24, 64, 96, 96, 64), fc6 and fc7
    have 512 units; the rest (overlapping 3x3/2 max pooling after conv1, conv2 and conv5, "same"
    padding in conv2-conv5, ReLU, ``dropout`` after fc6 and fc7, softmax) is AlexNet's. Maps:
    conv1 16x16, pool1 7x7, pool2 3x3, pool5 1x1; 535,146 parameters with 10 classes.
    """
    return alexnet(input_shape, classes, dropout, width=0.25, dense_units=512, conv1_kernel=5,
                   conv1_strides=2, conv1_padding="same", name=name)
