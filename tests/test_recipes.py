"""Tests of cnnlib.recipes: the augmentation layers, the augmented model and the compile helper."""

import keras
import numpy as np
import pytest

import cnnlib
from cnnlib import recipes, train


def images(n=8, size=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 1.0, size=(n, size, size, 3)).astype("float32")


def layer_types(augment):
    return [type(layer).__name__ for layer in augment.layers]


def test_the_default_is_the_cifar_recipe_flips_and_shifts_of_four_pixels():
    augment = recipes.augmentation()
    assert recipes.CIFAR_SHIFT == 4 / 32
    assert layer_types(augment) == ["RandomFlip", "RandomTranslation"]
    flip, shift = augment.layers
    assert flip.mode == "horizontal"
    assert shift.height_factor == shift.width_factor == 4 / 32
    assert shift.fill_mode == "constant"
    assert augment.name == "augmentation" and not augment.weights


def test_only_the_transformations_asked_for_are_stacked_in_order():
    augment = recipes.augmentation(flip=False, shift=0.08, rotation=0.03, zoom=0.08,
                                   fill_mode="reflect", name="digits")
    assert layer_types(augment) == ["RandomTranslation", "RandomRotation", "RandomZoom"]
    assert [layer.name for layer in augment.layers] == ["shift", "rotation", "zoom"]
    shift, rotation, zoom = augment.layers
    assert (shift.height_factor, rotation.factor[1], zoom.height_factor) == (0.08, 0.03, 0.08)
    assert all(layer.fill_mode == "reflect" for layer in augment.layers)
    assert layer_types(recipes.augmentation(shift=0)) == ["RandomFlip"]


def test_augmentation_changes_images_in_training_only():
    x = images()
    augment = recipes.augmentation(seed=1)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(augment(x, training=False)), x)
    trained = keras.ops.convert_to_numpy(augment(x, training=True))
    assert trained.shape == x.shape and not np.allclose(trained, x)
    # a shift with constant fill brings in zeros; a flip alone keeps each row's values
    assert (trained == 0).any()
    flipped = keras.ops.convert_to_numpy(recipes.augmentation(shift=0, seed=3)(x, training=True))
    for image, original in zip(flipped, x, strict=True):
        assert (np.array_equal(image, original)
                or np.array_equal(image, original[:, ::-1]))
    assert any(np.array_equal(image, original[:, ::-1]) and not np.array_equal(image, original)
               for image, original in zip(flipped, x, strict=True))


def test_a_seeded_augmentation_repeats():
    x = images()
    first = recipes.augmentation(seed=5)(x, training=True)
    second = recipes.augmentation(seed=5)(x, training=True)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(first),
                                  keras.ops.convert_to_numpy(second))


def tiny_network(classes=3):
    cnnlib.set_seed(0)
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(2, 3, strides=4)(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(x), name="tiny")


def test_with_augmentation_shares_the_weights_and_is_the_network_at_test_time():
    network = tiny_network()
    model = recipes.with_augmentation(network, recipes.augmentation())
    assert model.name == "tiny" and model.input_shape == (None, 32, 32, 3)
    assert model.inputs[0].name == "image"
    assert [layer.name for layer in model.layers[1:]] == ["augmentation", "tiny"]
    assert model.count_params() == network.count_params()
    x = images()
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x, training=False)),
                               keras.ops.convert_to_numpy(network(x, training=False)), rtol=1e-6)
    assert model.trainable_weights[0] is network.trainable_weights[0]
    assert recipes.with_augmentation(network, recipes.augmentation(), name="run").name == "run"


def test_compile_classifier_adam_and_sgd():
    model = recipes.compile_classifier(tiny_network())
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)
    assert model.loss == "sparse_categorical_crossentropy"
    assert not model.run_eagerly
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([10], [0.1, 0.01])
    sgd = recipes.compile_classifier(tiny_network(), schedule, optimizer="sgd", momentum=0.8,
                                     weight_decay=1e-4, run_eagerly=True)
    assert isinstance(sgd.optimizer, keras.optimizers.SGD)
    assert sgd.optimizer.momentum == 0.8 and sgd.optimizer.weight_decay == 1e-4
    assert sgd.optimizer._learning_rate is schedule and sgd.run_eagerly


