"""Depthwise and depthwise-separable convolution costs (notebook 19) against built Keras layers."""

import doctest

import keras
import pytest

from cnnlib import arithmetic
from cnnlib.arithmetic import (
    conv_macs,
    depthwise_conv_macs,
    depthwise_conv_params,
    separable_conv_macs,
    separable_cost_ratio,
)
from cnnlib.profile import count_macs


def one_layer(layer, size, channels):
    inputs = keras.Input((size, size, channels))
    return keras.Model(inputs, layer(inputs))


@pytest.mark.parametrize(("size", "kernel", "channels", "strides", "use_bias"),
                         [(8, 3, 4, 1, True), (9, 5, 3, 2, False), (4, (1, 3), 2, 1, True)])
def test_depthwise_counts_equal_keras(size, kernel, channels, strides, use_bias):
    layer = keras.layers.DepthwiseConv2D(kernel, strides, padding="same", use_bias=use_bias)
    model = one_layer(layer, size, channels)
    out = model.output.shape[1:3]
    assert depthwise_conv_params(kernel, channels, use_bias) == layer.count_params()
    assert depthwise_conv_macs(tuple(out), kernel, channels) == count_macs(model)


@pytest.mark.parametrize(("size", "kernel", "in_channels", "filters"),
                         [(8, 3, 4, 6), (5, 5, 3, 1), (6, (3, 1), 2, 7)])
def test_separable_macs_equal_keras(size, kernel, in_channels, filters):
    layer = keras.layers.SeparableConv2D(filters, kernel, padding="same")
    model = one_layer(layer, size, in_channels)
    assert separable_conv_macs(size, kernel, in_channels, filters) == count_macs(model)


@pytest.mark.parametrize(("kernel", "filters", "in_channels"),
                         [(3, 256, 128), (5, 7, 3), (1, 1, 2)])
def test_ratio_is_separable_over_standard(kernel, filters, in_channels):
    ratio = separable_conv_macs(10, kernel, in_channels, filters) / conv_macs(
        10, kernel, in_channels, filters)
    assert separable_cost_ratio(kernel, filters) == pytest.approx(ratio, rel=1e-12)


def test_the_course_plan_numbers():
    ratio = separable_cost_ratio(3, 256)
    assert round(ratio, 3) == 0.115 and round(1 / ratio, 1) == 8.7


def test_docstring_examples():
    assert doctest.testmod(arithmetic).failed == 0


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: depthwise_conv_params(0, 3), ValueError, "kernel_size"),
    (lambda: depthwise_conv_params(3, 0), ValueError, "channels"),
    (lambda: depthwise_conv_params(3, 2, use_bias="yes"), TypeError, "use_bias"),
    (lambda: depthwise_conv_macs(4, 3, 2.0), TypeError, "channels"),
    (lambda: depthwise_conv_macs(-1, 3, 2), ValueError, "output_size"),
    (lambda: separable_conv_macs(4, 3, 2, 0), ValueError, "filters"),
    (lambda: separable_conv_macs(4, 3, 0, 2), ValueError, "channels"),
    (lambda: separable_cost_ratio(3, 0), ValueError, "filters"),
    (lambda: separable_cost_ratio("3", 4), TypeError, "kernel_size"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()
