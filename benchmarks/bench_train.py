"""Time to 98.5% test accuracy on MNIST: the course's fast recipe, notebook 08's and keras.io's.

    python benchmarks/bench_train.py [--target 0.985] [--time-limit 300] [--quick]
                                                                             (or: make bench)

Trains three recipes, one after the other in this run, on the same MNIST training images (the
offline subset of ``CNNLIB_DATA_DIR``, or the full 60,000 images where Keras has downloaded
them; the same code either way), each until its accuracy on the 10,000 test images reaches the
target or its training time passes the time limit:

- **fast**: the course's fast recipe, ``cnnlib.speedrun.fast_recipe``: a small batch-normalised
  CNN (``cnnlib.models.fast_cnn``, batch-norm momentum 0.9), a ``tf.data`` pipeline with
  augmentation on the fly, Adam with a warm-up and a cosine decay over 3 epochs, label
  smoothing 0.1;
- **notebook-08**: the lecture's model (``pattern_cnn``, two 3x3 convolutions with 16 filters,
  2x2 pooling, Dense(64), 203,898 parameters) trained as notebook 08 trains it: augmentation
  layers in front of the model (``cnnlib.recipes``), Adam with a cosine decay from 0.002 over
  25 epochs, batches of 128 NumPy images through ``cnnlib.train.fit``;
- **keras-io**: the keras.io example "Simple MNIST convnet" (examples/vision/mnist_convnet.py,
  F. Chollet): Conv(32)-pool-Conv(64)-pool-dropout 0.5-softmax, Adam with its default rate,
  batches of 128, 15 epochs (its one-hot cross-entropy is the same loss as the sparse one here;
  its 10% validation split is left out, so that all three train on the same images).

The clock counts training time only, the first epoch's graph tracing included; it stops while
the test set is evaluated after each epoch (``cnnlib.speedrun.AccuracyClock``). A fourth run
gives the fast recipe a schedule sized to end within 60 s (from the first run's times of the
first and the later epochs; the clock stops it at 60 s if the machine slows down) and reports
its best accuracy within those 60 s. The table gives, per run, the seconds and
epochs to the target, the final and best accuracy and the training images per second; the last
line sums it up (one line):

    time to 98.5%: fast A s, notebook-08 B s, keras-io C s, ratio A/min(B,C) = R,
    best accuracy in 60 s: P%

A recipe that misses the target shows ``>T``, its training time. Times depend on the machine and
its load (the load averages are printed before and after); the ratio compares runs of one
machine at one time. ``--quick`` (or ``CNNLIB_QUICK=1``) trains one epoch of each on 2,000
training and 2,000 test images, which checks the code, not the speed.
"""

import argparse
import dataclasses
import math
import os
import re

import numpy as np

import cnnlib  # imports TensorFlow quietly
from cnnlib import recipes, speedrun, timing, train
from cnnlib.data import load_dataset
from cnnlib.models import pattern_cnn

TARGET = 0.985
TIME_LIMIT = 300.0  # seconds of training per recipe
BEST_OF_SECONDS = 60.0
QUICK_TRAIN, QUICK_TEST = 2000, 2000

# Notebook 08's recipe, as the notebook sets it (section 3).
NOTEBOOK_08_SEED = 8
NOTEBOOK_08_EPOCHS = 25
LECTURE_MODEL = {"conv_per_block": 2, "blocks": 1, "dense_layers": 1, "filters": 16,
                 "dense_units": 64}
DIGIT_AUGMENTATION = {"flip": False, "shift": 0.08, "rotation": 0.03, "zoom": 0.08}

# The keras.io recipe (examples/vision/mnist_convnet.py).
KERAS_IO_EPOCHS = 15


@dataclasses.dataclass
class Recipe:
    """One recipe of the benchmark: its name and how it trains, ``train(data, epochs)``."""

    name: str
    epochs: int
    train: object


