"""The shared argument checks of cnnlib._validation: what they accept, refuse and say."""

import math

import numpy as np
import pytest

from cnnlib import _validation as v


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: v.check_positive_int("kernel_size", 0), ValueError,
         "kernel_size must be a positive integer, got 0"),
        (lambda: v.check_positive_int("kernel_size", True), TypeError,
         "kernel_size must be a positive integer, got True (bool)"),
        (lambda: v.check_positive_int("kernel_size", 3.0), TypeError,
         "kernel_size must be a positive integer, got 3.0 (float)"),
        (lambda: v.check_positive_int("kernel_size", "3"), TypeError,
         "kernel_size must be a positive integer, got '3' (str)"),
        (lambda: v.check_non_negative_int("padding", -1), ValueError,
         "padding must be a non-negative integer, got -1"),
        (lambda: v.check_int("seed", 5, 0, 4),
         ValueError, "seed must be an integer in [0, 4], got 5"),
        (lambda: v.check_int("depth", 1, 2), ValueError, "depth must be an integer >= 2, got 1"),
        (lambda: v.check_int("depth", 9, maximum=4), ValueError,
         "depth must be an integer <= 4, got 9"),
        (lambda: v.check_real("lr", float("nan")), ValueError,
         "lr must be a finite real number, got nan"),
        (lambda: v.check_real("lr", math.inf, 0), ValueError,
         "lr must be a finite real number >= 0, got inf"),
        (lambda: v.check_real("lr", True), TypeError, "lr must be a finite real number, got True"),
        (lambda: v.check_real("lr", "0.1"),
         TypeError, "lr must be a finite real number, got '0.1'"),
        (lambda: v.check_real("lr", 0.0, 0, min_open=True), ValueError,
         "lr must be a finite real number > 0, got 0.0"),
        (lambda: v.check_real("p", 1.5, 0, 1), ValueError,
         "p must be a finite real number in [0, 1], got 1.5"),
        (lambda: v.check_rate("dropout", 1.0), ValueError,
         "dropout must be a finite real number in [0, 1), got 1.0"),
        (lambda: v.check_rate("dropout", -0.1), ValueError, "dropout must be a finite real number"),
        (lambda: v.check_bool("relu", "no"),
         TypeError, "relu must be True or False, got 'no' (str)"),
        (lambda: v.check_bool("relu", 1), TypeError, "relu must be True or False, got 1 (int)"),
        (lambda: v.check_str("name", ""), ValueError, "name must be a non-empty string, got ''"),
        (lambda: v.check_str("name", 3), TypeError, "name must be a string, got 3 (int)"),
        (lambda: v.check_choice("shortcut", "C", ("A", "B")), ValueError,
         "shortcut must be one of 'A', 'B', got 'C'"),
        (lambda: v.check_choice("shortcut", "a", ("A", "B")), ValueError, "got 'a'"),
        (lambda: v.check_choice("shortcut", 1, ("A", "B")), TypeError,
         "shortcut must be one of 'A', 'B', got 1 (int)"),
        (lambda: v.check_choice("depth", True, (1, 2)), ValueError, "depth must be one of 1, 2"),
        (lambda: v.check_choice("depth", [1], (1, 2)), ValueError, "depth must be one of 1, 2"),
        (lambda: v.check_pair("stride", 0), ValueError,
         "stride must be a positive integer or a pair (height, width) of them, got 0"),
        (lambda: v.check_pair("stride", (2, 0)),
         ValueError, "stride[1] must be a positive integer"),
        (lambda: v.check_pair("stride", (2, 2, 2)), ValueError, "got (2, 2, 2)"),
        (lambda: v.check_pair("stride", 2.0), TypeError, "stride must be a positive integer or"),
        (lambda: v.check_pair("stride", True), TypeError, "got True (bool)"),
        (lambda: v.check_padding("padding", "full"), ValueError,
         "padding must be a non-negative integer or one of 'valid', 'same', got 'full'"),
        (lambda: v.check_padding("padding", -1), ValueError, "got -1"),
        (lambda: v.check_padding("padding", 1.0), TypeError, "got 1.0 (float)"),
        (lambda: v.check_padding("padding", True), TypeError, "got True (bool)"),
        (lambda: v.check_instance("cache", 3, tuple, "the cache of conv2d"), TypeError,
         "cache must be the cache of conv2d, got 3 (int)"),
        (lambda: v.check_callable("fn", 3), TypeError, "fn must be a function, got 3 (int)"),
        (lambda: v.check_input_shape((32, 32)), ValueError,
         "input_shape must be a tuple (height, width, channels) of positive integers (channels "
         "last), got 2 entries"),
        (lambda: v.check_input_shape(32), TypeError, "input_shape must be a tuple"),
        (lambda: v.check_input_shape((32, 0, 3)), ValueError, "input_shape[1] must be a positive"),
        (lambda: v.check_input_shape((8, 8, 3), 32, "LeNet-5", "C5 is 5x5"), ValueError,
         "input_shape=(8, 8, 3) is too small for LeNet-5: its feature maps would shrink below "
         "1x1 (C5 is 5x5); use at least 32x32"),
        (lambda: v.check_classes(0), ValueError, "classes must be a positive integer, got 0"),
        (lambda: v.check_positive_ints("filters", 16, "one per stage"), TypeError,
         "filters must be a non-empty tuple of positive integers, one per stage, got 16 (int)"),
        (lambda: v.check_positive_ints("filters", [], "one per stage"), TypeError, "got []"),
        (lambda: v.check_positive_ints("filters", (16, 0), "one per stage"), ValueError,
         "filters[1] must be a positive integer, got 0"),
        (lambda: v.check_array("x", np.zeros((2, 3)), 4, layout="(N, H, W, C)"), ValueError,
         "x must be a 4-D array (N, H, W, C), got shape (2, 3)"),
        (lambda: v.check_array("x", np.zeros(3), (2, 4)), ValueError,
         "x must be a 2 or 4-D array, got shape (3,)"),
        (lambda: v.check_array("x", ["a", "b"]), TypeError,
         "x must be an array of real numbers, got dtype <U1"),
        (lambda: v.check_array("x", [[1, 2], [3]]), TypeError, "x must be an array"),
        (lambda: v.check_array("x", np.zeros((0, 2)), empty=False), ValueError,
         "x must not be empty, got shape (0, 2)"),
        (lambda: v.check_array("x", [1.0, np.nan], finite=True), ValueError,
         "x must hold finite numbers, got NaN or infinity"),
        (lambda: v.check_array("x", [1, 2], kinds="f"), TypeError,
         "x must be an array of dtype kind in 'f', got dtype int64"),
        (lambda: v.check_images("x", np.zeros((4, 5))), ValueError,
         "x must be a 3 or 4-D array (N, height, width) or (N, height, width, channels)"),
        (lambda: v.check_images("x", np.zeros((1, 4, 4), bool)), TypeError,
         "x must hold images (integers or floats), got dtype bool"),
        (lambda: v.check_class_labels("y", [0.0, 1.0]), ValueError,
         "y must hold integer class labels of shape (N,) or (N, 1)"),
        (lambda: v.check_class_labels("y", np.zeros((3, 2), int)), ValueError,
         "y must hold integer class labels of shape (N,) or (N, 1)"),
        (lambda: v.check_class_labels("y", [0, -1, 2]), ValueError,
         "y must hold class labels 0, 1, 2, ..., got -1"),
    ],
)
def test_bad_values_raise_an_error_that_names_the_argument_and_the_value(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)


