"""NumPy reference implementation of a CNN's layers, forward and backward.

Layouts are exactly those of ``tf.nn.conv2d`` (NHWC tensors, ``(kh, kw, C_in, C_out)``
kernels) and results are float64, so that they compare directly with TensorFlow.

- :mod:`~cnnlib.reference.forward`: the forward operations, slow on purpose (notebooks 02,
  04-07): ``pad2d``, ``correlate2d``, ``convolve2d``, ``conv2d``, ``conv1x1``,
  ``max_pool2d``, ``avg_pool2d``;
- :mod:`~cnnlib.reference.backward`: layers for backpropagation, CS231n style (forward returns
  ``(out, cache)``, backward takes ``(dout, cache)``), naive loops;
- :mod:`~cnnlib.reference.batchnorm`: batch normalisation, forward and backward, and the
  moving averages of its statistics (notebook 18);
- :mod:`~cnnlib.reference.fast`: the im2col/col2im convolution, equal to the naive one;
- :mod:`~cnnlib.reference.speed`: CS231n's scalar loops and the timing of every convolution
  implementation against ``tf.nn.conv2d`` (notebook 07 and ``benchmarks/bench_conv.py``);
- :mod:`~cnnlib.reference.gradcheck`: centred-difference gradients and the relative error.
"""

from cnnlib.reference.backward import (
    avg_pool_backward,
    avg_pool_forward,
    conv_backward,
    conv_forward,
    dense_backward,
    dense_forward,
    max_pool_backward,
    max_pool_forward,
    relu_backward,
    relu_forward,
    softmax_cross_entropy,
)
from cnnlib.reference.batchnorm import batchnorm_backward, batchnorm_forward, moving_average
from cnnlib.reference.fast import col2im, conv_backward_im2col, conv_forward_im2col, im2col
from cnnlib.reference.forward import (
    avg_pool2d,
    conv1x1,
    conv2d,
    convolve2d,
    correlate2d,
    max_pool2d,
    pad2d,
)
from cnnlib.reference.gradcheck import numeric_gradient, relative_error

__all__ = [
    "avg_pool2d",
    "avg_pool_backward",
    "avg_pool_forward",
    "batchnorm_backward",
    "batchnorm_forward",
    "col2im",
    "conv1x1",
    "conv2d",
    "conv_backward",
    "conv_backward_im2col",
    "conv_forward",
    "conv_forward_im2col",
    "convolve2d",
    "correlate2d",
    "dense_backward",
    "dense_forward",
    "im2col",
    "max_pool2d",
    "max_pool_backward",
    "max_pool_forward",
    "moving_average",
    "numeric_gradient",
    "pad2d",
    "relative_error",
    "relu_backward",
    "relu_forward",
    "softmax_cross_entropy",
]
