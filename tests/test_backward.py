"""cnnlib.reference backward passes: TensorFlow's gradients, numeric gradients, bad input."""

import numpy as np
import pytest
import scipy.signal
import tensorflow as tf
from conv_grid import CONV_GRID, CONV_PARAMS, tf_conv_gradients

from cnnlib.reference import (
    avg_pool_backward,
    avg_pool_forward,
    conv_backward,
    conv_forward,
    dense_backward,
    dense_forward,
    max_pool_backward,
    max_pool_forward,
    numeric_gradient,
    pad2d,
    relative_error,
    relu_backward,
    relu_forward,
    softmax_cross_entropy,
)

EXACT = 1e-12  # the same formula computed in another order (TensorFlow, float64)
NUMERIC = 1e-8  # centred differences, float64


def assert_gradients(actual, expected, tolerance):
    for a, e in zip(actual, expected, strict=True):
        assert a.shape == np.shape(e) and a.dtype == np.float64
        assert relative_error(a, e) <= tolerance


SAMPLE = 12  # elements of an array whose numeric gradient is taken: two calls of f each


def assert_numeric_gradient(f, x, dout, grad, seed):
    """``grad`` (the backward pass's gradient of ``sum(f(x) * dout)``) agrees with centred
    differences at SAMPLE elements of x drawn at random (all of them if x is that small).
    TensorFlow's gradients check every element; this independent check samples them."""
    assert grad.shape == x.shape and grad.dtype == np.float64
    rng = np.random.default_rng(seed)
    picked = rng.choice(x.size, size=min(SAMPLE, x.size), replace=False)

    def f_of_picked(values):
        changed = x.copy()
        changed.flat[picked] = values
        return f(changed)

    numeric = numeric_gradient(f_of_picked, x.flat[picked], dout)
    assert relative_error(grad.flat[picked], numeric) <= NUMERIC


# --- The grid ------------------------------------------------------------------------------


def test_the_grid_covers_the_cases_that_catch_bugs():
    def strides(case):
        return np.broadcast_to(case.stride, 2)

    assert any(case.overlaps() for case in CONV_GRID)
    assert any((strides(case) > case.kernel).any() for case in CONV_GRID)
    assert any(case.kernel[0] != case.kernel[1] for case in CONV_GRID)
    assert any(case.h % 2 and case.w % 2 for case in CONV_GRID)
    assert any(case.padding == "same" and top != bottom for case in CONV_GRID
               for (top, bottom) in case.pads())
    assert {type(case.padding) for case in CONV_GRID} == {str, int, tuple}
    assert any(case.n == 1 and case.c_in != case.c_out for case in CONV_GRID)


# --- Convolution ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CONV_PARAMS)
def test_conv_backward_matches_tensorflow(case):
    x, w, b, dout = case.arrays()
    out, cache = conv_forward(x, w, b, case.stride, case.padding)
    expected_out, expected_grads = tf_conv_gradients(case, x, w, b, dout)
    assert_gradients([out], [expected_out], EXACT)
    assert_gradients(conv_backward(dout, cache), expected_grads, EXACT)


@pytest.mark.parametrize("case", CONV_PARAMS[::3])  # a third of the grid: two calls per value
def test_conv_backward_matches_numeric_gradients(case):
    x, w, b, dout = case.arrays()
    _, cache = conv_forward(x, w, b, case.stride, case.padding)

    def out(x=x, w=w, b=b):
        return conv_forward(x, w, b, case.stride, case.padding)[0]

    dx, dw, db = conv_backward(dout, cache)
    assert_numeric_gradient(lambda v: out(x=v), x, dout, dx, case.seed)
    assert_numeric_gradient(lambda v: out(w=v), w, dout, dw, case.seed + 1)
    assert_numeric_gradient(lambda v: out(b=v), b, dout, db, case.seed + 2)


def test_conv_backward_is_the_lectures_correlation_and_full_convolution():
    rng = np.random.default_rng(3)
    image, kernel, dout = rng.normal(size=(6, 5)), rng.normal(size=(3, 2)), rng.normal(size=(4, 4))
    _, cache = conv_forward(image[None, :, :, None], kernel[:, :, None, None], np.zeros(1))
    dx, dw, db = conv_backward(dout[None, :, :, None], cache)
    # dL/dw: the input correlated with the upstream gradient.
    assert relative_error(dw[:, :, 0, 0], scipy.signal.correlate2d(image, dout, "valid")) < EXACT
    # dL/dx: the upstream gradient fully correlated with the kernel rotated 180 degrees,
    # which is a true full convolution with the kernel.
    full = scipy.signal.correlate2d(dout, kernel[::-1, ::-1], "full")
    assert relative_error(dx[0, :, :, 0], full) < EXACT
    assert relative_error(full, scipy.signal.convolve2d(dout, kernel, "full")) < EXACT
    assert db[0] == pytest.approx(dout.sum())


