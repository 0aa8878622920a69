"""Ready-made checks of notebook 17's exercises (reusing a trained CNN: frozen parameters,
batch normalisation in training and inference mode).

Each check is one call in the notebook, ``checks.check_trainable_counts(fn)``; the references,
the cases and the hints live here.  The tests compare the references with Keras
(``model.summary()``'s counts, ``BatchNormalization`` in both modes).
"""

import numpy as np

from cnnlib.checks.core import Case, check_function

__all__ = ["check_batch_norm_forward", "check_trainable_counts"]

KERAS_EPSILON = 1e-3  # keras.layers.BatchNormalization's default epsilon


# Exercise 1: trainable and non-trainable parameters ------------------------------------------


def _trainable_counts(model):
    from cnnlib.transfer import trainable_counts

    return trainable_counts(model)


def _count_model(kind):
    """The model of one case (each call of the check gets copies of it)."""
    import keras
    from keras import layers

    if kind == "dense":
        return keras.Sequential([keras.Input((10,)), layers.Dense(4), layers.Dense(2)])
    if kind == "frozen dense":
        model = keras.Sequential([keras.Input((10,)), layers.Dense(4), layers.Dense(2)])
        model.layers[0].trainable = False
        return model
    if kind == "conv bn":
        return keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(6, 3, use_bias=False),
                                 layers.BatchNormalization(), layers.ReLU(),
                                 layers.GlobalAveragePooling2D(), layers.Dense(5)])
    if kind == "frozen base":
        inputs = keras.Input((8, 8, 1))
        x = layers.Conv2D(4, 3, name="base_conv")(inputs)
        x = layers.BatchNormalization(name="base_bn")(x)
        base = keras.Model(inputs, x, name="base")
        base.trainable = False
        outputs = layers.Dense(3)(layers.GlobalAveragePooling2D()(base(inputs)))
        return keras.Model(inputs, outputs)
    model = keras.Sequential([keras.Input((6, 6, 2)), layers.Conv2D(3, 3),
                              layers.BatchNormalization(), layers.Flatten(), layers.Dense(2)])
    model.layers[0].trainable = False
    return model


def _trainable_hint(case, expected, got):
    trainable, frozen = expected
    if not isinstance(got, tuple | list) or len(got) != 2:
        return "return a pair (trainable, non_trainable) of whole numbers."
    if tuple(got) == (frozen, trainable):
        return "the pair is (trainable, non_trainable): trainable first."
    if sum(got) == trainable + frozen:
        return ("the total is right but not the split: a BatchNormalization layer's moving mean "
                "and variance are never trained (non-trainable), and a frozen layer's weights "
                "are all non-trainable; use model.trainable_weights and "
                "model.non_trainable_weights.")
    return ("add up the sizes (np.prod of the shape) of the tensors in model.trainable_weights, "
            "then those in model.non_trainable_weights.")


def check_trainable_counts(fn):
    """Check ``trainable_counts(model)``: the pair ``(trainable, non_trainable)`` of parameter
    counts of a Keras model, as ``model.summary()`` shows them (notebook 17).  The cases: dense
    layers, a frozen layer, batch normalisation (its moving statistics), a frozen base model
    inside a classifier."""
    __tracebackhide__ = True
    labels = {
        "dense": "two dense layers, all trainable",
        "frozen dense": "two dense layers, the first frozen",
        "conv bn": "a convolution, batch normalisation and a dense layer",
        "frozen base": "a frozen base (convolution + batch norm) inside a classifier",
        "frozen conv bn": "a frozen convolution, then batch normalisation and a dense layer",
    }
    cases = [Case((_count_model(kind),), label=label) for kind, label in labels.items()]
    check_function(fn, _trainable_counts, cases, name="trainable_counts", hint=_trainable_hint)


# Exercise 2: batch normalisation in training and inference mode -------------------------------