def as_float_images(images):
    """uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1], as notebook 08 and keras.io do."""
    return (images.astype("float32") / 255)[..., np.newaxis]


def notebook_08(data, epochs, target, time_limit, log):
    """The lecture's model trained as notebook 08 trains it, through ``cnnlib.train.fit``."""
    x_train, y_train, x_test, y_test = data
    cnnlib.set_seed(NOTEBOOK_08_SEED)
    model = pattern_cnn((28, 28, 1), 10, **LECTURE_MODEL, name="lecture_model")
    trainer = recipes.with_augmentation(model, recipes.augmentation(**DIGIT_AUGMENTATION))
    steps = NOTEBOOK_08_EPOCHS * math.ceil(len(x_train) / 128)
    import keras

    schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=steps)
    recipes.compile_classifier(trainer, schedule)
    return speedrun.train_to_accuracy(
        trainer, (as_float_images(x_train), y_train), (as_float_images(x_test), y_test),
        epochs=epochs, batch_size=128, target=target, time_limit=time_limit,
        seed=NOTEBOOK_08_SEED, log=log, name="notebook-08")


def keras_io_model():
    """The network of keras.io's "Simple MNIST convnet"."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], name="keras_io_convnet")


def keras_io(data, epochs, target, time_limit, log):
    """keras.io's recipe: its network, Adam's default rate, batches of 128."""
    x_train, y_train, x_test, y_test = data
    cnnlib.set_seed(0)
    model = keras_io_model()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
                  metrics=["accuracy"])
    return speedrun.train_to_accuracy(
        model, (as_float_images(x_train), y_train), (as_float_images(x_test), y_test),
        epochs=epochs, batch_size=128, target=target, time_limit=time_limit, seed=0, log=log,
        name="keras-io")


def fast(data, epochs, target, time_limit, log):
    """The course's fast recipe, ``cnnlib.speedrun.fast_recipe``, from the uint8 images."""
    x_train, y_train, x_test, y_test = data
    return speedrun.fast_recipe(x_train, y_train, x_test, y_test, epochs=epochs, target=target,
                                time_limit=time_limit, log=log)


RECIPES = [
    Recipe("fast", speedrun.FAST_EPOCHS, fast),
    Recipe("notebook-08", NOTEBOOK_08_EPOCHS, notebook_08),
    Recipe("keras-io", KERAS_IO_EPOCHS, keras_io),
]


def seconds_text(run):
    """``12.3`` if the run reached its target, else ``>45.6`` (its whole training time); ``-``
    for a run without a target."""
    if run.target is None:
        return "-"
    if run.reached:
        return f"{run.seconds_to_target:.1f}"
    return f">{run.training_seconds:.1f}"


def table(runs, target):
    """The result table, one row per run, as lines of text."""
    head = (f"{'recipe':<22} {f'seconds to {target:.1%}':>16} {'epochs to it':>12} "
            f"{'epochs run':>10} {'final acc':>9} {'best acc':>9} {'images/s':>9} "
            f"{'parameters':>10}")
    lines = [head, "-" * len(head)]
    for label, run in runs:
        epochs_to = str(run.epochs_to_target) if run.reached else "-"
        lines.append(f"{label:<22} {seconds_text(run):>16} {epochs_to:>12} {run.epochs:>10} "
                     f"{run.final_accuracy:>9.2%} {run.best_accuracy:>9.2%} "
                     f"{run.images_per_second:>9,.0f} {run.model.count_params():>10,}")
    return lines


def ratio_text(fast_run, others):
    """``A/min(B,C)`` as text; ``<x`` when no other recipe reached the target."""
    if not fast_run.reached:
        return "n/a"
    reached = [run.seconds_to_target for run in others if run.reached]
    if reached:
        return f"{fast_run.seconds_to_target / min(reached):.2f}"
    bound = fast_run.seconds_to_target / min(run.training_seconds for run in others)
    return f"<{bound:.2f}"