def test_at_stride_2_the_upstream_gradient_is_spread_out_with_zeros():
    rng = np.random.default_rng(8)
    image, kernel, dout = rng.normal(size=(7, 6)), rng.normal(size=(3, 2)), rng.normal(size=(3, 3))
    _, cache = conv_forward(image[None, :, :, None], kernel[:, :, None, None], np.zeros(1), 2)
    dx, dw, _ = conv_backward(dout[None, :, :, None], cache)
    spread = np.zeros((5, 5))
    spread[::2, ::2] = dout
    dw_expected = scipy.signal.correlate2d(image, spread, "valid")
    assert relative_error(dw[:, :, 0, 0], dw_expected) < EXACT
    dx_expected = scipy.signal.correlate2d(spread, kernel[::-1, ::-1], "full")  # (7, 6)
    assert relative_error(dx[0, :, :, 0], dx_expected) < EXACT


def conv_backward_overwriting(dout, cache):
    """conv_backward with the classic bug: ``=`` instead of ``+=`` for dx."""
    x, w, (sh, sw), pads = cache
    kh, kw = w.shape[:2]
    xp = pad2d(x, pads)
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            dw += np.tensordot(xp[:, rows, cols, :], dout[:, i, j, :], axes=([0], [0]))
            dxp[:, rows, cols, :] = np.tensordot(dout[:, i, j, :], w, axes=([1], [3]))  # bug
    (top, _), (left, _) = pads
    dx = dxp[:, top : top + x.shape[1], left : left + x.shape[2], :]
    return dx, dw, dout.sum(axis=(0, 1, 2))


def test_overwriting_instead_of_adding_fails_exactly_where_windows_overlap():
    for case in CONV_GRID:
        x, w, b, dout = case.arrays()
        _, cache = conv_forward(x, w, b, case.stride, case.padding)
        _, (expected_dx, _, _) = tf_conv_gradients(case, x, w, b, dout)
        passes = relative_error(conv_backward_overwriting(dout, cache)[0], expected_dx) <= EXACT
        # Without overlap each input cell is in at most one window, and the bug is invisible:
        # a grid without overlapping windows would let it through.
        assert passes != case.overlaps(), case.id


# --- Pooling ----------------------------------------------------------------------------------

POOL_GRID = [
    # (N, H, W, C, pool_size, stride, padding)
    (2, 6, 6, 3, 2, None, "valid"),
    (1, 7, 5, 2, 2, None, "same"),
    (2, 7, 7, 2, 3, 2, "valid"),
    (1, 8, 7, 1, 3, 2, "same"),
    (1, 5, 5, 2, 3, 1, "same"),
    (1, 6, 9, 2, (2, 3), (1, 2), "same"),
    (1, 9, 9, 1, 2, 3, "valid"),
    (2, 5, 6, 1, (3, 1), (1, 3), "valid"),
]
POOLS = {"max": (max_pool_forward, max_pool_backward, tf.nn.max_pool2d),
         "avg": (avg_pool_forward, avg_pool_backward, tf.nn.avg_pool2d)}


def tf_pool_gradient(tf_pool, x, pool_size, stride, padding, dout):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = tf_pool(x, pool_size, pool_size if stride is None else stride, padding.upper())
    return out.numpy(), tape.gradient(out, x, output_gradients=tf.constant(dout)).numpy()


@pytest.mark.parametrize("kind", POOLS)
@pytest.mark.parametrize("case", POOL_GRID, ids=str)
def test_pool_backward_matches_tensorflow_and_numeric_gradients(kind, case):
    forward, backward, tf_pool = POOLS[kind]
    n, h, w, c, pool_size, stride, padding = case
    rng = np.random.default_rng(h * w + c)
    x = rng.normal(size=(n, h, w, c))
    out, cache = forward(x, pool_size, stride, padding)
    dout = rng.normal(size=out.shape)
    expected_out, expected_dx = tf_pool_gradient(tf_pool, x, pool_size, stride, padding, dout)
    assert_gradients([out, backward(dout, cache)], [expected_out, expected_dx], EXACT)
    assert_numeric_gradient(lambda v: forward(v, pool_size, stride, padding)[0], x, dout,
                            backward(dout, cache), h * w + c)


