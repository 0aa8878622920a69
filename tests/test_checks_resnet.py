"""cnnlib.checks.resnet (notebook 13): right answers pass, known-wrong ones fail with a hint."""

import keras
import numpy as np
import pytest
from built_models import built
from check_helpers import failure, solutions_pass_test

from cnnlib import checks, models
from cnnlib.checks import CheckFailed
from cnnlib.checks.resnet import _bottleneck_macs, _cifar_resnet_params, _zero_pad_shortcut
from cnnlib.models.resnet import ZeroPadShortcut, bottleneck_block
from cnnlib.profile import count_macs

# --- Independent correct implementations (formulas, not the library's arithmetic) ------------


def zero_pad_shortcut(x, filters, strides):
    n, height, width, channels = x.shape
    out = np.zeros((n, -(-height // strides), -(-width // strides), filters), dtype=x.dtype)
    out[..., :channels] = x[:, ::strides, ::strides, :]
    return out


def cifar_resnet_params(n, classes=10):
    total, channels = 3 * 3 * 3 * 16 + 2 * 16, 16
    for filters in (16, 32, 64):
        for _ in range(n):
            total += 9 * channels * filters + 9 * filters * filters + 4 * filters
            channels = filters
    return total + 64 * classes + classes


def bottleneck_macs(size, in_channels, filters):
    per_position = in_channels * filters + 9 * filters * filters + filters * 4 * filters
    if in_channels != 4 * filters:
        per_position += in_channels * 4 * filters
    return size * size * per_position


SOLUTIONS = [
    (checks.check_zero_pad_shortcut, zero_pad_shortcut, "zero_pad_shortcut", 7),
    (checks.check_cifar_resnet_params, cifar_resnet_params, "cifar_resnet_params", 8),
    (checks.check_bottleneck_macs, bottleneck_macs, "bottleneck_macs", 6),
]


test_solutions_pass_with_one_line = solutions_pass_test(SOLUTIONS)



# --- The references agree with the library's layers and models --------------------------------


@pytest.mark.parametrize(("shape", "filters", "strides"),
                         [((2, 8, 8, 16), 32, 2), ((1, 5, 5, 3), 6, 2), ((1, 3, 3, 2), 5, 1)])
def test_the_shortcut_reference_equals_the_layer(shape, filters, strides):
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    layer = keras.ops.convert_to_numpy(ZeroPadShortcut(filters, strides)(x))
    np.testing.assert_array_equal(_zero_pad_shortcut(x, filters, strides), layer)


def trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@pytest.mark.parametrize(("n", "classes"), [(1, 10), (3, 10), (9, 10), (2, 100)])
def test_the_params_reference_counts_the_library_models(n, classes):
    model = built(models.cifar_resnet, 6 * n + 2, classes=classes)
    assert _cifar_resnet_params(n, classes) == trainable(model)


def test_the_params_reference_has_table_6s_counts():
    counts = [_cifar_resnet_params(n) for n in (3, 5, 7, 9, 18)]
    assert counts == [269_722, 464_154, 658_586, 853_018, 1_727_962]


@pytest.mark.parametrize(("size", "in_channels", "filters"),
                         [(56, 256, 64), (56, 64, 64), (7, 2048, 512), (3, 6, 2)])
def test_the_macs_reference_counts_the_library_block(size, in_channels, filters):
    inputs = keras.Input((size, size, in_channels))
    block = keras.Model(inputs, bottleneck_block(inputs, filters))
    assert _bottleneck_macs(size, in_channels, filters) == count_macs(block)


def test_the_papers_bottleneck_example():
    assert _bottleneck_macs(56, 256, 64) == 56 * 56 * (256 * 64 + 9 * 64 * 64 + 64 * 256)


# --- Known-wrong answers ----------------------------------------------------------------------


def test_shortcut_padding_the_channels_in_front_fails():
    def in_front(x, filters, strides):
        kept = x[:, ::strides, ::strides, :]
        return np.pad(kept, [(0, 0), (0, 0), (0, 0), (filters - x.shape[-1], 0)])

    message = failure(checks.check_zero_pad_shortcut, in_front)
    assert "case 1 of 7" in message and "appended after them" in message


def test_shortcut_with_floor_division_sizes_fails():
    def floor_sizes(x, filters, strides):
        n, height, width, channels = x.shape
        out = np.zeros((n, height // strides, width // strides, filters))
        out[..., :channels] = x[:, : height // strides * strides: strides,
                                 : width // strides * strides: strides, :]
        return out

    message = failure(checks.check_zero_pad_shortcut, floor_sizes)
    assert "odd size 5×5×3" in message and "expected output shape (2, 3, 3, 6), got (2, 2, 2, 6)"\
        in message and "ceil(H/2)" in message


def test_shortcut_without_subsampling_fails():
    message = failure(checks.check_zero_pad_shortcut,
                      lambda x, f, s: np.pad(x, [(0, 0), (0, 0), (0, 0), (0, f - x.shape[-1])]))
    assert "case 1 of 7" in message and "halve the height and width" in message


def test_shortcut_starting_at_the_second_pixel_fails():
    message = failure(checks.check_zero_pad_shortcut,
                      lambda x, f, s: zero_pad_shortcut(x[:, s - 1:, s - 1:, :], f, s))
    assert "start from the first one" in message


def test_shortcut_without_new_channels_fails():
    message = failure(checks.check_zero_pad_shortcut, lambda x, f, s: x[:, ::s, ::s, :])
    assert "pad the channels up to `filters`" in message


@pytest.mark.parametrize(("wrong", "expected_hint"), [
    (lambda n, classes=10: _cifar_resnet_params(n, classes, bn_per_channel=4),
     "moving mean and variance are not trained"),
    (lambda n, classes=10: _cifar_resnet_params(n, classes, bn_per_channel=0),
     "2 trained parameters per channel"),
    (lambda n, classes=10: _cifar_resnet_params(n, classes, conv_bias=True),
     "convolutions have no biases"),
    (lambda n, classes=10: cifar_resnet_params(n, classes) + 16 * 32 + 64 + 32 * 64 + 128,
     "option A's shortcuts"),
    (lambda n, classes=10: cifar_resnet_params(n, 10), "the dense layer 64 -> classes"),
])
def test_wrong_cifar_resnet_params_fail_with_a_hint(wrong, expected_hint):
    message = failure(checks.check_cifar_resnet_params, wrong)
    assert expected_hint in message


def test_cifar_resnet_params_message_names_the_case():
    message = failure(checks.check_cifar_resnet_params,
                      lambda n, classes=10: cifar_resnet_params(n, classes) + 1)
    assert "case 1 of 8 failed — ResNet-20: expected 269722, got 269723" in message


@pytest.mark.parametrize(("wrong", "case", "expected_hint"), [
    (lambda s, c, f: s * s * (c * f + 9 * f * f + 4 * f * f), "case 2 of 6",
     "count it too"),
    (lambda s, c, f: s * s * (c * f + 9 * f * f + 4 * f * f + 4 * c * f), "case 1 of 6",
     "it costs nothing"),
    (lambda s, c, f: bottleneck_macs(s, c, f) - s * s * 6 * f * f, "case 1 of 6", "not 3"),
    (lambda s, c, f: s * s * (c * f + 9 * f * f + f * f + (c * f if c != f else 0)),
     "case 1 of 6", "expands to 4·filters"),
    (lambda s, c, f: bottleneck_macs(s, c, f) // (s * s), "case 1 of 6", "size·size"),
])
def test_wrong_bottleneck_macs_fail_with_a_hint(wrong, case, expected_hint):
    message = failure(checks.check_bottleneck_macs, wrong)
    assert case in message and expected_hint in message


def test_not_answered_yet():
    def cifar_resnet_params(n, classes=10):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(CheckFailed) as info:
        checks.check_cifar_resnet_params(cifar_resnet_params)
    assert "not answered yet" in str(info.value) and "in cifar_resnet_params" in str(info.value)
