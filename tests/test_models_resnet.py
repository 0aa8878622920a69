"""cnnlib.models.resnet: the CIFAR networks without batch normalisation and with another
initialiser (notebook 13's gradient measurements); the defaults are in tests/test_models.py."""

import keras
import numpy as np
import pytest
from built_models import built

from cnnlib import models
from cnnlib.models.resnet import basic_block, conv_bn


def layers_of(model, kind):
    return [layer for layer in model.layers if isinstance(layer, kind)]


@pytest.mark.parametrize("residual", [True, False])
def test_without_batch_norm_every_convolution_gets_a_bias(residual):
    model = models.cifar_resnet(20, residual=residual, batch_norm=False)
    assert not layers_of(model, keras.layers.BatchNormalization)
    convolutions = layers_of(model, keras.layers.Conv2D)
    assert len(convolutions) == 19 and all(conv.use_bias for conv in convolutions)
    with_bn = built(models.cifar_resnet, 20) if residual else built(models.cifar_plain, 20)
    bn_params = sum(layer.count_params() for layer in layers_of(with_bn,
                                                                keras.layers.BatchNormalization))
    biases = sum(conv.filters for conv in convolutions)
    assert model.count_params() == with_bn.count_params() - bn_params + biases == 269_034
    assert all(not conv.use_bias for conv in layers_of(with_bn, keras.layers.Conv2D))


def test_the_defaults_are_unchanged():
    model = built(models.cifar_resnet, 20)
    assert model.count_params() == 271_098
    assert len(layers_of(model, keras.layers.BatchNormalization)) == 19
    assert isinstance(model.get_layer("conv1_conv").kernel_initializer,
                      keras.initializers.GlorotUniform)


def test_kernel_initializer_reaches_every_convolution():
    model = models.cifar_plain(56, batch_norm=False, kernel_initializer="he_normal")
    assert model.name == "cifar_plain56"
    assert not any(isinstance(layer, keras.layers.Add) for layer in model.layers)
    assert all(isinstance(conv.kernel_initializer, keras.initializers.HeNormal)
               for conv in layers_of(model, keras.layers.Conv2D))
    kernel = model.get_layer("conv3_block2_1_conv").kernel.numpy()  # 3·3·32 inputs per unit
    assert abs(kernel.std() / np.sqrt(2 / (9 * 32)) - 1) < 0.1


def test_option_b_projection_follows_batch_norm():
    model = models.cifar_resnet(20, shortcut="B", batch_norm=False)
    assert "conv3_block1_0_conv" in [layer.name for layer in model.layers]
    assert not layers_of(model, keras.layers.BatchNormalization)


def test_block_functions_take_the_options():
    inputs = keras.Input((8, 8, 4))
    x = conv_bn(inputs, 4, 3, batch_norm=False, kernel_initializer="zeros", name="c")
    x = basic_block(x, 8, strides=2, batch_norm=False, name="b")
    model = keras.Model(inputs, x)
    assert not layers_of(model, keras.layers.BatchNormalization)
    assert not model.get_layer("c_conv").kernel.numpy().any()
    assert model.output_shape == (None, 4, 4, 8)


def test_networks_without_batch_norm_run():
    model = models.cifar_resnet(8, batch_norm=False, kernel_initializer="he_normal")
    probabilities = keras.ops.convert_to_numpy(model(np.ones((2, 32, 32, 3), "float32")))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize(("kwargs", "error", "pattern"), [
    ({"batch_norm": 0}, TypeError, "batch_norm must be True or False, got 0"),
    ({"kernel_initializer": "glorot"}, ValueError, "kernel_initializer must be .*'glorot'"),
    ({"kernel_initializer": None}, ValueError, "kernel_initializer"),
    ({"kernel_initializer": 3}, ValueError, "kernel_initializer"),
])
def test_bad_options_are_named(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        models.cifar_resnet(20, **kwargs)
    with pytest.raises(error, match=pattern):
        models.cifar_plain(20, **kwargs)
