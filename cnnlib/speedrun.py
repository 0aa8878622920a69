"""Time to accuracy: train until a test accuracy is reached, and the course's fast recipe
(notebooks 08 and 20; ``benchmarks/bench_train.py``).

What matters to a student waiting for a model is the time until it is good enough, not the time
per epoch: a recipe with slower epochs can arrive first. This module measures that time:

- :class:`AccuracyClock`, a Keras callback: a stopwatch of the training time (stopped while the
  test set is evaluated) that ends training once the test accuracy reaches a target or the time
  runs out;
- :func:`train_to_accuracy`: trains a compiled model with it, from NumPy arrays (through
  :func:`cnnlib.train.fit`, the path of notebook 08) or from a ``tf.data`` pipeline, and returns
  a :class:`TimedRun` (seconds and epochs to the target, accuracy after every epoch, images per
  second);
- :func:`fast_recipe`: the course's fast recipe for small images such as MNIST: the small
  batch-normalised network :func:`cnnlib.models.fast.fast_cnn` (batch-norm momentum 0.9),
  a :func:`cnnlib.pipeline.dataset` input pipeline with light augmentation on the fly, Adam with
  a linear warm-up and a cosine decay (:func:`cnnlib.recipes.warmup_cosine`) over a few epochs,
  and label smoothing 0.1.

::

    (x_train, y_train), (x_test, y_test) = load_dataset("mnist")
    run = fast_recipe(x_train, y_train, x_test, y_test, target=0.985)
    print(run.summary())  # fast recipe: 98.5% reached after 2 epochs, 21.4 s of training; ...
"""

import dataclasses
import math
import time

import keras
import numpy as np
import tensorflow as tf

from cnnlib import pipeline, recipes, train
from cnnlib._validation import (
    check_bool,
    check_class_labels,
    check_images,
    check_instance,
    check_int,
    check_model,
    check_paired_examples,
    check_positive_int,
    check_positive_ints,
    check_rate,
    check_real,
    check_str,
    describe,
)
from cnnlib.env import set_seed
from cnnlib.models.fast import BN_MOMENTUM, fast_cnn

__all__ = [
    "FAST_AUGMENTATION",
    "FAST_BATCH_SIZE",
    "FAST_EPOCHS",
    "FAST_LABEL_SMOOTHING",
    "FAST_LEARNING_RATE",
    "FAST_WARMUP",
    "AccuracyClock",
    "TimedRun",
    "fast_recipe",
    "train_to_accuracy",
]

#: The fast recipe's settings (MNIST-size digits); :func:`fast_recipe` takes each as an argument.
FAST_EPOCHS = 3
FAST_BATCH_SIZE = 256
FAST_LEARNING_RATE = 0.02  # Adam's peak learning rate, high enough thanks to batch norm
FAST_WARMUP = 0.2  # the fraction of the steps spent warming up
FAST_LABEL_SMOOTHING = 0.1
FAST_AUGMENTATION = {"flip": False, "shift": 0.06, "rotation": 0.02, "zoom": 0.06}

_TEST_BATCH_SIZE = 1000


