"""The generated grid of convolution cases shared by test_backward.py and test_fast.py.

Every combination of a kernel, a stride and a padding below, on inputs whose sizes, batch
and channel counts cycle through the lists (seeded, float64).  The grid holds overlapping
windows (stride < kernel), strides larger than the kernel, non-square kernels, odd sizes,
"same" padding that TensorFlow splits unevenly, N = 1 and C_in != C_out;
test_backward.py checks that it does.
"""

import itertools
from typing import NamedTuple

import numpy as np
import pytest
import tensorflow as tf

from cnnlib.reference._args import resolve_padding

KERNELS = [(3, 3), (2, 3), (1, 4), (4, 2)]
STRIDES = [1, 2, 3, (2, 1)]
PADDINGS = ["valid", "same", 1, (2, 0), ((0, 1), (2, 1))]
SIZES = [(5, 7), (6, 5), (7, 4), (4, 6), (5, 5)]  # (H, W)
CHANNELS = [(1, 3), (3, 2), (2, 2), (2, 1)]  # (C_in, C_out)


class ConvCase(NamedTuple):
    n: int
    h: int
    w: int
    c_in: int
    c_out: int
    kernel: tuple
    stride: object
    padding: object
    seed: int

    @property
    def id(self):
        stride = "x".join(map(str, np.broadcast_to(self.stride, 2)))
        padding = str(self.padding).replace(" ", "")
        return (f"x{self.n}x{self.h}x{self.w}x{self.c_in}-w{self.kernel[0]}x{self.kernel[1]}"
                f"x{self.c_out}-s{stride}-p{padding}")

    def pads(self):
        return resolve_padding(self.padding, (self.h, self.w), self.kernel,
                                tuple(np.broadcast_to(self.stride, 2)))

    def output_size(self):
        return tuple((n + sum(p) - k) // s + 1 for n, k, s, p in
                     zip((self.h, self.w), self.kernel, np.broadcast_to(self.stride, 2),
                         self.pads(), strict=True))

    def overlaps(self):
        """Do two windows share an input cell (stride < kernel along an axis with 2+ outputs)?"""
        return any(s < k and out > 1 for s, k, out in
                   zip(np.broadcast_to(self.stride, 2), self.kernel, self.output_size(),
                       strict=True))

    def arrays(self):
        """Seeded x, w, b and an upstream gradient dout of the output's shape, in float64."""
        rng = np.random.default_rng(self.seed)
        x = rng.normal(size=(self.n, self.h, self.w, self.c_in))
        w = rng.normal(size=(*self.kernel, self.c_in, self.c_out))
        b = rng.normal(size=self.c_out)
        dout = rng.normal(size=(self.n, *self.output_size(), self.c_out))
        return x, w, b, dout


CONV_GRID = [
    ConvCase(1 + i % 2, *SIZES[i % len(SIZES)], *CHANNELS[i % len(CHANNELS)], kernel, stride,
             padding, seed=i)
    for i, (kernel, stride, padding) in enumerate(itertools.product(KERNELS, STRIDES, PADDINGS))
]
CONV_PARAMS = [pytest.param(case, id=case.id) for case in CONV_GRID]


def tf_padding(padding):
    if isinstance(padding, str):
        return padding.upper()
    if isinstance(padding, int):
        padding = (padding, padding)
    sides = [side if isinstance(side, tuple) else (side, side) for side in padding]
    return [[0, 0], list(sides[0]), list(sides[1]), [0, 0]]


def tf_conv_gradients(case, x, w, b, dout):
    """TensorFlow's conv output and (dx, dw, db) for the upstream gradient dout."""
    x, w, b = tf.constant(x), tf.constant(w), tf.constant(b)
    with tf.GradientTape() as tape:
        tape.watch([x, w, b])
        out = tf.nn.conv2d(x, w, case.stride, tf_padding(case.padding)) + b
    grads = tape.gradient(out, [x, w, b], output_gradients=tf.constant(dout))
    return out.numpy(), [g.numpy() for g in grads]
