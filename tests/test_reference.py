"""cnnlib.reference: the lectures' worked examples, agreement with TensorFlow/SciPy, bad input."""

import numpy as np
import pytest
import scipy.signal
import tensorflow as tf
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnlib.reference import (
    avg_pool2d,
    conv1x1,
    conv2d,
    convolve2d,
    correlate2d,
    max_pool2d,
    pad2d,
)

TOLERANCE = 1e-10  # float64 throughout


def as_batch(image):
    """(H, W) -> (1, H, W, 1)."""
    return np.asarray(image, dtype=float)[None, :, :, None]


def as_kernel(kernel):
    """(kh, kw) -> (kh, kw, 1, 1)."""
    return np.asarray(kernel, dtype=float)[:, :, None, None]


def assert_close(actual, expected):
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == np.float64
    assert np.max(np.abs(actual - expected), initial=0) <= TOLERANCE


# --- The lectures' worked examples ------------------------------------------------------------


def test_l2_sum_of_3x3_windows():
    image = [[3, 2, 1, 5], [5, 1, 2, 1], [1, 2, 3, 0], [0, 2, 1, 2]]
    ones = np.ones((3, 3))
    assert_close(correlate2d(image, ones), [[20, 17], [17, 14]])
    assert_close(convolve2d(image, ones), [[20, 17], [17, 14]])  # symmetric kernel: the same


def test_l3_2x2_example_is_a_cross_correlation():
    image = [[0, -1, 0], [20, 5, -1], [9, 0, 10]]
    kernel = [[1, 0], [2, -1]]
    # L3 calls it "convolution operation", but 0*1 + (-1)*0 + 20*2 + 5*(-1) = 35 multiplies
    # each pixel by the kernel entry at the same place: a cross-correlation, as in Keras.
    assert_close(correlate2d(image, kernel), [[35, 10], [38, -5]])
    assert_close(convolve2d(image, kernel), [[3, 0], [-10, 3]])  # flipped kernel: not it
    assert_close(conv2d(as_batch(image), as_kernel(kernel))[0, :, :, 0], [[35, 10], [38, -5]])


def test_l2_stride_2_example():
    image = [[3, 2, 1, 0, 5], [5, 1, 2, 3, 1], [1, 2, 3, 2, 0], [0, 2, 1, 1, 2], [1, 3, 2, 0, 4]]
    kernel = [[2, 0, 1], [1, 1, 0], [0, 2, 1]]
    # Reproduced by cross-correlation (a true convolution gives [[17, 8], [13, 20]]).
    out = conv2d(as_batch(image), as_kernel(kernel), stride=2)
    assert_close(out[0, :, :, 0], [[20, 16], [15, 12]])
    assert_close(convolve2d(image, kernel)[::2, ::2], [[17, 8], [13, 20]])


def test_l2_rgb_example_with_zero_padding():
    image = np.stack(
        [
            [[1, 1, 1], [2, 1, 3], [0, 1, 0]],  # R
            [[2, 2, 2], [1, 0, 1], [0, 0, 1]],  # G
            [[0, 3, 0], [1, 0, 1], [1, 0, 0]],  # B
        ],
        axis=-1,
    )[None]
    kernels = np.stack(
        [
            [[0, 0, 0], [0, 0, 1], [0, 1, 0]],
            [[0, 2, 0], [0, 2, 0], [0, 2, 0]],
            [[1, 0, 0], [0, 2, 0], [0, 0, 1]],
        ],
        axis=-1,
    )[:, :, :, None]
    per_channel = [
        conv2d(image[..., [c]], kernels[:, :, [c]], padding=1)[0, 0, 0, 0] for c in range(3)
    ]
    assert per_channel == [3, 6, 0]
    assert conv2d(image, kernels, padding=1)[0, 0, 0, 0] == 9


