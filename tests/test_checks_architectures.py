"""cnnlib.checks.architectures (notebooks 09, 10): right answers pass, known-wrong ones fail with
a useful, spoiler-free message, and the references agree with the library's models."""

import functools

import keras
import numpy as np
import pytest
from built_models import built, weightless
from check_helpers import failure

from cnnlib import checks, models
from cnnlib.checks.architectures import (
    _alexnet_feature_sizes,
    _alexnet_param_split,
    _c3_connection_table,
    _lenet5_params,
)
from cnnlib.profile import profile_model


def passes(check, fn, capsys):
    check(fn)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✔ "), out
    return out


@functools.cache
def alexnet_profile(input_size, classes):
    return profile_model(built(models.alexnet, (input_size, input_size, 3), classes))


# --- Independent correct answers (not the references') ---------------------------------------


def loop_partial_conv_params(connection_table, kernel_size):
    total = 0
    for column in np.asarray(connection_table).T:
        total += kernel_size * kernel_size * int(np.count_nonzero(column)) + 1
    return total


def library_lenet5_params(input_shape, classes):
    rows = profile_model(built(models.lenet5, input_shape, classes)).rows
    return {row.name: row.params for row in rows if row.params}


def paper_lenet5_connections():
    """(units) × (inputs + bias) per layer, from the paper's Section II.B."""
    c3_inputs = _c3_connection_table().sum(axis=0)  # per C3 map
    return (28 * 28 * 6 * (25 + 1) + 14 * 14 * 6 * (4 + 1)
            + 10 * 10 * int(np.sum(25 * c3_inputs + 1)) + 5 * 5 * 16 * (4 + 1)
            + 120 * (25 * 16 + 1) + 84 * (120 + 1) + 10 * 84)