@pytest.mark.parametrize("case", POOL_GRID, ids=str)
def test_max_pool_ties_go_to_the_first_maximum_like_tensorflow(case):
    n, h, w, c, pool_size, stride, padding = case
    x = np.random.default_rng(h + w).integers(0, 3, size=(n, h, w, c)).astype(float)
    out, cache = max_pool_forward(x, pool_size, stride, padding)
    dout = np.random.default_rng(1).normal(size=out.shape)
    _, expected = tf_pool_gradient(tf.nn.max_pool2d, x, pool_size, stride, padding, dout)
    assert_gradients([max_pool_backward(dout, cache)], [expected], EXACT)


def test_max_pool_tie_example():
    x = np.array([[1.0, 3.0], [3.0, 2.0]])[None, :, :, None]
    _, cache = max_pool_forward(x, 2)
    assert max_pool_backward(np.ones((1, 1, 1, 1)), cache)[0, :, :, 0].tolist() == [[0, 1], [0, 0]]


# --- ReLU, dense layer, softmax cross-entropy -------------------------------------------------


def tf_gradients(function, inputs, dout=None):
    inputs = [tf.constant(v) for v in inputs]
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        out = function(*inputs)
    dout = None if dout is None else tf.constant(dout)
    return out.numpy(), [g.numpy() for g in tape.gradient(out, inputs, output_gradients=dout)]


def test_relu_backward_matches_tensorflow_also_at_zero():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 3, 4, 5))
    x[0, 0] = 0.0  # no derivative at 0: both give 0
    dout = rng.normal(size=x.shape)
    out, cache = relu_forward(x)
    expected_out, expected_dx = tf_gradients(tf.nn.relu, [x], dout)
    assert_gradients([out, relu_backward(dout, cache)], [expected_out, *expected_dx], EXACT)
    x[0, 0] = 0.5  # away from the kink for centred differences
    _, cache = relu_forward(x)
    numeric = numeric_gradient(lambda v: relu_forward(v)[0], x, dout)
    assert_gradients([relu_backward(dout, cache)], [numeric], NUMERIC)


@pytest.mark.parametrize("x_shape", [(3, 7), (2, 3, 3, 2), (1, 4, 1, 5)])
def test_dense_backward_matches_tensorflow_and_numeric_gradients(x_shape):
    rng = np.random.default_rng(len(x_shape))
    x = rng.normal(size=x_shape)
    w = rng.normal(size=(int(np.prod(x_shape[1:])), 4))
    b, dout = rng.normal(size=4), rng.normal(size=(x_shape[0], 4))
    out, cache = dense_forward(x, w, b)

    def tf_dense(x, w, b):
        return tf.reshape(x, (x.shape[0], -1)) @ w + b

    expected_out, expected_grads = tf_gradients(tf_dense, [x, w, b], dout)
    assert_gradients([out, *dense_backward(dout, cache)], [expected_out, *expected_grads], EXACT)
    numeric = [numeric_gradient(lambda v: dense_forward(v, w, b)[0], x, dout),
               numeric_gradient(lambda v: dense_forward(x, v, b)[0], w, dout),
               numeric_gradient(lambda v: dense_forward(x, w, v)[0], b, dout)]
    assert_gradients(dense_backward(dout, cache), numeric, NUMERIC)


@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_softmax_cross_entropy_matches_tensorflow(scale):
    rng = np.random.default_rng(5)
    logits, y = scale * rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)

    def tf_loss(logits):
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))

    loss, dlogits = softmax_cross_entropy(logits, y)
    expected_loss, (expected_dlogits,) = tf_gradients(tf_loss, [logits])
    assert np.isfinite(loss) and np.isfinite(dlogits).all()  # stable at large logits
    assert loss == pytest.approx(expected_loss, rel=EXACT)
    assert_gradients([dlogits], [expected_dlogits], EXACT)
    if scale == 1.0:
        numeric = numeric_gradient(lambda v: softmax_cross_entropy(v, y)[0], logits)
        assert_gradients([dlogits], [numeric], NUMERIC)


# --- A toy network: 4x4 grey images, conv 3x3, max-pool 2x2, ReLU, dense, softmax ------------


