"""How fast is the im2col convolution?  Naive loops vs im2col vs tf.nn.conv2d on the CPU.

    python benchmarks/bench_conv.py [--threads N]      (or: make bench)

CS231n's convolution benchmark in NHWC: x (100, 31, 31, 3), w (3, 3, 3, 25), stride 2,
padding 1.  Times the forward pass and the backward pass (dx, dw, db for a given upstream
gradient) of

- scalar loops: CS231n's naive version, one iteration per (n, f, i, j) (defined below;
  not in the library), for scale;
- naive: ``cnnlib.reference.conv_forward``/``conv_backward``, one iteration per output
  position (i, j), vectorised over the batch and the channels;
- im2col: ``cnnlib.reference.conv_forward_im2col``/``conv_backward_im2col``;
- TensorFlow: ``tf.nn.conv2d`` (+ bias), and for the backward pass the two ops that its
  registered gradient runs, ``Conv2DBackpropInput`` and ``Conv2DBackpropFilter`` (+ the
  bias's sum), in float32 (its usual dtype) and float64 (the dtype of the NumPy versions).

Each time is the median of several runs after one warm-up run, all in this one process, and
the ratios are of times measured in this run.  By default every library uses one thread, so
that the ratios compare algorithms rather than how each library spreads work over the cores
(and stay steady on a machine whose cores are shared); ``--threads 0`` keeps the libraries'
own defaults.
"""

import argparse
import os
import statistics
import time

SHAPE_X, SHAPE_W, STRIDE, PADDING = (100, 31, 31, 3), (3, 3, 3, 25), 2, 1


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for NumPy's BLAS and TensorFlow (0: their defaults)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs for the fast ones")
    parser.add_argument("--loop-repeats", type=int, default=3, help="timed runs for the loops")
    return parser.parse_args()


ARGS = parse_args()
if ARGS.threads:  # before NumPy and TensorFlow start their thread pools
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)

import cnnlib  # noqa: E402, F401, I001  (first: it imports TensorFlow without its start-up lines)
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from cnnlib import reference  # noqa: E402

if ARGS.threads:
    tf.config.threading.set_intra_op_parallelism_threads(ARGS.threads)
    tf.config.threading.set_inter_op_parallelism_threads(ARGS.threads)


def scalar_loops_forward(x, w, b, stride, pad):
    """CS231n's conv_forward_naive in NHWC: one small dot product per output value."""
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    kh, kw, _, filters = w.shape
    out_h, out_w = (xp.shape[1] - kh) // stride + 1, (xp.shape[2] - kw) // stride + 1
    out = np.empty((x.shape[0], out_h, out_w, filters))
    for n in range(x.shape[0]):
        for f in range(filters):
            for i in range(out_h):
                for j in range(out_w):
                    window = xp[n, i * stride : i * stride + kh, j * stride : j * stride + kw]
                    out[n, i, j, f] = np.sum(window * w[:, :, :, f]) + b[f]
    return out


def scalar_loops_backward(dout, x, w, stride, pad):
    """CS231n's conv_backward_naive in NHWC: the same loops, scattering the gradient."""
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    kh, kw = w.shape[:2]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for n in range(dout.shape[0]):
        for f in range(dout.shape[3]):
            for i in range(dout.shape[1]):
                for j in range(dout.shape[2]):
                    rows = slice(i * stride, i * stride + kh)
                    cols = slice(j * stride, j * stride + kw)
                    dw[:, :, :, f] += xp[n, rows, cols] * dout[n, i, j, f]
                    dxp[n, rows, cols] += w[:, :, :, f] * dout[n, i, j, f]
    return dxp[:, pad:-pad, pad:-pad], dw, dout.sum(axis=(0, 1, 2))


