"""Ready-made checks of notebook 20's exercises (training faster and at scale).

Each check is one call in the notebook, ``checks.check_warmup_cosine_lr(warmup_cosine_lr)``;
the reference, the cases and the hints live here.  The references are Keras's own: the
``CosineDecay`` schedule with its linear warm-up, and the targets that
``CategoricalCrossentropy(label_smoothing=...)`` trains towards.
"""

import math

import numpy as np

from cnnlib.checks.core import Case, Mistake, check_function

__all__ = ["check_smoothed_targets", "check_warmup_cosine_lr"]


# Exercise 1: linear warm-up, then cosine decay -------------------------------------------------


def _warmup_cosine_lr(step, peak_lr, warmup_steps, total_steps):
    """The learning rate at ``step`` of Keras's ``CosineDecay(0.0, total_steps - warmup_steps,
    warmup_target=peak_lr, warmup_steps=warmup_steps)``: from 0 up to ``peak_lr`` in a straight
    line over the warm-up, then half a cosine down to 0 at ``total_steps``."""
    import keras

    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, total_steps - warmup_steps, warmup_target=peak_lr, warmup_steps=warmup_steps)
    return float(keras.ops.convert_to_numpy(schedule(step)))


def _cosine_over_all_steps(step, peak_lr, warmup_steps, total_steps):
    if step < warmup_steps:
        return peak_lr * step / warmup_steps
    return peak_lr * 0.5 * (1 + math.cos(math.pi * min(step, total_steps) / total_steps))


def _cosine_without_half(step, peak_lr, warmup_steps, total_steps):
    if step < warmup_steps:
        return peak_lr * step / warmup_steps
    done = min(step - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)
    return peak_lr * math.cos(math.pi * done)


def _not_clipped(step, peak_lr, warmup_steps, total_steps):
    if step < warmup_steps:
        return peak_lr * step / warmup_steps
    done = (step - warmup_steps) / (total_steps - warmup_steps)
    return peak_lr * 0.5 * (1 + math.cos(math.pi * done))


def check_warmup_cosine_lr(fn):
    """Check ``warmup_cosine_lr(step, peak_lr, warmup_steps, total_steps)``: the learning rate
    of a linear warm-up from 0 to ``peak_lr`` over ``warmup_steps`` steps (Goyal et al. 2017),
    then a cosine decay to 0 at ``total_steps`` (Loshchilov and Hutter 2017), as Keras's
    ``CosineDecay`` with ``warmup_target`` computes it (notebook 20)."""
    __tracebackhide__ = True
    cases = [
        Case((0, 0.1, 5, 50), label="step 0: the start of the warm-up"),
        Case((2, 0.1, 5, 50), label="step 2 of a 5-step warm-up"),
        Case((5, 0.1, 5, 50), label="step 5: the peak"),
        Case((20, 0.4, 5, 50), label="step 20 of 50 after 5 of warm-up"),
        Case((27, 0.4, 4, 50), label="half-way through the decay"),
        Case((49, 1.0, 10, 50), label="the last step"),
        Case((60, 1.0, 10, 50), label="after the end: it stays at 0"),
        Case((3, 0.05, 0, 10), label="no warm-up"),
    ]
    mistakes = [
        Mistake("the cosine starts when the warm-up ends: its progress is "
                "(step - warmup_steps) / (total_steps - warmup_steps).",
                answer=_cosine_over_all_steps),
        Mistake("the decay is half a cosine from peak_lr to 0: peak_lr · ½ · (1 + cos(π·t)).",
                answer=_cosine_without_half),
        Mistake("after total_steps the rate stays at 0: clip the progress at 1.",
                answer=_not_clipped),
    ]
    check_function(fn, _warmup_cosine_lr, cases, name="warmup_cosine_lr", rtol=1e-5, atol=1e-7,
                   mistakes=mistakes)


# Exercise 2: label smoothing ---------------------------------------------------------------------


def _smoothed_targets(labels, classes, smoothing):
    """The targets that ``keras.losses.CategoricalCrossentropy(label_smoothing=smoothing)``
    compares the predictions with: ``(1 - smoothing) · one_hot + smoothing / classes``."""
    import keras

    one_hot = keras.utils.to_categorical(np.asarray(labels), classes).astype(np.float64)
    return one_hot * (1 - smoothing) + smoothing / classes


def _spread_over_others(labels, classes, smoothing):
    one_hot = np.eye(classes)[np.asarray(labels)]
    return one_hot * (1 - smoothing) + (1 - one_hot) * smoothing / (classes - 1)


def _not_scaled_down(labels, classes, smoothing):
    return np.eye(classes)[np.asarray(labels)] + smoothing / classes


def check_smoothed_targets(fn):
    """Check ``smoothed_targets(labels, classes, smoothing)``: the ``(N, classes)`` targets of
    label smoothing (Szegedy et al. 2016), as Keras's ``label_smoothing`` computes them: every
    class gets ``smoothing / classes``, the true class ``1 - smoothing`` more (notebook 20)."""
    __tracebackhide__ = True
    cases = [
        Case(([0, 2, 1], 3, 0.1), label="3 labels, 3 classes, smoothing 0.1"),
        Case(([7], 10, 0.1), label="one MNIST label"),
        Case(([1, 1, 0, 3], 4, 0.0), label="smoothing 0: one-hot"),
        Case(([0, 1], 2, 0.5), label="2 classes, smoothing 0.5"),
        Case((np.array([4, 0, 9]), 10, 0.2), label="a NumPy array of labels"),
    ]
    mistakes = [
        Mistake("Keras spreads the smoothing over all the classes, the true one included: each "
                "gets smoothing / classes (not smoothing / (classes - 1) over the others).",
                answer=_spread_over_others),
        Mistake("scale the one-hot part down to 1 - smoothing, so that every row sums to 1.",
                answer=_not_scaled_down),
    ]
    check_function(fn, _smoothed_targets, cases, name="smoothed_targets", mistakes=mistakes,
                   hint="return an (N, classes) array whose rows sum to 1.")
