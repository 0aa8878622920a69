"""cnnlib.checks.batchnorm (notebook 18): right answers pass, known-wrong ones fail with a hint."""

import numpy as np
import pytest
import tensorflow as tf
from check_helpers import failure, solutions_pass_test

from cnnlib import checks
from cnnlib.checks.batchnorm import _batchnorm_dx, _pytorch_running_stats

# --- Independent correct implementations -----------------------------------------------------


def batchnorm_dx(dout, x, gamma, epsilon=1e-3):
    axes = tuple(range(x.ndim - 1))
    m = x.size // x.shape[-1]
    mu = x.mean(axis=axes)
    var = ((x - mu) ** 2).sum(axis=axes) / m
    x_hat = (x - mu) / np.sqrt(var + epsilon)
    g = dout * gamma
    return (m * g - g.sum(axis=axes) - x_hat * (g * x_hat).sum(axis=axes)) / (
        m * np.sqrt(var + epsilon))


def pytorch_running_stats(batches, momentum=0.1):
    mean, var = 0.0, 1.0
    for batch in batches:
        flat = np.reshape(batch, (-1, np.shape(batch)[-1]))
        mean = (1 - momentum) * mean + momentum * flat.mean(axis=0)
        var = (1 - momentum) * var + momentum * flat.var(axis=0, ddof=1)
    return mean, var


SOLUTIONS = [
    (checks.check_batchnorm_dx, batchnorm_dx, "batchnorm_dx", 5),
    (checks.check_pytorch_running_stats, pytorch_running_stats, "pytorch_running_stats", 5),
]

test_solutions_pass_with_one_line = solutions_pass_test(SOLUTIONS)


# --- The references agree with TensorFlow ------------------------------------------------------


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 3, 2)])
def test_the_gradient_reference_equals_gradient_tape(shape):
    rng = np.random.default_rng(1)
    x, dout, gamma = rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=shape[-1])
    xt = tf.Variable(x)
    with tf.GradientTape() as tape:
        mean, var = tf.nn.moments(xt, list(range(len(shape) - 1)))
        loss = tf.reduce_sum(tf.nn.batch_normalization(xt, mean, var, 0.0, gamma, 1e-3) * dout)
    np.testing.assert_allclose(_batchnorm_dx(dout, x, gamma), tape.gradient(loss, xt).numpy(),
                               rtol=1e-9, atol=1e-12)


def test_the_running_stats_reference_by_hand():
    batch = np.array([[1.0], [3.0]])  # mean 2, unbiased variance 2
    mean, var = _pytorch_running_stats([batch])
    np.testing.assert_allclose(mean, [0.9 * 0 + 0.1 * 2])
    np.testing.assert_allclose(var, [0.9 * 1 + 0.1 * 2])


# --- Known-wrong answers ----------------------------------------------------------------------


def inference_dx(dout, x, gamma, epsilon=1e-3):
    return dout * gamma / np.sqrt(x.var(axis=tuple(range(x.ndim - 1))) + epsilon)


def mean_only_dx(dout, x, gamma, epsilon=1e-3):
    axes = tuple(range(x.ndim - 1))
    return (dout - dout.mean(axis=axes)) * gamma / np.sqrt(x.var(axis=axes) + epsilon)


@pytest.mark.parametrize(("wrong", "hint"), [
    (inference_dx, "statistics held fixed"),
    (mean_only_dx, "subtract x̂·mean(g·x̂) too"),
    (lambda dout, x, gamma, epsilon=1e-3: batchnorm_dx(dout, x, gamma), "sqrt(var + ε)"),
    (lambda dout, x, gamma, epsilon=1e-3: batchnorm_dx(dout, x, gamma, epsilon)[0],
     "the shape of x"),
])
def test_wrong_gradients_fail_with_a_hint(wrong, hint):
    assert hint in failure(checks.check_batchnorm_dx, wrong)


def test_epsilon_ignored_fails_on_the_pytorch_case():
    message = failure(checks.check_batchnorm_dx,
                      lambda dout, x, gamma, epsilon=1e-3: batchnorm_dx(dout, x, gamma))
    assert "case 5 of 5 failed — PyTorch's epsilon" in message


def keras_rule(batches, momentum=0.1):
    mean, var = 0.0, 1.0
    for batch in batches:
        flat = np.reshape(batch, (-1, np.shape(batch)[-1]))
        mean = momentum * mean + (1 - momentum) * flat.mean(axis=0)
        var = momentum * var + (1 - momentum) * flat.var(axis=0, ddof=1)
    return mean, var


def biased(batches, momentum=0.1):
    mean, var = 0.0, 1.0
    for batch in batches:
        flat = np.reshape(batch, (-1, np.shape(batch)[-1]))
        mean = (1 - momentum) * mean + momentum * flat.mean(axis=0)
        var = (1 - momentum) * var + momentum * flat.var(axis=0)
    return mean, var


def starting_at_zero(batches, momentum=0.1):
    mean, var = pytorch_running_stats(batches, momentum)
    return mean, var - (1 - momentum) ** len(batches)


@pytest.mark.parametrize(("wrong", "hint"), [
    (keras_rule, "weight of the new batch"),
    (biased, "unbiased"),
    (starting_at_zero, "starts at 1"),
    (lambda batches, momentum=0.1: (pytorch_running_stats(batches, momentum)[0] + 1,
                                    pytorch_running_stats(batches, momentum)[1]),
     "start from running mean 0"),
    (lambda batches, momentum=0.1: pytorch_running_stats(batches, momentum)[0], "a pair"),
])
def test_wrong_running_stats_fail_with_a_hint(wrong, hint):
    assert hint in failure(checks.check_pytorch_running_stats, wrong)