def test_good_values_come_back_in_their_normal_form():
    assert v.check_positive_int("n", np.int64(3)) == 3
    assert type(v.check_positive_int("n", np.int64(3))) is int
    assert v.check_int("n", -5) == -5
    assert v.check_int("n", 4, 0, 4) == 4
    assert v.check_non_negative_int("n", 0) == 0
    assert v.check_real("lr", np.float32(0.5), 0, 1) == 0.5
    assert type(v.check_real("lr", 2, 0)) is float
    assert v.check_real("lr", 1.0, 0, 1) == 1.0
    assert v.check_rate("rate", 0) == 0.0
    assert v.check_rate("rate", 0.999) == 0.999
    assert v.check_bool("flag", False) is False
    assert v.check_bool("flag", np.bool_(True)) is True
    assert v.check_str("s", "", empty=True) == ""
    assert v.check_choice("s", "A", ("A", "B")) == "A"
    assert v.check_choice("s", None, (None, "avg")) is None
    assert v.check_choice("d", 2, (1, 2)) == 2
    assert v.check_padding("padding", "SAME") == "same"
    assert v.check_padding("padding", np.int64(2)) == 2
    assert v.check_padding("p", "full", ("valid", "full")) == "full"
    assert v.check_pair("k", 3) == (3, 3)
    assert v.check_pair("k", [2, np.int32(3)]) == (2, 3)
    assert v.check_input_shape([32, 32, 1]) == (32, 32, 1)
    assert v.check_input_shape((32, 32, 1), min_size=32) == (32, 32, 1)
    assert v.check_classes(1) == 1
    assert v.check_positive_ints("filters", [16, np.int64(32)], "one per stage") == (16, 32)
    assert v.check_array("x", [[1, 2]], 2).shape == (1, 2)
    assert v.check_array("x", [True, False]).dtype == bool
    assert v.check_callable("f", len) is len
    assert v.check_instance("t", (1,), tuple, "a tuple") == (1,)
    assert v.check_images("x", np.zeros((2, 4, 4), np.uint8)).dtype == np.uint8
    assert v.check_images("x", [[[[0.5]]]]).shape == (1, 1, 1, 1)
    assert v.check_class_labels("y", [[0], [9]]).shape == (2, 1)
    assert v.check_class_labels("y", np.arange(3, dtype=np.uint8)).tolist() == [0, 1, 2]


