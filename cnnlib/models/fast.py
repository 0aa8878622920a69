"""A small convolutional network that trains fast: the course's fast recipe (notebooks 08, 20).

Each stage is CONV -> BN -> RELU -> POOL: a 3x3 convolution without bias (the batch norm's
shift takes its place), batch normalisation (Ioffe and Szegedy 2015, notebook 18), ReLU and a
2x2 max pooling that halves the height and width; the filters double from stage to stage. A
softmax layer reads the flattened maps of the last stage. On 28x28 digits the default has
three stages (16, 32, 64 filters; 28 -> 14 -> 7 -> 3) and 29,402 parameters, a seventh of the
lecture's model of notebook 08, for about as many multiply-adds (1.92 million per image).
"""

import keras
from keras import layers

from cnnlib._validation import (
    check_classes,
    check_input_shape,
    check_positive_ints,
    check_real,
    check_str,
)

__all__ = ["BN_MOMENTUM", "fast_cnn"]

#: Batch-norm momentum for short runs: the moving averages forget their start in tens of steps.
BN_MOMENTUM = 0.9


def fast_cnn(input_shape=(28, 28, 1), classes=10, *, filters=(16, 32, 64),
             bn_momentum=BN_MOMENTUM, name="fast_cnn"):
    """Build the fast recipe's network: ``[CONV -> BN -> RELU -> POOL] * len(filters) -> FC``.

    ``filters``: the number of 3x3 filters of each stage (one stage per entry). Layers are
    named ``stage{i}_conv``, ``stage{i}_bn``, ``stage{i}_relu``, ``stage{i}_pool``, then
    ``flatten`` and ``predictions`` (softmax).

    ``bn_momentum``: the batch-norm moving averages that ``evaluate`` and ``predict`` use are
    updated as ``moving = momentum * moving + (1 - momentum) * batch`` at each training step.
    Keras's default, 0.99, averages over about 100 steps and still remembers its starting
    values (mean 0, variance 1) after a few hundred, so a network trained for a few epochs is
    evaluated with statistics it never had; 0.9 averages over about 10 steps and suits runs of a
    few hundred steps (``0.9 ** 100`` is 3e-5, ``0.99 ** 100`` is 0.37).
    """
    classes = check_classes(classes)
    filters = check_positive_ints("filters", filters, "one per stage")
    input_shape = check_input_shape(input_shape, 2 ** len(filters), "fast_cnn",
                                    f"{len(filters)} poolings halve the size {len(filters)} times")
    bn_momentum = check_real("bn_momentum", bn_momentum, 0, 1, max_open=True)
    check_str("name", name)

    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for stage, width in enumerate(filters, start=1):
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"stage{stage}_conv")(x)
        x = layers.BatchNormalization(momentum=bn_momentum, name=f"stage{stage}_bn")(x)
        x = layers.ReLU(name=f"stage{stage}_relu")(x)
        x = layers.MaxPool2D(2, name=f"stage{stage}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
