"""Ready-made checks of notebook 18's exercises (batch normalisation).

Like :mod:`cnnlib.checks.resnet`, each check is one call in the notebook,
``checks.check_batchnorm_dx(batchnorm_dx)``; the reference, the cases and the hints live here.
The references use :mod:`cnnlib.reference.batchnorm`; the tests compare them with Keras and
``tf.GradientTape``.
"""

import numpy as np

from cnnlib.checks.core import Case, check_function, check_gradient

__all__ = ["check_batchnorm_dx", "check_pytorch_running_stats"]


# Exercise 1: the input gradient of batch normalisation in training mode ----------------------


def _batchnorm_dx(dout, x, gamma, epsilon=1e-3):
    from cnnlib.reference.batchnorm import batchnorm_backward, batchnorm_forward

    _, cache = batchnorm_forward(x, gamma, np.zeros_like(gamma), epsilon)
    return batchnorm_backward(dout, cache)[0]


def _batchnorm_dx_hint(case, expected, got):
    dout, x, gamma, epsilon = (*case.args, *case.kwargs.values(), 1e-3)[:4]
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return "return a NumPy array of the shape of x."
    if got.shape != expected.shape:
        return "dx has the shape of x: one gradient per input value."
    axes = tuple(range(x.ndim - 1))
    inv_std = 1 / np.sqrt(x.var(axis=axes) + epsilon)
    if np.allclose(got, dout * gamma * inv_std):
        return ("that is the gradient with the statistics held fixed (inference mode); in training "
                "mode the mean and variance depend on x too: subtract mean(g) and x̂·mean(g·x̂).")
    if np.allclose(got, (dout - dout.mean(axis=axes)) * gamma * inv_std):
        return "the variance depends on x as well: subtract x̂·mean(g·x̂) too."
    if not np.allclose(got.sum(axis=axes), 0, atol=1e-6):
        return "in training mode the gradient of each channel sums to zero over the batch."
    return ("with g = dout·γ and means over every axis but the channels: "
            "dx = (g - mean(g) - x̂·mean(g·x̂)) / sqrt(var + ε).")


def check_batchnorm_dx(fn):
    """Check ``batchnorm_dx(dout, x, gamma, epsilon=1e-3)``: the gradient with respect to x of
    batch normalisation in training mode (batch mean and biased variance over every axis but
    the last), as :func:`cnnlib.reference.batchnorm_backward` computes it (notebook 18).
    The cases: dense (N, C) and convolutional (N, H, W, C) inputs, a batch of 2, Keras's and
    PyTorch's epsilon."""
    __tracebackhide__ = True
    rng = np.random.default_rng(18)

    def case(shape, epsilon=None, label=""):
        x = rng.normal(1.0, 2.0, size=shape)
        args = (rng.normal(size=shape), x, rng.normal(1.0, 0.3, size=shape[-1]))
        kwargs = {} if epsilon is None else {"epsilon": epsilon}
        return Case(args, kwargs, label=label)

    cases = [
        case((4, 3), label="dense: a batch of 4, 3 features"),
        case((2, 3, 3, 2), label="convolutional: 2 images of 3×3×2"),
        case((8, 2, 2, 4), label="8 images of 2×2×4"),
        case((2, 5), label="a batch of 2"),
        case((3, 4, 1, 3), epsilon=1e-5, label="PyTorch's epsilon 1e-5"),
    ]
    check_gradient(fn, _batchnorm_dx, cases, name="batchnorm_dx", hint=_batchnorm_dx_hint)


# Exercise 2: PyTorch's running statistics -----------------------------------------------------


def _pytorch_running_stats(batches, momentum=0.1):
    """PyTorch's ``BatchNorm`` running mean and variance after ``batches`` (each (N, ..., C)):
    start from 0 and 1, ``running = (1 - momentum)·running + momentum·batch`` with the
    unbiased batch variance."""
    from cnnlib.reference.batchnorm import moving_average

    channels = np.shape(batches[0])[-1]
    mean, var = np.zeros(channels), np.ones(channels)
    for batch in batches:
        batch = np.asarray(batch, dtype=float)
        axes = tuple(range(batch.ndim - 1))
        mean = moving_average(mean, batch.mean(axis=axes), 1 - momentum)
        var = moving_average(var, batch.var(axis=axes, ddof=1), 1 - momentum)
    return mean, var


def _keras_running_stats(batches, momentum=0.99, ddof=0):
    channels = np.shape(batches[0])[-1]
    mean, var = np.zeros(channels), np.ones(channels)
    for batch in batches:
        axes = tuple(range(np.ndim(batch) - 1))
        mean = momentum * mean + (1 - momentum) * np.mean(batch, axis=axes)
        var = momentum * var + (1 - momentum) * np.var(batch, axis=axes, ddof=ddof)
    return mean, var


def _running_stats_hint(case, expected, got):
    batches = case.args[0]
    momentum = case.kwargs.get("momentum", 0.1)
    try:
        mean, var = (np.asarray(v, dtype=float) for v in got)
    except (TypeError, ValueError):
        return "return a pair (running_mean, running_var) of arrays of shape (C,)."
    if mean.shape != expected[0].shape or var.shape != expected[1].shape:
        return "return one running mean and one running variance per channel, shape (C,)."
    if np.allclose(mean, _keras_running_stats(batches, momentum)[0]):
        return ("PyTorch's momentum is the weight of the new batch, not of the past: "
                "running = (1 - momentum)·running + momentum·batch.")
    if np.allclose(mean, _keras_running_stats(batches, 1 - momentum)[0]) and np.allclose(
            var, _keras_running_stats(batches, 1 - momentum)[1]):
        return "PyTorch's running variance uses the unbiased batch variance (divide by m - 1)."
    if np.allclose(mean, expected[0]) and np.allclose(
            var, expected[1] - (1 - momentum) ** len(batches)):
        return "the running variance starts at 1 (PyTorch's running_var is initialised to ones)."
    return ("start from running mean 0 and variance 1, and after each batch: running = "
            "(1 - momentum)·running + momentum·batch statistic, with the unbiased variance.")


def check_pytorch_running_stats(fn):
    """Check ``pytorch_running_stats(batches, momentum=0.1)``: the running mean and variance
    that PyTorch's ``BatchNorm2d`` holds after training on ``batches`` (a list of arrays of
    shape (N, ..., C)): start from 0 and 1, ``(1 - momentum)·running + momentum·batch``, the
    unbiased variance (notebook 18).  The cases: one and several batches, images and dense
    features, other momenta."""
    __tracebackhide__ = True
    rng = np.random.default_rng(180)

    def batches(count, shape, loc=3.0, scale=2.0):
        return [rng.normal(loc, scale, size=shape) for _ in range(count)]

    cases = [
        Case((batches(1, (4, 3)),), label="one batch of 4, 3 features"),
        Case((batches(5, (2, 3, 3, 2)),), label="5 batches of 2 images of 3×3×2"),
        Case((batches(20, (8, 4)),), label="20 batches of 8, 4 features"),
        Case((batches(3, (2, 2)),), {"momentum": 0.5}, label="momentum 0.5"),
        Case((batches(4, (6, 1, 1, 3), -1.0, 0.5),), {"momentum": 0.01},
             label="momentum 0.01 (Keras's default, written PyTorch's way)"),
    ]
    check_function(fn, _pytorch_running_stats, cases, name="pytorch_running_stats",
                   hint=_running_stats_hint)
