"""cnnlib.checks.scale (notebook 20): right answers pass, known-wrong ones fail with a hint."""

import math

import keras
import numpy as np
import pytest
from check_helpers import failure, solutions_pass_test

from cnnlib import checks
from cnnlib.checks.scale import _smoothed_targets, _warmup_cosine_lr

# --- Independent correct implementations -----------------------------------------------------


def warmup_cosine_lr(step, peak_lr, warmup_steps, total_steps):
    if step < warmup_steps:
        return peak_lr * step / warmup_steps
    progress = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    return 0.5 * peak_lr * (1.0 + math.cos(math.pi * progress))


def smoothed_targets(labels, classes, smoothing):
    labels = np.asarray(labels)
    targets = np.full((len(labels), classes), smoothing / classes)
    targets[np.arange(len(labels)), labels] += 1.0 - smoothing
    return targets


SOLUTIONS = [
    (checks.check_warmup_cosine_lr, warmup_cosine_lr, "warmup_cosine_lr", 8),
    (checks.check_smoothed_targets, smoothed_targets, "smoothed_targets", 5),
]

test_solutions_pass_with_one_line = solutions_pass_test(SOLUTIONS)


# --- The references are what Keras trains with ------------------------------------------------


def test_the_schedule_reference_has_its_landmarks():
    assert _warmup_cosine_lr(0, 0.1, 10, 110) == 0.0
    assert _warmup_cosine_lr(5, 0.1, 10, 110) == pytest.approx(0.05)
    assert _warmup_cosine_lr(10, 0.1, 10, 110) == pytest.approx(0.1)
    assert _warmup_cosine_lr(60, 0.1, 10, 110) == pytest.approx(0.05)
    assert _warmup_cosine_lr(110, 0.1, 10, 110) == pytest.approx(0.0, abs=1e-9)


def test_the_smoothing_reference_is_the_target_of_keras_loss():
    """Cross-entropy against the smoothed targets equals Keras's loss with label_smoothing."""
    labels, classes, smoothing = np.array([0, 3, 1]), 4, 0.2
    probabilities = np.array([[0.7, 0.1, 0.1, 0.1], [0.2, 0.2, 0.2, 0.4],
                              [0.25, 0.5, 0.125, 0.125]])
    ours = -np.mean(np.sum(_smoothed_targets(labels, classes, smoothing)
                           * np.log(probabilities), axis=1))
    loss = keras.losses.CategoricalCrossentropy(label_smoothing=smoothing)
    theirs = float(loss(keras.utils.to_categorical(labels, classes), probabilities))
    assert ours == pytest.approx(theirs, rel=1e-5)


# --- Known mistakes get their hints -------------------------------------------------------------


def _over_all_steps(step, peak, warmup, total):
    if step < warmup:
        return peak * step / warmup
    return peak * 0.5 * (1 + math.cos(math.pi * min(step, total) / total))


def _no_clip(step, peak, warmup, total):
    if step < warmup:
        return peak * step / warmup
    return peak * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))


@pytest.mark.parametrize(("wrong", "hint"), [
    (_over_all_steps, "starts when the warm-up ends"),
    (_no_clip, "stays at 0"),
    (lambda s, p, w, t: p, "warmup_cosine_lr"),
])
def test_wrong_schedules_fail(wrong, hint):
    assert hint in failure(checks.check_warmup_cosine_lr, wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda y, k, e: np.eye(k)[np.asarray(y)] * (1 - e)
     + (1 - np.eye(k)[np.asarray(y)]) * e / (k - 1), "all the classes"),
    (lambda y, k, e: np.eye(k)[np.asarray(y)] + e / k, "1 - smoothing"),
    (lambda y, k, e: np.eye(k)[np.asarray(y)], "smoothed_targets"),
])
def test_wrong_targets_fail(wrong, hint):
    assert hint in failure(checks.check_smoothed_targets, wrong)
