"""MobileNetV2, EfficientNet-B0 and ConvNeXt-T (notebook 19) against keras.applications:
the same parameters, multiply-adds and, with the same weights, the same outputs."""

import re

import keras
import numpy as np
import pytest
from built_models import built, weightless

from cnnlib.models.convnext import LayerScale, convnext, convnext_block, convnext_tiny
from cnnlib.models.efficientnet import (
    COMPOUND_SCALING,
    efficientnet,
    efficientnet_b0,
    mbconv_block,
    squeeze_excite,
)
from cnnlib.models.mobilenet import inverted_residual_block, make_divisible, mobilenet_v2
from cnnlib.profile import count_macs

IMAGE = np.random.default_rng(0).uniform(0, 1, size=(1, 224, 224, 3)).astype("float32")


# Built without initial weights (tests/built_models.py): the counts read only their structure,
# and the comparisons give both models the same random weights through ``stateless_call``.


@pytest.fixture(scope="module")
def mobilenets():
    with weightless():
        return mobilenet_v2(), keras.applications.MobileNetV2(weights=None)


@pytest.fixture(scope="module")
def efficientnets():
    with weightless():
        return efficientnet_b0(), keras.applications.EfficientNetB0(weights=None)


@pytest.fixture(scope="module")
def convnexts():
    with weightless():
        return convnext_tiny(), keras.applications.ConvNeXtTiny(weights=None)


def test_mobilenet_v2_counts(mobilenets):
    ours, theirs = mobilenets
    assert ours.count_params() == theirs.count_params() == 3_538_984
    assert count_macs(ours) == count_macs(theirs) == 300_774_272  # the paper: 300M
    assert round(count_macs(ours) / 1e6) == 301


def test_efficientnet_b0_counts(efficientnets):
    ours, theirs = efficientnets
    normalization = theirs.get_layer("normalization").count_params()
    assert normalization == 7  # a mean and a variance per colour channel, and a count
    assert ours.count_params() == 5_330_564 == theirs.count_params() - normalization
    assert theirs.count_params() == 5_330_571
    assert count_macs(ours) == count_macs(theirs) == 385_814_752  # the paper: 0.39B
    assert round(count_macs(ours) / 1e9, 2) == 0.39


def test_convnext_tiny_counts(convnexts):
    ours, theirs = convnexts
    assert ours.count_params() == theirs.count_params() == 28_589_128
    assert count_macs(ours) == count_macs(theirs) == 4_455_531_264  # the paper: 4.5G
    assert round(count_macs(ours) / 1e9, 1) == 4.5


def random_values(model, seed):
    """{id(weight): value} for every weight of Keras's model: He-normal kernels (fan-in: window
    times input channels; the window alone for a depthwise kernel, whose last axis is 1),
    biases, betas and moving means ~N(0, 0.2), gammas 1 + N(0, 0.2), moving variances in
    [0.5, 1.5] (so that batch norm's inference formula is exercised, not the identity)."""
    rng = np.random.default_rng(seed)
    values = {}
    for weight in model.weights:
        shape = tuple(weight.shape)
        if len(shape) > 1:
            fan_in = int(np.prod(shape[:-1] if shape[-1] > 1 else shape[:-2]))
            value = rng.standard_normal(shape, dtype=np.float32) * np.sqrt(2 / fan_in)
        elif "variance" in weight.path:
            value = rng.uniform(0.5, 1.5, shape)
        else:
            value = rng.normal(0, 0.2, shape) + ("gamma" in weight.path)
        values[id(weight)] = value
    return values


def ours_from_theirs(ours, theirs, values):
    """Keras's weight values for our weights, in order (ConvNeXt's grouped-convolution kernels
    (7, 7, 1, C) become depthwise kernels (7, 7, C, 1)); Keras's input normalisation has no
    counterpart in ours."""
    theirs_weights = [w for w in theirs.weights if "normalization" not in w.path]
    assert len(ours.weights) == len(theirs_weights)
    mapped = {}
    for mine, other in zip(ours.weights, theirs_weights, strict=True):
        value = values[id(other)]
        mapped[id(mine)] = np.moveaxis(value, 2, 3) if mine.shape != value.shape else value
    return mapped


def run(model, values, x):
    """The model's output on ``x`` with ``values`` for its weights, without assigning them
    (dropout's random-seed states are not weights: they keep their own values)."""
    outputs, _ = model.stateless_call([values[id(w)] for w in model.trainable_variables],
                                      [values.get(id(w), w) for w in model.non_trainable_variables],
                                      x, training=False)
    return keras.ops.convert_to_numpy(outputs)


def outputs_close(ours, theirs, values, our_input, their_input):
    expected = run(theirs, values, their_input)
    got = run(ours, ours_from_theirs(ours, theirs, values), our_input)
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-6)


def test_mobilenet_v2_computes_what_keras_computes(mobilenets):
    ours, theirs = mobilenets
    # Keras numbers its unnamed layers (global_average_pooling2d_25) by how many were built
    # before in the session; the names are the same without that suffix.
    def names(layers):
        return [re.sub(r"_\d+$", "", layer.name) for layer in layers if "pad" not in layer.name]

    assert names(ours.layers[1:]) == names(theirs.layers[1:])
    outputs_close(ours, theirs, random_values(theirs, 1), IMAGE, IMAGE)


def test_efficientnet_b0_computes_what_keras_computes(efficientnets):
    ours, theirs = efficientnets
    names = {layer.name for layer in theirs.layers}
    assert {layer.name for layer in ours.layers[1:]} - names == set()
    values = random_values(theirs, 2)
    mean, variance, count = theirs.get_layer("normalization").weights
    values.update({id(mean): np.zeros(3), id(variance): np.ones(3), id(count): np.array(0)})
    outputs_close(ours, theirs, values, IMAGE, 255 * IMAGE)  # Keras's model rescales by 1/255