def tf_functions(x, w, b, dout, dtype):
    x, w, b, dout = (tf.constant(a, dtype) for a in (x, w, b, dout))
    paddings = [[0, 0], [PADDING, PADDING], [PADDING, PADDING], [0, 0]]
    explicit = [0, 0, PADDING, PADDING, PADDING, PADDING, 0, 0]
    strides = [1, STRIDE, STRIDE, 1]

    def forward():
        return (tf.nn.conv2d(x, w, STRIDE, paddings) + b).numpy()

    def backward():
        dx = tf.raw_ops.Conv2DBackpropInput(
            input_sizes=x.shape, filter=w, out_backprop=dout, strides=strides,
            padding="EXPLICIT", explicit_paddings=explicit)
        dw = tf.raw_ops.Conv2DBackpropFilter(
            input=x, filter_sizes=w.shape, out_backprop=dout, strides=strides,
            padding="EXPLICIT", explicit_paddings=explicit)
        return dx.numpy(), dw.numpy(), tf.reduce_sum(dout, axis=(0, 1, 2)).numpy()

    return forward, backward


def median_time(function, repeats):
    function()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=SHAPE_X), rng.normal(size=SHAPE_W), rng.normal(size=SHAPE_W[3])
    out, naive_cache = reference.conv_forward(x, w, b, STRIDE, PADDING)
    _, im2col_cache = reference.conv_forward_im2col(x, w, b, STRIDE, PADDING)
    dout = rng.normal(size=out.shape)

    rows = {  # name: (dtype, forward, backward, repeats)
        "scalar loops (n, f, i, j)": (
            "float64", lambda: scalar_loops_forward(x, w, b, STRIDE, PADDING),
            lambda: scalar_loops_backward(dout, x, w, STRIDE, PADDING), ARGS.loop_repeats),
        "naive (conv_forward/backward)": (
            "float64", lambda: reference.conv_forward(x, w, b, STRIDE, PADDING),
            lambda: reference.conv_backward(dout, naive_cache), ARGS.loop_repeats),
        "im2col": (
            "float64", lambda: reference.conv_forward_im2col(x, w, b, STRIDE, PADDING),
            lambda: reference.conv_backward_im2col(dout, im2col_cache), ARGS.repeats),
    }
    for dtype in ("float32", "float64"):
        rows[f"tf.nn.conv2d {dtype}"] = (dtype, *tf_functions(x, w, b, dout, dtype), ARGS.repeats)

    # The same numbers first: each row's output and gradients against the naive version's.
    expected = [out, *reference.conv_backward(dout, naive_cache)]
    errors = {}
    for name, (_, forward, backward, _) in rows.items():
        result = forward()
        actual = [result[0] if isinstance(result, tuple) else result, *backward()]
        errors[name] = max(reference.relative_error(a, e) for a, e in zip(actual, expected,
                                                                           strict=True))
    assert max(errors.values()) < 1e-5, errors

    times = {name: (median_time(forward, repeats), median_time(backward, repeats))
             for name, (_, forward, backward, repeats) in rows.items()}

    print(f"Convolution x {SHAPE_X}, w {SHAPE_W}, stride {STRIDE}, padding {PADDING} -> "
          f"out {out.shape}")
    threads = ARGS.threads or "library defaults"
    print(f"threads: {threads}; median of {ARGS.repeats} runs after 1 warm-up "
          f"({ARGS.loop_repeats} for the loops)")
    print(f"{'implementation':32} {'dtype':8} {'forward ms':>11} {'backward ms':>12} "
          f"{'max rel. error':>15}")
    for name, (dtype, *_) in rows.items():
        forward, backward = times[name]
        print(f"{name:32} {dtype:8} {forward * 1e3:11.2f} {backward * 1e3:12.2f} "
              f"{errors[name]:15.1e}")
    print("max rel. error: of out, dx, dw and db against the naive version's")
    print()
    ratios = {
        "naive / im2col": ("naive (conv_forward/backward)", "im2col"),
        "scalar loops / im2col": ("scalar loops (n, f, i, j)", "im2col"),
        "im2col / tf float32": ("im2col", "tf.nn.conv2d float32"),
        "im2col / tf float64": ("im2col", "tf.nn.conv2d float64"),
    }
    print(f"{'time ratio':32} {'forward':>8} {'backward':>9}")
    for label, (slow, fast) in ratios.items():
        forward, backward = (times[slow][k] / times[fast][k] for k in (0, 1))
        print(f"{label:32} {forward:8.1f} {backward:9.1f}")


if __name__ == "__main__":
    main()
