"""Reusing a trained CNN: class splits, few-label subsets, new heads, freezing, pretrained
weights (course: notebook 17).

- :func:`select_classes` keeps the examples of some classes and renumbers them 0, 1, ... (a
  source task on CIFAR-10's classes 0-4, a target task on 5-9);
- :func:`per_class_subset` draws ``n`` labelled examples of every class (10, 30, 100 per class);
- :func:`with_new_head` puts a new classifier on a trained base, and :func:`freeze` freezes a
  base up to a layer (feature extraction: all of it; fine-tuning: the lower blocks);
- :func:`trainable_counts` splits a model's parameters into trainable and non-trainable ones;
- :func:`load_pretrained` builds a ``keras.applications`` model with its ImageNet weights when
  they can be downloaded, and otherwise returns ``None`` and a one-line reason, leaving no
  partial file in the Keras cache.
"""

import contextlib
import io
import os
import re
import socket
from pathlib import Path

import keras
import numpy as np

from cnnlib._validation import (
    check_array,
    check_bool,
    check_callable,
    check_classes,
    check_layer_name,
    check_model,
    check_non_negative_int,
    check_positive_int,
    check_rate,
    check_real,
    describe,
)

__all__ = ["InferenceMode", "freeze", "load_pretrained", "per_class_subset", "select_classes",
           "trainable_counts", "with_new_head"]


def _labels(x, y):
    """``x`` and integer labels ``y`` ((N,) or CIFAR's (N, 1)) as arrays, lengths checked."""
    x = np.asarray(x)
    y = check_array("y", y, (1, 2), layout="of integer labels, (N,) or (N, 1)", kinds="iu")
    if y.ndim == 2 and y.shape[1] != 1:
        raise ValueError(f"y must hold one integer label per example, (N,) or (N, 1), got shape "
                         f"{y.shape}")
    if x.ndim == 0 or len(x) != len(y):
        raise ValueError(f"x and y must have the same number of examples, got "
                         f"{len(x) if x.ndim else 'a scalar'} and {len(y)}")
    return x, y.reshape(-1)


def select_classes(x, y, classes):
    """The examples of ``classes`` (a list of labels), relabelled ``0 .. len(classes) − 1`` in
    the order given: ``select_classes(x, y, [5, 6, 7, 8, 9])`` turns dogs (5) into class 0.
    Returns ``(x, y)`` with ``y`` of shape ``(N,)``, in the original order."""
    x, labels = _labels(x, y)
    if isinstance(classes, str) or not hasattr(classes, "__iter__"):
        raise TypeError(f"classes must be a list of integer labels, got {describe(classes)}")
    classes = [check_non_negative_int(f"classes[{i}]", c) for i, c in enumerate(classes)]
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(f"classes must be a non-empty list of distinct labels, got {classes}")
    missing = [c for c in classes if not np.any(labels == c)]
    if missing:
        raise ValueError(f"classes {missing} have no example in y (labels present: "
                         f"{sorted(set(labels.tolist()))})")
    keep = np.isin(labels, classes)
    mapping = np.zeros(int(labels.max()) + 1, dtype=np.int64)
    mapping[classes] = np.arange(len(classes))
    return x[keep], mapping[labels[keep]]


def per_class_subset(x, y, n, *, seed=0):
    """``n`` examples of every class, drawn without replacement, in their original order
    (``n=None``: all of them).  The same seed gives the same subset; a smaller ``n`` with the
    same seed is not a subset of a larger one."""
    x, labels = _labels(x, y)
    if n is None:
        return x.copy(), labels.copy()
    n = check_positive_int("n", n)
    seed = check_non_negative_int("seed", seed)
    values, counts = np.unique(labels, return_counts=True)
    if counts.min() < n:
        raise ValueError(f"n must be at most the size of the smallest class ({counts.min()} "
                         f"examples of class {values[counts.argmin()]}), got {n}")
    rng = np.random.default_rng(seed)
    chosen = np.sort(np.concatenate([rng.choice(np.flatnonzero(labels == value), n,
                                                replace=False) for value in values]))
    return x[chosen], labels[chosen]


def trainable_counts(model):
    """``(trainable, non_trainable)`` parameter counts of a model, as ``model.summary()``
    reports them: frozen layers and batch-norm moving statistics are non-trainable."""
    check_model(model, built=True)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    return trainable, frozen


def freeze(model, up_to=None, *, batch_norm_trainable=False):
    """Freeze the layers of ``model`` up to and including ``up_to`` (a layer name; ``None``:
    every layer) and unfreeze the layers after it; return :func:`trainable_counts`.

    Keras puts a frozen ``BatchNormalization`` layer in inference mode: it normalises with its
    moving statistics and stops updating them. ``batch_norm_trainable=False`` (the default)
    therefore keeps every batch-norm layer frozen, also above ``up_to``, as the Keras guide to
    fine-tuning recommends; ``True`` leaves those above ``up_to`` trainable (notebook 17 measures
    what that does)."""
    check_model(model)
    check_bool("batch_norm_trainable", batch_norm_trainable)
    last = len(model.layers) - 1
    if up_to is not None:
        layer = check_layer_name(model, up_to, name="up_to")
        last = model.layers.index(layer)
    model.trainable = True
    for index, layer in enumerate(model.layers):
        layer.trainable = index > last
        if isinstance(layer, keras.layers.BatchNormalization) and not batch_norm_trainable:
            layer.trainable = False
    return trainable_counts(model)