class AccuracyClock(keras.callbacks.Callback):
    """Training time and test accuracy after every epoch; stops at a target or a time limit.

    The clock runs from the start of ``fit`` and stops while Keras evaluates the validation
    data (``on_test_begin`` .. ``on_test_end``), so ``seconds`` is the training time alone,
    the first epoch's graph tracing included. After every epoch it records the elapsed training
    time and ``val_accuracy`` (the accuracy on the ``validation_data`` given to ``fit``, here
    the test set); training stops at the end of the first epoch whose accuracy reaches
    ``target``, or after the batch at which the training time passes ``time_limit`` seconds
    (that partial epoch is then evaluated and recorded).
    """

    def __init__(self, target=None, time_limit=None):
        super().__init__()
        self.target = None if target is None else check_real("target", target, 0, 1,
                                                             min_open=True)
        self.time_limit = (None if time_limit is None
                           else check_real("time_limit", time_limit, 0, min_open=True))
        self.seconds, self.accuracies, self.steps = [], [], []
        self._elapsed = 0.0
        self._started = None
        self._step_count = 0

    def _now(self):
        running = time.perf_counter() - self._started if self._started is not None else 0.0
        return self._elapsed + running

    def _pause(self):
        self._elapsed = self._now()
        self._started = None

    def on_train_begin(self, logs=None):
        self.seconds, self.accuracies, self.steps = [], [], []
        self._elapsed, self._step_count = 0.0, 0
        self._started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._step_count += 1
        if self.time_limit is not None and self._now() >= self.time_limit:
            self.model.stop_training = True

    def on_test_begin(self, logs=None):
        if self._started is not None:
            self._pause()

    def on_test_end(self, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if "val_accuracy" not in logs:
            raise ValueError("AccuracyClock needs the test accuracy: pass validation_data to "
                             "fit and compile the model with metrics=['accuracy']")
        self.seconds.append(self._now())
        self.steps.append(self._step_count)
        self.accuracies.append(float(logs["val_accuracy"]))
        if self.target is not None and self.accuracies[-1] >= self.target:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self._started is not None:
            self._pause()


@dataclasses.dataclass
class TimedRun:
    """One training run measured by :class:`AccuracyClock`.

    ``seconds[i]`` and ``accuracies[i]``: the training time and the test accuracy at the end of
    epoch ``i + 1``; ``steps[i]``: the training steps (batches) done by then;
    ``images_per_epoch``: the training images of one full epoch.
    """

    name: str
    target: float | None
    time_limit: float | None
    seconds: list
    accuracies: list
    steps: list
    steps_per_epoch: int
    images_per_epoch: int
    model: keras.Model = dataclasses.field(repr=False)

    @property
    def epochs(self):
        """Epochs run (a last epoch cut short by the time limit counts as one)."""
        return len(self.accuracies)

    @property
    def epochs_to_target(self):
        """The first epoch (from 1) whose test accuracy reached the target, else None."""
        if self.target is None:
            return None
        return next((epoch for epoch, accuracy in enumerate(self.accuracies, start=1)
                     if accuracy >= self.target), None)

    @property
    def reached(self):
        """Whether the test accuracy reached the target."""
        return self.epochs_to_target is not None

    @property
    def seconds_to_target(self):
        """Training seconds until the end of the epoch that reached the target, else None."""
        epoch = self.epochs_to_target
        return None if epoch is None else self.seconds[epoch - 1]

    @property
    def training_seconds(self):
        """Training seconds of the whole run."""
        return self.seconds[-1] if self.seconds else 0.0

    @property
    def final_accuracy(self):
        return self.accuracies[-1]

    @property
    def best_accuracy(self):
        return max(self.accuracies)

    @property
    def images(self):
        """Training images processed (a partial last epoch counted by its steps)."""
        done = self.steps[-1] if self.steps else 0
        return round(self.images_per_epoch * done / self.steps_per_epoch)

    @property
    def images_per_second(self):
        """Training images per second of training time, the first epoch's tracing included."""
        return self.images / self.training_seconds if self.training_seconds else 0.0

    def summary(self):
        """One line: ``fast recipe: 98.5% reached after 3 epochs, 21.4 s of training; final
        accuracy 98.71%, 2,000 images/s``."""
        if self.target is None:
            reached = f"{self.epochs} epochs, {self.training_seconds:.1f} s of training"
        elif self.reached:
            reached = (f"{self.target:.1%} reached after {self.epochs_to_target} epochs, "
                       f"{self.seconds_to_target:.1f} s of training")
        else:
            reached = (f"{self.target:.1%} not reached in {self.epochs} epochs, "
                       f"{self.training_seconds:.1f} s of training")
        return (f"{self.name}: {reached}; final accuracy {self.final_accuracy:.2%}, "
                f"{self.images_per_second:,.0f} images/s")


def _test_dataset(test):
    """The test data as a pipeline: a Dataset unchanged, a pair ``(x, y)`` batched."""
    if isinstance(test, tf.data.Dataset):
        return test
    if not isinstance(test, tuple | list) or len(test) != 2:
        raise TypeError(f"test must be a pair (x_test, y_test) or a tf.data.Dataset, got "
                        f"{describe(test)}")
    x = check_images("test[0]", test[0])
    check_paired_examples(x, test[1], "test[0]", "test[1]")
    return pipeline.dataset(x, check_class_labels("test[1]", test[1]),
                            batch_size=_TEST_BATCH_SIZE)


def train_to_accuracy(model, train_data, test, *, epochs, target=0.985, time_limit=None,
                      batch_size=128, examples=None, seed=0, log=True, name=None):
    """Train a compiled classifier until its test accuracy reaches ``target``; a
    :class:`TimedRun`.

    ``train_data``: a pair ``(x, y)`` of NumPy arrays, trained by :func:`cnnlib.train.fit` with
    ``batch_size`` (the path of notebook 08), or a batched ``tf.data.Dataset`` such as
    :func:`cnnlib.pipeline.dataset` gives (then ``examples``, the number of training images in
    one epoch, is required for the images-per-second figure; with arrays it is None or
    ``len(x)``). ``test``: a pair
    ``(x_test, y_test)`` or a ``tf.data.Dataset``, evaluated after every epoch and not timed.

    Trains for at most ``epochs`` epochs (the budget that a learning-rate schedule was sized
    for); stops early after the first epoch whose test accuracy is at least ``target`` (None:
    never) or once the training time passes ``time_limit`` seconds (None: no limit). Seeds with
    ``cnnlib.set_seed(seed)`` first. ``log=True`` prints one line per epoch
    (:class:`cnnlib.train.EpochLog`; ``val_`` is the test set). ``name`` names the run
    (default: the model's name).
    """
    check_model(model, compiled=True)
    epochs = check_positive_int("epochs", epochs)
    clock = AccuracyClock(target, time_limit)
    seed = check_int("seed", seed, 0, 2**31 - 1)
    log = check_bool("log", log)
    name = model.name if name is None else check_str("name", name)
    if examples is not None:
        examples = check_positive_int("examples", examples)
    test_data = _test_dataset(test)
    if isinstance(train_data, tf.data.Dataset):
        if examples is None:
            raise ValueError("examples (the number of training images in one epoch) is "
                             "required when train_data is a tf.data.Dataset")
        steps_per_epoch = int(train_data.cardinality())
        if steps_per_epoch <= 0:
            raise ValueError("train_data must be a finite dataset of known length, such as "
                             "cnnlib.pipeline.dataset(...) gives (no repeat() without count)")
        set_seed(seed)
        callbacks = [train.EpochLog(epochs)] * log + [clock]
        model.fit(train_data, epochs=epochs, validation_data=test_data, shuffle=False,
                  verbose=0, callbacks=callbacks)
    else:
        if not isinstance(train_data, tuple | list) or len(train_data) != 2:
            raise TypeError("train_data must be a pair (x, y) of arrays or a tf.data.Dataset, "
                            f"got {describe(train_data)}")
        x, y = train_data
        count = check_paired_examples(x, y, "train_data[0]", "train_data[1]")
        if examples is not None and examples != count:
            raise ValueError(f"examples must be the number of training images, "
                             f"len(train_data[0]) = {count}, or None, got {examples}")
        examples = count
        batch_size = check_positive_int("batch_size", batch_size)
        steps_per_epoch = math.ceil(examples / batch_size)
        if isinstance(test, tf.data.Dataset):
            raise TypeError("with train_data as arrays, test must be a pair (x_test, y_test) "
                            "of arrays too, got a tf.data.Dataset")
        train.fit(model, x, y, epochs=epochs, batch_size=batch_size,
                  validation_data=tuple(test), seed=seed, log=log, callbacks=[clock])
    return TimedRun(name=name, target=clock.target, time_limit=clock.time_limit,
                    seconds=clock.seconds, accuracies=clock.accuracies, steps=clock.steps,
                    steps_per_epoch=steps_per_epoch, images_per_epoch=examples, model=model)


def fast_recipe(x_train, y_train, x_test, y_test, *, target=0.985, time_limit=None,
                epochs=FAST_EPOCHS, batch_size=FAST_BATCH_SIZE,
                learning_rate=FAST_LEARNING_RATE, warmup=FAST_WARMUP,
                label_smoothing=FAST_LABEL_SMOOTHING, augment=FAST_AUGMENTATION,
                filters=(16, 32, 64), bn_momentum=BN_MOMENTUM, seed=0, log=True):
    """Train the course's fast recipe on images and integer labels; a :class:`TimedRun`.

    ``x_train``, ``x_test``: ``(N, H, W)`` or ``(N, H, W, C)`` images, ``uint8`` pixels or
    floats in [0, 1] (:func:`cnnlib.pipeline.dataset` converts them); ``y_train``, ``y_test``:
    labels ``0 .. classes-1``. The recipe:

    - the network :func:`cnnlib.models.fast.fast_cnn` with ``filters`` and ``bn_momentum``,
      built after ``cnnlib.set_seed(seed)``;
    - a ``tf.data`` pipeline (:func:`cnnlib.pipeline.dataset`): cached, shuffled with ``seed``,
      batches of ``batch_size``, ``augment`` (shifts, rotations, zooms) applied on the fly,
      prefetched;
    - Adam with :func:`cnnlib.recipes.warmup_cosine`: from ``learning_rate / 10`` up to
      ``learning_rate`` in the first ``warmup`` fraction of the steps, then a cosine decay to 0
      at the end of ``epochs`` epochs;
    - the cross-entropy with ``label_smoothing`` (:class:`cnnlib.recipes.SparseCrossentropy`).

    Training stops early at ``target`` test accuracy or after ``time_limit`` seconds of
    training (:func:`train_to_accuracy`); the returned run holds the trained model.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    learning_rate = check_real("learning_rate", learning_rate, 0, min_open=True)
    warmup = check_rate("warmup", warmup)
    # the images and labels are checked under their own names before the pipelines are built
    x_train, x_test = check_images("x_train", x_train), check_images("x_test", x_test)
    count = check_paired_examples(x_train, y_train, "x_train", "y_train")
    check_paired_examples(x_test, y_test, "x_test", "y_test")
    y_train = check_class_labels("y_train", y_train)
    y_test = check_class_labels("y_test", y_test)
    # and so are the settings used only after the model is built (the clock checks target and
    # time_limit; train_to_accuracy makes its own)
    AccuracyClock(target, time_limit)
    label_smoothing = check_rate("label_smoothing", label_smoothing)
    bn_momentum = check_real("bn_momentum", bn_momentum, 0, 1, max_open=True)
    filters = check_positive_ints("filters", filters, "one per stage")
    check_bool("log", log)
    check_instance("augment", augment, dict | type(None), "None or a dict of augmentation "
                   "amounts, such as speedrun.FAST_AUGMENTATION")
    train_data = pipeline.dataset(x_train, y_train, batch_size=batch_size, training=True,
                                  augment=augment, seed=seed)
    test_data = pipeline.dataset(x_test, y_test, batch_size=_TEST_BATCH_SIZE)
    image_shape = tuple(train_data.element_spec[0].shape[1:])
    classes = int(max(np.max(y_train), np.max(y_test))) + 1
    set_seed(seed)
    model = fast_cnn(image_shape, classes, filters=filters, bn_momentum=bn_momentum)
    steps = epochs * math.ceil(count / batch_size)
    schedule = recipes.warmup_cosine(learning_rate, steps, warmup_steps=round(warmup * steps),
                                     start=learning_rate / 10)
    recipes.compile_classifier(model, schedule, label_smoothing=label_smoothing)
    return train_to_accuracy(model, train_data, test_data, epochs=epochs, target=target,
                             time_limit=time_limit, examples=count, seed=seed, log=log,
                             name="fast recipe")
