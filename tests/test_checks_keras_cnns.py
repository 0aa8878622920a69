"""cnnlib.checks.keras_cnns (notebook 08): right answers pass; known-wrong ones fail with a hint."""

import math

import keras
import numpy as np
import pytest
from check_helpers import failure

from cnnlib import checks
from cnnlib.checks.keras_cnns import _expected_example2, _keras_conv2d

layers = keras.layers


# --- The notebook's solutions and independent correct variants ------------------------------


def example2_layers(padding="same", use_bias=True, second_pool=True, last_activation="softmax"):
    """The layers of the notebook's solution, with one thing changed on request."""
    block2 = [layers.Conv2D(64, 3, padding="same", activation="relu")]
    if second_pool:
        block2.append(layers.MaxPool2D(2))
    return [
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 3, padding=padding, activation="relu", use_bias=use_bias),
        layers.MaxPool2D(2),
        *block2,
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation=last_activation),
    ]


def example2_model(**changes):
    return keras.Sequential(example2_layers(**changes))


def example2_functional():
    inputs = keras.Input((28, 28, 1))
    x = inputs
    for filters in (32, 64):
        x = layers.Conv2D(filters, (3, 3), padding="same")(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D(pool_size=(2, 2))(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128)(x)
    x = layers.Activation("relu")(x)
    outputs = layers.Softmax()(layers.Dense(10)(x))
    return keras.Model(inputs, outputs)


def conv2d_shape_and_params(input_shape, filters, kernel_size, strides=1, padding="valid",
                            use_bias=True):
    """The notebook's solution."""
    height, width, channels = input_shape
    kh, kw = (int(k) for k in np.broadcast_to(kernel_size, 2))
    sh, sw = (int(s) for s in np.broadcast_to(strides, 2))
    if padding == "same":
        out_h, out_w = -(-height // sh), -(-width // sw)
    else:
        out_h, out_w = (height - kh) // sh + 1, (width - kw) // sw + 1
    params = filters * (kh * kw * channels + (1 if use_bias else 0))
    return (out_h, out_w, filters), params


def pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def by_math(input_shape, filters, kernel_size, strides=1, padding="valid", use_bias=True):
    """Another correct answer: math.ceil / math.floor, lists instead of tuples."""
    sizes = zip(input_shape[:2], pair(kernel_size), pair(strides), strict=True)
    if padding == "same":
        out = [math.ceil(n / s) for n, _, s in sizes]
    else:
        out = [math.floor((n - k) / s) + 1 for n, k, s in sizes]
    return [*out, filters], math.prod(pair(kernel_size)) * input_shape[2] * filters + \
        filters * use_bias


def test_example2_solution_passes_with_one_line(capsys):
    checks.check_example2_model(example2_model)
    out = capsys.readouterr().out
    assert out.startswith("✔ example2_model: all 7 layers") and out.count("\n") == 1
    assert "421,642 parameters" in out


def test_example2_accepts_the_functional_api_and_separate_activation_layers(capsys):
    checks.check_example2_model(example2_functional)
    assert capsys.readouterr().out.startswith("✔ example2_model")


def test_example2_reference_is_the_pattern_of_the_lecture():
    expected = _expected_example2()
    assert expected.count_params() == example2_model().count_params() == 421_642
    kinds = [type(layer).__name__ for layer in expected.layers[1:]]
    assert kinds == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense",
                     "Dense"]


def test_conv2d_solution_passes_with_one_line(capsys):
    checks.check_conv2d_shape_and_params(conv2d_shape_and_params)
    assert capsys.readouterr().out == "✔ conv2d_shape_and_params: passed all 11 cases\n"


def test_conv2d_accepts_lists_and_another_correct_formula(capsys):
    checks.check_conv2d_shape_and_params(by_math)
    assert capsys.readouterr().out.startswith("✔ conv2d_shape_and_params")



@pytest.mark.parametrize(("args", "kwargs"), [
    (((28, 28, 1), 16, 3), {"padding": "same"}),
    (((28, 28, 1), 16, 5), {"strides": 2}),
    (((27, 27, 8), 4, 3), {"strides": 2, "padding": "same"}),
    (((20, 30, 4), 8, (5, 3)), {"strides": (2, 1)}),
    (((14, 14, 64), 32, 1), {"use_bias": False}),
    (((5, 5, 3), 2, 7), {"padding": "same"}),
    (((10, 10, 3), 4, 2), {"strides": 3}),
])
def test_the_conv2d_reference_is_what_keras_reports(args, kwargs):
    expected = conv2d_shape_and_params(*args, **kwargs)
    assert _keras_conv2d(*args, **kwargs) == expected
    assert all(type(n) is int for n in (*expected[0], expected[1]))


# --- Known-wrong answers ----------------------------------------------------------------------




def test_example2_missing_pooling_layer_names_the_layer():
    message = failure(checks.check_example2_model, lambda: example2_model(second_pool=False))
    assert "layer 4 after the input should be MaxPooling2D" in message
    assert "yours is Flatten" in message and "pooling layer is missing" in message


def test_example2_valid_padding_is_named():
    message = failure(checks.check_example2_model, lambda: example2_model(padding="valid"))
    assert "layer 1 after the input" in message and "26×26×32" in message
    assert 'padding="same"' in message


def test_example2_forgotten_bias_is_named():
    message = failure(checks.check_example2_model, lambda: example2_model(use_bias=False))
    assert "288 parameters" in message and "bias is missing" in message


def test_example2_missing_softmax_is_named():
    message = failure(checks.check_example2_model, lambda: example2_model(last_activation=None))
    assert "layer 7" in message and "'linear'" in message and "softmax" in message


def test_example2_extra_and_missing_layers():
    extra = example2_layers()
    extra.insert(-1, layers.Dropout(0.5))
    message = failure(checks.check_example2_model, lambda: keras.Sequential(extra))
    assert "Dropout" in message and "remove it" in message
    message = failure(checks.check_example2_model,
                      lambda: keras.Sequential(example2_layers()[:3]))
    assert "ends after 2 layers" in message and "Conv2D" in message
    message = failure(checks.check_example2_model,
                      lambda: keras.Sequential([*example2_layers(), layers.Dense(10)]))
    assert "extra layer 8" in message


def test_example2_without_an_input_or_a_model():
    message = failure(checks.check_example2_model,
                      lambda: keras.Sequential(example2_layers()[1:]))
    assert "keras.Input((28, 28, 1))" in message
    message = failure(checks.check_example2_model,
                      lambda: keras.Sequential([keras.Input((32, 32, 3)),
                                                *example2_layers()[1:]]))
    assert "input 32×32×3" in message
    message = failure(checks.check_example2_model, lambda: None)
    assert "forget to `return`" in message


def test_example2_not_answered_and_errors():
    def example2_model():
        raise NotImplementedError()

    message = failure(checks.check_example2_model, example2_model)
    assert "not answered yet" in message and "in example2_model" in message

    def broken():
        return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, padding="sme")])

    message = failure(checks.check_example2_model, broken)
    assert "your function raised ValueError" in message


