"""cnnlib.checks.efficient (notebook 19): right answers pass, known-wrong ones fail with a hint."""

import math

import keras
import pytest
from check_helpers import failure, solutions_pass_test

from cnnlib import checks
from cnnlib.checks.efficient import _inverted_residual_macs, _mbconv_params
from cnnlib.models.efficientnet import mbconv_block
from cnnlib.models.mobilenet import inverted_residual_block
from cnnlib.profile import count_macs

# --- Independent correct implementations -----------------------------------------------------


def inverted_residual_macs(size, in_channels, filters, expansion, strides=1):
    hidden = expansion * in_channels
    out = math.ceil(size / strides)
    expand = size * size * in_channels * hidden if expansion > 1 else 0
    return expand + out * out * hidden * (9 + filters)


def mbconv_params(in_channels, filters, expansion, kernel_size):
    hidden = expansion * in_channels
    squeezed = max(1, in_channels // 4)
    expand = in_channels * hidden + 2 * hidden if expansion > 1 else 0
    depthwise = kernel_size**2 * hidden + 2 * hidden
    se = hidden * squeezed + squeezed + squeezed * hidden + hidden
    return expand + depthwise + se + hidden * filters + 2 * filters


SOLUTIONS = [
    (checks.check_inverted_residual_macs, inverted_residual_macs, "inverted_residual_macs", 6),
    (checks.check_mbconv_params, mbconv_params, "mbconv_params", 5),
]

test_solutions_pass_with_one_line = solutions_pass_test(SOLUTIONS)


# --- The references count the library's blocks -------------------------------------------------


def block_model(block, size, in_channels, *args):
    inputs = keras.Input((size, size, in_channels))
    return keras.Model(inputs, block(inputs, *args))


@pytest.mark.parametrize(("size", "in_channels", "filters", "expansion", "strides"),
                         [(56, 24, 24, 6, 1), (14, 96, 160, 6, 2), (5, 4, 8, 3, 2),
                          (16, 32, 16, 1, 1)])
def test_the_macs_reference_counts_the_library_block(size, in_channels, filters, expansion,
                                                     strides):
    model = block_model(inverted_residual_block, size, in_channels, expansion, filters, strides)
    assert _inverted_residual_macs(size, in_channels, filters, expansion, strides) == count_macs(
        model)


@pytest.mark.parametrize(("in_channels", "filters", "expansion", "kernel"),
                         [(16, 24, 6, 3), (24, 40, 6, 5), (32, 16, 1, 3), (3, 5, 2, 3)])
def test_the_params_reference_counts_the_library_block(in_channels, filters, expansion, kernel):
    model = block_model(mbconv_block, 8, in_channels, expansion, kernel, 1, filters)
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    assert _mbconv_params(in_channels, filters, expansion, kernel) == trainable


# --- Known-wrong answers ----------------------------------------------------------------------


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda s, c, f, t, st=1: inverted_residual_macs(s, c, f, t, st)
     + math.ceil(s / st) ** 2 * 9 * t * c * (t * c - 1), "depthwise"),
    (lambda s, c, f, t, st=1: inverted_residual_macs(s, c, f, t, 1), "carries the stride"),
    (lambda s, c, f, t, st=1: inverted_residual_macs(s, c, f, t, st) + 1, "add the 1×1"),
    (lambda s, c, f, t, st=1: None, "the total"),
])
def test_wrong_macs_fail_with_a_hint(wrong, hint):
    assert hint in failure(checks.check_inverted_residual_macs, wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda c, f, t, k: _mbconv_params(c, f, t, k, bn_per_channel=4), "not trained"),
    (lambda c, f, t, k: _mbconv_params(c, f, t, k, bn_per_channel=0), "2 trained parameters"),
    (lambda c, f, t, k: _mbconv_params(c, f, t, k, se_base=lambda hidden: hidden), "*input*"),
    (lambda c, f, t, k: mbconv_params(c, f, t, k) - f, "expansion 1×1"),
])
def test_wrong_params_fail_with_a_hint(wrong, hint):
    assert hint in failure(checks.check_mbconv_params, wrong)