def toy_data():
    """Eight noisy 4x4 images of a vertical (class 0) or horizontal (class 1) bar."""
    rng = np.random.default_rng(6)
    images, labels = [], []
    for k in range(8):
        image = np.zeros((4, 4))
        if k % 2:
            image[k // 2, :] = 1
        else:
            image[:, k // 2] = 1
        images.append(image + 0.1 * rng.normal(size=(4, 4)))
        labels.append(k % 2)
    return np.array(images)[:, :, :, None], np.array(labels)


def toy_params():
    rng = np.random.default_rng(7)
    return [0.5 * rng.normal(size=(3, 3, 1, 4)), np.zeros(4), 0.5 * rng.normal(size=(16, 2)),
            np.zeros(2)]


def toy_loss_and_grads(x, y, params):
    conv_w, conv_b, dense_w, dense_b = params
    a, conv_cache = conv_forward(x, conv_w, conv_b, stride=1, padding=1)
    a, pool_cache = max_pool_forward(a, 2, 2)
    a, relu_cache = relu_forward(a)
    logits, dense_cache = dense_forward(a, dense_w, dense_b)
    loss, dlogits = softmax_cross_entropy(logits, y)
    da, d_dense_w, d_dense_b = dense_backward(dlogits, dense_cache)
    da = max_pool_backward(relu_backward(da, relu_cache), pool_cache)
    _, d_conv_w, d_conv_b = conv_backward(da, conv_cache)
    return loss, [d_conv_w, d_conv_b, d_dense_w, d_dense_b]


def test_toy_network_gradients_match_tensorflow_and_numeric_gradients():
    x, y = toy_data()
    params = toy_params()
    loss, grads = toy_loss_and_grads(x, y, params)

    def tf_loss(conv_w, conv_b, dense_w, dense_b):
        a = tf.nn.conv2d(x, conv_w, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]) + conv_b
        a = tf.nn.relu(tf.nn.max_pool2d(a, 2, 2, "VALID"))
        logits = tf.reshape(a, (len(x), -1)) @ dense_w + dense_b
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))

    expected_loss, expected_grads = tf_gradients(tf_loss, params)
    assert loss == pytest.approx(expected_loss, rel=EXACT)
    assert_gradients(grads, expected_grads, EXACT)
    for k in range(len(params)):
        def loss_of(value, k=k):
            return toy_loss_and_grads(x, y, params[:k] + [value] + params[k + 1 :])[0]

        assert_gradients([grads[k]], [numeric_gradient(loss_of, params[k])], NUMERIC)


def test_toy_network_learns_with_gradient_descent():
    x, y = toy_data()
    params = toy_params()
    first_loss, _ = toy_loss_and_grads(x, y, params)
    for _ in range(100):
        loss, grads = toy_loss_and_grads(x, y, params)
        params = [p - 0.5 * g for p, g in zip(params, grads, strict=True)]
    assert first_loss > 0.5 and loss < 0.05


# --- The gradient checker ---------------------------------------------------------------------


def test_numeric_gradient_of_known_functions():
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    assert relative_error(numeric_gradient(lambda v: np.sum(v**3), x), 3 * x**2) < 1e-9
    dout = np.array([1.0, -2.0])
    assert relative_error(numeric_gradient(lambda v: v @ [1.0, 2.0], x, dout),
                          np.outer(dout, [1.0, 2.0])) < 1e-9
    ints = np.array([1, 2, 3])
    assert relative_error(numeric_gradient(lambda v: v, ints, np.ones(3)), np.ones(3)) < 1e-9
    assert ints.tolist() == [1, 2, 3]  # not changed in place


