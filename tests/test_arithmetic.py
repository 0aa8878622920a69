"""cnnlib.arithmetic: the lectures' numbers, agreement with Keras/TensorFlow, bad input."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnlib.arithmetic import (
    activation_memory,
    conv_macs,
    conv_output_size,
    conv_params,
    dense_macs,
    dense_params,
    padding_to_keep_size,
    pool_output_size,
    receptive_field,
    same_padding,
)

FAST = settings(max_examples=50, deadline=None)


# --- The lectures' worked numbers -------------------------------------------------------------


@pytest.mark.parametrize(("stride", "expected"), [(1, 5), (2, 3)])
def test_output_size_n7_f3(stride, expected):  # L1, L5
    assert conv_output_size(7, 3, stride=stride) == expected


def test_stride_3_does_not_fit_7_wide_input():  # L1, L5: (7 - 3)/3 + 1 = 2.33
    with pytest.raises(ValueError, match=r"2\.33 is not a whole number") as error:
        conv_output_size(7, 3, stride=3)
    assert "floor it to 2" in str(error.value)
    assert "last 1 row(s) or column(s) along this axis" in str(error.value)
    assert conv_output_size(7, 3, stride=3, rounding="floor") == 2
    assert conv_output_size(7, 3, stride=3, padding="valid") == 2


@pytest.mark.parametrize(("kernel_size", "padding"), [(3, 1), (5, 2), (7, 3)])
def test_padding_to_keep_size(kernel_size, padding):  # L5
    assert padding_to_keep_size(kernel_size) == padding
    assert conv_output_size(7, kernel_size, padding=padding) == 7


def test_lecture_padding_examples():
    assert conv_output_size(7, 3, stride=1, padding=1) == 7  # L1, L5
    assert conv_output_size(3, 3, stride=1, padding=1) == 3  # L3: (3 + 2 - 3)/1 + 1
    assert conv_output_size(3, 3, stride=2, padding=1) == 2  # L3: (3 + 2 - 3)/2 + 1
    assert conv_output_size(32, 5) == 28  # L5: 6 filters 5x5 on 32x32x3 -> 28x28x6


def test_lecture_costs():  # L3
    assert conv_params(2, 3, 2) == 2 * (2 * 2 * 3 + 1) == 26
    assert dense_params(100 * 100, 100, use_bias=False) == 1_000_000
    assert conv_macs((150, 100), 5, 3, 200) == 200 * 150 * 100 * 75 == 225 * 10**6
    assert activation_memory((150, 100, 200)) == 12_000_000  # 96e6 bits = 12 MB


def test_receptive_field():  # L1, L4
    assert receptive_field([(3, 1)] * 3) == 7  # three 3x3 layers see 7x7
    assert receptive_field([]) == 1
    assert receptive_field([(3, 1), (2, 2), (3, 1)]) == 8
    assert receptive_field([(3, 1, 2)]) == 5  # dilated 3x3 spans 5 pixels


def test_same_padding_puts_the_odd_row_after():  # L3
    assert same_padding(7, 3) == (1, 1)
    assert same_padding(6, 3, stride=2) == (0, 1)
    assert same_padding(5, 4) == (1, 2)
    assert same_padding(4, 1, stride=3) == (0, 0)


def test_small_helpers():
    assert dense_macs(4096, 1000) == 4_096_000
    assert conv_params((1, 3), 4, 8, use_bias=False) == 96
    assert conv_macs(7, (3, 1), 2, 5) == 49 * 3 * 2 * 5
    assert activation_memory([10, 10], "uint8") == 100
    assert activation_memory((10,), np.float64) == activation_memory((10,), np.dtype("float64"))
    assert activation_memory((10,), tf.bfloat16) == 20
    assert pool_output_size(4, 2) == 2
    assert conv_output_size(np.int64(7), 3) == 5


# --- Agreement with Keras and TensorFlow -------------------------------------------------------

sizes = st.integers(1, 40)
kernels = st.integers(1, 7)
strides = st.integers(1, 4)
dilations = st.integers(1, 3)
modes = st.sampled_from(["valid", "same"])


def keras_size(layer, n):
    return layer.compute_output_shape((1, n, n, 1))[1]


@FAST
@given(n=sizes, kernel_size=kernels, stride=strides, dilation=dilations, padding=modes)
def test_conv_output_size_matches_keras(n, kernel_size, stride, dilation, padding):
    if stride > 1:
        dilation = 1  # Keras refuses strides > 1 together with dilation > 1
    assume(padding == "same" or (kernel_size - 1) * dilation + 1 <= n)
    layer = keras.layers.Conv2D(1, kernel_size, stride, padding, dilation_rate=dilation)
    expected = keras_size(layer, n)
    assert conv_output_size(n, kernel_size, stride, padding, dilation) == expected


@FAST
@given(n=sizes, kernel_size=kernels, stride=strides, padding=st.integers(0, 3))
def test_int_padding_matches_zero_padding_then_valid_conv(n, kernel_size, stride, padding):
    assume(kernel_size <= n + 2 * padding)
    padded = keras.layers.ZeroPadding2D(padding).compute_output_shape((1, n, n, 1))
    expected = keras.layers.Conv2D(1, kernel_size, stride).compute_output_shape(padded)[1]
    assert conv_output_size(n, kernel_size, stride, padding, rounding="floor") == expected
    if (n + 2 * padding - kernel_size) % stride == 0:
        assert conv_output_size(n, kernel_size, stride, padding) == expected
    else:
        with pytest.raises(ValueError, match="not a whole number"):
            conv_output_size(n, kernel_size, stride, padding)


@FAST
@given(
    n=sizes,
    pool_size=st.integers(1, 5),
    stride=st.none() | strides,
    padding=modes,
    layer=st.sampled_from([keras.layers.MaxPool2D, keras.layers.AveragePooling2D]),
)
def test_pool_output_size_matches_keras(n, pool_size, stride, padding, layer):
    assume(padding == "same" or pool_size <= n)
    expected = keras_size(layer(pool_size, stride, padding), n)
    assert pool_output_size(n, pool_size, stride, padding) == expected


SAME_GRID = [
    (n, k, s, d)
    for n, k, s, d in itertools.product(range(1, 8), range(1, 6), range(1, 4), (1, 2))
    if s == 1 or d == 1  # TensorFlow's CPU kernel refuses strides > 1 with dilations > 1
]


def test_same_padding_is_the_padding_tensorflow_uses():
    rng = np.random.default_rng(0)
    odd_totals = 0
    for n, k, s, d in SAME_GRID:
        x = rng.normal(size=(1, n, n, 1))
        w = rng.normal(size=(k, k, 1, 1))
        before, after = same_padding(n, k, s, d)
        odd_totals += (before + after) % 2
        x_padded = np.pad(x, ((0, 0), (before, after), (before, after), (0, 0)))
        same = tf.nn.conv2d(x, w, s, "SAME", dilations=d)
        valid = tf.nn.conv2d(x_padded, w, s, "VALID", dilations=d)
        np.testing.assert_allclose(valid, same, atol=1e-12, err_msg=f"n={n} k={k} s={s} d={d}")
        assert same.shape[1] == conv_output_size(n, k, s, "same", d)
    assert odd_totals > 0


@pytest.mark.parametrize("kernel_size", [1, 3, (2, 5)])
@pytest.mark.parametrize("in_channels", [1, 3])
@pytest.mark.parametrize("use_bias", [True, False])
def test_conv_params_matches_keras(kernel_size, in_channels, use_bias):
    layer = keras.layers.Conv2D(4, kernel_size, use_bias=use_bias)
    layer.build((None, 8, 8, in_channels))
    assert conv_params(kernel_size, in_channels, 4, use_bias) == layer.count_params()


@pytest.mark.parametrize(("in_units", "units"), [(1, 1), (784, 10), (12, 5)])
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_params_matches_keras(in_units, units, use_bias):
    layer = keras.layers.Dense(units, use_bias=use_bias)
    layer.build((None, in_units))
    assert dense_params(in_units, units, use_bias) == layer.count_params()


# --- Bad input: the right exception, and a message that names the argument -------------------

BAD_CALLS = [
    (conv_output_size, (7, 3), {"stride": 0}, ValueError, "stride must be a positive .*got 0"),
    (conv_output_size, (7, 3), {"stride": -1}, ValueError, "stride"),
    (conv_output_size, (7, 3), {"stride": 2.0}, TypeError, r"stride .*2\.0"),
    (conv_output_size, (7, 3), {"stride": True}, TypeError, "stride"),
    (conv_output_size, (7, 3), {"padding": -1}, ValueError, "padding .*got -1"),
    (conv_output_size, (7, 3), {"padding": 1.5}, TypeError, "padding"),
    (conv_output_size, (7, 3), {"padding": "full"}, ValueError, "padding .*'full'"),
    (conv_output_size, (7, 3), {"dilation": 0}, ValueError, "dilation"),
    (conv_output_size, (7, 3), {"rounding": "ceil"}, ValueError, "rounding"),
    (conv_output_size, (7, 3), {"rounding": None}, TypeError, "rounding"),
    (conv_output_size, (0, 3), {}, ValueError, "n must be"),
    (conv_output_size, (7.0, 3), {}, TypeError, "n must be"),
    (conv_output_size, (7, 0), {}, ValueError, "kernel_size"),
    (conv_output_size, (3, 5), {}, ValueError, "kernel_size=5 is too large"),
    (conv_output_size, (3, 3), {"dilation": 2}, ValueError, "kernel_size=3 is too large"),
    (conv_output_size, (3, 5), {"padding": "valid"}, ValueError, "kernel_size"),
    (pool_output_size, (4, 0), {}, ValueError, "pool_size"),
    (pool_output_size, (4, 2), {"stride": 0}, ValueError, "stride"),
    (pool_output_size, (4, 2), {"padding": "full"}, ValueError, "padding"),
    (pool_output_size, (4, 5), {}, ValueError, "pool_size=5 is too large"),
    (pool_output_size, (5, 2), {"padding": 0, "rounding": "exact"}, ValueError, "whole number"),
    (same_padding, (0, 3), {}, ValueError, "n must be"),
    (same_padding, (5, 3), {"stride": 0}, ValueError, "stride"),
    (same_padding, (5, 3.0), {}, TypeError, "kernel_size"),
    (same_padding, (5, 3), {"dilation": -2}, ValueError, "dilation"),
    (padding_to_keep_size, (4,), {}, ValueError, "kernel_size must be odd, got 4"),
    (padding_to_keep_size, (0,), {}, ValueError, "kernel_size"),
    (padding_to_keep_size, ("3",), {}, TypeError, "kernel_size"),
    (receptive_field, (3,), {}, TypeError, "layers"),
    (receptive_field, ("33",), {}, TypeError, "layers"),
    (receptive_field, ([(3, 1), 3],), {}, ValueError, r"layers\[1\]"),
    (receptive_field, ([(3, 1, 1, 1)],), {}, ValueError, r"layers\[0\]"),
    (receptive_field, ([(3, 0)],), {}, ValueError, r"layers\[0\] stride"),
    (receptive_field, ([(3.0, 1)],), {}, TypeError, r"layers\[0\] kernel_size"),
    (conv_params, (0, 3, 2), {}, ValueError, "kernel_size"),
    (conv_params, ((2, 2, 2), 3, 2), {}, ValueError, "kernel_size"),
    (conv_params, ((2, 0), 3, 2), {}, ValueError, r"kernel_size\[1\]"),
    (conv_params, (2, 0, 2), {}, ValueError, "in_channels"),
    (conv_params, (2, 3, 2.5), {}, TypeError, "filters"),
    (conv_params, (2, 3, 2), {"use_bias": 1}, TypeError, "use_bias"),
    (dense_params, (0, 2), {}, ValueError, "in_units"),
    (dense_params, (2, -1), {}, ValueError, "units"),
    (dense_params, (2, 2), {"use_bias": "yes"}, TypeError, "use_bias"),
    (conv_macs, (0, 3, 3, 2), {}, ValueError, "output_size"),
    (conv_macs, ((4, 4), 3, 0, 2), {}, ValueError, "in_channels"),
    (conv_macs, ((4, 4), 3, 3, None), {}, TypeError, "filters"),
    (dense_macs, (10, 0), {}, ValueError, "units"),
    (dense_macs, (10.0, 1), {}, TypeError, "in_units"),
    (activation_memory, (100,), {}, TypeError, "shape"),
    (activation_memory, ((10, 0),), {}, ValueError, r"shape\[1\]"),
    (activation_memory, ((10,),), {"dtype": "float8"}, ValueError, "dtype .*'float8'"),
    (activation_memory, ((10,),), {"dtype": 4}, TypeError, "dtype"),
]


@pytest.mark.parametrize(
    ("function", "args", "kwargs", "error", "message"),
    BAD_CALLS,
    ids=[f"{call[0].__name__}-{i}" for i, call in enumerate(BAD_CALLS)],
)
def test_bad_input_is_refused_with_a_message_naming_the_argument(
    function, args, kwargs, error, message
):
    with pytest.raises(error, match=message):
        function(*args, **kwargs)
