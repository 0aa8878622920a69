"""How fast is each convolution? Scalar loops, naive, im2col and ``tf.nn.conv2d`` (notebook 07).

CS231n's timing set-up in NHWC: the forward pass and the backward pass (dx, dw and db for a
given upstream gradient) of one convolution layer, computed by

- scalar loops: CS231n's naive version, one small dot product per output value, looping over
  ``(n, f, i, j)`` (:func:`scalar_loops_conv_forward`, :func:`scalar_loops_conv_backward`),
  for scale: the time goes into the Python interpreter;
- naive: :func:`~cnnlib.reference.conv_forward`/:func:`~cnnlib.reference.conv_backward`, one
  iteration per output position ``(i, j)``, vectorised over the batch and the channels;
- im2col: :func:`~cnnlib.reference.conv_forward_im2col`/``conv_backward_im2col``;
- ``tf.nn.conv2d`` (+ bias) in float32 and float64, its backward pass timed with the two ops
  that its registered gradient runs, ``Conv2DBackpropInput`` and ``Conv2DBackpropFilter``
  (+ the bias's sum) (:func:`tf_conv_functions`).

:func:`compare_conv_speeds` checks that all of them compute the same numbers, times them with
:func:`shortest_times` and returns a :class:`ConvSpeeds`; notebook 07 and
``benchmarks/bench_conv.py`` both call it.  Times depend on the machine and its load: compare
the ratios of times measured in one run.
"""

import time
from typing import NamedTuple

import numpy as np

from cnnlib._validation import (
    check_array,
    check_choice,
    check_int,
    check_non_negative_int,
    check_positive_int,
    check_str,
)
from cnnlib.reference.backward import conv_backward, conv_forward
from cnnlib.reference.fast import conv_backward_im2col, conv_forward_im2col
from cnnlib.reference.gradcheck import relative_error
from cnnlib.timing import device_name

__all__ = [
    "ConvSpeeds",
    "compare_conv_speeds",
    "scalar_loops_conv_backward",
    "scalar_loops_conv_forward",
    "shortest_times",
    "tf_conv_functions",
]

LOOPS, NAIVE, IM2COL = "scalar loops (n, f, i, j)", "naive (library)", "im2col (library)"
_TF_DTYPES = ("float32", "float64")


_NO_BIAS = object()  # _conv_arrays without b (the backward pass needs none)


def _conv_arrays(x, w, b=_NO_BIAS):
    x = check_array("x", x, 4, layout="(N, H, W, C_in)").astype(np.float64)
    w = check_array("w", w, 4, layout="(kh, kw, C_in, C_out)").astype(np.float64)
    if w.shape[2] != x.shape[3]:
        raise ValueError(f"w has {w.shape[2]} input channels but x has {x.shape[3]}")
    if b is _NO_BIAS:
        return x, w
    b = check_array("b", b, 1, layout="(C_out,)").astype(np.float64)
    if b.shape != (w.shape[3],):
        raise ValueError(f"b must have shape ({w.shape[3]},), one bias per output channel of w, "
                         f"got shape {b.shape}")
    return x, w, b


def _padded(x, pad):
    return np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def _output_shape(x_shape, w_shape, stride, pad):
    out_h, out_w = ((n + 2 * pad - k) // stride + 1 for n, k in zip(x_shape[1:3], w_shape[:2],
                                                                     strict=True))
    if min(out_h, out_w) < 1:
        raise ValueError(f"the {w_shape[0]}x{w_shape[1]} kernels do not fit the {x_shape[1]}x"
                         f"{x_shape[2]} input with padding {pad}")
    return x_shape[0], out_h, out_w, w_shape[3]


