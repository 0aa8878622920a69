"""cnnlib.reference.fast: im2col/col2im convolution equals the naive loops and TensorFlow."""

import numpy as np
import pytest
from conv_grid import CONV_PARAMS, tf_conv_gradients

from cnnlib.reference import (
    col2im,
    conv2d,
    conv_backward,
    conv_backward_im2col,
    conv_forward,
    conv_forward_im2col,
    im2col,
    pad2d,
    relative_error,
)

EXACT = 1e-12


def test_im2col_rows_are_the_flattened_windows():
    x = np.arange(2 * 5 * 4 * 3, dtype=float).reshape(2, 5, 4, 3)
    cols = im2col(x, 3, 2, stride=(2, 1), padding=((0, 1), (1, 0)))
    xp = pad2d(x, ((0, 1), (1, 0)))  # (2, 6, 5, 3): 2 x 4 windows of 3x2
    assert cols.shape == (2 * 2 * 4, 3 * 2 * 3)
    for n in range(2):
        for i in range(2):
            for j in range(4):
                window = xp[n, 2 * i : 2 * i + 3, j : j + 2, :]
                assert np.array_equal(cols[(n * 2 + i) * 4 + j], window.ravel())


@pytest.mark.parametrize("case", CONV_PARAMS)
def test_col2im_is_the_adjoint_of_im2col(case):
    # <im2col(x), c> == <x, col2im(c)> for every x and c: col2im is im2col's transpose,
    # which is what backpropagating through the copy needs.
    x, w, _, _ = case.arrays()
    args = (*case.kernel, case.stride, case.padding)
    cols = im2col(x, *args)
    c = np.random.default_rng(case.seed).normal(size=cols.shape)
    assert np.sum(cols * c) == pytest.approx(np.sum(x * col2im(c, x.shape, *args)), rel=EXACT)
    assert relative_error(cols @ w.reshape(-1, case.c_out),
                          conv2d(x, w, stride=case.stride, padding=case.padding).reshape(
                              -1, case.c_out)) <= EXACT


@pytest.mark.parametrize("case", CONV_PARAMS)
def test_im2col_path_equals_the_naive_path_and_tensorflow(case):
    x, w, b, dout = case.arrays()
    out, cache = conv_forward_im2col(x, w, b, case.stride, case.padding)
    naive_out, naive_cache = conv_forward(x, w, b, case.stride, case.padding)
    expected_out, expected_grads = tf_conv_gradients(case, x, w, b, dout)
    grads = conv_backward_im2col(dout, cache)
    for actual, naive, expected in zip([out, *grads],
                                       [naive_out, *conv_backward(dout, naive_cache)],
                                       [expected_out, *expected_grads], strict=True):
        assert actual.shape == naive.shape == expected.shape and actual.dtype == np.float64
        assert relative_error(actual, naive) <= EXACT
        assert relative_error(actual, expected) <= EXACT


def test_integer_input_is_computed_in_float64():
    x, w = np.arange(16).reshape(1, 4, 4, 1), np.ones((2, 2, 1, 1), dtype=np.int32)
    out, cache = conv_forward_im2col(x, w, [1])
    assert out.dtype == np.float64 and out[0, 0, 0, 0] == 0 + 1 + 4 + 5 + 1
    assert all(g.dtype == np.float64 for g in conv_backward_im2col(np.ones(out.shape), cache))


# --- Bad input: the right exception, and a message that names the argument -------------------

X, W, B = np.zeros((1, 4, 4, 3)), np.zeros((3, 3, 3, 2)), np.zeros(2)
COLS = np.zeros((4, 27))
_, CACHE = conv_forward_im2col(X, W, B)
_, NAIVE_CACHE = conv_forward(X, W, B)

BAD_CALLS = [
    (im2col, (np.zeros((4, 4)), 3, 3), {}, ValueError, "x must be a 4-D array"),
    (im2col, (X, 0, 3), {}, ValueError, "kh must be a positive integer"),
    (im2col, (X, 3, 1.5), {}, TypeError, "kw must be a positive integer"),
    (im2col, (X, 3, 3), {"stride": 0}, ValueError, "stride must be a positive integer"),
    (im2col, (X, 3, 3), {"padding": "full"}, ValueError, "padding must be .*'full'"),
    (im2col, (X, 5, 3), {}, ValueError, r"the \(kh, kw\) window is 5x3 but the padded input"),
    (col2im, (np.zeros((4, 26)), X.shape, 3, 3), {}, ValueError,
     r"cols must have shape \(N\*H_out\*W_out, kh\*kw\*C\) = \(4, 27\)"),
    (col2im, (np.zeros(27), X.shape, 3, 3), {}, ValueError, "cols must have shape"),
    (col2im, (COLS, (4, 4, 3), 3, 3), {}, ValueError, "x_shape must be 4 positive integers"),
    (col2im, (COLS, (1, 4, 4, 3.0), 3, 3), {}, ValueError, "x_shape must be"),
    (col2im, (COLS, X.shape, 3, 3), {"padding": -1}, ValueError, "padding"),
    (col2im, (np.array([["a"]]), X.shape, 3, 3), {}, TypeError, "cols must be an array of real"),
    (conv_forward_im2col, (X, np.zeros((3, 3, 2, 2)), B), {}, ValueError,
     "w has 2 input channels but x has 3"),
    (conv_forward_im2col, (X, W, B), {"stride": (1, 0)}, ValueError, r"stride\[1\]"),
    (conv_forward_im2col, (X, W, B), {"padding": "causal"}, ValueError, "padding"),
    (conv_forward_im2col, (X[0], W, B), {}, ValueError, "x must be a 4-D array"),
    (conv_backward_im2col, (np.zeros((1, 2, 2, 3)), CACHE), {}, ValueError,
     r"dout must have the shape \(1, 2, 2, 2\) of the output of conv_forward_im2col"),
    (conv_backward_im2col, (np.zeros((1, 2, 2, 2)), NAIVE_CACHE), {}, TypeError,
     "cache must be the cache returned by conv_forward_im2col, got a _ConvCache"),
    (conv_backward, (np.zeros((1, 2, 2, 2)), CACHE), {}, TypeError,
     "cache must be the cache returned by conv_forward, got a _Im2colCache"),
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