def test_l1_max_pool_example():
    x = as_batch([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
    assert_close(max_pool2d(x, 2, 2)[0, :, :, 0], [[6, 8], [3, 4]])
    assert_close(avg_pool2d(x, 2)[0, :, :, 0], [[3.25, 5.25], [2, 2]])


def test_l2_1x1_convolution_pixel():
    pixel = np.array([2.2, 4.0, 0.6, 1.2, 0.0, 2.3, 0.0, 0.2]).reshape(1, 1, 1, 8)
    kernel = np.array([0.6, 0.8, 0.4, 0.1, 0.0, 0.2, -1.0, 1.0]).reshape(8, 1)
    assert conv1x1(pixel, kernel)[0, 0, 0, 0] == pytest.approx(5.54)


# --- Agreement with TensorFlow and SciPy -------------------------------------------------------

CONV_CASES = {
    # name: (N, H, W, C_in, C_out, kh, kw, stride, padding)
    "valid": (2, 7, 7, 3, 4, 3, 3, 1, "valid"),
    "valid-stride-2": (1, 8, 9, 2, 3, 3, 3, 2, "VALID"),
    "valid-floored": (1, 7, 7, 1, 1, 3, 3, 3, "valid"),
    "same": (2, 7, 7, 3, 2, 3, 3, 1, "same"),
    "same-odd-total": (1, 6, 6, 1, 2, 3, 3, 2, "same"),
    "same-even-kernel": (2, 5, 7, 2, 2, 2, 4, 1, "SAME"),
    "same-kernel-larger-than-input": (1, 3, 3, 2, 1, 5, 5, 1, "same"),
    "same-stride-pair": (1, 9, 8, 2, 3, 3, 2, (2, 3), "same"),
    "non-square-kernel": (1, 6, 8, 3, 2, 1, 5, 1, "valid"),
    "stride-larger-than-kernel": (1, 9, 9, 2, 3, 2, 2, 3, "valid"),
    "kernel-equals-input": (3, 4, 5, 2, 2, 4, 5, 1, "valid"),
    "explicit-1": (2, 5, 5, 3, 4, 3, 3, 1, 1),
    "explicit-2-stride-2": (1, 6, 6, 2, 2, 3, 3, 2, 2),
    "explicit-pair": (1, 5, 6, 1, 3, 3, 2, (1, 2), (2, 1)),
    "explicit-asymmetric": (1, 5, 5, 2, 2, 3, 3, 2, ((0, 1), (2, 0))),
}


def tf_padding(padding):
    if isinstance(padding, str):
        return padding.upper()
    if isinstance(padding, int):
        padding = (padding, padding)
    sides = [side if isinstance(side, tuple) else (side, side) for side in padding]
    return [[0, 0], list(sides[0]), list(sides[1]), [0, 0]]


@pytest.mark.parametrize("case", CONV_CASES.values(), ids=CONV_CASES.keys())
def test_conv2d_matches_tensorflow(case):
    n, h, w, c_in, c_out, kh, kw, stride, padding = case
    rng = np.random.default_rng(sum(case[:7]))
    x = rng.normal(size=(n, h, w, c_in))
    kernel = rng.normal(size=(kh, kw, c_in, c_out))
    bias = rng.normal(size=c_out)
    expected = tf.nn.conv2d(x, kernel, stride, tf_padding(padding)).numpy()
    assert_close(conv2d(x, kernel, stride=stride, padding=padding), expected)
    assert_close(conv2d(x, kernel, bias, stride, padding), expected + bias)


@settings(max_examples=40, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 2), st.integers(1, 9), st.integers(1, 9), st.integers(1, 3)),
    c_out=st.integers(1, 3),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.sampled_from(["valid", "same"]) | st.integers(0, 2),
    seed=st.integers(0, 2**32 - 1),
)
def test_conv2d_matches_tensorflow_on_random_shapes(shape, c_out, kernel, stride, padding, seed):
    p = 0 if padding in ("valid", "same") else padding
    assume(padding == "same" or (kernel[0] <= shape[1] + 2 * p and kernel[1] <= shape[2] + 2 * p))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    w = rng.normal(size=(*kernel, shape[3], c_out))
    expected = tf.nn.conv2d(x, w, stride, tf_padding(padding)).numpy()
    assert_close(conv2d(x, w, stride=stride, padding=padding), expected)


