"""cnnlib.timing: the result's structure, inference mode, bad input, orderings that must hold.

No test asserts a wall time: only relations that hold on any machine with a wide margin (a
model with ten thousand times the work is slower; a batch of 8 takes longer than a batch of 1).
"""

import statistics

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib.timing import (
    ForwardTimer,
    InferenceTime,
    compare_inference_times,
    device_name,
    inference_time,
)


@pytest.fixture(scope="module")
def tiny():
    """A few hundred multiply-adds, with the layers whose behaviour differs in inference."""
    layers = keras.layers
    inputs = keras.Input((8, 8, 3), name="image")
    x = layers.Conv2D(4, 3, name="conv")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Dropout(0.5, name="dropout")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(2, name="output")(x)
    return keras.Model(inputs, outputs, name="tiny")


@pytest.fixture(scope="module")
def heavy():
    """About 0.1 billion multiply-adds per image, over ten thousand times the tiny model's."""
    inputs = keras.Input((32, 32, 32))
    x = inputs
    for _ in range(3):
        x = keras.layers.Conv2D(64, 3, padding="same")(x)
    return keras.Model(inputs, x, name="heavy")


def test_the_result_holds_every_timed_call(tiny):
    result = inference_time(tiny, batch_size=3, repeats=4, warmup=1)
    assert isinstance(result, InferenceTime)
    assert result.model_name == "tiny" and result.batch_size == 3
    assert len(result.call_seconds) == 4 and all(t > 0 for t in result.call_seconds)
    assert result.median_seconds == statistics.median(result.call_seconds) / 3
    assert result.min_seconds == min(result.call_seconds) / 3
    assert 0 < result.min_seconds <= result.median_seconds
    assert result.images_per_second == pytest.approx(1 / result.median_seconds)
    assert result.device == device_name()


def test_a_forward_timer_is_ready_to_time_one_call(tiny):
    timer = ForwardTimer(tiny, batch_size=4, warmup=0, seed=3)
    assert timer.model_name == "tiny" and timer.batch_size == 4
    assert timer.device == device_name()
    seconds = timer.time_call()
    assert isinstance(seconds, float) and seconds > 0


def test_a_forward_timer_checks_its_arguments(tiny):
    with pytest.raises(TypeError, match=r"model must be a Keras model, got 3 \(int\)"):
        ForwardTimer(3)
    with pytest.raises(ValueError, match="warmup must be a non-negative integer, got -1"):
        ForwardTimer(tiny, warmup=-1)


def test_str_says_what_was_measured(tiny):
    result = inference_time(tiny, batch_size=2, repeats=3, warmup=0)
    text = str(result)
    assert text.startswith("tiny: ") and " ms per image (median of 3 calls at batch 2; " in text
    assert text.endswith(f" ms) on {result.device}")


def test_the_result_is_immutable(tiny):
    result = inference_time(tiny, repeats=1)
    with pytest.raises(AttributeError):
        result.batch_size = 4


def test_inference_mode_leaves_the_model_unchanged(tiny):
    before = [w.copy() for w in tiny.get_weights()]  # batch norm's moving statistics included
    inference_time(tiny, batch_size=16, repeats=2, warmup=1)
    assert all(np.array_equal(a, b) for a, b in zip(before, tiny.get_weights(), strict=True))


def test_several_inputs_and_integer_inputs():
    tokens = keras.Input((5,), dtype="int32", name="tokens")
    image = keras.Input((4, 4, 1), name="image")
    embedded = keras.layers.Flatten()(keras.layers.Embedding(10, 3)(tokens))
    features = keras.layers.Flatten()(image)
    outputs = keras.layers.Dense(1)(keras.layers.Concatenate()([embedded, features]))
    model = keras.Model([tokens, image], [outputs, embedded], name="two_in_two_out")
    result = inference_time(model, batch_size=2, repeats=2)
    assert result.model_name == "two_in_two_out" and len(result.call_seconds) == 2


def test_more_work_takes_longer(tiny, heavy):
    small = inference_time(tiny, repeats=3, warmup=1)
    large = inference_time(heavy, repeats=3, warmup=1)
    assert large.min_seconds > small.min_seconds


def test_a_larger_batch_takes_longer_per_call(heavy):
    one = inference_time(heavy, batch_size=1, repeats=3, warmup=1)
    eight = inference_time(heavy, batch_size=8, repeats=3, warmup=1)
    assert min(eight.call_seconds) > min(one.call_seconds)