def test_the_recipe_trains_and_predicts_integer_labels(capfd):
    x = images(24)
    y = np.arange(24) % 3
    network = tiny_network()
    model = recipes.compile_classifier(recipes.with_augmentation(network, recipes.augmentation()),
                                       1e-2)
    history = train.fit(model, x, y, epochs=2, batch_size=8, log=False)
    assert set(history.history) == {"loss", "accuracy"}
    assert np.all(np.isfinite(history.history["loss"]))
    assert capfd.readouterr().out == ""


@pytest.mark.parametrize(("kwargs", "error", "argument"), [
    ({"flip": "no"}, TypeError, "flip"),
    ({"flip": 1}, TypeError, "flip"),
    ({"shift": -0.1}, ValueError, "shift"),
    ({"shift": 1.0}, ValueError, "shift"),
    ({"shift": float("nan")}, ValueError, "shift"),
    ({"shift": "4px"}, TypeError, "shift"),
    ({"shift": True}, TypeError, "shift"),
    ({"rotation": 2}, ValueError, "rotation"),
    ({"zoom": -1}, ValueError, "zoom"),
    ({"zoom": None}, TypeError, "zoom"),
    ({"fill_mode": "zeros"}, ValueError, "fill_mode"),
    ({"fill_mode": 0}, TypeError, "fill_mode"),
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": 1.5}, TypeError, "seed"),
    ({"name": ""}, ValueError, "name"),
    ({"name": 3}, TypeError, "name"),
    ({"flip": False, "shift": 0}, ValueError, "augmentation"),
])
def test_augmentation_rejects_bad_arguments(kwargs, error, argument):
    with pytest.raises(error, match=argument):
        recipes.augmentation(**kwargs)


def test_with_augmentation_rejects_bad_arguments():
    network = tiny_network()
    with pytest.raises(TypeError, match="model"):
        recipes.with_augmentation("resnet", recipes.augmentation())
    with pytest.raises(TypeError, match="augment"):
        recipes.with_augmentation(network, "flip")
    with pytest.raises(TypeError, match="name"):
        recipes.with_augmentation(network, recipes.augmentation(), name=7)
    two_inputs = [keras.Input((4,)), keras.Input((4,))]
    joined = keras.Model(two_inputs, keras.layers.Concatenate()(two_inputs))
    with pytest.raises(ValueError, match="model must have one input"):
        recipes.with_augmentation(joined, recipes.augmentation())


@pytest.mark.parametrize(("args", "kwargs", "error", "argument"), [
    (("net",), {}, TypeError, "model"),
    ((None, 0), {}, ValueError, "learning_rate"),
    ((None, -1e-3), {}, ValueError, "learning_rate"),
    ((None, "1e-3"), {}, TypeError, "learning_rate"),
    ((None, True), {}, TypeError, "learning_rate"),
    ((None, float("inf")), {}, ValueError, "learning_rate"),
    ((None,), {"optimizer": "rmsprop"}, ValueError, "optimizer"),
    ((None,), {"optimizer": "Adam"}, ValueError, "optimizer"),
    ((None,), {"optimizer": keras.optimizers.Adam}, TypeError, "optimizer"),
    ((None,), {"momentum": 1.0}, ValueError, "momentum"),
    ((None,), {"momentum": -0.1}, ValueError, "momentum"),
    ((None,), {"weight_decay": -1e-4}, ValueError, "weight_decay"),
    ((None,), {"weight_decay": "1e-4"}, TypeError, "weight_decay"),
    ((None,), {"run_eagerly": "yes"}, TypeError, "run_eagerly"),
])
def test_compile_classifier_rejects_bad_arguments(args, kwargs, error, argument):
    args = tuple(tiny_network() if arg is None else arg for arg in args)
    with pytest.raises(error, match=argument):
        recipes.compile_classifier(*args, **kwargs)