def wrong_conv(change):
    def fn(input_shape, filters, kernel_size, strides=1, padding="valid", use_bias=True):
        arguments = {"input_shape": input_shape, "filters": filters, "kernel_size": kernel_size,
                     "strides": strides, "padding": padding, "use_bias": use_bias}
        return change(arguments)
    return fn


def test_conv2d_valid_instead_of_same():
    def always_valid(a):
        return conv2d_shape_and_params(**{**a, "padding": "valid"})

    message = failure(checks.check_conv2d_shape_and_params, wrong_conv(always_valid))
    assert "case 1 of 11" in message and "(26, 26, 16)" in message
    assert "ceil(n / stride)" in message


def test_conv2d_same_instead_of_valid():
    def always_same(a):
        return conv2d_shape_and_params(**{**a, "padding": "same"})

    message = failure(checks.check_conv2d_shape_and_params, wrong_conv(always_same))
    assert "L5" in message and "'same' size" in message


def test_conv2d_forgotten_bias():
    def no_bias(a):
        return conv2d_shape_and_params(**{**a, "use_bias": False})

    message = failure(checks.check_conv2d_shape_and_params, wrong_conv(no_bias))
    assert "expected ((28, 28, 16), 160), got ((28, 28, 16), 144)" in message
    assert "bias per filter is missing" in message


def test_conv2d_bias_when_use_bias_is_false():
    def always_bias(a):
        return conv2d_shape_and_params(**{**a, "use_bias": True})

    message = failure(checks.check_conv2d_shape_and_params, wrong_conv(always_bias))
    assert "1×1 convolution without bias" in message and "no biases" in message


def test_conv2d_rounding_up():
    def rounded_up(a):
        (_, _, filters), params = conv2d_shape_and_params(**a)
        if a["padding"] == "same":
            return conv2d_shape_and_params(**a)
        sizes = zip(a["input_shape"][:2], pair(a["kernel_size"]), pair(a["strides"]),
                    strict=True)
        return (*(math.ceil((n - k) / s) + 1 for n, k, s in sizes), filters), params

    message = failure(checks.check_conv2d_shape_and_params, wrong_conv(rounded_up))
    assert "12.5" in message and "rounding down" in message


def test_conv2d_channels_forgotten_and_axes_swapped():
    def no_channels(a):
        shape, _ = conv2d_shape_and_params(**a)
        kh, kw = pair(a["kernel_size"])
        return shape, a["filters"] * (kh * kw + a["use_bias"])

    message = failure(checks.check_conv2d_shape_and_params, wrong_conv(no_channels))
    assert "spans all input channels" in message

    def swapped(a):
        (h, w, filters), params = conv2d_shape_and_params(**a)
        return (w, h, filters), params

    message = failure(checks.check_conv2d_shape_and_params, wrong_conv(swapped))
    assert "non-square" in message and "kernel_size[0]" in message


def test_conv2d_not_answered_and_wrong_type():
    def conv2d_shape_and_params(input_shape, filters, kernel_size, strides=1, padding="valid",
                                use_bias=True):
        raise NotImplementedError()

    message = failure(checks.check_conv2d_shape_and_params, conv2d_shape_and_params)
    assert "not answered yet" in message
    message = failure(checks.check_conv2d_shape_and_params, wrong_conv(lambda a: None))
    assert "forget to `return`" in message
