"""cnnlib.checks.vgg (notebook 11): right answers pass; known-wrong ones fail with a useful hint."""

import pytest
from built_models import built
from check_helpers import failure, solutions_pass_test

from cnnlib import checks, models
from cnnlib.checks import CheckFailed
from cnnlib.checks.vgg import _vgg_params

# --- Independent correct implementations (formulas, not the library's arithmetic) ------------


def vgg_conv_layer(height, width, in_channels, filters):
    return (3 * 3 * in_channels + 1) * filters, height * width * filters


def stacked_conv_ratio(n_layers, channels):
    kernel = 2 * n_layers + 1
    return n_layers * 9 * channels**2 / (kernel**2 * channels**2)


BLOCKS = {11: (1, 1, 2, 2, 2), 13: (2, 2, 2, 2, 2), 16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}


def vgg_params(depth, input_size=224, classes=1000, dense_units=4096, biases=True):
    total, channels = 0, 3
    for filters, convs in zip((64, 128, 256, 512, 512), BLOCKS[depth], strict=True):
        for _ in range(convs):
            total += (9 * channels + biases) * filters
            channels = filters
    flat = (input_size // 32) ** 2 * 512
    for n_in, n_out in ((flat, dense_units), (dense_units, dense_units), (dense_units, classes)):
        total += (n_in + biases) * n_out
    return total


SOLUTIONS = [
    (checks.check_vgg_conv_layer, vgg_conv_layer, "vgg_conv_layer", 9),
    (checks.check_stacked_conv_ratio, stacked_conv_ratio, "stacked_conv_ratio", 7),
    (checks.check_vgg_params, vgg_params, "vgg_params", 8),
]


test_solutions_pass_with_one_line = solutions_pass_test(SOLUTIONS)



@pytest.mark.parametrize(("depth", "input_size", "classes", "dense_units"),
                         [(16, 224, 1000, 4096), (19, 224, 1000, 4096), (11, 32, 10, 512),
                          (13, 48, 10, 128), (19, 64, 100, 256)])
def test_the_reference_counts_the_library_models(depth, input_size, classes, dense_units):
    if (input_size, classes, dense_units) == (224, 1000, 4096):  # tests/test_models.py's
        model = built(getattr(models, f"vgg{depth}"))
    else:
        model = built(models.vgg, depth, (input_size, input_size, 3), classes,
                      dense_units=dense_units)
    assert _vgg_params(depth, input_size, classes, dense_units) == model.count_params()


def test_the_reference_has_the_published_totals():
    assert _vgg_params(16) == 138_357_544 and _vgg_params(19) == 143_667_240


# --- Known-wrong answers ----------------------------------------------------------------------




def test_conv_layer_without_biases_fails_with_the_slides_formula():
    message = failure(checks.check_vgg_conv_layer,
                      lambda h, w, c, f: (9 * c * f, h * w * f))
    assert "case 1 of 9" in message and "expected (1792, 3211264), got (1728, 3211264)" in message
    assert "one bias per filter" in message


def test_conv_layer_without_padding_fails():
    message = failure(checks.check_vgg_conv_layer,
                      lambda h, w, c, f: ((9 * c + 1) * f, (h - 2) * (w - 2) * f))
    assert "got (1792, 3154176)" in message and "keeps the height and width" in message


def test_conv_layer_returning_one_number_fails():
    message = failure(checks.check_vgg_conv_layer, lambda h, w, c, f: (9 * c + 1) * f)
    assert "return a pair" in message


def test_inverted_ratio_fails():
    message = failure(checks.check_stacked_conv_ratio, lambda n, c: 1 / stacked_conv_ratio(n, c))
    assert "L1: three 3×3 layers against one 7×7, C=64" in message
    assert "expected 0.55102, got" in message and "stacked / single" in message


def test_ratio_with_a_field_of_3n_fails():
    message = failure(checks.check_stacked_conv_ratio, lambda n, c: n * 9 / (3 * n) ** 2)
    assert "2 pixels per layer" in message


def test_ratio_with_integer_division_fails():
    message = failure(checks.check_stacked_conv_ratio,
                      lambda n, c: n * 9 * c * c // ((2 * n + 1) ** 2 * c * c))
    assert "divide with /" in message


def test_vgg_params_without_biases_fails():
    message = failure(checks.check_vgg_params,
                      lambda d, s=224, k=1000, u=4096: vgg_params(d, s, k, u, biases=False))
    assert "VGG-16, ImageNet size: expected 138357544, got 138344128" in message
    assert "count the biases too" in message


def test_vgg_params_with_a_fixed_flatten_size_fails():
    message = failure(checks.check_vgg_params,
                      lambda d, s=224, k=1000, u=4096: vgg_params(d, 224, k, u))
    assert "case 5 of 8" in message and "VGG-16 for CIFAR-10" in message
    assert "(input_size/32)²·512" in message


def test_not_answered_yet():
    def vgg_params(depth, input_size=224, classes=1000, dense_units=4096):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(CheckFailed) as info:
        checks.check_vgg_params(vgg_params)
    assert "not answered yet" in str(info.value) and "in vgg_params" in str(info.value)