def test_compare_times_every_model_in_order(tiny, heavy):
    results = compare_inference_times({"big": heavy, "small": tiny}, batch_size=2, repeats=3,
                                      warmup=0)
    assert list(results) == ["big", "small"]
    for name, result in results.items():
        assert isinstance(result, InferenceTime) and result.model_name == name
        assert result.batch_size == 2 and len(result.call_seconds) == 3
        assert result.device == device_name()
    assert results["big"].min_seconds > results["small"].min_seconds


def test_compare_takes_a_list_named_by_the_models(tiny, heavy):
    results = compare_inference_times([tiny, heavy], repeats=1)
    assert list(results) == ["tiny", "heavy"]
    assert [r.model_name for r in results.values()] == ["tiny", "heavy"]


def test_compare_leaves_the_models_unchanged(tiny):
    before = [w.copy() for w in tiny.get_weights()]
    compare_inference_times({"a": tiny}, batch_size=8, repeats=2)
    assert all(np.array_equal(a, b) for a, b in zip(before, tiny.get_weights(), strict=True))


@pytest.mark.parametrize(
    ("models", "error", "message"),
    [
        ({}, ValueError, "models must hold at least one model, got none"),
        ([], ValueError, "models must hold at least one model, got none"),
        ("resnet50", TypeError, r"models must be a dict \{name: model\} or a list of Keras "
                                r"models, got str"),
        ({"a": "resnet50"}, TypeError, r"models\['a'\] must be a Keras model, got .* \(str\)"),
        ([None], TypeError, r"models\[0\] must be a Keras model, got None \(NoneType\)"),
    ],
)
def test_compare_refuses_bad_collections(models, error, message):
    with pytest.raises(error, match=message):
        compare_inference_times(models)


def test_compare_refuses_keys_that_are_not_names(tiny):
    with pytest.raises(TypeError, match="models must be keyed by names"):
        compare_inference_times({1: tiny})


def test_compare_refuses_two_models_of_the_same_name(tiny):
    with pytest.raises(ValueError, match="two models named 'tiny'"):
        compare_inference_times([tiny, tiny])


def test_compare_checks_its_settings_before_timing(tiny):
    with pytest.raises(ValueError, match="repeats must be a positive integer, got 0"):
        compare_inference_times({"a": tiny}, repeats=0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"batch_size": 0}, ValueError, "batch_size must be a positive integer, got 0"),
        ({"batch_size": 2.0}, TypeError,
         r"batch_size must be a positive integer, got 2.0 \(float\)"),
        ({"batch_size": True}, TypeError,
         r"batch_size must be a positive integer, got True \(bool\)"),
        ({"repeats": 0}, ValueError, "repeats must be a positive integer, got 0"),
        ({"repeats": "5"}, TypeError, r"repeats must be a positive integer, got '5' \(str\)"),
        ({"warmup": -1}, ValueError, "warmup must be a non-negative integer, got -1"),
        ({"seed": -3}, ValueError, "seed must be a non-negative integer, got -3"),
    ],
)
def test_bad_arguments_are_named(tiny, kwargs, error, message):
    with pytest.raises(error, match=message):
        inference_time(tiny, **kwargs)


def test_a_model_must_be_a_keras_model():
    with pytest.raises(TypeError, match=r"model must be a Keras model, got .* \(str\)"):
        inference_time("resnet50")


def test_an_input_of_unknown_size_is_refused():
    inputs = keras.Input((None, None, 3), name="image")
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3)(inputs), name="any_size")
    with pytest.raises(ValueError, match=r"'any_size' has an input of unknown size "
                                         r"\(None, None, None, 3\).*input_shape="):
        inference_time(model)


def test_a_model_without_known_inputs_is_refused():
    model = keras.Sequential([keras.layers.Dense(2)], name="unbuilt")
    with pytest.raises(ValueError, match="'unbuilt' has no known inputs"):
        inference_time(model)


@pytest.mark.skipif(bool(tf.config.list_physical_devices("GPU")), reason="a GPU is the default")
def test_the_default_device_is_the_cpu_without_a_gpu():
    assert device_name() == device_name("CPU:0")


def test_cpu_names_say_the_model_and_the_cores():
    name = device_name("/job:localhost/replica:0/task:0/device:CPU:0")
    assert name.startswith("CPU: ") and name.endswith(" logical cores)")
    assert device_name("CPU:0") == name


def test_bad_devices_are_refused():
    with pytest.raises(TypeError, match="device must be a device string"):
        device_name(0)
    with pytest.raises(ValueError, match="'TPU:7' is not a device of this machine"):
        device_name("TPU:7")
    with pytest.raises(ValueError, match="device must be a device string such as 'CPU:0'"):
        device_name("/device:CPU:0:extra:parts")
