"""cnnlib.checks.explain (notebook 16): right answers pass; known-wrong ones fail with a useful
hint that does not give the answer away."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from check_helpers import failure, solutions_pass_test
from keras import layers

from cnnlib import checks
from cnnlib.checks.explain import _grad_cam_cases, _grad_cam_combine, _receptive_field_sizes

# --- Independent correct implementations ------------------------------------------------------


def receptive_field_sizes(layers_):
    sizes, size, jump = [], 1, 1
    for kernel, stride in layers_:
        size += (kernel - 1) * jump
        jump *= stride
        sizes.append(size)
    return sizes


def grad_cam_combine(activations, gradients):
    weights = gradients.sum(axis=(1, 2)) / (gradients.shape[1] * gradients.shape[2])
    return np.clip((activations * weights[:, None, None, :]).sum(axis=-1), 0, None)


SOLUTIONS = [
    (checks.check_receptive_field_sizes, receptive_field_sizes, "receptive_field_sizes", 7),
    (checks.check_grad_cam_combine, grad_cam_combine, "grad_cam_combine", 6),
]

test_solutions_pass_with_one_line = solutions_pass_test(SOLUTIONS)


# --- The references agree with independent computations ------------------------------------------


def test_receptive_field_reference_counts_input_pixels():
    """Feed a one-hot image through ones-kernels: the unit at the top sees exactly r pixels."""
    size = 40
    model_layers = [layers.Conv2D(1, 3, use_bias=False, kernel_initializer="ones"),
                    layers.MaxPooling2D(2), layers.Conv2D(1, 3, use_bias=False,
                                                         kernel_initializer="ones")]
    model = keras.Sequential([keras.Input((size, size, 1)), *model_layers])
    # Gradient of one output unit with respect to the input: nonzero exactly on its field.
    x = tf.Variable(np.random.default_rng(0).random((1, size, size, 1)).astype("float32") + 1)
    with tf.GradientTape() as tape:
        y = model(x)[0, 3, 3, 0]
    rows = np.flatnonzero(np.any(tape.gradient(y, x).numpy()[0, ..., 0] != 0, axis=1))
    assert rows.max() - rows.min() + 1 == _receptive_field_sizes([(3, 1), (2, 2), (3, 1)])[-1]


def test_grad_cam_reference_is_the_tape_on_a_pooled_linear_score():
    """score = Σ_k c_k · mean_ij A^k_ij: the tape's gradient is c_k / (h·w) everywhere."""
    rng = np.random.default_rng(1)
    activations = tf.constant(rng.random((2, 3, 4, 5)))
    coefficients = tf.constant(rng.normal(size=5))
    with tf.GradientTape() as tape:
        tape.watch(activations)
        score = tf.reduce_sum(tf.reduce_mean(activations, axis=(1, 2)) * coefficients)
    gradients = tape.gradient(score, activations).numpy()
    expected = np.maximum(np.einsum("nijk,k->nij", activations.numpy(), coefficients.numpy())
                          / 12, 0)
    np.testing.assert_allclose(_grad_cam_combine(activations.numpy(), gradients), expected)


def test_every_grad_cam_case_has_negative_and_positive_evidence():
    """The ReLU matters in the cases: some weighted sums are negative before it."""
    raw = [np.einsum("nijk,nk->nij", a, g.mean(axis=(1, 2))) for a, g in
           (case.args for case in _grad_cam_cases()[:3])]
    assert all((r < 0).any() for r in raw) and all((r > 0).any() for r in raw)


# --- Known mistakes ------------------------------------------------------------------------------


def test_receptive_field_without_the_jump_fails():
    message = failure(checks.check_receptive_field_sizes,
                      lambda ls: list(np.cumsum([k - 1 for k, _ in ls]) + 1))
    assert "case 2 of 7" in message and "(k − 1)·j_in" in message


def test_receptive_field_with_the_jump_after_the_layer_fails():
    def jump_after(ls):
        sizes, size, jump = [], 1, 1
        for kernel, stride in ls:
            jump *= stride
            size += (kernel - 1) * jump
            sizes.append(size)
        return sizes

    message = failure(checks.check_receptive_field_sizes, jump_after)
    assert "case 2 of 7" in message and "jump before the layer" in message


def test_receptive_field_that_returns_only_the_last_size_fails():
    message = failure(checks.check_receptive_field_sizes, lambda ls: receptive_field_sizes(ls)[-1])
    assert "one receptive field per layer" in message


def test_grad_cam_without_relu_fails():
    message = failure(checks.check_grad_cam_combine,
                      lambda a, g: np.einsum("nijk,nk->nij", a, g.mean(axis=(1, 2))))
    assert "case 1 of 6" in message and "ReLU" in message


def test_grad_cam_with_summed_gradients_fails():
    message = failure(checks.check_grad_cam_combine,
                      lambda a, g: np.maximum(np.einsum("nijk,nk->nij", a, g.sum(axis=(1, 2))), 0))
    assert "*mean*" in message


def test_grad_cam_position_by_position_fails():
    message = failure(checks.check_grad_cam_combine,
                      lambda a, g: np.maximum((a * g).sum(axis=-1), 0))
    assert "averages each channel's gradients" in message


def test_grad_cam_that_keeps_the_channels_fails():
    message = failure(checks.check_grad_cam_combine,
                      lambda a, g: np.maximum(a * g.mean(axis=(1, 2))[:, None, None, :], 0))
    assert "one map per image" in message


@pytest.mark.parametrize("check", [checks.check_receptive_field_sizes,
                                   checks.check_grad_cam_combine])
def test_not_answered_yet(check):
    def stub(*args):
        raise NotImplementedError

    with pytest.raises(checks.CheckFailed, match="not answered yet|NotImplementedError"):
        check(stub)