def _batch_norm_forward(x, gamma, beta, moving_mean, moving_variance, training):
    """Keras's BatchNormalization: the batch's statistics (biased variance) in training mode,
    the moving ones in inference mode, over every axis but the last."""
    x = np.asarray(x, dtype=float)
    axes = tuple(range(x.ndim - 1))
    if training:
        mean, variance = x.mean(axis=axes), x.var(axis=axes)
    else:
        mean, variance = np.asarray(moving_mean), np.asarray(moving_variance)
    return gamma * (x - mean) / np.sqrt(variance + KERAS_EPSILON) + beta


def _batch_norm_hint(case, expected, got):
    x, gamma, beta, moving_mean, moving_variance, training = case.args
    x = np.asarray(x, dtype=float)
    axes = tuple(range(x.ndim - 1))
    if np.shape(got) != expected.shape:
        return "return an array of the shape of x: batch normalisation works value by value."
    got = np.asarray(got, dtype=float)
    swapped = _batch_norm_forward(x, gamma, beta, moving_mean, moving_variance, not training)
    if np.allclose(got, swapped):
        return ("training=True normalises with the batch's own mean and variance; training=False "
                "with the moving statistics learned during training.")
    if training and x.shape[0] > 1:
        unbiased = gamma * (x - x.mean(axis=axes)) / np.sqrt(x.var(axis=axes, ddof=1)
                                                             + KERAS_EPSILON) + beta
        if np.allclose(got, unbiased):
            return "Keras normalises with the biased variance (divide by n, ddof=0)."
        per_example = x.mean(axis=tuple(range(1, x.ndim - 1)), keepdims=True)
        if x.ndim > 2 and np.allclose(got, gamma * (x - per_example) / np.sqrt(
                x.var(axis=tuple(range(1, x.ndim - 1)), keepdims=True) + KERAS_EPSILON) + beta):
            return ("the statistics are taken per channel over the batch *and* the positions: "
                    "every axis but the last.")
    return ("y = γ·(x − μ)/√(σ² + ε) + β per channel (the last axis), with ε = 1e-3 as in Keras; "
            "scale by γ after normalising, then shift by β.")


def _batch_norm_cases():
    rng = np.random.default_rng(17)
    x4 = rng.normal(2.0, 3.0, size=(4, 3, 3, 2))
    gamma2, beta2 = np.array([1.5, 0.5]), np.array([0.1, -0.2])
    mean2, var2 = np.array([1.0, 2.0]), np.array([4.0, 9.0])
    x2 = rng.normal(size=(6, 3))
    ones, zeros = np.ones(3), np.zeros(3)
    return [
        Case((x4, gamma2, beta2, mean2, var2, True), label="a 4×3×3×2 batch, training mode"),
        Case((x4, gamma2, beta2, mean2, var2, False), label="the same batch, inference mode"),
        Case((x2, ones, zeros, zeros, ones, True), label="6 examples of 3 features, training"),
        Case((x2, ones, zeros, zeros, ones, False),
             label="6 examples of 3 features, inference with mean 0 and variance 1"),
        Case((x2[:2] * 0 + 5.0, np.array([2.0, 1.0, 0.5]), np.array([1.0, 0.0, -1.0]),
              np.array([5.0, 4.0, 3.0]), np.array([1.0, 2.0, 3.0]), True),
             label="two identical examples in training mode (zero batch variance)"),
        Case((x4[:1], gamma2, beta2, mean2, var2, False),
             label="a single image in inference mode"),
    ]


def check_batch_norm_forward(fn):
    """Check ``batch_norm_forward(x, gamma, beta, moving_mean, moving_variance, training)``:
    Keras's ``BatchNormalization`` output for ``x`` (channels last), with the batch's statistics
    when ``training`` is True and the moving ones when it is False, ε = 1e-3 (notebook 17).
    The cases: feature maps and feature vectors in both modes, a constant batch, one image."""
    __tracebackhide__ = True
    check_function(fn, _batch_norm_forward, _batch_norm_cases(), name="batch_norm_forward",
                   rtol=1e-6, atol=1e-9, hint=_batch_norm_hint)
