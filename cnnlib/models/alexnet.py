"""AlexNet, single-tower (notebook 10).

Krizhevsky, Sutskever and Hinton, "ImageNet classification with deep convolutional neural
networks", NIPS 2012, Section 3 and Fig. 2.
"""

import keras
from keras import layers

from cnnlib._validation import check_classes, check_input_shape, check_rate

__all__ = ["alexnet"]

# The smallest input whose pool5 output is still 1x1: 67 -> 15 (conv1) -> 7 (pool1) -> 3 (pool2)
# -> 1 (pool5).
_ALEXNET_MIN_SIZE = 67


def alexnet(input_shape=(227, 227, 3), classes=1000, dropout=0.5):
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
    """
    input_shape = check_input_shape(
        input_shape, _ALEXNET_MIN_SIZE, "AlexNet", "conv1 and three 3x3/2 poolings"
    )
    classes = check_classes(classes)
    dropout = check_rate("dropout", dropout)

    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = layers.Conv2D(256, 5, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu", name="conv4")(x)
    x = layers.Conv2D(256, 3, padding="same", activation="relu", name="conv5")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool5")(x)
    x = layers.Flatten(name="flatten")(x)
    for name in ("fc6", "fc7"):
        x = layers.Dense(4096, activation="relu", name=name)(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"drop{name[2:]}")(x)
    outputs = layers.Dense(classes, activation="softmax", name="fc8")(x)
    return keras.Model(inputs, outputs, name="alexnet")
