"""Training helpers of the notebooks that train models (notebooks 08-14).

- :func:`fit` trains a compiled Keras model the same way in every notebook: seeded, for a budget
  the caller picks with ``cnnlib.budget(full=..., quick=...)``, with one compact line per epoch
  instead of Keras's progress bars, and returns the ``History``;
- :func:`subset` shrinks a dataset for quick mode (stratified by default: every class keeps its
  share);
- :func:`evaluate` returns the loss and metrics on a test set as a dict of floats.

Draw the training curves of the returned history with :func:`cnnlib.viz.plot_history`.

    history = fit(model, x_train, y_train, epochs=cnnlib.budget(full=20, quick=2),
                  validation_split=0.1)
    # epoch  1/20  loss 0.5752  accuracy 0.834  val_loss 0.2921  val_accuracy 0.912  (4.1 s)
    # ...
    viz.plot_history(history)
"""

import sys
import time

import keras
import numpy as np

from cnnlib._validation import (
    check_bool,
    check_int,
    check_labels,
    check_model,
    check_non_negative_int,
    check_paired_examples,
    check_positive_int,
    check_rate,
    check_writable,
    describe,
)
from cnnlib.env import set_seed

__all__ = ["EpochLog", "evaluate", "fit", "subset"]

# Arguments that fit() sets itself: verbose (it prints its own log) and the ones it names.
_RESERVED = {"verbose": "fit prints its own compact log; pass log=False for silence",
             "x": "pass the inputs as the second argument", "y": "pass the targets as the third"}


def _model_classes(model):
    """The number of classes of a one-output classifier (its last axis), else None."""
    try:
        outputs = model.outputs
    except (AttributeError, ValueError):
        return None
    if not outputs or len(outputs) != 1:
        return None
    classes = outputs[0].shape[-1]
    return classes if classes and classes > 1 else None


def _validated_data(model, x, y, x_name="x", y_name="y"):
    """Check that ``x`` and ``y`` pair up and that ``y``'s class numbers fit the model."""
    check_paired_examples(x, y, x_name, y_name)
    classes = _model_classes(model)
    if classes:
        check_labels(y_name, y, classes)


def _fit_arguments(model, x, y, epochs, batch_size, validation_data, validation_split, seed,
                   log, fit_kwargs):
    """:func:`fit`'s arguments, checked: ``(epochs, batch_size, validation_split, callbacks)``."""
    check_model(model, compiled=True)
    _validated_data(model, x, y)
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    validation_split = check_rate("validation_split", validation_split)
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise TypeError("validation_data must be a pair (x_val, y_val), got "
                            f"{describe(validation_data)}")
        _validated_data(model, *validation_data, "validation_data x", "validation_data y")
        if validation_split:
            raise ValueError("give validation_data or validation_split, not both (got "
                             f"validation_split={validation_split!r})")
    check_int("seed", seed, 0, 2**32 - 1)
    log = check_bool("log", log)
    for name, why in _RESERVED.items():
        if name in fit_kwargs:
            raise TypeError(f"fit() sets {name} itself: {why}")
    callbacks = list(fit_kwargs.pop("callbacks", None) or [])
    return epochs, batch_size, validation_split, [EpochLog(epochs)] * log + callbacks


def _format_logs(logs):
    """``loss 0.0712  accuracy 0.978  val_loss ...``: losses with 4 decimals, metrics with 3;
    training values first, then validation values, each group with its loss first."""
    def order(key):
        return (key.startswith("val_"), "loss" not in key)

    parts = []
    for key in sorted(logs, key=order):
        value = float(logs[key])
        parts.append(f"{key} {value:.4f}" if "loss" in key else f"{key} {value:.3f}")
    return "  ".join(parts)


class EpochLog(keras.callbacks.Callback):
    """One line per epoch: ``epoch 3/12  loss 0.0712  accuracy 0.978  ...  (4.1 s)``.

    The time makes the line differ from run to run, so cells that train are not compared by
    nbval. ``file`` defaults to ``sys.stdout`` at the time of each epoch (notebooks capture it).
    """

    def __init__(self, epochs, file=None):
        super().__init__()
        self.epochs = check_positive_int("epochs", epochs)
        self.file = check_writable("file", file)
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        width = len(str(self.epochs))
        line = f"epoch {epoch + 1:>{width}}/{self.epochs}  {_format_logs(logs or {})}"
        print(f"{line}  ({seconds:.1f} s)", file=self.file or sys.stdout, flush=True)


