"""Tests of cnnlib.reference.speed: the scalar loops and the convolution timing (small shapes)."""

import numpy as np
import pytest
import tensorflow as tf

from cnnlib import reference
from cnnlib.reference import speed


def conv_arrays(x_shape=(2, 7, 6, 3), w_shape=(3, 2, 3, 4), seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[3])


@pytest.mark.parametrize(("stride", "pad"), [(1, 0), (2, 1), (3, 2), (1, 1)])
def test_scalar_loops_equal_the_library_forward_and_backward(stride, pad):
    x, w, b = conv_arrays()
    out, cache = reference.conv_forward(x, w, b, stride, pad)
    np.testing.assert_allclose(speed.scalar_loops_conv_forward(x, w, b, stride, pad), out,
                               rtol=1e-12, atol=1e-12)
    dout = np.random.default_rng(1).normal(size=out.shape)
    for got, expected in zip(speed.scalar_loops_conv_backward(dout, x, w, stride, pad),
                             reference.conv_backward(dout, cache), strict=True):
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_scalar_loops_match_tensorflow_and_the_tf_functions_too():
    x, w, b = conv_arrays()
    out = speed.scalar_loops_conv_forward(x, w, b, 2, 1)
    dout = np.random.default_rng(2).normal(size=out.shape)
    forward, backward = speed.tf_conv_functions(x, w, b, dout, 2, 1, "float64")
    np.testing.assert_allclose(forward(), out, rtol=1e-10)
    with tf.GradientTape() as tape:
        xs, ws, bs = (tf.Variable(v) for v in (x, w, b))
        result = tf.nn.conv2d(xs, ws, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]) + bs
        loss = tf.reduce_sum(result * dout)
    taped = [g.numpy() for g in tape.gradient(loss, [xs, ws, bs])]
    for got, loops, expected in zip(backward(), speed.scalar_loops_conv_backward(dout, x, w, 2, 1),
                                    taped, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(loops, expected, rtol=1e-10, atol=1e-12)
    assert forward().dtype == np.float64
    assert speed.tf_conv_functions(x, w, b, dout, 2, 1)[0]().dtype == np.float32


def test_shortest_times_calls_every_function_once_per_round_after_a_warm_up():
    calls = []
    times = speed.shortest_times({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                                 3)
    assert calls == ["a", "b"] * 4
    assert set(times) == {"a", "b"} and all(0 <= t < 1 for t in times.values())


def test_compare_conv_speeds_checks_the_numbers_and_scales_the_loops():
    speeds = speed.compare_conv_speeds((4, 9, 9, 2), (3, 3, 2, 3), stride=2, pad=1,
                                       loop_examples=2, repeats=2)
    names = [speed.LOOPS, speed.NAIVE, speed.IM2COL, "tf.nn.conv2d float32",
             "tf.nn.conv2d float64"]
    assert list(speeds.seconds) == names and list(speeds.errors) == names
    assert speeds.out_shape == (4, 5, 5, 3)
    assert max(speeds.errors.values()) < 1e-5
    assert max(error for name, error in speeds.errors.items() if "float32" not in name) < 1e-12
    assert all(t > 0 for pair in speeds.seconds.values() for t in pair)
    forward, backward = speeds.ratio(speed.LOOPS, speed.IM2COL)
    assert forward == speeds.seconds[speed.LOOPS][0] / speeds.seconds[speed.IM2COL][0]
    assert backward == speeds.seconds[speed.LOOPS][1] / speeds.seconds[speed.IM2COL][1]
    table = speeds.table()
    assert table.startswith("x (4, 9, 9, 2), w (3, 3, 2, 3), stride 2, padding 1 -> out "
                            "(4, 5, 5, 3); scalar loops timed on 2 examples, scaled to 4")
    for line in ("scalar loops / im2col", "naive / im2col", "im2col / tf float32",
                 "im2col / tf float64"):
        assert f"\n{line} " in table
    assert table.count("\n") == 2 + len(names) + 5


@pytest.mark.parametrize(("call", "error", "argument"), [
    (lambda: speed.scalar_loops_conv_forward(np.ones((1, 4, 4)), np.ones((2, 2, 1, 1)),
                                             np.ones(1)), ValueError, "x"),
    (lambda: speed.scalar_loops_conv_forward(np.ones((1, 4, 4, 2)), np.ones((2, 2, 1, 1)),
                                             np.ones(1)), ValueError, "channels"),
    (lambda: speed.scalar_loops_conv_forward(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1)),
                                             np.ones(2)), ValueError, "b must"),
    (lambda: speed.scalar_loops_conv_forward(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1)),
                                             np.ones(1), stride=0), ValueError, "stride"),
    (lambda: speed.scalar_loops_conv_forward(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1)),
                                             np.ones(1), pad=-1), ValueError, "pad"),
    (lambda: speed.scalar_loops_conv_forward(np.ones((1, 4, 4, 1)), np.ones((6, 6, 1, 1)),
                                             np.ones(1)), ValueError, "do not fit"),
    (lambda: speed.scalar_loops_conv_forward(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1)),
                                             np.ones(1), stride=1.5), TypeError, "stride"),
    (lambda: speed.scalar_loops_conv_backward(np.ones((1, 2, 2, 1)), np.ones((1, 4, 4, 1)),
                                              np.ones((2, 2, 1, 1))), ValueError, "dout"),
    (lambda: speed.tf_conv_functions(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1)), np.ones(1),
                                     np.ones((1, 3, 3, 1)), dtype="float16"), ValueError, "dtype"),
    (lambda: speed.shortest_times({}, 1), TypeError, "functions"),
    (lambda: speed.shortest_times({"a": 3}, 1), TypeError, "functions"),
    (lambda: speed.shortest_times({"a": print}, 0), ValueError, "repeats"),
    (lambda: speed.compare_conv_speeds((4, 9, 9), (3, 3, 2, 3)), ValueError, "x_shape"),
    (lambda: speed.compare_conv_speeds("big"), TypeError, "x_shape"),
    (lambda: speed.compare_conv_speeds((4, 9, 9, 2), (3, 3, 1, 3)), ValueError, "channels"),
    (lambda: speed.compare_conv_speeds((4, 9, 9, 2), (3, 3, 2, 0)), ValueError, r"w_shape\[3\]"),
    (lambda: speed.compare_conv_speeds(loop_examples=101), ValueError, "loop_examples"),
    (lambda: speed.compare_conv_speeds(repeats=True), TypeError, "repeats"),
    (lambda: speed.compare_conv_speeds(device=0), TypeError, "device"),
])
def test_bad_arguments_name_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


def test_ratio_rejects_unknown_implementations():
    speeds = speed.compare_conv_speeds((2, 5, 5, 1), (3, 3, 1, 1), loop_examples=1, repeats=1)
    with pytest.raises(ValueError, match="slow"):
        speeds.ratio("im2col", speed.IM2COL)
