"""The hidden tests of the notebooks' check cells (graded copies): every check cell has them,
they compare with literals written into the notebook, and they fail a solution that calls the
library's reference for the exercise."""

import ast
import json
from pathlib import Path

import pytest

from cnnlib import arithmetic, checks, reference, shapes
from cnnlib.checks import (
    CheckFailed,
    applications,
    architectures,
    backprop,
    batchnorm,
    comparing,
    efficient,
    explain,
    googlenet,
    keras_cnns,
    nb01_why_convolutions,
    nb03_image_filtering,
    nb05_channels_cost,
    resnet,
    scale,
    transfer,
    vgg,
)

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]-*.ipynb"))
BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def check_cells():
    return list(_check_cells())


def _check_cells():
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and "checks.check_" in source and "try:" not in source:
                yield pytest.param(source, id=f"{path.name[:2]}-{cell['id']}")


def hidden_block(source):
    assert BEGIN in source and END in source, "the check cell has no hidden tests"
    return source.split(BEGIN, 1)[1].split(END, 1)[0]


def graded_function(block):
    first = ast.parse(block).body[0]
    call = first.value
    assert ast.unparse(call.func) == "checks.assert_own_work", "hidden tests start with it"
    return call.args[0].id, ast.literal_eval(call.args[1])


def _is_literal(node):
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "np.array":
        return all(_is_literal(a) for a in node.args)
    if isinstance(node, ast.UnaryOp):
        return _is_literal(node.operand)
    if isinstance(node, ast.Tuple | ast.List):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(_is_literal(e) for e in (*node.keys, *node.values))
    return isinstance(node, ast.Constant)


@pytest.mark.parametrize("source", check_cells())
def test_every_check_cell_has_hidden_tests_against_literals(source):
    block = hidden_block(source)
    name, forbidden = graded_function(block)
    assert forbidden and all(isinstance(f, str) for f in forbidden)
    compared = [node for node in ast.walk(ast.parse(block))
                if isinstance(node, ast.Call) and ast.unparse(node.func) == "checks.matches"]
    assert len(compared) >= 2, "at least two hidden cases"
    for node in compared:
        assert name in ast.unparse(node.args[0]), "the student's function is what is compared"
        assert _is_literal(node.args[1]), f"not a literal: {ast.unparse(node.args[1])[:80]}"
    assert "print(" not in block, "hidden tests print nothing when they pass"


# The library's reference for each exercise: what a solution that only calls it would call.
LIBRARY = {
    "dense_params": arithmetic.dense_params,
    "values_per_image": arithmetic.activation_memory,
    "layer_weights": nb01_why_convolutions._counted_layer_weights,
    "equivariance_error": nb01_why_convolutions._scipy_equivariance_error,
    "correlate2d": reference.correlate2d,
    "convolve2d": reference.convolve2d,
    "box_blur": nb03_image_filtering._uniform_filter_kernel,
    "filter_same": nb03_image_filtering._conv2d_same_one_channel,
    "conv_output_size": arithmetic.conv_output_size,
    "same_padding_split": arithmetic.same_padding,
    "conv2d": reference.conv2d,
    "conv_layer_cost": nb05_channels_cost._library_conv_layer_cost,
    "max_pool2d": reference.max_pool2d,
    "avg_pool2d": reference.avg_pool2d,
    "conv_backward": backprop._library_conv_backward,
    "max_pool_backward": backprop._library_max_pool_backward,
    "im2col": reference.im2col,
    "example2_model": keras_cnns._expected_example2,
    "conv2d_shape_and_params": keras_cnns._keras_conv2d,
    "lenet5_params": architectures._lenet5_params,
    "partial_conv_params": architectures._partial_conv_params,
    "lenet5_connections": checks.check_lenet5_connections,
    "alexnet_feature_sizes": architectures._alexnet_feature_sizes,
    "alexnet_param_split": architectures._alexnet_param_split,
    "two_tower_conv_macs": checks.check_two_tower_conv_macs,
    "vgg_conv_layer": vgg._vgg_conv_layer,
    "stacked_conv_ratio": vgg._stacked_conv_ratio,
    "vgg_params": vgg._vgg_params,
    "reduced_conv_macs": googlenet._reduced_conv_macs,
    "inception_module_size": googlenet._inception_module_size,
    "zero_pad_shortcut": resnet._zero_pad_shortcut,
    "cifar_resnet_params": resnet._cifar_resnet_params,
    "bottleneck_macs": resnet._bottleneck_macs,
    "conv_macs_per_weight": comparing._conv_macs_per_weight,
    "pareto_front": comparing._pareto_front,
    "conv_transpose_output_size": applications._conv_transpose_output_size,
    "mask_iou": applications._mask_iou,
    "box_iou": shapes.box_iou,
    "batchnorm_dx": batchnorm._batchnorm_dx,
    "pytorch_running_stats": batchnorm._pytorch_running_stats,
    "inverted_residual_macs": efficient._inverted_residual_macs,
    "mbconv_params": efficient._mbconv_params,
    "receptive_field_sizes": explain._receptive_field_sizes,
    "grad_cam_combine": explain._grad_cam_combine,
    "trainable_counts": transfer._trainable_counts,
    "batch_norm_forward": transfer._batch_norm_forward,
    "warmup_cosine_lr": scale._warmup_cosine_lr,
    "smoothed_targets": scale._smoothed_targets,
}


@pytest.mark.parametrize("source", check_cells())
def test_hidden_tests_fail_a_solution_that_calls_the_library(source):
    block = hidden_block(source)
    name, forbidden = graded_function(block)
    library_fn = LIBRARY[name]

    def solution(*args, **kwargs):
        return library_fn(*args, **kwargs)

    solution.__name__ = name
    first = ast.Module(body=[ast.parse(block).body[0]], type_ignores=[])
    with pytest.raises(CheckFailed) as info:
        exec(compile(first, "<hidden tests>", "exec"), {"checks": checks, name: solution})
    assert info.value.args[0].startswith(f"✘ {name}: uses ")
