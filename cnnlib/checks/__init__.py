"""Exercise checks of the course notebooks (course: notebook 00, "how exercises work").

A check runs the student's function and the library's reference on a grid of cases, edge
cases included, and prints one line, ``✔ conv2d: passed all 14 cases``, or raises
:class:`CheckFailed` naming the first failing case, the expected and received values and a
hint.  A single-number answer is checked by :func:`check_value` against a value derived
from the library or against a hash (:func:`answer_hash`), so the student edition never
shows it.

- :mod:`cnnlib.checks.core`: :class:`Case`, :class:`CheckFailed`, :func:`check_function`,
  :func:`check_gradient`, :func:`check_value`, :func:`answer_hash`;
- :mod:`cnnlib.checks.grids`: grids of cases with their edge cases (``conv_cases``, ...);
- :mod:`cnnlib.checks.course`: one ready-made check per exercise of the notebooks, so that a
  check cell is one line, ``checks.check_conv2d(conv2d)``, and reveals nothing.
"""

from cnnlib.checks.core import (
    Case,
    CheckFailed,
    answer_hash,
    check_function,
    check_gradient,
    check_value,
)
from cnnlib.checks.course import (
    check_avg_pool2d,
    check_box_blur,
    check_conv2d,
    check_conv_layer_cost,
    check_conv_output_size,
    check_convolve2d,
    check_correlate2d,
    check_dense_params,
    check_equivariance_error,
    check_filter_same,
    check_layer_weights,
    check_max_pool2d,
    check_same_padding_split,
)
from cnnlib.checks.grids import conv_cases, correlate_cases, output_size_cases, pool_cases

__all__ = [
    "Case",
    "CheckFailed",
    "answer_hash",
    "check_avg_pool2d",
    "check_box_blur",
    "check_conv2d",
    "check_conv_layer_cost",
    "check_conv_output_size",
    "check_convolve2d",
    "check_correlate2d",
    "check_dense_params",
    "check_equivariance_error",
    "check_filter_same",
    "check_function",
    "check_gradient",
    "check_layer_weights",
    "check_max_pool2d",
    "check_same_padding_split",
    "check_value",
    "conv_cases",
    "correlate_cases",
    "output_size_cases",
    "pool_cases",
]
