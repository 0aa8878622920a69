"""cnnlib.checks.googlenet (notebook 12): right answers pass; known-wrong ones fail with a hint."""

import keras
import pytest
from check_helpers import failure, solutions_pass_test

from cnnlib import checks, profile
from cnnlib.checks import CheckFailed
from cnnlib.checks.googlenet import _inception_module_size, _reduced_conv_macs
from cnnlib.models.googlenet import INCEPTION_MODULES, InceptionConfig, inception_module

LECTURE_MODULE = InceptionConfig(28, 256, 128, 64, 192, 64, 96, 64)

# --- Independent correct implementations (formulas, not the library's arithmetic) ------------


def reduced_conv_macs(size, in_channels, kernel_size, filters, reduce_channels=None):
    pixels = size * size
    if reduce_channels is None:
        return pixels * kernel_size * kernel_size * in_channels * filters
    return (pixels * in_channels * reduce_channels
            + pixels * kernel_size * kernel_size * reduce_channels * filters)


def inception_module_size(config, biases=True, reductions=True, pool_proj=True):
    c = config
    layers = [(1, c.in_channels, c.n1x1)]
    if reductions:
        layers += [(1, c.in_channels, c.n3x3_reduce), (3, c.n3x3_reduce, c.n3x3),
                   (1, c.in_channels, c.n5x5_reduce), (5, c.n5x5_reduce, c.n5x5)]
    else:
        layers += [(3, c.in_channels, c.n3x3), (5, c.in_channels, c.n5x5)]
    if pool_proj:
        layers.append((1, c.in_channels, c.pool_proj))
    params = sum((k * k * n_in + biases) * n_out for k, n_in, n_out in layers)
    last = c.pool_proj if pool_proj else c.in_channels
    return c.n1x1 + c.n3x3 + c.n5x5 + last, params


SOLUTIONS = [
    (checks.check_reduced_conv_macs, reduced_conv_macs, "reduced_conv_macs", 9),
    (checks.check_inception_module_size, inception_module_size, "inception_module_size", 11),
]


test_solutions_pass_with_one_line = solutions_pass_test(SOLUTIONS)



def built_module(config):
    inputs = keras.Input(shape=(config.size, config.size, config.in_channels))
    return keras.Model(inputs, inception_module(inputs, config, name="m"))


@pytest.mark.parametrize("config", [LECTURE_MODULE, *INCEPTION_MODULES.values(),
                                    InceptionConfig(5, 1, 1, 1, 1, 1, 1, 1)])
def test_the_references_count_the_library_module(config):
    model = built_module(config)
    assert _inception_module_size(config) == (model.output.shape[-1], model.count_params())
    rows = {row.name: row.macs for row in profile.profile_model(model).rows}
    assert rows["m_3x3_reduce"] + rows["m_3x3"] == _reduced_conv_macs(
        config.size, config.in_channels, 3, config.n3x3, config.n3x3_reduce)
    assert rows["m_5x5_reduce"] + rows["m_5x5"] == _reduced_conv_macs(
        config.size, config.in_channels, 5, config.n5x5, config.n5x5_reduce)
    assert rows["m_1x1"] == _reduced_conv_macs(config.size, config.in_channels, 1, config.n1x1)


def test_the_references_give_the_lecture_and_table_numbers():
    c = LECTURE_MODULE
    naive = sum(_reduced_conv_macs(28, 256, k, n) for k, n in ((1, 128), (3, 192), (5, 96)))
    assert naive == 854_196_224
    bottleneck = (_reduced_conv_macs(28, 256, 1, c.n1x1) + _reduced_conv_macs(28, 256, 3, 192, 64)
                  + _reduced_conv_macs(28, 256, 5, 96, 64) + _reduced_conv_macs(28, 256, 1, 64))
    assert bottleneck == 271_351_808
    assert _reduced_conv_macs(28, 192, 5, 32) == 120_422_400
    assert _reduced_conv_macs(28, 192, 5, 32, 16) == 12_443_648


