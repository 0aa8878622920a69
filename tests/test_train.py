"""Tests of cnnlib.train on tiny random data and models (a few seconds in all)."""

import inspect
import re

import keras
import numpy as np
import pytest

import cnnlib
from cnnlib import train

PROGRESS_BAR = re.compile(r"━|\r|ETA|/step|\[=+")
LINE = re.compile(r"epoch +(\d+)/(\d+)  loss \d+\.\d{4}  accuracy \d\.\d{3}"
                  r"(  val_loss \d+\.\d{4}  val_accuracy \d\.\d{3})?  \(\d+\.\d s\)")


def tiny_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6, 6, 1)).astype("float32")
    y = (x[:, :3].sum(axis=(1, 2, 3)) > 0).astype("int64")  # a learnable rule
    return x, y


def tiny_model(seed=0, run_eagerly=False):
    cnnlib.set_seed(seed)
    model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3),
                              keras.layers.Flatten(), keras.layers.Dropout(0.2),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  run_eagerly=run_eagerly)
    return model


@pytest.fixture(scope="module")
def model():
    """One compiled tiny model for the tests that read the log, the history or the errors, not
    the weights: Keras traces its training and test steps once for all of them."""
    return tiny_model()


def test_fit_logs_one_compact_line_per_epoch_and_returns_the_history(capfd, model):
    x, y = tiny_data()
    history = train.fit(model, x, y, epochs=3, batch_size=16, validation_split=0.25)
    out, err = capfd.readouterr()
    lines = out.splitlines()
    assert len(lines) == 3
    for number, line in enumerate(lines, 1):
        match = LINE.fullmatch(line)
        assert match, line
        assert match.group(1, 2) == (str(number), "3") and match.group(3)
    assert not PROGRESS_BAR.search(out + err)
    assert isinstance(history, keras.callbacks.History)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in history.history.values())


def test_fit_pads_the_epoch_number(capfd, model):
    x, y = tiny_data(32)
    train.fit(model, x, y, epochs=10, batch_size=32)
    lines = capfd.readouterr().out.splitlines()
    assert lines[0].startswith("epoch  1/10  loss ") and lines[9].startswith("epoch 10/10  ")
    assert "val_" not in lines[0]


def test_fit_passes_validation_data_and_callbacks(capfd, model):
    x, y = tiny_data()
    seen = []
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    history = train.fit(model, x[:48], y[:48], epochs=2, validation_data=(x[48:], y[48:]),
                        callbacks=[callback], shuffle=False)
    assert seen == [0, 1] and "val_accuracy" in history.history
    assert len(capfd.readouterr().out.splitlines()) == 2


def test_the_same_seed_gives_the_same_training_and_log_false_is_silent(capfd):
    x, y = tiny_data(32)
    # Three fresh models of eight steps each: quicker run eagerly than traced, seeded alike.
    runs = [train.fit(tiny_model(run_eagerly=True), x, y, epochs=2, batch_size=8, seed=5,
                      log=False).history for _ in range(2)]
    assert capfd.readouterr().out == ""
    assert runs[0] == runs[1] and len(runs[0]["loss"]) == 2
    other = train.fit(tiny_model(run_eagerly=True), x, y, epochs=2, batch_size=8, seed=6,
                      log=False).history
    assert other["loss"] != runs[0]["loss"]  # the seed drives shuffling and dropout


def test_evaluate_returns_floats(model):
    x, y = tiny_data()
    results = train.evaluate(model, x, y)
    assert set(results) == {"loss", "accuracy"}
    assert all(type(value) is float for value in results.values())
    assert 0 <= results["accuracy"] <= 1


@pytest.mark.parametrize("kwargs, error, words", [
    ({"epochs": 0}, ValueError, "epochs"),
    ({"epochs": 2.0}, TypeError, "epochs"),
    ({"epochs": True}, TypeError, "epochs"),
    ({"epochs": 1, "batch_size": 0}, ValueError, "batch_size"),
    ({"epochs": 1, "validation_split": 1.0}, ValueError, "validation_split"),
    ({"epochs": 1, "validation_split": "0.1"}, TypeError, "validation_split"),
    ({"epochs": 1, "validation_data": np.zeros(3)}, TypeError, "validation_data"),
    ({"epochs": 1, "validation_split": 0.1, "validation_data": (np.zeros((2, 6, 6, 1)),
                                                                 np.zeros(2))},
     ValueError, "not both"),
    ({"epochs": 1, "verbose": 1}, TypeError, "verbose"),
    ({"epochs": 1, "log": 1}, TypeError, "log"),
    ({"epochs": 1, "seed": -1}, ValueError, "seed"),
])
def test_fit_rejects_bad_arguments(kwargs, error, words, model):
    x, y = tiny_data(8)
    with pytest.raises(error, match=words):
        train.fit(model, x, y, **kwargs)


def test_fit_and_evaluate_reject_bad_models_and_data(model):
    x, y = tiny_data(8)
    uncompiled = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(),
                                   keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="not compiled"):
        train.fit(uncompiled, x, y, epochs=1)
    with pytest.raises(TypeError, match=r"model must be a Keras model, got 'model' \(str\)"):
        train.fit("model", x, y, epochs=1)
    with pytest.raises(ValueError, match="same number of examples"):
        train.fit(model, x, y[:5], epochs=1)
    with pytest.raises(ValueError, match="not compiled"):
        train.evaluate(uncompiled, x, y)
    with pytest.raises(TypeError, match="y must be an array"):
        train.evaluate(model, x, 3)