def test_describe_shortens_long_values():
    assert v.describe("x" * 500) == "a str of length 500"
    assert v.describe((np.zeros((9, 9)), 1)) == "a tuple of length 2"
    assert v.describe(np.zeros((2, 3))) == "an array of shape (2, 3) and dtype float64 (ndarray)"
    # NumPy 2 writes a scalar's repr as np.float32(2.0), NumPy 1.26 (the floor) as 2.0
    assert v.describe(np.float32(2)) in ("np.float32(2.0) (float32)", "2.0 (float32)")
    assert v.describe(object.__new__(type("Thing", (), {"__repr__": lambda _: "x" * 99}))) == (
        "a Thing")


def test_check_model_refuses_what_is_not_a_usable_keras_model():
    import keras

    with pytest.raises(TypeError, match=r"model must be a Keras model, got 'vgg16' \(str\)"):
        v.check_model("vgg16")
    net = keras.Sequential([keras.layers.Dense(2)], name="net")
    assert v.check_model(net) is net
    with pytest.raises(ValueError, match="net' has no known inputs"):
        v.check_model(net, needs_inputs=True)
    with pytest.raises(ValueError, match="teacher 'net' is not compiled"):
        v.check_model(net, "teacher", compiled=True)
    inputs = keras.Input((4,))
    functional = keras.Model(inputs, keras.layers.Dense(2, name="head")(inputs), name="f")
    assert v.check_model(functional, needs_inputs=True) is functional
    functional.compile(loss="mse")
    assert v.check_model(functional, compiled=True) is functional


def test_check_layer_name_returns_the_layer_or_lists_the_valid_names():
    import keras

    inputs = keras.Input((4,), name="pixels")
    hidden = keras.layers.Dense(3, name="hidden")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, name="head")(hidden), name="tiny")
    assert v.check_layer_name(model, "hidden").name == "hidden"
    with pytest.raises(ValueError) as raised:
        v.check_layer_name(model, "conv1")
    assert str(raised.value) == (
        "layer must be the name of a layer of model 'tiny' ('pixels', 'hidden', 'head'), "
        "got 'conv1'")
    with pytest.raises(TypeError, match="layer_name must be a string, got 3"):
        v.check_layer_name(model, 3, name="layer_name")

    wide = keras.Sequential([keras.Input((2,))] + [keras.layers.Dense(2) for _ in range(20)])
    with pytest.raises(ValueError, match="and 8 more\\), got 'x'"):
        v.check_layer_name(wide, "x")