class InferenceMode(keras.layers.Layer):
    """Calls a model always in inference mode, also while the outer model trains.

    ``base(x, training=False)`` written when a functional model is built does *not* keep the
    base in inference mode in Keras 3: ``fit`` calls the outer model with ``training=True``,
    and a functional model hands that flag on to every layer it contains, overriding the one
    given at construction. This layer's ``call`` takes no ``training`` argument, so the flag
    never reaches the wrapped model, which runs with ``training=False``; its weights stay
    shared and trainable (fine-tuning still updates them).
    """

    def __init__(self, model, **kwargs):
        super().__init__(**kwargs)
        self.model = check_model(model, "model")

    def call(self, inputs):
        return self.model(inputs, training=False)

    def compute_output_shape(self, input_shape):
        return self.model.compute_output_shape(input_shape)


def with_new_head(base, classes, *, dropout=0.3, base_training=False, name=None):
    """A classifier ``base → global average pooling (for a feature map) → dropout → Dense``
    with ``classes`` logits, for the target task; ``base``'s weights are shared, not copied.

    ``base_training=False`` runs the base in inference mode (through :class:`InferenceMode`), so
    that its batch-norm layers keep normalising with the source task's moving statistics and
    never update them, even when the base is unfrozen for fine-tuning; ``True`` lets them use
    each batch's statistics during training and update their moving averages (notebook 17's
    trap). Which layers learn is set by :func:`freeze` (or ``base.trainable``).
    """
    check_model(base, "base", needs_inputs=True)
    classes = check_classes(classes)
    dropout = check_rate("dropout", dropout)
    check_bool("base_training", base_training)
    inputs = keras.Input(base.inputs[0].shape[1:], name="image")
    if base_training:
        x = base(inputs)
    else:
        x = InferenceMode(base, name=f"{base.name}_inference")(inputs)
    if len(x.shape) == 4:
        x = keras.layers.GlobalAveragePooling2D(name="head_pool")(x)
    elif len(x.shape) != 2:
        raise ValueError(f"base must output features (N, units) or feature maps (N, H, W, C), "
                         f"got shape {tuple(x.shape)}")
    if dropout:
        x = keras.layers.Dropout(dropout, name="head_dropout")(x)
    outputs = keras.layers.Dense(classes, name="head_logits")(x)
    return keras.Model(inputs, outputs, name=name or f"{base.name}_new_head")


def _cache_dirs():
    """The folders where ``keras.utils.get_file`` may keep downloaded weights."""
    home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return [Path(home) / "models", Path("/tmp/.keras/models")]


def _snapshot(folders):
    return {path: path.stat().st_mtime_ns for folder in folders if folder.is_dir()
            for path in folder.iterdir() if path.is_file()}


def load_pretrained(factory, *, timeout=60.0, **kwargs):
    """``(model, None)`` for ``factory(weights="imagenet", **kwargs)``, e.g.
    ``load_pretrained(keras.applications.VGG16, include_top=False)``, or ``(None, reason)``
    when the weights cannot be had (no internet, a server error, a corrupt file).

    Keras caches the weights the usual way (``~/.keras/models``, or ``$KERAS_HOME/models``), so
    the download happens once. Keras's own messages and progress bar are kept out of the
    output. On failure every file that appeared or changed in the cache during the call is
    removed, so no partial or corrupt download is left to be trusted next time. ``timeout``
    bounds each network wait, in seconds.
    """
    check_callable("factory", factory)
    timeout = check_real("timeout", timeout, 0, min_open=True)
    if "weights" in kwargs:
        raise TypeError("load_pretrained sets weights='imagenet' itself; build a model with "
                        "other weights by calling the factory directly")
    folders = _cache_dirs()
    before = _snapshot(folders)
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            model = factory(weights="imagenet", **kwargs)
    except Exception as error:  # noqa: BLE001 - any failure means: go on without the weights
        for path, stamp in _snapshot(folders).items():
            if before.get(path) != stamp:
                path.unlink(missing_ok=True)
        name = getattr(factory, "__name__", "the model")
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        text = re.sub(r"(\w+://[^/\s]+)/\S*?:?(?=\s|$)", r"\1/…", text)  # URLs: host only
        return None, f"{name}'s ImageNet weights are not available ({text[:200]})"
    finally:
        socket.setdefaulttimeout(previous_timeout)
    return model, None