def test_relative_error():
    a = np.array([1.0, -2.0, 0.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, np.zeros(3)) == 1.0
    assert relative_error(a, a + [1e-9, 0, 1e-9]) == pytest.approx(1e-9 / 4)


# --- Bad input: the right exception, and a message that names the argument -------------------

X, W, B = np.zeros((1, 4, 4, 3)), np.zeros((3, 3, 3, 2)), np.zeros(2)
_, CONV_CACHE = conv_forward(X, W, B)
_, MAX_CACHE = max_pool_forward(X)
_, AVG_CACHE = avg_pool_forward(X)
_, RELU_CACHE = relu_forward(X)
_, DENSE_CACHE = dense_forward(X, np.zeros((48, 5)), np.zeros(5))


def f_identity(v):
    return v


BAD_CALLS = [
    (conv_forward, (np.zeros((4, 4, 3)), W, B), {}, ValueError, "x must be a 4-D array"),
    (conv_forward, (X, np.zeros((3, 3, 2, 2)), B), {}, ValueError, "w has 2 input channels"),
    (conv_forward, (X, W, np.zeros(3)), {}, ValueError, r"b must have shape \(2,\)"),
    (conv_forward, (X, W, None), {}, TypeError, "b must be an array of real numbers"),
    (conv_forward, (X, W, B), {"stride": 0}, ValueError, "stride must be a positive integer"),
    (conv_forward, (X, W, B), {"stride": (1, 0)}, ValueError, r"stride\[1\]"),
    (conv_forward, (X, W, B), {"padding": "full"}, ValueError, "padding must be .*'full'"),
    (conv_forward, (X, W, B), {"padding": -1}, ValueError, "padding"),
    (conv_forward, (X, np.zeros((5, 5, 3, 2)), B), {}, ValueError, "w is 5x5 but the padded"),
    (conv_backward, (np.zeros((1, 2, 2, 3)), CONV_CACHE), {}, ValueError,
     r"dout must have the shape \(1, 2, 2, 2\) of the output of conv_forward, got shape"),
    (conv_backward, (np.zeros((2, 2, 2)), CONV_CACHE), {}, ValueError, "dout must have the shape"),
    (conv_backward, (np.zeros((1, 2, 2, 2)), (X, W)), {}, TypeError,
     "cache must be the cache returned by conv_forward, got a tuple of length 2"),
    (conv_backward, (np.zeros((1, 2, 2, 2)), MAX_CACHE), {}, TypeError, "cache must be"),
    (max_pool_forward, (np.zeros((4, 4)),), {}, ValueError, "x must be a 4-D array"),
    (max_pool_forward, (X,), {"pool_size": 0}, ValueError, "pool_size"),
    (max_pool_forward, (X,), {"stride": 0}, ValueError, "stride"),
    (max_pool_forward, (X,), {"padding": 1}, TypeError, "padding must be 'valid' or 'same', got 1"),
    (avg_pool_forward, (X,), {"padding": "full"}, ValueError, "padding"),
    (max_pool_backward, (np.zeros((1, 2, 2, 2)), MAX_CACHE), {}, ValueError, "dout must have"),
    (max_pool_backward, (np.zeros((1, 2, 2, 3)), AVG_CACHE), {}, TypeError,
     "cache must be the cache returned by max_pool_forward"),
    (avg_pool_backward, (np.zeros((1, 2, 2, 3)), MAX_CACHE), {}, TypeError,
     "cache must be the cache returned by avg_pool_forward"),
    (avg_pool_backward, (np.zeros((1, 4, 4, 3)), AVG_CACHE), {}, ValueError, "dout must have"),
    (relu_forward, (np.array(["a"]),), {}, TypeError, "x must be an array of real numbers"),
    (relu_backward, (np.zeros((1, 4, 4)), RELU_CACHE), {}, ValueError, "dout must have"),
    (relu_backward, (np.zeros((1, 4, 4, 3)), X), {}, TypeError, "cache must be"),
    (dense_forward, (np.zeros(3), np.zeros((3, 2)), B), {}, ValueError, "x must be an array of"),
    (dense_forward, (X, np.zeros((47, 2)), B), {}, ValueError, "w has 47 rows but x has D = 48"),
    (dense_forward, (X, np.zeros(48), B), {}, ValueError, "w must be a 2-D array"),
    (dense_forward, (X, np.zeros((48, 2)), np.zeros(3)), {}, ValueError, r"b must have shape"),
    (dense_backward, (np.zeros((1, 4)), DENSE_CACHE), {}, ValueError, r"dout .*\(1, 5\)"),
    (softmax_cross_entropy, (np.zeros(3), [0]), {}, ValueError, "logits must be a 2-D array"),
    (softmax_cross_entropy, (np.zeros((0, 3)), []), {}, ValueError, "logits must hold"),
    (softmax_cross_entropy, (np.zeros((2, 3)), [0.0, 1.0]), {}, TypeError, "y must be an array "
     "of integer"),
    (softmax_cross_entropy, (np.zeros((2, 3)), [0, 1, 2]), {}, ValueError, r"y must have shape"),
    (softmax_cross_entropy, (np.zeros((2, 3)), [0, 3]), {}, ValueError, r"y must hold class "
     r"labels in \[0, 2\]"),
    (softmax_cross_entropy, (np.zeros((2, 3)), [-1, 0]), {}, ValueError, "y must hold"),
    (numeric_gradient, (None, X), {}, TypeError, "f must be a function"),
    (numeric_gradient, (f_identity, X), {"h": 0}, ValueError, "h must be a positive"),
    (numeric_gradient, (f_identity, X), {"h": "1e-5"}, TypeError, "h must be a positive"),
    (numeric_gradient, (f_identity, X, np.zeros(3)), {}, ValueError, r"dout must have the shape"),
    (numeric_gradient, (f_identity, np.array(["a"])), {}, TypeError, "x must be an array"),
    (relative_error, (np.zeros(2), np.zeros(3)), {}, ValueError, "a and b must have the same"),
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