def test_every_helper_is_exported_and_documented():
    for name in v.__all__:
        helper = getattr(v, name)
        assert callable(helper), name
        assert helper.__doc__, name


def test_check_tensor_wants_a_keras_tensor_of_the_right_rank():
    import keras

    image = keras.Input((8, 8, 3))
    assert v.check_tensor("x", image) is image
    with pytest.raises(ValueError, match=r"x must be a 4-D tensor \(batch, height, width, "
                                         r"channels\), got shape \(None, 8\)"):
        v.check_tensor("x", keras.Input((8,)))
    with pytest.raises(TypeError, match="x must be a Keras tensor .* got 'image' \\(str\\)"):
        v.check_tensor("x", "image")


def test_check_initializer_accepts_names_and_objects_only():
    import keras

    assert v.check_initializer("init", "he_normal") == "he_normal"
    glorot = keras.initializers.GlorotUniform()
    assert v.check_initializer("init", glorot) is glorot
    for bad in ("he_norml", 3, True, None):
        with pytest.raises(ValueError, match="init must be a Keras initializer or its name, "
                                             "such as 'glorot_uniform' or 'he_normal', got "):
            v.check_initializer("init", bad)


def test_optional_strings_files_colormaps_axes_and_formats():
    import io

    import matplotlib
    import matplotlib.pyplot as plt

    assert v.check_str("title", None, none=True) is None
    with pytest.raises(TypeError, match=r"title must be a string or None, got 3 \(int\)"):
        v.check_str("title", 3, none=True)
    with pytest.raises(TypeError, match="name must be a string, got None"):
        v.check_str("name", None)

    stream = io.StringIO()
    assert v.check_writable("file", stream) is stream
    assert v.check_writable("file", None) is None
    with pytest.raises(TypeError, match=r"file must be a file open for writing.*'out\.txt'"):
        v.check_writable("file", "out.txt")

    assert v.check_colormap("cmap", "gray") == "gray"
    colormap = matplotlib.colormaps["viridis"]
    assert v.check_colormap("cmap", colormap) is colormap
    with pytest.raises(ValueError, match="cmap must be a Matplotlib colormap.*got 'greyscale'"):
        v.check_colormap("cmap", "greyscale")
    with pytest.raises(TypeError, match=r"cmap must be .*got 3 \(int\)"):
        v.check_colormap("cmap", 3)

    figure, ax = plt.subplots()
    try:
        assert v.check_axes("ax", ax) is ax
        assert v.check_axes("ax", None) is None
        with pytest.raises(TypeError, match="ax must be a Matplotlib Axes"):
            v.check_axes("ax", figure)
    finally:
        plt.close(figure)

    assert v.check_format("fmt", "{:.2f}") == "{:.2f}"
    assert v.check_format("fmt", str) is str
    with pytest.raises(ValueError, match=r"fmt must be a format string .*got '\{:q\}'"):
        v.check_format("fmt", "{:q}")
    with pytest.raises(ValueError, match="fmt must be"):
        v.check_format("fmt", "{} and {}")
    with pytest.raises(TypeError, match=r"fmt must be .*got 3 \(int\)"):
        v.check_format("fmt", 3)


def test_check_model_built_refuses_a_model_without_weights_yet():
    import keras

    unbuilt = keras.Sequential([keras.layers.Dense(2)], name="later")
    assert v.check_model(unbuilt) is unbuilt  # built is not asked for by default
    with pytest.raises(ValueError, match="model 'later' is not built"):
        v.check_model(unbuilt, built=True)
    unbuilt.build((None, 3))
    assert v.check_model(unbuilt, built=True) is unbuilt
