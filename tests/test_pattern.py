"""Tests of cnnlib.models.pattern: L3's CNN pattern, its three examples and the lecture's model."""

import keras
import numpy as np
import pytest

from cnnlib.models.pattern import pattern_cnn, pattern_string

LECTURE = {"conv_per_block": 2, "blocks": 1, "dense_layers": 1, "filters": 16, "dense_units": 64}
# L3's three examples: (N, M, K, pool) and the pattern as the slide writes it.
EXAMPLES = [
    ((1, 1, 0, False), "INPUT -> [[CONV -> RELU]*1]*1 -> FC"),
    ((1, 2, 1, True), "INPUT -> [[CONV -> RELU]*1 -> POOL]*2 -> [FC -> RELU]*1 -> FC"),
    ((2, 3, 2, True), "INPUT -> [[CONV -> RELU]*2 -> POOL]*3 -> [FC -> RELU]*2 -> FC"),
]


def layer_types(model):
    return [type(layer).__name__ for layer in model.layers]


def test_the_lecture_model_has_the_hand_counted_parameters():
    model = pattern_cnn((28, 28, 1), 10, **LECTURE)
    conv1 = 16 * (3 * 3 * 1 + 1)  # 160
    conv2 = 16 * (3 * 3 * 16 + 1)  # 2,320
    dense = 14 * 14 * 16 * 64 + 64  # 200,768: the pooled 14x14x16 maps, flattened
    output = 64 * 10 + 10  # 650
    assert (conv1, conv2, dense, output) == (160, 2_320, 200_768, 650)
    assert model.count_params() == conv1 + conv2 + dense + output == 203_898
    assert [layer.count_params() for layer in model.layers[1:]] == [conv1, conv2, 0, 0, dense,
                                                                     output]


def test_the_lecture_model_matches_the_slide():
    model = pattern_cnn((28, 28, 1), 10, **LECTURE)
    assert [layer.name for layer in model.layers] == [
        "input", "block1_conv1", "block1_conv2", "block1_pool", "flatten", "fc1", "predictions"]
    assert [tuple(layer.output.shape[1:]) for layer in model.layers[1:]] == [
        (28, 28, 16), (28, 28, 16), (14, 14, 16), (3136,), (64,), (10,)]
    conv = model.get_layer("block1_conv1")
    assert (conv.filters, conv.kernel_size, conv.strides, conv.padding) == (16, (3, 3), (1, 1),
                                                                            "same")
    assert conv.activation is keras.activations.relu
    assert model.get_layer("predictions").activation is keras.activations.softmax
    assert model.name == "cnn_n2_m1_k1"
    # The slide's Sequential model, built the same way, has the same parameter count.
    slide = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPool2D(pool_size=2),
        keras.layers.Flatten(),
        keras.layers.Dense(64, "relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    assert slide.count_params() == model.count_params()


def test_the_defaults_are_the_lecture_model():
    model = pattern_cnn((28, 28, 1), 10, conv_per_block=2, blocks=1, dense_layers=1)
    assert model.count_params() == 203_898


@pytest.mark.parametrize("counts, text", EXAMPLES, ids=["example1", "example2", "example3"])
def test_the_three_examples_have_the_right_layers(counts, text):
    n, m, k, pool = counts
    model = pattern_cnn((32, 32, 3), 10, conv_per_block=n, blocks=m, dense_layers=k, pool=pool)
    types = layer_types(model)
    assert types.count("Conv2D") == n * m
    assert types.count("MaxPooling2D") == (m if pool else 0)
    assert types.count("Dense") == k + 1
    assert types.count("Flatten") == 1 and types[0] == "InputLayer"
    assert len(model.layers) == 1 + n * m + (m if pool else 0) + 1 + k + 1
    assert pattern_string(n, m, k, pool) == text
    assert model.output.shape[1:] == (10,)


def test_example_three_layer_names_and_shapes():
    model = pattern_cnn((32, 32, 3), 10, conv_per_block=2, blocks=3, dense_layers=2,
                        filters=(32, 64, 128), dense_units=(256, 128))
    names = [layer.name for layer in model.layers]
    assert names == ["input",
                     "block1_conv1", "block1_conv2", "block1_pool",
                     "block2_conv1", "block2_conv2", "block2_pool",
                     "block3_conv1", "block3_conv2", "block3_pool",
                     "flatten", "fc1", "fc2", "predictions"]
    pools = [tuple(model.get_layer(f"block{b}_pool").output.shape[1:]) for b in (1, 2, 3)]
    assert pools == [(16, 16, 32), (8, 8, 64), (4, 4, 128)]
    assert [model.get_layer(n).units for n in ("fc1", "fc2", "predictions")] == [256, 128, 10]


def test_per_block_settings_and_a_dense_network():
    model = pattern_cnn((28, 28, 1), 5, conv_per_block=1, blocks=2, dense_layers=0,
                        kernel_size=(5, 3), pool=(True, False), name="mixed")
    assert model.name == "mixed"
    assert [model.get_layer(f"block{b}_conv1").kernel_size for b in (1, 2)] == [(5, 5), (3, 3)]
    assert "block2_pool" not in [layer.name for layer in model.layers]
    assert pattern_string(1, 2, 0, (True, False)) == \
        "INPUT -> [CONV -> RELU]*1 -> POOL -> [CONV -> RELU]*1 -> FC"
    dense = pattern_cnn((28, 28, 1), 10, conv_per_block=1, blocks=0, dense_layers=1,
                        dense_units=256)
    assert layer_types(dense) == ["InputLayer", "Flatten", "Dense", "Dense"]
    assert dense.count_params() == 784 * 256 + 256 + 256 * 10 + 10
    assert pattern_string(1, 0, 1) == "INPUT -> [FC -> RELU]*1 -> FC"


def test_the_model_runs():
    model = pattern_cnn((12, 12, 2), 3, conv_per_block=1, blocks=2, dense_layers=1, filters=4,
                        dense_units=8)
    probabilities = model(np.ones((2, 12, 12, 2), "float32")).numpy()
    assert probabilities.shape == (2, 3)
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-6)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"conv_per_block": 0}, ValueError, "conv_per_block"),
    ({"conv_per_block": 1.5}, TypeError, "conv_per_block"),
    ({"blocks": -1}, ValueError, "blocks"),
    ({"dense_layers": "2"}, TypeError, "dense_layers"),
    ({"filters": 0}, ValueError, "filters"),
    ({"filters": (16, 32)}, ValueError, r"filters must be .* sequence of 1"),
    ({"kernel_size": (3, 3)}, ValueError, "kernel_size"),
    ({"pool": 1}, TypeError, "pool"),
    ({"dense_units": (64, 32)}, ValueError, "dense_units"),
    ({"dense_units": -5}, ValueError, "dense_units"),
    ({"name": 3}, TypeError, "name"),
    ({"classes": 0}, ValueError, "classes"),
    ({"input_shape": (28, 28)}, ValueError, "input_shape"),
    ({"input_shape": "28x28"}, TypeError, "input_shape"),
    ({"input_shape": (28, 28, 1), "blocks": 6}, ValueError, r"too small .*\(6 max poolings"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    arguments = {"input_shape": (28, 28, 1), "classes": 10, **LECTURE, **kwargs}
    with pytest.raises(error, match=words):
        pattern_cnn(arguments.pop("input_shape"), arguments.pop("classes"), **arguments)


def test_pattern_string_rejects_bad_counts():
    with pytest.raises(ValueError, match="blocks"):
        pattern_string(1, -1, 0)
    with pytest.raises(ValueError, match="pool"):
        pattern_string(1, 2, 0, (True,))
