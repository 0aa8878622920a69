"""Batch normalisation from scratch, forward and backward (course notebook 18).

Ioffe and Szegedy, "Batch normalization: accelerating deep network training by reducing
internal covariate shift", ICML 2015 (arXiv:1502.03167), Algorithm 1 and Section 3.1.

For every channel c (the last axis), over the m = N·H·W values of a batch::

    mean_c = (1/m) Σ x            var_c = (1/m) Σ (x - mean_c)²      (biased, as Keras)
    x̂ = (x - mean_c) / sqrt(var_c + ε)       out = γ_c · x̂ + β_c

In training mode the batch's own mean and variance are used; in inference mode the moving
averages kept during training (:func:`moving_average`).  As in CS231n's ``layers.py``,
:func:`batchnorm_forward` returns ``(out, cache)`` and :func:`batchnorm_backward` takes
``(dout, cache)``.  Defaults are Keras's (``keras.layers.BatchNormalization``: momentum 0.99,
ε = 1e-3), so that results compare directly with it; PyTorch's defaults differ (notebook 18).
"""

from typing import NamedTuple

import numpy as np

from cnnlib._validation import check_array, check_bool, check_instance, check_real

__all__ = ["batchnorm_backward", "batchnorm_forward", "moving_average"]


class _BatchNormCache(NamedTuple):
    x_hat: np.ndarray  # (N, ..., C): the normalised input
    inv_std: np.ndarray  # (C,): 1 / sqrt(var + epsilon)
    gamma: np.ndarray  # (C,)
    training: bool  # whether the batch statistics were used
    mean: np.ndarray  # (C,): the statistics used (the batch's in training mode)
    var: np.ndarray  # (C,): biased variance


def _float_array(name, value, ndim=None, layout=""):
    return check_array(name, value, ndim, layout=layout).astype(np.float64)


def _per_channel(name, value, channels):
    array = _float_array(name, value, 1, f"({channels},)")
    if array.shape != (channels,):
        raise ValueError(f"{name} must have shape ({channels},), one value per channel of x, "
                         f"got shape {array.shape}")
    return array


def batchnorm_forward(x, gamma, beta, epsilon=1e-3, *, training=True, moving_mean=None,
                      moving_var=None):
    """Batch normalisation forward pass, per channel (the last axis).

    Inputs:
    - x: input of shape (N, H, W, C), or (N, C) after a dense layer (any (N, ..., C))
    - gamma: scale of shape (C,)
    - beta: shift of shape (C,)
    - epsilon: added to the variance, a positive number (Keras 1e-3, PyTorch 1e-5)
    - training: True to normalise with the batch's mean and biased variance, False with
      ``moving_mean`` and ``moving_var`` (inference mode, as after training)
    - moving_mean, moving_var: shape (C,), required when ``training`` is False

    Returns a tuple of:
    - out: the shape of x, ``gamma * (x - mean) / sqrt(var + epsilon) + beta``
    - cache: what :func:`batchnorm_backward` needs; ``cache.mean`` and ``cache.var`` are the
      statistics used (in training mode the batch's, for :func:`moving_average`)
    """
    x = _float_array("x", x)
    if x.ndim < 2:
        raise ValueError(f"x must be an array of shape (N, ..., C) with at least 2 axes, "
                         f"got shape {x.shape}")
    training = check_bool("training", training)
    channels = x.shape[-1]
    gamma = _per_channel("gamma", gamma, channels)
    beta = _per_channel("beta", beta, channels)
    epsilon = check_real("epsilon", epsilon, 0, min_open=True)
    axes = tuple(range(x.ndim - 1))
    if training:
        if x.size // channels < 2:
            raise ValueError(f"x must hold at least 2 values per channel to normalise in "
                             f"training mode, got shape {x.shape}")
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    else:
        if moving_mean is None or moving_var is None:
            raise ValueError("moving_mean and moving_var are required when training is False")
        mean = _per_channel("moving_mean", moving_mean, channels)
        var = _per_channel("moving_var", moving_var, channels)
        if np.any(var < 0):
            raise ValueError(f"moving_var must be non-negative, got {var}")
    inv_std = 1.0 / np.sqrt(var + epsilon)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, _BatchNormCache(x_hat, inv_std, gamma, training, mean, var)


def batchnorm_backward(dout, cache):
    """Batch normalisation backward pass.

    With g = dL/dx̂ = dout·γ and sums over the m values of a channel, training mode gives::

        dx = (1/sqrt(var + ε)) · (g - mean(g) - x̂ · mean(g · x̂))

    (the mean and the variance depend on every x of the batch, hence the two mean terms:
    the gradient is centred and has no component along x̂); in inference mode the statistics
    are constants and ``dx = g / sqrt(var + ε)``.  ``dgamma = Σ dout · x̂``, ``dbeta = Σ dout``.

    Inputs:
    - dout: upstream gradient, the shape of ``out``
    - cache: the cache returned by :func:`batchnorm_forward`

    Returns a tuple of:
    - dx: gradient with respect to x, the shape of x
    - dgamma, dbeta: gradients with respect to gamma and beta, shape (C,)
    """
    check_instance("cache", cache, _BatchNormCache, "the cache returned by batchnorm_forward")
    x_hat, inv_std, gamma, training, _, _ = cache
    dout = _float_array("dout", dout)
    if dout.shape != x_hat.shape:
        raise ValueError(f"dout must have the shape {x_hat.shape} of the output of "
                         f"batchnorm_forward, got shape {dout.shape}")
    axes = tuple(range(dout.ndim - 1))
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * x_hat).sum(axis=axes)
    g = dout * gamma
    if training:
        dx = inv_std * (g - g.mean(axis=axes) - x_hat * (g * x_hat).mean(axis=axes))
    else:
        dx = g * inv_std
    return dx, dgamma, dbeta


def moving_average(moving, batch, momentum=0.99):
    """One update of a moving statistic: ``momentum * moving + (1 - momentum) * batch``.

    Keras's rule, with its default momentum 0.99 (an average over about 1 / (1 - 0.99) = 100
    batches).  PyTorch writes the same rule as ``(1 - momentum) * running + momentum * batch``
    with momentum 0.1 (about 10 batches): pass ``momentum=1 - 0.1``; PyTorch also feeds it the
    unbiased batch variance (``np.var(..., ddof=1)``).

    Inputs:
    - moving: the current moving statistic, an array of shape (C,)
    - batch: the batch's statistic, same shape
    - momentum: the weight of the past, in [0, 1)

    Returns:
    - the updated statistic, float64, shape (C,)
    """
    moving, batch = _float_array("moving", moving), _float_array("batch", batch)
    if moving.shape != batch.shape:
        raise ValueError(f"moving and batch must have the same shape, got {moving.shape} and "
                         f"{batch.shape}")
    momentum = check_real("momentum", momentum, 0, 1, max_open=True)
    return momentum * moving + (1 - momentum) * batch