# --- Known-wrong answers ----------------------------------------------------------------------


def test_macs_with_k_instead_of_k_squared_fails():
    message = failure(checks.check_reduced_conv_macs,
                      lambda s, c, k, f, r=None: s * s * k * c * f)
    assert "case 1 of 9" in message and "L1's naive 3×3 branch" in message
    assert "expected 346816512" in message and "k·k weights per input channel" in message


def test_macs_without_the_cost_of_the_reduction_fails():
    message = failure(checks.check_reduced_conv_macs,
                      lambda s, c, k, f, r=None: s * s * k * k * (c if r is None else r) * f)
    assert "case 3 of 9" in message and "expected 99549184, got 86704128" in message
    assert "the 1×1 reduction costs multiply-adds too" in message


def test_macs_that_ignore_the_bottleneck_fail():
    message = failure(checks.check_reduced_conv_macs,
                      lambda s, c, k, f, r=None: s * s * k * k * c * f)
    assert "case 3 of 9" in message and "runs on the output of the 1×1 reduction" in message


def test_macs_with_the_kxk_on_the_input_channels_fail():
    def wrong(size, in_channels, kernel_size, filters, reduce_channels=None):
        macs = size * size * kernel_size**2 * in_channels * filters
        return macs + (size * size * in_channels * reduce_channels if reduce_channels else 0)

    message = failure(checks.check_reduced_conv_macs, wrong)
    assert "case 3 of 9" in message and "sees reduce_channels channels" in message


def test_macs_as_a_float_fails():
    message = failure(checks.check_reduced_conv_macs,
                      lambda s, c, k, f, r=None: float(reduced_conv_macs(s, c, k, f, r)))
    assert "not an int" in message and "one whole number" in message


def test_macs_without_the_keyword_argument_fails():
    message = failure(checks.check_reduced_conv_macs,
                      lambda size, in_channels, kernel_size, filters, reduce=None:
                      reduced_conv_macs(size, in_channels, kernel_size, filters, reduce))
    assert "case 8 of 9" in message and "raised TypeError" in message


def test_module_size_with_the_naive_pool_branch_fails():
    def wrong(config):
        out, params = inception_module_size(config)
        return out - config.pool_proj + config.in_channels, params

    message = failure(checks.check_inception_module_size, wrong)
    assert "case 1 of 11" in message and "expected (480, 346720), got (672, 346720)" in message
    assert "pool_proj channels, not the input's" in message


def test_module_size_without_biases_fails():
    message = failure(checks.check_inception_module_size,
                      lambda config: inception_module_size(config, biases=False))
    assert "got (480, 346112)" in message and "one bias per filter" in message


def test_module_size_of_the_naive_module_fails():
    message = failure(checks.check_inception_module_size,
                      lambda config: inception_module_size(config, reductions=False))
    assert "see the reduced channels" in message


def test_module_size_without_the_pool_projection_fails():
    def wrong(config):
        return config.out_channels, inception_module_size(config, pool_proj=False)[1]

    message = failure(checks.check_inception_module_size, wrong)
    assert "the pool branch's 1×1 projection has weights" in message


def test_module_size_returning_one_number_fails():
    message = failure(checks.check_inception_module_size,
                      lambda config: inception_module_size(config)[1])
    assert "return a pair of whole numbers" in message


def test_module_size_with_an_unrecognised_error_gets_the_general_hint():
    def wrong(config):
        out, params = inception_module_size(config)
        return out, params + 1

    message = failure(checks.check_inception_module_size, wrong)
    assert "six convolutions have weights" in message


def test_not_answered_yet():
    def reduced_conv_macs(size, in_channels, kernel_size, filters, reduce_channels=None):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(CheckFailed) as info:
        checks.check_reduced_conv_macs(reduced_conv_macs)
    assert "not answered yet" in str(info.value) and "in reduced_conv_macs" in str(info.value)
