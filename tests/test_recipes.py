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
                                       1e-2, run_eagerly=True)  # six steps: not worth tracing
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


@pytest.fixture(scope="module")
def network():
    """One network for the calls that must be refused before they compile it."""
    return tiny_network()


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
    ((None,), {"label_smoothing": 1.0}, ValueError, "label_smoothing"),
    ((None,), {"label_smoothing": "0.1"}, TypeError, "label_smoothing"),
])
def test_compile_classifier_rejects_bad_arguments(args, kwargs, error, argument, network):
    args = tuple(network if arg is None else arg for arg in args)
    with pytest.raises(error, match=argument):
        recipes.compile_classifier(*args, **kwargs)


def schedule_values(schedule, steps):
    return [float(schedule(step)) for step in steps]


def test_warmup_cosine_rises_linearly_then_falls_along_a_cosine():
    schedule = recipes.warmup_cosine(0.01, 100, warmup_steps=20, start=0.001, final=0.0005)
    assert isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule)
    steps = [0, 5, 10, 20, 40, 60, 80, 100, 150]
    expected = [
        0.001,                            # start
        0.001 + 0.009 * 5 / 20,           # a quarter of the warm-up
        0.0055,                           # half of it
        0.01,                             # the peak
        0.0005 + 0.0095 * (1 + np.cos(np.pi / 4)) / 2,  # a quarter of the decay
        0.0005 + 0.0095 / 2,              # half of it
        0.0005 + 0.0095 * (1 + np.cos(3 * np.pi / 4)) / 2,
        0.0005,                           # the end: final
        0.0005,                           # and after it
    ]
    np.testing.assert_allclose(schedule_values(schedule, steps), expected, rtol=1e-5)


def test_warmup_cosine_without_warmup_starts_at_the_peak():
    schedule = recipes.warmup_cosine(0.2, 10)
    np.testing.assert_allclose(schedule_values(schedule, [0, 5, 10, 12]),
                               [0.2, 0.1, 0.0, 0.0], atol=1e-7)
    assert float(recipes.warmup_cosine(0.2, 10, warmup_steps=4)(0)) == 0.0


@pytest.mark.parametrize(("args", "kwargs", "error", "argument"), [
    ((0, 10), {}, ValueError, "peak"),
    ((0.1, 0), {}, ValueError, "total_steps"),
    ((0.1, 10.0), {}, TypeError, "total_steps"),
    ((0.1, 10), {"warmup_steps": 10}, ValueError, "warmup_steps"),
    ((0.1, 10), {"warmup_steps": -1}, ValueError, "warmup_steps"),
    ((0.1, 10), {"start": 0.2}, ValueError, "start"),
    ((0.1, 10), {"final": 0.2}, ValueError, "final"),
    ((0.1, 10), {"final": -0.01}, ValueError, "final"),
])
def test_warmup_cosine_rejects_bad_arguments(args, kwargs, error, argument):
    with pytest.raises(error, match=argument):
        recipes.warmup_cosine(*args, **kwargs)


PROBABILITIES = np.array([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]], "float32")
LABELS = np.array([0, 2])


def smoothed_loss_by_hand(eps):
    """-(1 - eps) log p_label - (eps / K) sum_k log p_k, averaged over the examples."""
    logs = np.log(PROBABILITIES.astype("float64"))
    per_example = (-(1 - eps) * logs[np.arange(2), LABELS] - eps / 3 * logs.sum(axis=1))
    return per_example.mean()


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.3])
def test_label_smoothing_gives_the_smoothed_cross_entropy(eps):
    loss = recipes.SparseCrossentropy(eps)
    value = float(loss(LABELS, PROBABILITIES))
    assert value == pytest.approx(smoothed_loss_by_hand(eps), rel=1e-5)
    assert float(loss(LABELS[:, None], PROBABILITIES)) == pytest.approx(value)  # (N, 1) labels
    assert recipes.SparseCrossentropy.from_config(loss.get_config()).label_smoothing == eps
    # 0.7 -> 0.8 of the first example's target for eps = 0.3: the loss of a target (0.8, .1, .1)
    if eps == 0.3:
        target = np.array([0.8, 0.1, 0.1])
        first = float(recipes.SparseCrossentropy(eps)(LABELS[:1], PROBABILITIES[:1]))
        assert first == pytest.approx(-(target * np.log([0.7, 0.2, 0.1])).sum(), rel=1e-5)


def test_compile_classifier_wires_label_smoothing_into_the_loss():
    inputs = keras.Input((3,))
    identity = keras.Model(inputs, keras.layers.Identity()(inputs))  # outputs its input
    for eps in [0.0, 0.2]:
        model = recipes.compile_classifier(identity, label_smoothing=eps,
                                           run_eagerly=True)  # one batch: not worth tracing
        assert (model.loss == "sparse_categorical_crossentropy") == (eps == 0)
        measured = model.evaluate(PROBABILITIES, LABELS, verbose=0, return_dict=True)["loss"]
        assert measured == pytest.approx(smoothed_loss_by_hand(eps), rel=1e-5)
    with pytest.raises(ValueError, match="label_smoothing"):
        recipes.SparseCrossentropy(-0.1)
