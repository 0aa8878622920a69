"""cnnlib.checks.comparing (notebook 14): right answers pass; known-wrong ones fail with a useful
hint."""

import math

import keras
import pytest
from check_helpers import failure, solutions_pass_test

from cnnlib import checks, profile
from cnnlib.checks import CheckFailed
from cnnlib.checks.comparing import _NOTEBOOK_MODELS, _conv_macs_per_weight, _pareto_front

# --- Independent correct implementations (formulas, not the library's arithmetic) ------------


def conv_macs_per_weight(input_size, kernel_size, in_channels, filters, stride=1,
                         padding="same"):
    if padding == "same":
        out = math.ceil(input_size / stride)
    else:
        out = (input_size - kernel_size) // stride + 1
    return out * out  # every weight is used once per output position


def pareto_front(models):
    front = []
    for name, (cost, error) in models.items():
        beaten = any(c <= cost and e <= error and (c, e) != (cost, error)
                     for c, e in models.values())
        if not beaten:
            front.append(name)
    return sorted(front, key=lambda n: (models[n][0], models[n][1], n))


def pareto_front_by_sweep(models):
    """Sort by cost, keep each model whose error is below every cheaper model's."""
    front, best_error, best_cost = [], math.inf, None
    for name in sorted(models, key=lambda n: (*models[n], n)):
        cost, error = models[name]
        if error < best_error or (error == best_error and cost == best_cost):
            front.append(name)
            best_error, best_cost = error, cost
    return front


SOLUTIONS = [
    (checks.check_conv_macs_per_weight, conv_macs_per_weight, "conv_macs_per_weight", 8),
    (checks.check_pareto_front, pareto_front, "pareto_front", 6),
    (checks.check_pareto_front, pareto_front_by_sweep, "pareto_front", 6),
]


test_solutions_pass_with_one_line = solutions_pass_test(SOLUTIONS)


@pytest.mark.parametrize(("size", "kernel", "c_in", "filters", "stride", "padding"),
                         [(224, 3, 3, 64, 1, "same"), (227, 11, 3, 96, 4, "valid"),
                          (7, 3, 8, 16, 2, "same"), (8, 3, 1, 1, 2, "valid"),
                          (7, 7, 512, 16, 1, "valid")])
def test_the_reference_counts_what_the_profiler_counts(size, kernel, c_in, filters, stride,
                                                       padding):
    inputs = keras.Input((size, size, c_in))
    layer = keras.layers.Conv2D(filters, kernel, strides=stride, padding=padding)
    model = keras.Model(inputs, layer(inputs))
    weights = math.prod(layer.kernel.shape)
    expected = profile.count_macs(model) / weights
    assert _conv_macs_per_weight(size, kernel, c_in, filters, stride, padding) == expected


def test_the_notebook_front():
    assert _pareto_front(_NOTEBOOK_MODELS) == [
        "AlexNet", "GoogLeNet", "ResNet-34", "ResNet-50", "ResNet-101", "ResNet-152"]


# --- Known-wrong answers ----------------------------------------------------------------------


def test_counting_biases_fails():
    def with_biases(n, k, c, f, s=1, p="same"):
        return conv_macs_per_weight(n, k, c, f, s, p) * k * k * c / (k * k * c + 1)

    message = failure(checks.check_conv_macs_per_weight, with_biases)
    assert "case 1 of 8" in message and "expected 50176, got" in message
    assert "without the biases" in message


def test_dividing_by_one_filter_fails():
    message = failure(checks.check_conv_macs_per_weight,
                      lambda n, k, c, f, s=1, p="same": conv_macs_per_weight(n, k, c, f, s, p) * f)
    assert "channels and filters then cancel out" in message


def test_ignoring_the_stride_fails():
    message = failure(checks.check_conv_macs_per_weight,
                      lambda n, k, c, f, s=1, p="same": conv_macs_per_weight(n, k, c, f, 1, p))
    assert "case 3 of 8" in message and "ResNet conv1" in message
    assert "about 1/s of the output rows" in message


def test_valid_padding_treated_as_same_fails():
    message = failure(checks.check_conv_macs_per_weight,
                      lambda n, k, c, f, s=1, p="same": math.ceil(n / s) ** 2)
    assert "AlexNet conv1" in message and "expected 3025, got 3249" in message
    assert "(n - k)//s + 1" in message


def test_same_padding_treated_as_valid_fails():
    message = failure(checks.check_conv_macs_per_weight,
                      lambda n, k, c, f, s=1, p="same": ((n - k) // s + 1) ** 2)
    assert "case 1 of 8" in message and "expected 50176, got 49284" in message
    assert "each weight is used once at every output position" in message


def test_returning_a_pair_fails():
    message = failure(checks.check_conv_macs_per_weight,
                      lambda n, k, c, f, s=1, p="same": (n * n * k * k * c * f, k * k * c * f))
    assert "return one number" in message


def test_a_front_with_dominated_models_fails():
    message = failure(checks.check_pareto_front, lambda models: sorted(models))
    assert "case 1 of 6" in message and "dominated" in message


def test_an_unsorted_front_fails():
    message = failure(checks.check_pareto_front, lambda models: pareto_front(models)[::-1])
    assert "sort the names by increasing cost" in message


def test_a_set_fails():
    message = failure(checks.check_pareto_front, lambda models: set(pareto_front(models)))
    assert "return a list of names" in message


def test_dropping_identical_models_fails():
    def strict(models):  # treats an equal model as dominating: drops both twins
        return [name for name in pareto_front(models)
                if list(models.values()).count(models[name]) == 1]

    message = failure(checks.check_pareto_front, strict)
    assert "two identical models" in message and "do not dominate each other" in message


def test_not_answered_yet():
    def pareto_front(models):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(CheckFailed) as info:
        checks.check_pareto_front(pareto_front)
    assert "not answered yet" in str(info.value) and "in pareto_front" in str(info.value)