def fit(model, x, y, *, epochs, batch_size=128, validation_data=None, validation_split=0.0,
        seed=0, log=True, **fit_kwargs):
    """Train a compiled Keras model; return its ``keras.callbacks.History``.

    Seeds Python, NumPy and TensorFlow with ``cnnlib.set_seed(seed)`` first, so the shuffling,
    dropout and random augmentation layers repeat from run to run (build the model after a
    ``cnnlib.set_seed`` too, so that its initial weights repeat as well). Calls
    ``model.fit(..., verbose=0)``: no progress bars; with ``log=True`` one line per epoch,
    ``epoch 3/12  loss 0.0712  accuracy 0.978  val_loss 0.0650  val_accuracy 0.981  (4.1 s)``.

    ``epochs`` is usually ``cnnlib.budget(full=..., quick=...)``. ``validation_data`` is a pair
    ``(x_val, y_val)``; ``validation_split`` (0 <= split < 1) holds out the *last* fraction of
    ``x`` instead (Keras takes it before shuffling); give at most one of them. Other keyword
    arguments go to ``model.fit`` (``callbacks`` are run after the log, ``class_weight``, ...).
    Plot the result with :func:`cnnlib.viz.plot_history`.
    """
    epochs, batch_size, validation_split, callbacks = _fit_arguments(
        model, x, y, epochs, batch_size, validation_data, validation_split, seed, log, fit_kwargs)
    set_seed(seed)
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, validation_data=validation_data,
                     validation_split=validation_split, verbose=0, callbacks=callbacks,
                     **fit_kwargs)


def evaluate(model, x, y, *, batch_size=256):
    """Loss and compiled metrics of ``model`` on ``(x, y)`` as a dict of floats, e.g.
    ``{"loss": 0.043, "accuracy": 0.986}`` (``model.evaluate`` without a progress bar)."""
    check_model(model, compiled=True)
    _validated_data(model, x, y)
    batch_size = check_positive_int("batch_size", batch_size)
    results = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
    return {name: float(value) for name, value in results.items()}


def _allocate(counts, n):
    """Split ``n`` over classes in proportion to ``counts`` (largest remainder, ties to the
    smaller label), never more than a class has."""
    exact = counts * n / counts.sum()
    share = np.floor(exact).astype(int)
    remainder = exact - share
    for index in np.argsort(-remainder, kind="stable")[: n - share.sum()]:
        share[index] += 1
    return share


def subset(x, y, n, *, seed=0, stratify=True):
    """``n`` examples of ``(x, y)`` drawn at random without replacement, in their original order.

    With ``stratify=True`` (the default) every class keeps its share of the examples: class
    ``c`` gets ``n * count_c / len(y)`` of them, rounded so that the shares add up to ``n``
    (largest remainder); ``y`` must then hold integer labels, shape ``(N,)`` or ``(N, 1)``
    (CIFAR-10's). With ``stratify=False`` the ``n`` examples are a plain random sample and
    ``y`` may be anything with one entry per example. ``n`` equal to the number of examples
    returns copies of all of them, so ``subset(x, y, budget(full=len(x), quick=2000))`` works
    in both modes. The same ``seed`` gives the same subset (NumPy's ``default_rng``).
    """
    total = check_paired_examples(x, y)
    n = check_positive_int("n", n)
    if n > total:
        raise ValueError(f"n must be at most the number of examples ({total:,}), got {n:,}")
    seed = check_non_negative_int("seed", seed)
    stratify = check_bool("stratify", stratify)
    x, y = np.asarray(x), np.asarray(y)
    rng = np.random.default_rng(seed)
    if not stratify:
        chosen = rng.choice(total, size=n, replace=False)
    else:
        labels = y.reshape(total, -1)
        if labels.shape[1] != 1 or not np.issubdtype(y.dtype, np.integer):
            raise ValueError("stratify=True needs integer class labels of shape (N,) or (N, 1), "
                             f"got y of shape {y.shape} and dtype {y.dtype}; pass "
                             "stratify=False for a plain random sample")
        _, inverse, counts = np.unique(labels[:, 0], return_inverse=True, return_counts=True)
        shares = _allocate(counts, n)
        chosen = np.concatenate([
            rng.choice(np.flatnonzero(inverse == k), size=share, replace=False)
            for k, share in enumerate(shares)
        ])
    chosen = np.sort(chosen)
    return x[chosen], y[chosen]
