"""The common CNN pattern of the lectures, built from one helper (notebook 08).

L3 (Aalto, after Géron's *Hands-On Machine Learning*, Fig. 13-9) writes the typical architecture
of a convolutional network as

    INPUT -> [[CONV -> RELU]*N -> POOL?]*M -> [FC -> RELU]*K -> FC

("usually N <= 3, K < 3") and gives three examples:

1. ``INPUT -> CONV -> RELU -> FC`` (N=1, M=1, no pooling, K=0);
2. ``INPUT -> [CONV -> RELU -> POOL]*2 -> FC -> RELU -> FC`` (N=1, M=2, K=1);
3. ``INPUT -> [CONV -> RELU -> CONV -> RELU -> POOL]*3 -> [FC -> RELU]*2 -> FC`` (N=2, M=3, K=2).

:func:`pattern_cnn` builds any instance; the lecture's MNIST model (two 3x3 convolutions with 16
filters, a 2x2 max pooling, a dense layer of 64 units, a 10-way softmax) is N=2, M=1, K=1.
``blocks=0`` leaves the convolutions out: ``INPUT -> [FC -> RELU]*K -> FC`` is a plain dense
network, the baseline that notebook 08 compares the convolutional one with.
"""

from collections.abc import Sequence

import keras
from keras import layers

from cnnlib._validation import (
    check_bool,
    check_classes,
    check_input_shape,
    check_non_negative_int,
    check_positive_int,
    describe,
)

__all__ = ["pattern_cnn", "pattern_string"]


def _per_item(name, value, count, check, what):
    """``value`` for each of ``count`` blocks (or dense layers): one value for all of them, or a
    sequence with one value each; every value checked by ``check(name, value)``."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != count:
            raise ValueError(f"{name} must be {what} or a sequence of {count} of them (one per "
                             f"{'dense layer' if name == 'dense_units' else 'block'}), "
                             f"got {len(value)}: {tuple(value)!r}")
        return tuple(check(f"{name}[{k}]", item) for k, item in enumerate(value))
    return (check(name, value),) * count


def _counts(conv_per_block, blocks, dense_layers):
    """The pattern's N, M and K, checked."""
    return (check_positive_int("conv_per_block", conv_per_block),
            check_non_negative_int("blocks", blocks),
            check_non_negative_int("dense_layers", dense_layers))


def pattern_string(conv_per_block, blocks, dense_layers, pool=True):
    """The pattern as L3 writes it, e.g. ``pattern_string(2, 1, 1)`` ->
    ``"INPUT -> [[CONV -> RELU]*2 -> POOL]*1 -> [FC -> RELU]*1 -> FC"``.

    ``pool`` is True, False, or one bool per block; a block without pooling is written without
    ``POOL``, and blocks that differ are written one by one.
    """
    n, m, k = _counts(conv_per_block, blocks, dense_layers)
    pools = _per_item("pool", pool, m, check_bool, "True or False")
    convs = f"[CONV -> RELU]*{n}"
    parts = ["INPUT"]
    if m and len(set(pools)) == 1:
        parts.append(f"[{convs}{' -> POOL' if pools[0] else ''}]*{m}")
    else:
        parts += [convs + (" -> POOL" if pooled else "") for pooled in pools]
    if k:
        parts.append(f"[FC -> RELU]*{k}")
    parts.append("FC")
    return " -> ".join(parts)


def pattern_cnn(input_shape, classes, *, conv_per_block, blocks, dense_layers, filters=16,
                kernel_size=3, pool=True, dense_units=64, name=None):
    """Build ``INPUT -> [[CONV -> RELU]*N -> POOL?]*M -> [FC -> RELU]*K -> FC`` (L3).

    N = ``conv_per_block``, M = ``blocks``, K = ``dense_layers``. Every CONV -> RELU is one
    ``Conv2D(filters, kernel_size, padding="same", activation="relu")`` with stride 1, so a
    convolution keeps the height and width and only POOL, a 2x2 max pooling with stride 2, shrinks
    them (L3's tip: "keep input size same (stride=1 & padding), size reduction only at pooling
    layers"). After the blocks come ``flatten``, K dense ReLU layers and the softmax layer.

    ``filters`` and ``kernel_size`` are one int for every block or one per block (L3's tips:
    "going deeper, the number of kernels increases", "larger kernels in the first layer");
    ``pool`` is a bool or one bool per block; ``dense_units`` one int or one per dense layer.
    The defaults, 16 filters and 64 dense units, are the lecture's. ``blocks=0`` gives a dense
    network ``INPUT -> flatten -> [FC -> RELU]*K -> FC``.

    Layer names show the structure: ``block1_conv1``, ``block1_conv2``, ``block1_pool``, ...,
    ``flatten``, ``fc1``, ``fc2``, ``predictions``; the model is named ``cnn_n{N}_m{M}_k{K}``
    unless ``name`` is given. The lecture's model is::

        pattern_cnn((28, 28, 1), 10, conv_per_block=2, blocks=1, dense_layers=1)

    with 203,898 parameters. Raises TypeError or ValueError naming the argument when one is
    invalid, including when the poolings would shrink the maps below 1x1.
    """
    n, m, k = _counts(conv_per_block, blocks, dense_layers)
    classes = check_classes(classes)
    filters = _per_item("filters", filters, m, check_positive_int, "a positive integer")
    kernel_size = _per_item("kernel_size", kernel_size, m, check_positive_int,
                            "a positive integer")
    pools = _per_item("pool", pool, m, check_bool, "True or False")
    dense_units = _per_item("dense_units", dense_units, k, check_positive_int,
                            "a positive integer")
    poolings = sum(pools)
    input_shape = check_input_shape(
        input_shape, 2**poolings, "this pattern",
        f"{poolings} max pooling{'s' if poolings != 1 else ''} of 2x2, stride 2")
    if name is None:
        name = f"cnn_n{n}_m{m}_k{k}"
    elif not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string or None, got {describe(name)}")

    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for block in range(1, m + 1):
        for conv in range(1, n + 1):
            x = layers.Conv2D(filters[block - 1], kernel_size[block - 1], padding="same",
                              activation="relu", name=f"block{block}_conv{conv}")(x)
        if pools[block - 1]:
            x = layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    for layer, units in enumerate(dense_units, 1):
        x = layers.Dense(units, activation="relu", name=f"fc{layer}")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