def test_convnext_tiny_computes_what_keras_computes(convnexts):
    ours, theirs = convnexts
    values = random_values(theirs, 3)
    for weight in theirs.weights:
        if "layer_scale" in weight.path:  # 1e-6 would hide the blocks' computations
            values[id(weight)] = np.full(weight.shape, 0.5)
    normalise = theirs.get_layer("convnext_tiny_prestem_normalization")
    outputs_close(ours, theirs, values, normalise(IMAGE), IMAGE)


def test_make_divisible():
    assert [make_divisible(v) for v in (32, 16 * 0.35, 24 * 0.5, 1280 * 1.4, 91)] == [
        32, 8, 16, 1792, 88]
    assert make_divisible(10, 8) == 16  # 8 would be more than 10% below 10


def block_model(block, shape, *args, **kwargs):
    inputs = keras.Input(shape)
    return keras.Model(inputs, block(inputs, *args, **kwargs))


def layer_types(model):
    return [type(layer).__name__ for layer in model.layers[1:]]


def test_inverted_residual_block_is_linear_at_its_ends():
    model = block_model(inverted_residual_block, (8, 8, 16), 6, 16, 1)
    assert layer_types(model) == ["Conv2D", "BatchNormalization", "ReLU", "DepthwiseConv2D",
                                  "BatchNormalization", "ReLU", "Conv2D", "BatchNormalization",
                                  "Add"]
    assert model.get_layer("block_1_expand").filters == 96
    assert model.get_layer("block_1_depthwise").strides == (1, 1)
    strided = block_model(inverted_residual_block, (8, 8, 16), 6, 16, 2)
    assert "Add" not in layer_types(strided) and strided.output.shape == (None, 4, 4, 16)


def test_squeeze_excite_gates_each_channel():
    model = block_model(squeeze_excite, (5, 5, 8), 2)
    assert layer_types(model) == ["GlobalAveragePooling2D", "Conv2D", "Conv2D", "Multiply"]
    assert model.count_params() == (8 * 2 + 2) + (2 * 8 + 8)
    x = np.random.default_rng(4).normal(size=(2, 5, 5, 8)).astype("float32")
    reduce_w, reduce_b, expand_w, expand_b = model.get_weights()
    squeezed = x.mean(axis=(1, 2))
    hidden = squeezed @ reduce_w[0, 0] + reduce_b
    hidden = hidden / (1 + np.exp(-hidden))
    gate = 1 / (1 + np.exp(-(hidden @ expand_w[0, 0] + expand_b)))
    np.testing.assert_allclose(model(x), x * gate[:, None, None, :], rtol=1e-5, atol=1e-6)


def test_mbconv_squeezes_to_a_quarter_of_the_input_channels():
    model = block_model(mbconv_block, (8, 8, 24), 6, 5, 1, 24, name="b")
    assert model.get_layer("b_se_reduce").filters == 6
    assert model.get_layer("b_dwconv").kernel_size == (5, 5)
    assert "Add" in layer_types(model)


def test_convnext_block_starts_as_the_identity():
    model = block_model(convnext_block, (8, 8, 16))
    x = np.random.default_rng(5).normal(size=(1, 8, 8, 16)).astype("float32")
    np.testing.assert_allclose(model(x), x, atol=1e-4)
    assert isinstance(model.layers[-2], LayerScale)
    assert model.get_layer("stage_0_block_0_pointwise_conv_1").units == 64


def test_compound_scaling_doubles_the_flops_per_step():
    alpha, beta, gamma = COMPOUND_SCALING
    assert alpha * beta**2 * gamma**2 == pytest.approx(1.92, abs=0.005)


def test_small_cifar_versions_end_with_the_classes():
    for model in (built(mobilenet_v2, (32, 32, 3), 10, 0.5, stem_strides=1),
                  built(efficientnet, 0.5, 0.34, (32, 32, 3), 10, stem_strides=1),
                  built(convnext, (1, 1, 2, 1), (16, 32, 64, 128), (32, 32, 3), 10,
                        patch_size=2)):
        assert model.output.shape == (None, 10)
    # depth 1.2: stages of 1 and 2 blocks get ceil(1.2) = 2 and ceil(2.4) = 3 (round or int: 1, 2)
    wide = built(efficientnet, 2.0, 1.2, (64, 64, 3), 5)
    names = {layer.name for layer in wide.layers}
    assert wide.get_layer("stem_conv").filters == 64
    assert {"block1b_add", "block2c_add"} <= names and "block2d_project_conv" not in names


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: mobilenet_v2((32, 32), 10), ValueError, "input_shape"),
    (lambda: mobilenet_v2(classes=0), ValueError, "classes"),
    (lambda: mobilenet_v2(alpha=0), ValueError, "alpha"),
    (lambda: mobilenet_v2(stem_strides=3), ValueError, "stem_strides"),
    (lambda: efficientnet(width="1"), TypeError, "width"),
    (lambda: efficientnet(depth=-1.0), ValueError, "depth"),
    (lambda: efficientnet(dropout=1.0), ValueError, "dropout"),
    (lambda: efficientnet_b0(classes=2.0), TypeError, "classes"),
    (lambda: convnext((3, 3, 9), (96, 192, 384, 768)), ValueError, "depths"),
    (lambda: convnext((3, 3, 9, 3), 96), TypeError, "widths"),
    (lambda: convnext((3, 3, 0, 3)), ValueError, r"depths\[2\]"),
    (lambda: convnext(patch_size=0), ValueError, "patch_size"),
    (lambda: convnext(input_shape=(16, 16, 3)), ValueError, "too small"),
    (lambda: convnext_tiny(classes=None), TypeError, "classes"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()
