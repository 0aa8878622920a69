"""cnnlib.reference.batchnorm against Keras's BatchNormalization, tf.GradientTape and a
numeric gradient."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib.reference import (
    batchnorm_backward,
    batchnorm_forward,
    moving_average,
    numeric_gradient,
    relative_error,
)

SHAPES = [(4, 5), (2, 3, 3, 4), (8, 4, 4, 3), (2, 1, 1, 6), (3, 2, 5, 2)]


def inputs(shape, seed=0):
    rng = np.random.default_rng(seed)
    channels = shape[-1]
    x = rng.normal(2.0, 3.0, size=shape)
    return x, rng.normal(1.0, 0.5, channels), rng.normal(0.0, 0.5, channels)


def keras_layer(x, gamma, beta, mean=None, var=None, epsilon=1e-3):
    layer = keras.layers.BatchNormalization(epsilon=epsilon, dtype="float64")
    layer.build(x.shape)
    channels = x.shape[-1]
    layer.set_weights([gamma, beta, np.zeros(channels) if mean is None else mean,
                       np.ones(channels) if var is None else var])
    return layer


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("epsilon", [1e-3, 1e-5])
def test_training_mode_equals_keras(shape, epsilon):
    x, gamma, beta = inputs(shape)
    layer = keras_layer(x, gamma, beta, epsilon=epsilon)
    expected = keras.ops.convert_to_numpy(layer(x, training=True))
    out, cache = batchnorm_forward(x, gamma, beta, epsilon)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
    axes = tuple(range(x.ndim - 1))
    np.testing.assert_allclose(cache.mean, x.mean(axis=axes))
    np.testing.assert_allclose(cache.var, x.var(axis=axes))


@pytest.mark.parametrize("shape", SHAPES)
def test_inference_mode_equals_keras(shape):
    x, gamma, beta = inputs(shape, seed=1)
    rng = np.random.default_rng(2)
    mean, var = rng.normal(size=shape[-1]), rng.uniform(0.5, 2.0, shape[-1])
    layer = keras_layer(x, gamma, beta, mean, var)
    expected = keras.ops.convert_to_numpy(layer(x, training=False))
    out, _ = batchnorm_forward(x, gamma, beta, training=False, moving_mean=mean, moving_var=var)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out, gamma * (x - mean) / np.sqrt(var + 1e-3) + beta)


def test_moving_average_equals_keras_update():
    x, gamma, beta = inputs((6, 3, 3, 4))
    rng = np.random.default_rng(3)
    mean, var = rng.normal(size=4), rng.uniform(0.5, 2.0, 4)
    layer = keras_layer(x, gamma, beta, mean, var)
    layer(x, training=True)
    _, cache = batchnorm_forward(x, gamma, beta)
    moving_mean, moving_var = (keras.ops.convert_to_numpy(w) for w in layer.weights[2:])
    np.testing.assert_allclose(moving_mean, moving_average(mean, cache.mean), rtol=1e-12)
    np.testing.assert_allclose(moving_var, moving_average(var, cache.var), rtol=1e-12)
    np.testing.assert_allclose(moving_average(mean, cache.mean), 0.99 * mean + 0.01 * cache.mean)


def test_moving_average_pytorch_convention():
    running, batch = np.array([0.0, 1.0]), np.array([1.0, 3.0])
    np.testing.assert_allclose(moving_average(running, batch, momentum=1 - 0.1), [0.1, 1.2])


def tape_gradients(x, gamma, beta, dout, training):
    xt, gt, bt = (tf.Variable(v) for v in (x, gamma, beta))
    axes = list(range(x.ndim - 1))
    with tf.GradientTape() as tape:
        if training:
            mean, var = tf.nn.moments(xt, axes)
        else:
            mean, var = tf.constant(x.mean(axis=tuple(axes))), tf.constant(x.var(axis=tuple(axes)))
        out = tf.nn.batch_normalization(xt, mean, var, bt, gt, 1e-3)
        loss = tf.reduce_sum(out * dout)
    return [g.numpy() for g in tape.gradient(loss, [xt, gt, bt])]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_backward_equals_gradient_tape(shape, training):
    x, gamma, beta = inputs(shape, seed=4)
    dout = np.random.default_rng(5).normal(size=shape)
    axes = tuple(range(x.ndim - 1))
    _, cache = batchnorm_forward(x, gamma, beta, training=training,
                                 moving_mean=x.mean(axis=axes), moving_var=x.var(axis=axes))
    ours = batchnorm_backward(dout, cache)
    for mine, theirs in zip(ours, tape_gradients(x, gamma, beta, dout, training), strict=True):
        assert relative_error(mine, theirs) <= 1e-8


@pytest.mark.parametrize("shape", [(4, 3), (2, 2, 3, 2)])
def test_backward_equals_numeric_gradient(shape):
    x, gamma, beta = inputs(shape, seed=6)
    dout = np.random.default_rng(7).normal(size=shape)
    _, cache = batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    assert relative_error(dx, numeric_gradient(
        lambda v: batchnorm_forward(v, gamma, beta)[0], x, dout)) < 1e-8
    assert relative_error(dgamma, numeric_gradient(
        lambda v: batchnorm_forward(x, v, beta)[0], gamma, dout)) < 1e-8
    assert relative_error(dbeta, numeric_gradient(
        lambda v: batchnorm_forward(x, gamma, v)[0], beta, dout)) < 1e-8


def test_training_gradient_is_centred_and_orthogonal_to_x_hat():
    x, gamma, beta = inputs((5, 3))
    _, cache = batchnorm_forward(x, gamma, beta, epsilon=1e-12)  # exact with epsilon -> 0
    dx, _, _ = batchnorm_backward(np.random.default_rng(8).normal(size=x.shape), cache)
    np.testing.assert_allclose(dx.sum(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose((dx * cache.x_hat).sum(axis=0), 0, atol=1e-12)


def test_a_batch_of_two_gives_plus_minus_one():
    x = np.array([[1.0, 10.0], [3.0, -2.0]])
    out, _ = batchnorm_forward(x, np.ones(2), np.zeros(2), epsilon=1e-12)
    np.testing.assert_allclose(out, [[-1, 1], [1, -1]])


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: batchnorm_forward(np.ones(3), np.ones(3), np.zeros(3)), ValueError, "x must"),
    (lambda: batchnorm_forward(np.ones((2, 3)), np.ones(2), np.zeros(3)), ValueError, "gamma"),
    (lambda: batchnorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(4)), ValueError, "beta"),
    (lambda: batchnorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3), 0), ValueError,
     "epsilon must be a finite real number > 0|epsilon"),
    (lambda: batchnorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3), "1"), TypeError,
     "epsilon"),
    (lambda: batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3)), ValueError,
     "at least 2 values"),
    (lambda: batchnorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3), training=False),
     ValueError, "moving_mean and moving_var"),
    (lambda: batchnorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3), training="no"),
     TypeError, "training"),
    (lambda: batchnorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3), training=False,
                               moving_mean=np.zeros(3), moving_var=-np.ones(3)), ValueError,
     "non-negative"),
    (lambda: batchnorm_forward(np.array([["a", "b"]]), np.ones(2), np.zeros(2)), TypeError,
     "real numbers"),
    (lambda: batchnorm_backward(np.ones((2, 3)), "cache"), TypeError, "batchnorm_forward"),
    (lambda: batchnorm_backward(np.ones((2, 4)), batchnorm_forward(
        np.ones((2, 3)), np.ones(3), np.zeros(3))[1]), ValueError, "dout must have the shape"),
    (lambda: moving_average(np.ones(2), np.ones(3)), ValueError, "same shape"),
    (lambda: moving_average(np.ones(2), np.ones(2), 1.0), ValueError, "momentum"),
    (lambda: moving_average(np.ones(2), np.ones(2), True), TypeError, "momentum"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()