@pytest.mark.parametrize(("labels", "message"), [
    ([0, 1, 2, 1], "y must hold class numbers from 0 to 1 (the model has 2 outputs), got labels "
                   "from 0 to 2"),
    ([[0], [1], [-1], [1]], "y must hold class numbers from 0 to 1 (the model has 2 outputs), "
                            "got labels from -1 to 1"),
    ([0.0, 1.0, 0.5, 1.0], "y must hold class numbers from 0 to 1 (the model has 2 outputs), "
                           "got labels that are not whole numbers"),
])
def test_labels_outside_the_classes_get_a_clear_error(labels, message, model):
    x, _ = tiny_data(4)
    with pytest.raises(ValueError) as raised:
        train.fit(model, x, np.array(labels), epochs=1)
    assert str(raised.value) == message
    with pytest.raises(ValueError, match="validation_data y must hold class numbers from 0 to 1"):
        train.fit(model, x, np.zeros(4, int), epochs=1,
                  validation_data=(x, np.array(labels)))
    with pytest.raises(ValueError, match="y must hold class numbers from 0 to 1"):
        train.evaluate(model, x, np.array(labels))


def test_one_hot_labels_are_left_to_keras():
    x, y = tiny_data(8)
    model = tiny_model()
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  run_eagerly=True)  # one step: quicker run than traced
    history = train.fit(model, x, np.eye(2)[y], epochs=1, log=False)
    assert len(history.history["loss"]) == 1


def test_fit_shows_its_lesson_not_its_checks():
    source = inspect.getsource(train.fit)
    body = source[source.index('"""', source.index('"""') + 3) + 3:].strip().splitlines()
    assert len(body) <= 6, body


def labelled(n=1000, classes=10, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = np.arange(n)[:, None, None] * np.ones((1, 2, 2))  # x[i] remembers its index i
    return x, y


@pytest.mark.parametrize("stratify", [True, False])
def test_subset_sizes_and_order(stratify):
    x, y = labelled()
    xs, ys = train.subset(x, y, 200, stratify=stratify)
    assert xs.shape == (200, 2, 2) and ys.shape == (200,)
    index = xs[:, 0, 0].astype(int)
    assert np.all(np.diff(index) > 0), "original order, no repeats"
    assert np.array_equal(ys, y[index]), "examples keep their labels"
    again = train.subset(x, y, 200, stratify=stratify)
    assert np.array_equal(again[0], xs)
    other = train.subset(x, y, 200, seed=1, stratify=stratify)
    assert not np.array_equal(other[0], xs)


def test_subset_stratified_keeps_the_class_shares():
    _, y = labelled(1000)
    y = np.sort(y)
    y[:500] = 3  # an unbalanced label set: half of it is class 3
    x = np.zeros((1000, 4))
    _, ys = train.subset(x, y, 100)
    counts = np.bincount(y, minlength=10)
    expected = counts * 100 / 1000
    assert np.all(np.abs(np.bincount(ys, minlength=10) - expected) < 1)
    assert np.bincount(ys)[3] == 50 and len(ys) == 100


def test_subset_handles_cifar_labels_and_the_whole_set():
    x = np.zeros((30, 3, 3, 3), "uint8")
    y = np.repeat(np.arange(3), 10)[:, None]  # (N, 1) like keras.datasets.cifar10
    xs, ys = train.subset(x, y, 9)
    assert ys.shape == (9, 1) and np.array_equal(np.bincount(ys[:, 0]), [3, 3, 3])
    everything = train.subset(x, y, 30)
    assert np.array_equal(everything[1], y) and everything[1] is not y


@pytest.mark.parametrize("args, kwargs, error, words", [
    ((np.zeros((5, 2)), np.zeros(5, int), 6), {}, ValueError, "at most"),
    ((np.zeros((5, 2)), np.zeros(5, int), 0), {}, ValueError, "n must"),
    ((np.zeros((5, 2)), np.zeros(5, int), 2.5), {}, TypeError, "n must"),
    ((np.zeros((5, 2)), np.zeros(4, int), 2), {}, ValueError, "same number"),
    ((np.zeros((5, 2)), np.zeros((5, 3)), 2), {}, ValueError, "stratify=False"),
    ((np.zeros((5, 2)), np.zeros(5), 2), {}, ValueError, "integer class labels"),
    ((np.zeros((5, 2)), np.zeros(5, int), 2), {"stratify": "yes"}, TypeError, "stratify"),
    ((np.zeros((5, 2)), np.zeros(5, int), 2), {"seed": -1}, ValueError, "seed"),
])
def test_subset_rejects_bad_input(args, kwargs, error, words):
    with pytest.raises(error, match=words):
        train.subset(*args, **kwargs)


def test_subset_without_stratification_takes_any_targets():
    x = np.arange(10)
    y = np.eye(10)  # one-hot targets
    xs, ys = train.subset(x, y, 4, stratify=False)
    assert np.array_equal(ys, np.eye(10)[xs])
