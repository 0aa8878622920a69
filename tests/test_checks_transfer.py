"""cnnlib.checks.transfer (notebook 17): right answers pass; known-wrong ones fail with a useful
hint that does not give the answer away."""

import keras
import numpy as np
import pytest
from check_helpers import failure, solutions_pass_test

from cnnlib import checks
from cnnlib.checks.transfer import _batch_norm_cases, _batch_norm_forward, _count_model

# --- Independent correct implementations ------------------------------------------------------


def trainable_counts(model):
    trainable = sum(int(np.prod(v.shape)) for v in model.trainable_variables)
    return trainable, sum(int(np.prod(v.shape)) for v in model.variables) - trainable


def batch_norm_forward(x, gamma, beta, moving_mean, moving_variance, training):
    flat = x.reshape(-1, x.shape[-1])
    if training:
        mean = flat.sum(axis=0) / len(flat)
        variance = ((flat - mean) ** 2).sum(axis=0) / len(flat)
    else:
        mean, variance = moving_mean, moving_variance
    return ((x - mean) / np.sqrt(variance + 0.001)) * gamma + beta


SOLUTIONS = [
    (checks.check_trainable_counts, trainable_counts, "trainable_counts", 5),
    (checks.check_batch_norm_forward, batch_norm_forward, "batch_norm_forward", 6),
]

test_solutions_pass_with_one_line = solutions_pass_test(SOLUTIONS)


# --- The references agree with Keras -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dense", "frozen dense", "conv bn", "frozen base",
                                  "frozen conv bn"])
def test_count_reference_is_what_the_summary_shows(kind):
    model = _count_model(kind)
    from cnnlib.transfer import trainable_counts as library

    assert library(model)[0] + library(model)[1] == model.count_params()
    assert library(model) == trainable_counts(model)


@pytest.mark.parametrize("index", range(6))
def test_batch_norm_reference_is_keras(index):
    x, gamma, beta, mean, variance, training = _batch_norm_cases()[index].args
    layer = keras.layers.BatchNormalization()
    layer.build(x.shape)
    layer.set_weights([gamma, beta, mean, variance])
    keras_out = layer(x.astype("float32"), training=training).numpy()
    np.testing.assert_allclose(_batch_norm_forward(*_batch_norm_cases()[index].args), keras_out,
                               rtol=1e-4, atol=1e-5)


# --- Known mistakes ------------------------------------------------------------------------------


def test_counting_every_weight_as_trainable_fails():
    message = failure(checks.check_trainable_counts,
                      lambda m: (m.count_params(), 0))
    assert "case 2 of 5" in message and "frozen layer" in message


def test_counting_only_batch_norm_statistics_wrongly_fails():
    def all_bn_trainable(model):
        trainable, frozen = trainable_counts(model)
        moving = sum(int(np.prod(v.shape)) for v in model.non_trainable_variables
                     if "moving" in v.path)
        return trainable + moving, frozen - moving

    message = failure(checks.check_trainable_counts, all_bn_trainable)
    assert "case 3 of 5" in message and "moving mean and variance" in message


def test_swapped_counts_fail():
    message = failure(checks.check_trainable_counts, lambda m: trainable_counts(m)[::-1])
    assert "case 1 of 5" in message and "trainable first" in message


def test_batch_norm_modes_swapped_fails():
    message = failure(checks.check_batch_norm_forward,
                      lambda x, g, b, m, v, training: batch_norm_forward(x, g, b, m, v,
                                                                         not training))
    assert "case 1 of 6" in message and "moving statistics" in message


def test_batch_norm_with_unbiased_variance_fails():
    def unbiased(x, gamma, beta, mean, variance, training):
        if training:
            axes = tuple(range(x.ndim - 1))
            mean, variance = x.mean(axis=axes), x.var(axis=axes, ddof=1)
        return gamma * (x - mean) / np.sqrt(variance + 1e-3) + beta

    message = failure(checks.check_batch_norm_forward, unbiased)
    assert "biased variance" in message


def test_batch_norm_per_example_statistics_fail():
    def per_example(x, gamma, beta, mean, variance, training):
        if training:
            axes = tuple(range(1, x.ndim - 1)) or (0,)
            mean, variance = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
        return gamma * (x - mean) / np.sqrt(variance + 1e-3) + beta

    message = failure(checks.check_batch_norm_forward, per_example)
    assert "every axis but the last" in message


def test_batch_norm_with_pytorch_epsilon_fails():
    def torch_epsilon(x, gamma, beta, mean, variance, training):
        if training:
            axes = tuple(range(x.ndim - 1))
            mean, variance = x.mean(axis=axes), x.var(axis=axes)
        return gamma * (x - mean) / np.sqrt(variance + 1e-5) + beta

    message = failure(checks.check_batch_norm_forward, torch_epsilon)
    assert "case 1 of 6" in message and "ε = 1e-3 as in Keras" in message


@pytest.mark.parametrize("check", [checks.check_trainable_counts,
                                   checks.check_batch_norm_forward])
def test_not_answered_yet(check):
    def stub(*args):
        raise NotImplementedError

    with pytest.raises(checks.CheckFailed, match="not answered yet|NotImplementedError"):
        check(stub)