@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize(
    ("image_shape", "kernel_shape"),
    [((5, 5), (3, 3)), ((4, 7), (2, 3)), ((6, 3), (1, 3)), ((3, 3), (3, 3))],
)
def test_correlate_and_convolve_match_scipy(mode, image_shape, kernel_shape):
    rng = np.random.default_rng(7)
    image, kernel = rng.normal(size=image_shape), rng.normal(size=kernel_shape)
    assert_close(correlate2d(image, kernel, mode), scipy.signal.correlate2d(image, kernel, mode))
    assert_close(convolve2d(image, kernel, mode), scipy.signal.convolve2d(image, kernel, mode))


def test_conv1x1_is_conv2d_with_a_1x1_kernel():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4, 5, 8))
    w = rng.normal(size=(8, 4))
    assert_close(conv1x1(x, w), conv2d(x, w[None, None]))
    assert_close(conv1x1(x, w[None, None]), conv2d(x, w[None, None]))


POOL_CASES = {
    # name: (N, H, W, C, pool_size, stride, padding)
    "2x2-valid": (2, 6, 6, 3, 2, None, "valid"),
    "2x2-valid-odd-input": (1, 7, 5, 2, 2, None, "valid"),
    "2x2-same-odd-input": (1, 7, 5, 2, 2, None, "same"),
    "3x3-stride-2-overlapping": (2, 7, 7, 2, 3, 2, "valid"),
    "3x3-stride-2-same": (1, 8, 7, 1, 3, 2, "SAME"),
    "3x3-stride-1-same": (1, 5, 5, 2, 3, 1, "same"),
    "non-square": (1, 6, 9, 2, (2, 3), (1, 2), "same"),
    "stride-larger-than-pool": (1, 9, 9, 1, 2, 3, "valid"),
}


@pytest.mark.parametrize("case", POOL_CASES.values(), ids=POOL_CASES.keys())
def test_pooling_matches_tensorflow(case):
    n, h, w, c, pool_size, stride, padding = case
    rng = np.random.default_rng(h * w)
    x = rng.normal(size=(n, h, w, c)) - 3  # negative values: zero padding would win a max
    tf_stride = pool_size if stride is None else stride
    expected_max = tf.nn.max_pool2d(tf.constant(x), pool_size, tf_stride, padding.upper()).numpy()
    expected_avg = tf.nn.avg_pool2d(tf.constant(x), pool_size, tf_stride, padding.upper()).numpy()
    assert_close(max_pool2d(x, pool_size, stride, padding), expected_max)
    assert_close(avg_pool2d(x, pool_size, stride, padding), expected_avg)


def test_pad2d_and_dtypes():
    x = np.arange(4).reshape(1, 2, 2, 1)
    assert pad2d(x, 1).shape == (1, 4, 4, 1)
    assert pad2d(x, 1).dtype == x.dtype
    assert pad2d(x, ((0, 1), (2, 0)))[0, :, :, 0].tolist() == [
        [0, 0, 0, 1],
        [0, 0, 2, 3],
        [0, 0, 0, 0],
    ]
    assert pad2d(x, (1, 0), value=-np.inf)[0, 0, 0, 0] == -np.inf
    assert np.array_equal(pad2d(x, "valid"), x)
    assert conv2d(x, np.ones((1, 1, 1, 1), dtype=np.int32)).dtype == np.float64
    assert max_pool2d(x.tolist(), 2)[0, 0, 0, 0] == 3.0


# --- Bad input: the right exception, and a message that names the argument -------------------

X = np.zeros((1, 4, 4, 3))
W = np.zeros((3, 3, 3, 2))
IMAGE = np.zeros((4, 4))

