"""Tests of cnnlib.speedrun: the accuracy clock, the timed run and the fast recipe (tiny runs)."""

import keras
import numpy as np
import pytest

import cnnlib
from cnnlib import pipeline, recipes, speedrun


class FakeTime:
    """A perf_counter that the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class FakeModel:
    stop_training = False


def started_clock(monkeypatch, **limits):
    """An AccuracyClock on a fake model and a fake perf_counter, after on_train_begin."""
    clock_time = FakeTime()
    monkeypatch.setattr(speedrun.time, "perf_counter", clock_time)
    clock = speedrun.AccuracyClock(**limits)
    clock.set_model(FakeModel())
    clock.on_train_begin()
    return clock, clock_time


def test_the_clock_stops_while_the_test_set_is_evaluated_and_stops_at_the_target(monkeypatch):
    clock, clock_time = started_clock(monkeypatch, target=0.9)
    for epoch, accuracy in enumerate([0.5, 0.95]):
        for batch in range(3):
            clock_time.now += 1.0  # one second per training step
            clock.on_train_batch_end(batch)
        clock.on_test_begin()
        clock_time.now += 7.0  # evaluation: not training time
        clock.on_test_end()
        clock.on_epoch_end(epoch, {"val_accuracy": accuracy})
        assert clock.model.stop_training == (accuracy >= 0.9)
    clock.on_train_end()
    assert clock.seconds == [3.0, 6.0]
    assert clock.steps == [3, 6] and clock.accuracies == [0.5, 0.95]


def test_the_clock_stops_training_at_the_time_limit(monkeypatch):
    clock, clock_time = started_clock(monkeypatch, time_limit=2.5)
    stops = []
    for batch in range(3):
        clock_time.now += 1.0
        clock.on_train_batch_end(batch)
        stops.append(clock.model.stop_training)
    assert stops == [False, False, True]
    with pytest.raises(ValueError, match="needs the test accuracy"):
        clock.on_epoch_end(0, {"accuracy": 0.5})


def run(accuracies, seconds, target=0.9, steps=None):
    return speedrun.TimedRun(name="run", target=target, time_limit=None, seconds=seconds,
                             accuracies=accuracies, steps=steps or [10, 20, 25][:len(seconds)],
                             steps_per_epoch=10, images_per_epoch=1000, model=None)


def test_a_timed_run_reports_the_first_epoch_at_the_target():
    reached = run([0.8, 0.92, 0.91], [4.0, 7.0, 9.0], steps=[10, 20, 25])
    assert reached.epochs == 3 and reached.epochs_to_target == 2 and reached.reached
    assert reached.seconds_to_target == 7.0 and reached.training_seconds == 9.0
    assert reached.final_accuracy == 0.91 and reached.best_accuracy == 0.92
    assert reached.images == 2500 and reached.images_per_second == pytest.approx(2500 / 9)
    assert reached.summary() == ("run: 90.0% reached after 2 epochs, 7.0 s of training; final "
                                 "accuracy 91.00%, 278 images/s")
    missed = run([0.8, 0.85], [4.0, 7.0])
    assert missed.epochs_to_target is None and missed.seconds_to_target is None
    assert not missed.reached and "90.0% not reached in 2 epochs" in missed.summary()
    assert run([0.8], [4.0], target=None).epochs_to_target is None


def tiny_digits(n=96, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.integers(0, 60, size=(n, 8, 8), dtype=np.uint8)
    x[y == 1, 2:6, 2:6] = 250  # class 1: a bright square in the middle
    return x, y


@pytest.mark.slow
def test_the_fast_recipe_trains_to_the_target_and_stops_there(capfd):
    x, y = tiny_digits()
    result = speedrun.fast_recipe(x, y, x[:32], y[:32], target=0.9, epochs=6, batch_size=16,
                                  learning_rate=0.02, filters=(4,), augment=None)
    assert result.name == "fast recipe" and result.reached
    assert result.epochs == result.epochs_to_target < 6
    assert result.accuracies[-1] >= 0.9 and len(result.seconds) == result.epochs
    assert result.images == 96 * result.epochs and result.images_per_second > 0
    model = result.model
    assert model.name == "fast_cnn" and model.input_shape == (None, 8, 8, 1)
    assert isinstance(model.loss, recipes.SparseCrossentropy)
    assert model.loss.label_smoothing == speedrun.FAST_LABEL_SMOOTHING == 0.1
    schedule = model.optimizer._learning_rate
    assert float(schedule(0)) == pytest.approx(0.002)  # a tenth of the peak
    assert float(schedule(36)) == pytest.approx(0.0, abs=1e-9)  # 6 epochs of 6 steps: the end
    assert float(schedule(35)) > 1e-6  # and not before it
    lines = capfd.readouterr().out.splitlines()
    assert len(lines) == result.epochs and lines[0].startswith("epoch 1/6")


def test_train_to_accuracy_takes_arrays_through_train_fit_and_honours_the_time_limit(capfd):
    x, y = tiny_digits(64)
    cnnlib.set_seed(0)
    model = recipes.compile_classifier(cnnlib.models.fast_cnn((8, 8, 1), 2, filters=(4,)),
                                       run_eagerly=True)  # one step: quicker run than traced
    result = speedrun.train_to_accuracy(model, (x[..., None] / 255, y), (x[..., None] / 255, y),
                                        epochs=3, batch_size=16, target=None, time_limit=1e-6,
                                        log=False, name="arrays")
    assert result.name == "arrays" and result.epochs == 1  # stopped after the first step
    assert result.steps == [1] and result.steps_per_epoch == 4 and result.images == 16
    assert capfd.readouterr().out == ""


def test_train_to_accuracy_rejects_bad_arguments():
    x, y = tiny_digits(16)
    model = recipes.compile_classifier(cnnlib.models.fast_cnn((8, 8, 1), 2, filters=(4,)))
    data = pipeline.dataset(x, y, batch_size=8, training=True)
    with pytest.raises(ValueError, match="examples"):
        speedrun.train_to_accuracy(model, data, (x, y), epochs=1)
    with pytest.raises(TypeError, match="test must be a pair"):
        speedrun.train_to_accuracy(model, data, x, epochs=1, examples=16)
    with pytest.raises(TypeError, match="test must be a pair"):
        speedrun.train_to_accuracy(model, (x, y), pipeline.dataset(x, y), epochs=1)
    with pytest.raises(ValueError, match="target"):
        speedrun.train_to_accuracy(model, (x, y), (x, y), epochs=1, target=1.5)
    with pytest.raises(ValueError, match="time_limit"):
        speedrun.train_to_accuracy(model, (x, y), (x, y), epochs=1, time_limit=0)
    with pytest.raises(ValueError, match="not compiled"):
        speedrun.train_to_accuracy(keras.Sequential([keras.Input((2,))]), (x, y), (x, y),
                                   epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        speedrun.fast_recipe(x, y, x, y, epochs=0)
    with pytest.raises(ValueError, match="warmup"):
        speedrun.fast_recipe(x, y, x, y, warmup=1.0)
    with pytest.raises(ValueError, match="x_test and y_test"):
        speedrun.fast_recipe(x, y, x, y[:3])
