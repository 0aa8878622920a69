"""Tests of models.alexnet's scaling arguments and of models.alexnet_cifar (notebook 10)."""

import keras
import pytest
from built_models import built

from cnnlib import arithmetic, models, profile
from cnnlib.models.alexnet import ALEXNET_FILTERS


def conv_layers(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def test_the_default_is_still_the_paper_s_alexnet():
    model = built(models.alexnet)
    assert model.name == "alexnet" and model.count_params() == 62_378_344
    assert [layer.filters for layer in conv_layers(model)] == list(ALEXNET_FILTERS)
    conv1 = model.get_layer("conv1")
    assert (conv1.kernel_size, conv1.strides, conv1.padding) == ((11, 11), (4, 4), "valid")


def test_alexnet_cifar_is_the_quarter_width_design_on_32_pixels():
    model = built(models.alexnet_cifar)
    assert model.name == "alexnet_cifar" and model.input_shape == (None, 32, 32, 3)
    assert [layer.filters for layer in conv_layers(model)] == [24, 64, 96, 96, 64]
    assert [layer.kernel_size for layer in conv_layers(model)] == [(5, 5), (5, 5), (3, 3), (3, 3),
                                                                  (3, 3)]
    conv1 = model.get_layer("conv1")
    assert (conv1.strides, conv1.padding) == ((2, 2), "same")
    assert all(layer.padding == "same" for layer in conv_layers(model)[1:])
    assert all(model.get_layer(name).units == 512 for name in ("fc6", "fc7"))
    assert model.get_layer("fc8").units == 10
    assert [model.get_layer(name).rate for name in ("drop6", "drop7")] == [0.5, 0.5]
    sides = {row.name: row.output_shape[0] for row in profile.profile_model(model).rows
             if row.name in ("conv1", "pool1", "pool2", "pool5")}
    assert sides == {"conv1": 16, "pool1": 7, "pool2": 3, "pool5": 1}
    assert sides["conv1"] == arithmetic.conv_output_size(32, 5, 2, padding="same")
    assert model.count_params() == 535_146
    assert model.get_layer("pool1").pool_size == (3, 3)


def test_alexnet_cifar_options():
    plain = models.alexnet_cifar(dropout=0.0, name="plain")
    assert plain.name == "plain"
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in plain.layers)
    assert plain.count_params() == built(models.alexnet_cifar).count_params()
    assert models.alexnet_cifar(classes=100).get_layer("fc8").units == 100


def test_the_smallest_input_follows_conv1():
    # pool5 needs 3x3, pool2 7x7, pool1 15x15 out of conv1
    smallest = built(models.alexnet, input_shape=(67, 67, 3))
    assert smallest.get_layer("pool5").output.shape[1:3] == (1, 1)
    models.alexnet_cifar(input_shape=(29, 29, 3))
    with pytest.raises(ValueError, match="input_shape.*too small.*5x5/2 conv1"):
        models.alexnet_cifar(input_shape=(28, 28, 3))
    with pytest.raises(ValueError, match="input_shape.*too small.*use at least 67x67"):
        models.alexnet(input_shape=(66, 66, 3))
    models.alexnet(input_shape=(31, 31, 3), conv1_kernel=3, conv1_strides=2)
    with pytest.raises(ValueError, match="input_shape"):
        models.alexnet(input_shape=(30, 30, 3), conv1_kernel=3, conv1_strides=2)


def test_width_rounds_and_keeps_at_least_one_filter():
    half = models.alexnet((67, 67, 3), 10, width=0.5, dense_units=8)
    assert [layer.filters for layer in conv_layers(half)] == [48, 128, 192, 192, 128]
    tiny = models.alexnet((67, 67, 3), 10, width=0.001, dense_units=8)
    assert [layer.filters for layer in conv_layers(tiny)] == [1, 1, 1, 1, 1]


@pytest.mark.parametrize(("kwargs", "error", "argument"), [
    ({"width": 0}, ValueError, "width"),
    ({"width": -0.25}, ValueError, "width"),
    ({"width": "quarter"}, TypeError, "width"),
    ({"width": float("nan")}, ValueError, "width"),
    ({"dense_units": 0}, ValueError, "dense_units"),
    ({"dense_units": 512.0}, TypeError, "dense_units"),
    ({"conv1_kernel": 0}, ValueError, "conv1_kernel"),
    ({"conv1_kernel": True}, TypeError, "conv1_kernel"),
    ({"conv1_strides": -2}, ValueError, "conv1_strides"),
    ({"conv1_padding": "SAME"}, ValueError, "conv1_padding"),
    ({"conv1_padding": 1}, TypeError, "conv1_padding"),
    ({"name": ""}, ValueError, "name"),
    ({"name": None}, TypeError, "name"),
])
def test_alexnet_rejects_bad_scaling_arguments(kwargs, error, argument):
    with pytest.raises(error, match=argument):
        models.alexnet(**kwargs)


@pytest.mark.parametrize(("kwargs", "error", "argument"), [
    ({"classes": 0}, ValueError, "classes"),
    ({"dropout": 1.0}, ValueError, "dropout"),
    ({"input_shape": (32, 32)}, ValueError, "input_shape"),
    ({"name": 5}, TypeError, "name"),
])
def test_alexnet_cifar_rejects_bad_arguments(kwargs, error, argument):
    with pytest.raises(error, match=argument):
        models.alexnet_cifar(**kwargs)