BAD_CALLS = [
    (pad2d, (np.zeros((4, 4)), 1), {}, ValueError, r"x must be a 4-D array .*\(4, 4\)"),
    (pad2d, (X, -1), {}, ValueError, "padding"),
    (pad2d, (X, 1.5), {}, TypeError, "padding"),
    (pad2d, (X, "same"), {}, ValueError, "padding"),
    (pad2d, (X, (1, 2, 3)), {}, ValueError, "padding"),
    (pad2d, (X, 1), {"value": "zero"}, TypeError, "value"),
    (pad2d, (np.array([["a"]]), 1), {}, TypeError, "x must be an array of real numbers"),
    (correlate2d, (X, IMAGE), {}, ValueError, "image must be a 2-D array"),
    (correlate2d, (IMAGE, W), {}, ValueError, "kernel must be a 2-D array"),
    (correlate2d, (IMAGE, np.zeros((5, 2))), {}, ValueError, "kernel is 5x2 but image"),
    (correlate2d, (IMAGE, np.zeros((0, 2))), {}, ValueError, "kernel must not be empty"),
    (correlate2d, (IMAGE, IMAGE), {"mode": "same"}, ValueError, "mode"),
    (convolve2d, (IMAGE, IMAGE), {"mode": "circular"}, ValueError, "mode"),
    (convolve2d, (IMAGE, [["x"]]), {}, TypeError, "kernel"),
    (conv2d, (IMAGE, W), {}, ValueError, r"x must be a 4-D array \(N, H, W, C_in\), got shape"),
    (conv2d, (X, np.zeros((3, 3, 3))), {}, ValueError, "w must be a 4-D array"),
    (conv2d, (X, np.zeros((3, 3, 2, 2))), {}, ValueError, "w has 2 input channels but x has 3"),
    (conv2d, (X, W, np.zeros(3)), {}, ValueError, r"b must have shape \(2,\)"),
    (conv2d, (X, W, np.zeros((1, 2))), {}, ValueError, "b must be a 1-D array"),
    (conv2d, (X, W), {"stride": 0}, ValueError, "stride must be a positive integer"),
    (conv2d, (X, W), {"stride": (1, 0)}, ValueError, r"stride\[1\]"),
    (conv2d, (X, W), {"stride": 1.0}, TypeError, "stride"),
    (conv2d, (X, W), {"padding": "full"}, ValueError, "padding .*'full'"),
    (conv2d, (X, W), {"padding": -1}, ValueError, "padding"),
    (conv2d, (X, W), {"padding": 0.5}, TypeError, "padding"),
    (conv2d, (X, np.zeros((5, 5, 3, 1))), {}, ValueError, "w is 5x5 but the padded input"),
    (conv2d, (X, np.zeros((7, 7, 3, 1))), {"padding": 1}, ValueError, "w is 7x7"),
    (conv2d, (X.astype(complex), W), {}, TypeError, "x must be an array of real numbers"),
    (conv1x1, (X, np.zeros((2, 4))), {}, ValueError, "w has 2 input channels but x has 3"),
    (conv1x1, (X, np.zeros((3, 3, 3, 4))), {}, ValueError, r"w must have shape"),
    (conv1x1, (X, np.zeros(3)), {}, ValueError, "w must be a 2-D array"),
    (conv1x1, (IMAGE, np.zeros((3, 4))), {}, ValueError, "x must be a 4-D array"),
    (max_pool2d, (IMAGE,), {}, ValueError, "x must be a 4-D array"),
    (max_pool2d, (X,), {"pool_size": 0}, ValueError, "pool_size"),
    (max_pool2d, (X,), {"stride": -2}, ValueError, "stride"),
    (max_pool2d, (X,), {"padding": "full"}, ValueError, "padding"),
    (max_pool2d, (X,), {"padding": 1}, TypeError, "padding"),
    (max_pool2d, (X,), {"pool_size": 5}, ValueError, "pool_size is 5x5 but the padded input"),
    (avg_pool2d, (X,), {"pool_size": (2, 2, 2)}, ValueError, "pool_size"),
    (avg_pool2d, (X,), {"stride": 0}, ValueError, "stride"),
    (avg_pool2d, (X,), {"padding": "causal"}, ValueError, "padding"),
    (avg_pool2d, (np.array([[[["a"]]]]),), {}, TypeError, "x must be an array of real numbers"),
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