def last_line(target, runs, best):
    """The summary line (see the module docstring)."""
    fast_run, notebook_run, keras_run = runs
    return (f"time to {target:.1%}: fast {seconds_text(fast_run)} s, notebook-08 "
            f"{seconds_text(notebook_run)} s, keras-io {seconds_text(keras_run)} s, ratio "
            f"A/min(B,C) = {ratio_text(fast_run, [notebook_run, keras_run])}, "
            f"best accuracy in {BEST_OF_SECONDS:.0f} s: {best.best_accuracy:.1%}")


LAST_LINE = re.compile(
    r"^time to \d+\.\d%: fast >?\d+\.\d s, notebook-08 >?\d+\.\d s, keras-io >?\d+\.\d s, "
    r"ratio A/min\(B,C\) = (<?\d+\.\d\d|n/a), best accuracy in \d+ s: \d+\.\d%$")


def epochs_within(run, seconds):
    """How many epochs of ``run``'s recipe fit in ``seconds`` of training, at least 1: the
    first epoch's time (graph tracing included) plus the later epochs' mean time each."""
    first = run.seconds[0]
    later = (run.seconds[-1] - first) / (run.epochs - 1) if run.epochs > 1 else first
    return max(1, 1 + math.floor((seconds - first) / later))


def run_benchmark(data, *, target=TARGET, time_limit=TIME_LIMIT, max_epochs=None, log=True):
    """Train the three recipes and the 60-second run on ``data = (x_train, y_train, x_test,
    y_test)`` (uint8 images, integer labels); return the lines to print, the last one last.

    ``max_epochs`` caps every recipe's epochs (``--quick``: 1); each recipe's learning-rate
    schedule is still sized for its own number of epochs, except the fast recipe's, which is
    sized for the epochs it runs.
    """
    runs = []
    for recipe in RECIPES:
        epochs = recipe.epochs if max_epochs is None else min(recipe.epochs, max_epochs)
        if log:
            print(f"--- {recipe.name}: up to {epochs} epochs", flush=True)
        runs.append(recipe.train(data, epochs, target, time_limit, log))
    epochs = epochs_within(runs[0], BEST_OF_SECONDS)
    if max_epochs is not None:
        epochs = min(epochs, max_epochs)
    if log:
        print(f"--- fast, {epochs} epochs sized to end within {BEST_OF_SECONDS:.0f} s",
              flush=True)
    best = fast(data, epochs, None, BEST_OF_SECONDS, log)
    labels = ["fast", "notebook-08", "keras-io"]
    rows = list(zip(labels, runs, strict=True)) + [(f"fast, {epochs} epochs in 60 s", best)]
    return [*table(rows, target), "", last_line(target, runs, best)]


def load(quick):
    """The MNIST arrays (uint8 images), a stratified 2,000/2,000 subset of each in quick mode."""
    (x_train, y_train), (x_test, y_test), info = load_dataset("mnist", return_info=True)
    if quick:
        x_train, y_train = train.subset(x_train, y_train, min(QUICK_TRAIN, len(x_train)))
        x_test, y_test = train.subset(x_test, y_test, min(QUICK_TEST, len(x_test)))
    return (x_train, y_train, x_test, y_test), info


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=TARGET, help="test accuracy to reach")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT,
                        help="seconds of training per recipe at most")
    parser.add_argument("--quick", action="store_true", default=cnnlib.quick_mode(),
                        help="one epoch each on 2,000 training and test images (CI)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    data, info = load(args.quick)
    print(info)
    if args.quick:
        print(f"quick: one epoch each on {len(data[0]):,} training and {len(data[2]):,} test "
              "images (checks the code, not the speed)")
    print(f"device: {timing.device_name()}; load average {os.getloadavg()[0]:.1f} at the start",
          flush=True)
    lines = run_benchmark(data, target=args.target, time_limit=args.time_limit,
                          max_epochs=1 if args.quick else None)
    print(f"load average {os.getloadavg()[0]:.1f} at the end (1-minute)")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