def scalar_loops_conv_forward(x, w, b, stride=1, pad=0):
    """CS231n's naive convolution in NHWC: one small dot product per output value.

    ``x`` (N, H, W, C_in), ``w`` (kh, kw, C_in, C_out), ``b`` (C_out,), ``pad`` zeros on each
    side; returns ``out`` (N, H_out, W_out, C_out), equal to
    :func:`~cnnlib.reference.conv_forward`'s.
    """
    x, w, b = _conv_arrays(x, w, b)
    stride = check_positive_int("stride", stride)
    pad = check_non_negative_int("pad", pad)
    out = np.empty(_output_shape(x.shape, w.shape, stride, pad))
    xp = _padded(x, pad)
    kh, kw = w.shape[:2]
    for n in range(out.shape[0]):
        for f in range(out.shape[3]):
            for i in range(out.shape[1]):
                for j in range(out.shape[2]):
                    window = xp[n, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    out[n, i, j, f] = np.sum(window * w[:, :, :, f]) + b[f]
    return out


def scalar_loops_conv_backward(dout, x, w, stride=1, pad=0):
    """The same loops backwards: each output's gradient goes back through its window.

    Returns ``(dx, dw, db)`` with the shapes of ``x``, ``w`` and ``(C_out,)``; where windows
    overlap the gradients add up.
    """
    x, w = _conv_arrays(x, w)
    stride = check_positive_int("stride", stride)
    pad = check_non_negative_int("pad", pad)
    shape = _output_shape(x.shape, w.shape, stride, pad)
    dout = check_array("dout", dout, 4, layout="(N, H_out, W_out, C_out)").astype(np.float64)
    if dout.shape != shape:
        raise ValueError(f"dout must have the shape {shape} of the output, got {dout.shape}")
    xp = _padded(x, pad)
    kh, kw = w.shape[:2]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for n in range(shape[0]):
        for f in range(shape[3]):
            for i in range(shape[1]):
                for j in range(shape[2]):
                    rows = slice(i * stride, i * stride + kh)
                    columns = slice(j * stride, j * stride + kw)
                    dw[:, :, :, f] += xp[n, rows, columns] * dout[n, i, j, f]
                    dxp[n, rows, columns] += w[:, :, :, f] * dout[n, i, j, f]
    dx = dxp[:, pad:pad + x.shape[1], pad:pad + x.shape[2]]
    return dx, dw, dout.sum(axis=(0, 1, 2))


def tf_conv_functions(x, w, b, dout, stride=1, pad=0, dtype="float32"):
    """``(forward, backward)``: functions of no arguments that run ``tf.nn.conv2d`` (+ bias) and
    its gradient ops on the given arrays in ``dtype``, returning NumPy arrays: ``out`` and
    ``(dx, dw, db)``."""
    import tensorflow as tf  # the rest of cnnlib.reference is NumPy only

    x, w, b = _conv_arrays(x, w, b)
    stride = check_positive_int("stride", stride)
    pad = check_non_negative_int("pad", pad)
    check_choice("dtype", dtype, _TF_DTYPES)
    shape = _output_shape(x.shape, w.shape, stride, pad)
    dout = check_array("dout", dout, 4, layout="(N, H_out, W_out, C_out)")
    if dout.shape != shape:
        raise ValueError(f"dout must have the shape {shape} of the output, got {dout.shape}")
    x, w, b, dout = (tf.constant(v, dtype) for v in (x, w, b, dout))
    explicit = [0, 0, pad, pad, pad, pad, 0, 0]
    strides = [1, stride, stride, 1]

    def forward():
        return (tf.nn.conv2d(x, w, stride, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) + b).numpy()

    def backward():
        dx = tf.raw_ops.Conv2DBackpropInput(input_sizes=x.shape, filter=w, out_backprop=dout,
                                            strides=strides, padding="EXPLICIT",
                                            explicit_paddings=explicit)
        dw = tf.raw_ops.Conv2DBackpropFilter(input=x, filter_sizes=w.shape, out_backprop=dout,
                                             strides=strides, padding="EXPLICIT",
                                             explicit_paddings=explicit)
        return dx.numpy(), dw.numpy(), tf.reduce_sum(dout, axis=(0, 1, 2)).numpy()

    return forward, backward


def shortest_times(functions, repeats):
    """``{key: shortest wall-clock seconds}`` of ``functions`` (``{key: function of no
    arguments}``) over ``repeats`` rounds, after a warm-up round.

    Each round calls every function once, so that all of them see the same load; the shortest
    time is the one least slowed down by the rest of the machine (Python's ``timeit`` advice).
    """
    if not isinstance(functions, dict) or not functions:
        raise TypeError("functions must be a non-empty dict {key: function of no arguments}, "
                        f"got {type(functions).__name__}")
    for key, function in functions.items():
        if not callable(function):
            raise TypeError(f"functions[{key!r}] must be a function, got "
                            f"{type(function).__name__}")
    repeats = check_positive_int("repeats", repeats)
    for function in functions.values():
        function()
    shortest = dict.fromkeys(functions, np.inf)
    for _ in range(repeats):
        for key, function in functions.items():
            start = time.perf_counter()
            function()
            shortest[key] = min(shortest[key], time.perf_counter() - start)
    return shortest


class ConvSpeeds(NamedTuple):
    """What :func:`compare_conv_speeds` measured.

    ``seconds``: ``{implementation: (forward, backward)}`` for the whole batch (the scalar loops'
    times scaled up from ``loop_examples``); ``errors``: ``{implementation: the largest relative
    error of out, dx, dw and db against the naive version's}``.
    """

    x_shape: tuple
    w_shape: tuple
    stride: int
    pad: int
    out_shape: tuple
    loop_examples: int
    repeats: int
    seconds: dict
    errors: dict

    def ratio(self, slow, fast):
        """``(forward, backward)`` time of implementation ``slow`` over that of ``fast``."""
        for name, value in (("slow", slow), ("fast", fast)):
            check_choice(name, value, self.seconds)
        return tuple(self.seconds[slow][k] / self.seconds[fast][k] for k in (0, 1))

    def table(self):
        """The times in ms and their ratios as text, one implementation a line."""
        lines = [f"x {self.x_shape}, w {self.w_shape}, stride {self.stride}, padding {self.pad} "
                 f"-> out {self.out_shape}; scalar loops timed on {self.loop_examples} "
                 f"examples, scaled to {self.x_shape[0]}; shortest of {self.repeats} runs",
                 f"{'implementation':28} {'forward ms':>11} {'backward ms':>12} "
                 f"{'max rel. error':>15}"]
        for name, (forward, backward) in self.seconds.items():
            lines.append(f"{name:28} {forward * 1e3:11.2f} {backward * 1e3:12.2f} "
                         f"{self.errors[name]:15.1e}")
        lines += ["", f"{'time ratio':28} {'forward':>8} {'backward':>9}"]
        for slow, fast in ((LOOPS, IM2COL), (NAIVE, IM2COL), (IM2COL, "tf.nn.conv2d float32"),
                           (IM2COL, "tf.nn.conv2d float64")):
            forward, backward = self.ratio(slow, fast)
            label = f"{slow.split(' (')[0]} / {fast.split(' (')[0].replace('.nn.conv2d', '')}"
            lines.append(f"{label:28} {forward:8.1f} {backward:9.1f}")
        return "\n".join(lines)


def compare_conv_speeds(x_shape=(100, 31, 31, 3), w_shape=(3, 3, 3, 25), stride=2, pad=1, *,
                        loop_examples=10, repeats=10, loop_repeats=1, seed=0, device="/CPU:0"):
    """Time the forward and backward pass of every implementation on one random batch.

    The defaults are CS231n's set-up: x (100, 31, 31, 3), 25 kernels 3x3x3, stride 2, padding 1.
    First every implementation's ``out``, ``dx``, ``dw`` and ``db`` are compared with the naive
    version's (the ``errors``), then the fast ones are timed over ``repeats`` interleaved rounds
    and the scalar loops, on the first ``loop_examples`` examples only, over ``loop_repeats``
    (their time is proportional to the batch size, so it is scaled up). TensorFlow runs on
    ``device`` (the CPU by default, even where a GPU is available).
    """
    import tensorflow as tf

    x_shape = tuple(check_positive_int(f"x_shape[{i}]", n)
                    for i, n in enumerate(_four_sizes("x_shape", x_shape)))
    w_shape = tuple(check_positive_int(f"w_shape[{i}]", n)
                    for i, n in enumerate(_four_sizes("w_shape", w_shape)))
    if w_shape[2] != x_shape[3]:
        raise ValueError(f"w_shape has {w_shape[2]} input channels but x_shape has {x_shape[3]}")
    stride = check_positive_int("stride", stride)
    pad = check_non_negative_int("pad", pad)
    out_shape = _output_shape(x_shape, w_shape, stride, pad)
    loop_examples = check_int("loop_examples", loop_examples, 1, x_shape[0])
    repeats = check_positive_int("repeats", repeats)
    loop_repeats = check_positive_int("loop_repeats", loop_repeats)
    seed = check_non_negative_int("seed", seed)
    check_str("device", device)
    device_name(device)  # refuses a device string that TensorFlow cannot parse or place

    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[3])
    out, naive_cache = conv_forward(x, w, b, stride, pad)
    _, im2col_cache = conv_forward_im2col(x, w, b, stride, pad)
    dout = rng.normal(size=out.shape)
    loop_x, loop_dout = x[:loop_examples], dout[:loop_examples]

    with tf.device(device):
        implementations = {  # name: (forward, backward, batch size timed)
            LOOPS: (lambda: scalar_loops_conv_forward(loop_x, w, b, stride, pad),
                    lambda: scalar_loops_conv_backward(loop_dout, loop_x, w, stride, pad),
                    loop_examples),
            NAIVE: (lambda: conv_forward(x, w, b, stride, pad)[0],
                    lambda: conv_backward(dout, naive_cache), x_shape[0]),
            IM2COL: (lambda: conv_forward_im2col(x, w, b, stride, pad)[0],
                     lambda: conv_backward_im2col(dout, im2col_cache), x_shape[0]),
        }
        for dtype in _TF_DTYPES:
            implementations[f"tf.nn.conv2d {dtype}"] = (
                *tf_conv_functions(x, w, b, dout, stride, pad, dtype), x_shape[0])

        expected = {x_shape[0]: [out, *conv_backward(dout, naive_cache)]}
        loop_out, loop_cache = conv_forward(loop_x, w, b, stride, pad)
        expected[loop_examples] = [loop_out, *conv_backward(loop_dout, loop_cache)]
        errors = {}
        for name, (forward, backward, batch) in implementations.items():
            results = [forward(), *backward()]
            errors[name] = max(relative_error(result, target)
                               for result, target in zip(results, expected[batch], strict=True))

        passes = {(name, k): functions[k] for name, functions in implementations.items()
                  for k in (0, 1)}  # k = 0: forward, 1: backward
        fast = {key: function for key, function in passes.items() if key[0] != LOOPS}
        shortest = shortest_times(fast, repeats)
        shortest |= shortest_times({key: function for key, function in passes.items()
                                    if key not in fast}, loop_repeats)
    seconds = {name: tuple(shortest[name, k] * x_shape[0] / batch for k in (0, 1))
               for name, (_, _, batch) in implementations.items()}
    return ConvSpeeds(x_shape, w_shape, stride, pad, out_shape, loop_examples, repeats, seconds,
                      errors)


def _four_sizes(name, shape):
    if not isinstance(shape, tuple | list):
        raise TypeError(f"{name} must be a tuple of 4 positive integers, got "
                        f"{type(shape).__name__}")
    if len(shape) != 4:
        raise ValueError(f"{name} must be a tuple of 4 positive integers, got {tuple(shape)!r}")
    return shape