def formula_alexnet_feature_sizes(n):
    sizes = [(n - 11) // 4 + 1]
    sizes.append((sizes[-1] - 3) // 2 + 1)
    sizes.append(sizes[-1])
    sizes.append((sizes[-1] - 3) // 2 + 1)
    sizes += [sizes[-1]] * 3
    sizes.append((sizes[-1] - 3) // 2 + 1)
    return sizes


def library_param_split(input_size, classes):
    rows = alexnet_profile(input_size, classes).rows
    return (sum(row.params for row in rows if row.kind == "Conv2D"),
            sum(row.params for row in rows if row.kind == "Dense"))


def grouped_alexnet_conv_macs():
    """The paper's two-tower convolutions as Keras grouped convolutions, counted by the profiler."""
    inputs = keras.Input((227, 227, 3))
    x = keras.layers.Conv2D(96, 11, strides=4)(inputs)
    x = keras.layers.MaxPooling2D(3, 2)(x)
    x = keras.layers.Conv2D(256, 5, padding="same", groups=2)(x)
    x = keras.layers.MaxPooling2D(3, 2)(x)
    x = keras.layers.Conv2D(384, 3, padding="same")(x)
    x = keras.layers.Conv2D(384, 3, padding="same", groups=2)(x)
    x = keras.layers.Conv2D(256, 3, padding="same", groups=2)(x)
    return profile_model(keras.Model(inputs, x)).totals.macs


# --- The references agree with the models ------------------------------------------------------


def test_c3_table_is_the_papers():
    table = _c3_connection_table()
    assert table.sum(axis=0).tolist() == [3] * 6 + [4] * 9 + [6]
    assert table.sum(axis=1).tolist() == [10] * 6  # every S2 map feeds 10 C3 maps
    assert np.flatnonzero(table[0]).tolist() == [0, 4, 5, 6, 9, 10, 11, 12, 14, 15]
    assert loop_partial_conv_params(table, 5) == 1516


# Counted by hand: C1 (25·C + 1)·6, C3 (25·6 + 1)·16, C5 (25·16 + 1)·120, F6 (120·h·w + 1)·84
# with C5's h×w maps, output 85·classes; the first is the docstring's 61,706 of cnnlib's LeNet-5.
LENET5_PARAMS = {
    ((32, 32, 1), 10): {"C1": 156, "C3": 2416, "C5": 48120, "F6": 10164, "output": 850},
    ((36, 36, 1), 10): {"C1": 156, "C3": 2416, "C5": 48120, "F6": 40404, "output": 850},
    ((40, 32, 1), 26): {"C1": 156, "C3": 2416, "C5": 48120, "F6": 30324, "output": 2210},
    ((64, 64, 3), 100): {"C1": 456, "C3": 2416, "C5": 48120, "F6": 816564, "output": 8500},
}


@pytest.mark.parametrize(("input_shape", "classes"), list(LENET5_PARAMS))
def test_lenet5_reference_matches_the_model_and_the_hand_count(input_shape, classes):
    expected = LENET5_PARAMS[input_shape, classes]
    assert _lenet5_params(input_shape, classes) == expected
    assert library_lenet5_params(input_shape, classes) == expected


def test_lenet5_connections_are_the_papers():
    assert paper_lenet5_connections() == 340_908  # Section II.B: "340,908 connections"


@pytest.mark.parametrize("size", [227, 224, 67])
def test_alexnet_references_match_the_model(size):
    rows = {row.name: row for row in alexnet_profile(size, 1000).rows}
    sizes = _alexnet_feature_sizes(size)
    assert sizes == tuple(rows[name].output_shape[0] for name in (
        "conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5"))
    with weightless():  # the reference builds AlexNet to count its parameters
        assert _alexnet_param_split(size, 1000) == library_param_split(size, 1000)


# The check's cases counted by hand: the convolutions 3,747,200 whatever the input (the
# docstring of cnnlib.models.alexnet), the dense layers (p·p·256 + 1)·4096 + 4097·4096 +
# 4097·classes with pool5's p×p maps (p = 6, 5, 6, 1, 7).
ALEXNET_PARAM_SPLIT = {
    (227, 1000): (3_747_200, 58_631_144), (224, 1000): (3_747_200, 47_096_808),
    (227, 10): (3_747_200, 54_575_114), (67, 10): (3_747_200, 17_874_954),
    (256, 200): (3_747_200, 55_353_544),
}


def hand_counted_param_split(input_size, classes):
    return ALEXNET_PARAM_SPLIT[input_size, classes]


@pytest.mark.parametrize(("size", "classes"), list(ALEXNET_PARAM_SPLIT))
def test_alexnet_param_split_reference_is_the_hand_count(size, classes):
    with weightless():
        split = _alexnet_param_split(size, classes)
    assert split == ALEXNET_PARAM_SPLIT[size, classes]
    assert all(type(n) is int for n in split)


def test_alexnet_reference_totals():
    with weightless():
        assert sum(_alexnet_param_split(227, 1000)) == 62_378_344  # the paper's "60 million"
    assert _alexnet_feature_sizes(227) == (55, 27, 27, 13, 13, 13, 13, 6)


# --- Right answers pass -------------------------------------------------------------------------


RIGHT = [
    (checks.check_partial_conv_params, loop_partial_conv_params),
    (checks.check_lenet5_params, library_lenet5_params),
    (checks.check_lenet5_connections, paper_lenet5_connections),
    (checks.check_lenet5_connections, 340_908),
    (checks.check_alexnet_feature_sizes, formula_alexnet_feature_sizes),
    (checks.check_alexnet_param_split, hand_counted_param_split),
    (checks.check_two_tower_conv_macs, grouped_alexnet_conv_macs),
    (checks.check_two_tower_conv_macs, 665_784_864),
]


@pytest.mark.parametrize(("check", "answer"), RIGHT,
                         ids=[f"{c.__name__}-{getattr(a, '__name__', a)}" for c, a in RIGHT])
def test_right_answers_pass_with_one_line(check, answer, capsys):
    passes(check, answer, capsys)


# --- Known-wrong answers fail with a hint -------------------------------------------------------


def test_partial_conv_without_biases_fails():
    message = failure(checks.check_partial_conv_params,
                      lambda table, k: k * k * int(np.sum(table)))
    assert "case 1 of 8" in message and "Table I" in message
    assert "expected 1516, got 1500" in message and "bias" in message


def test_partial_conv_with_biases_per_row_fails():
    message = failure(checks.check_partial_conv_params,
                      lambda table, k: k * k * int(np.sum(table)) + table.shape[0])
    assert "columns of the table" in message


def test_partial_conv_that_ignores_the_table_fails():
    message = failure(checks.check_partial_conv_params,
                      lambda table, k: k * k * table.size + table.shape[1])
    assert "True entries" in message


def test_lenet5_params_that_assume_a_1x1_c5_fail_on_larger_inputs():
    def one_by_one(input_shape, classes):
        params = library_lenet5_params((32, 32, input_shape[2]), classes)
        return params

    message = failure(checks.check_lenet5_params, one_by_one)
    assert "36×36×1" in message and "F6 is 10164, expected 40404" in message
    assert "height × width" in message


def test_lenet5_params_with_wrong_keys_fail():
    message = failure(checks.check_lenet5_params, lambda shape, classes: {"C1": 156})
    assert "missing: 'C3', 'C5', 'F6', 'output'" in message


@pytest.mark.parametrize(("wrong", "hint"), [
    (340_068, "output layer"), (332_824, "bias"), (430_908, "connection table"),
    (60_000, "number of parameters"), (61_706, "cnnlib's LeNet-5"), (123, "layer by layer"),
])
def test_wrong_connection_counts_fail_with_their_hint(wrong, hint):
    message = failure(checks.check_lenet5_connections, lambda: wrong)
    assert hint in message and "340908" not in message and "340,908" not in message


def test_not_answered_connections():
    def lenet5_connections():
        raise NotImplementedError()

    message = failure(checks.check_lenet5_connections, lenet5_connections)
    assert "not answered yet" in message and "lenet5_connections" in message


def test_feature_sizes_without_floor_fail():
    message = failure(checks.check_alexnet_feature_sizes,
                      lambda n: [(n - 11) / 4 + 1] + formula_alexnet_feature_sizes(n)[1:])
    assert "case 1 of 7" in message and "55.0" in message and "//" in message


def test_feature_sizes_that_pad_as_valid_fail():
    def valid_everywhere(n):
        conv1 = (n - 11) // 4 + 1
        pool1 = (conv1 - 3) // 2 + 1
        conv2 = pool1 - 4
        pool2 = (conv2 - 3) // 2 + 1
        return [conv1, pool1, conv2, pool2, pool2 - 2, pool2 - 4, pool2 - 6,
                (pool2 - 6 - 3) // 2 + 1]

    message = failure(checks.check_alexnet_feature_sizes, valid_everywhere)
    assert "case 1 of 7" in message and "conv2 uses padding='same'" in message


def test_two_tower_split_fails():
    message = failure(checks.check_alexnet_param_split,
                      lambda n, classes: (2_334_080, library_param_split(n, classes)[1]))
    assert "two-tower" in message


def test_param_split_with_a_fixed_fc6_fails():
    def fixed_fc6(n, classes):
        conv, _ = library_param_split(227, 1000)
        return conv, (6 * 6 * 256 + 1) * 4096 + 4097 * 4096 + 4097 * classes

    message = failure(checks.check_alexnet_param_split, fixed_fc6)
    assert "224×224×3" in message and "pool5's output flattened" in message


@pytest.mark.parametrize(("wrong", "hint"), [
    (1_076_634_144, "single tower;"), (1_135_256_096, "dense layers included"),
    (332_892_432, "one GPU's share"), (538_317_072, "only conv2, conv4 and conv5"),
    (1, "kh·kw"),
])
def test_wrong_two_tower_macs_fail_with_their_hint(wrong, hint):
    message = failure(checks.check_two_tower_conv_macs, lambda: wrong)
    assert hint in message and "665784864" not in message and "665,784,864" not in message


def test_two_tower_macs_reference_is_the_single_tower_minus_the_split_halves():
    rows = {row.name: row for row in alexnet_profile(227, 1000).rows}
    halved = sum(rows[name].macs // 2 for name in ("conv2", "conv4", "conv5"))
    one_tower = sum(row.macs for row in rows.values() if row.kind == "Conv2D")
    assert grouped_alexnet_conv_macs() == one_tower - halved == 665_784_864
