"""Exercise checks of the course notebooks (course: notebook 00, "how exercises work").

A check runs the student's function and the library's reference on a grid of cases, edge
cases included, and prints one line, ``✔ conv2d: passed all 14 cases``, or raises
:class:`CheckFailed` naming the first failing case, the expected and received values and a
hint.  A single-number answer is checked by :func:`check_value` against a value derived
from the library or against a hash (:func:`answer_hash`), so the student edition never
shows it.

- :mod:`cnnlib.checks.core`: :class:`Case`, :class:`Mistake`, :class:`CheckFailed`,
  :func:`check_function`, :func:`check_gradient`, :func:`check_value`, :func:`answer_hash`,
  :func:`run_student`, :func:`fail`; :mod:`cnnlib.checks.compare`: comparing answers;
- :mod:`cnnlib.checks.integrity`: :func:`assert_own_work`, for the hidden tests of graded copies;
- :mod:`cnnlib.checks.grids`: grids of cases with their edge cases (``conv_cases``, ...);
- ready-made checks, one per exercise, so that a check cell is one line,
  ``checks.check_conv2d(conv2d)``, and reveals nothing: :mod:`cnnlib.checks.nb00_getting_started`
  ... :mod:`cnnlib.checks.nb06_pooling` (one module per notebook 00-06),
  :mod:`cnnlib.checks.backprop` (07), :mod:`cnnlib.checks.keras_cnns` (08),
  :mod:`cnnlib.checks.architectures` (09-10), :mod:`cnnlib.checks.vgg` (11),
  :mod:`cnnlib.checks.googlenet` (12), :mod:`cnnlib.checks.resnet` (13),
  :mod:`cnnlib.checks.comparing` (14), :mod:`cnnlib.checks.applications` (15),
  :mod:`cnnlib.checks.explain` (16), :mod:`cnnlib.checks.transfer` (17),
  :mod:`cnnlib.checks.batchnorm` (18), :mod:`cnnlib.checks.efficient` (19),
  :mod:`cnnlib.checks.scale` (20).

Adding a check is two edits: write ``check_xxx(fn)`` in the notebook's module (a reference, a
list of :class:`Case`, the known mistakes as :class:`Mistake` objects with their hints, one call
of :func:`check_function`; the name in the module's ``__all__``), and export it here.
"""

from cnnlib.checks.applications import (
    check_box_iou,
    check_conv_transpose_output_size,
    check_mask_iou,
)
from cnnlib.checks.architectures import (
    check_alexnet_feature_sizes,
    check_alexnet_param_split,
    check_lenet5_connections,
    check_lenet5_params,
    check_partial_conv_params,
    check_two_tower_conv_macs,
)
from cnnlib.checks.backprop import (
    check_conv_backward,
    check_im2col,
    check_max_pool_backward,
)
from cnnlib.checks.batchnorm import check_batchnorm_dx, check_pytorch_running_stats
from cnnlib.checks.compare import matches
from cnnlib.checks.comparing import (
    check_conv_macs_per_weight,
    check_pareto_front,
)
from cnnlib.checks.core import (
    Case,
    CheckFailed,
    Mistake,
    answer_hash,
    check_function,
    check_gradient,
    check_value,
)
from cnnlib.checks.efficient import check_inverted_residual_macs, check_mbconv_params
from cnnlib.checks.explain import check_grad_cam_combine, check_receptive_field_sizes
from cnnlib.checks.googlenet import (
    check_inception_module_size,
    check_reduced_conv_macs,
)
from cnnlib.checks.grids import conv_cases, correlate_cases, output_size_cases, pool_cases
from cnnlib.checks.integrity import assert_own_work, library_calls
from cnnlib.checks.keras_cnns import (
    check_conv2d_shape_and_params,
    check_example2_model,
)
from cnnlib.checks.nb00_getting_started import check_dense_params, check_values_per_image
from cnnlib.checks.nb01_why_convolutions import check_equivariance_error, check_layer_weights
from cnnlib.checks.nb02_convolution import check_convolve2d, check_correlate2d
from cnnlib.checks.nb03_image_filtering import check_box_blur, check_filter_same
from cnnlib.checks.nb04_output_size import check_conv_output_size, check_same_padding_split
from cnnlib.checks.nb05_channels_cost import check_conv2d, check_conv_layer_cost
from cnnlib.checks.nb06_pooling import check_avg_pool2d, check_max_pool2d
from cnnlib.checks.resnet import (
    check_bottleneck_macs,
    check_cifar_resnet_params,
    check_zero_pad_shortcut,
)
from cnnlib.checks.scale import check_smoothed_targets, check_warmup_cosine_lr
from cnnlib.checks.transfer import check_batch_norm_forward, check_trainable_counts
from cnnlib.checks.vgg import (
    check_stacked_conv_ratio,
    check_vgg_conv_layer,
    check_vgg_params,
)

__all__ = [
    "Case",
    "CheckFailed",
    "Mistake",
    "answer_hash",
    "assert_own_work",
    "check_alexnet_feature_sizes",
    "check_alexnet_param_split",
    "check_avg_pool2d",
    "check_batchnorm_dx",
    "check_batch_norm_forward",
    "check_bottleneck_macs",
    "check_box_blur",
    "check_box_iou",
    "check_cifar_resnet_params",
    "check_conv2d",
    "check_conv2d_shape_and_params",
    "check_conv_backward",
    "check_conv_layer_cost",
    "check_conv_macs_per_weight",
    "check_conv_output_size",
    "check_conv_transpose_output_size",
    "check_convolve2d",
    "check_correlate2d",
    "check_dense_params",
    "check_equivariance_error",
    "check_example2_model",
    "check_filter_same",
    "check_function",
    "check_grad_cam_combine",
    "check_gradient",
    "check_im2col",
    "check_inception_module_size",
    "check_inverted_residual_macs",
    "check_layer_weights",
    "check_lenet5_connections",
    "check_lenet5_params",
    "check_mask_iou",
    "check_max_pool2d",
    "check_max_pool_backward",
    "check_mbconv_params",
    "check_pareto_front",
    "check_partial_conv_params",
    "check_pytorch_running_stats",
    "check_receptive_field_sizes",
    "check_reduced_conv_macs",
    "check_same_padding_split",
    "check_smoothed_targets",
    "check_stacked_conv_ratio",
    "check_trainable_counts",
    "check_two_tower_conv_macs",
    "check_value",
    "check_values_per_image",
    "check_vgg_conv_layer",
    "check_vgg_params",
    "check_warmup_cosine_lr",
    "check_zero_pad_shortcut",
    "conv_cases",
    "correlate_cases",
    "library_calls",
    "matches",
    "output_size_cases",
    "pool_cases",
]
