"""The training recipe of the notebooks that train image classifiers (notebooks 08 and 10-13).

- :func:`augmentation`: random flips, shifts, rotations and zooms as a ``keras.Sequential``
  of preprocessing layers, active only in training; its defaults are the CIFAR-10 recipe of
  Krizhevsky et al. (2012) and He et al. (2015): horizontal flips and shifts of up to 4 of 32
  pixels;
- :func:`with_augmentation`: the model to train, the augmentation followed by the network (the
  two share their weights, so the network itself is evaluated on untouched images);
- :func:`compile_classifier`: compiles a softmax classifier for integer labels, with Adam or SGD
  with momentum, and optionally label smoothing;
- :func:`warmup_cosine`: a learning rate that rises linearly from ``start`` to ``peak`` in
  ``warmup_steps`` and then falls along half a cosine to ``final`` at ``total_steps`` (a Keras
  ``CosineDecay`` schedule; with a short warm-up and ``final=0`` it is the shape of the
  "one-cycle" policy of Smith and Topin, 2019);
- :class:`SparseCrossentropy`: the cross-entropy of integer labels with label smoothing
  (Szegedy et al. 2016), which Keras offers only for one-hot labels.

Train the result with :func:`cnnlib.train.fit`:

    cnnlib.set_seed(0)
    model = compile_classifier(with_augmentation(models.cifar_resnet(20), augmentation()))
    history = train.fit(model, x_train, y_train, epochs=cnnlib.budget(full=15, quick=1))
"""

import numbers

import keras

from cnnlib._validation import (
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_model,
    check_positive_int,
    check_rate,
    check_real,
    check_str,
    describe,
)

__all__ = ["CIFAR_SHIFT", "SparseCrossentropy", "augmentation", "compile_classifier",
           "warmup_cosine", "with_augmentation"]

CIFAR_SHIFT = 4 / 32  # shifts of up to 4 pixels of a 32x32 image

_FILL_MODES = ("constant", "reflect", "wrap", "nearest")
_OPTIMIZERS = ("adam", "sgd")


def augmentation(*, flip=True, shift=CIFAR_SHIFT, rotation=0.0, zoom=0.0, fill_mode="constant",
                 seed=None, name="augmentation"):
    """Random training-time transformations of a batch of images, as a ``keras.Sequential``.

    ``flip``: random horizontal flips. ``shift``: random shifts of up to this fraction of the
    height and width (``RandomTranslation``; a continuous amount, interpolated). ``rotation``:
    random rotations of up to this fraction of a full turn. ``zoom``: random zooms in or out by
    up to this fraction. A transformation set to ``False`` or 0 is left out. ``fill_mode`` fills
    the pixels shifted, rotated or zoomed in from outside the image (``"constant"``: zeros, the
    mean pixel once the mean image is subtracted, like the zero padding of He et al.).

    The layers are active only in training (``model.fit``); ``predict`` and ``evaluate`` pass
    the images through unchanged. ``seed`` seeds every layer; with ``None`` they draw from
    Keras's global generator, which ``cnnlib.set_seed`` seeds.
    """
    flip = check_bool("flip", flip)
    shift = check_real("shift", shift, 0, 1, max_open=True)
    rotation = check_real("rotation", rotation, 0, 1, max_open=True)
    zoom = check_real("zoom", zoom, 0, 1, max_open=True)
    check_choice("fill_mode", fill_mode, _FILL_MODES)
    if seed is not None:
        seed = check_int("seed", seed, minimum=0)
    check_str("name", name)
    layers = []
    if flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed, name="flip"))
    if shift:
        layers.append(keras.layers.RandomTranslation(shift, shift, fill_mode=fill_mode, seed=seed,
                                                     name="shift"))
    if rotation:
        layers.append(keras.layers.RandomRotation(rotation, fill_mode=fill_mode, seed=seed,
                                                  name="rotation"))
    if zoom:
        layers.append(keras.layers.RandomZoom(zoom, fill_mode=fill_mode, seed=seed,
                                              name="zoom"))
    if not layers:
        raise ValueError("augmentation needs at least one transformation: flip=True or a "
                         "positive shift, rotation or zoom, got none")
    return keras.Sequential(layers, name=name)


def with_augmentation(model, augment, name=None):
    """The model to train: ``augment`` (e.g. :func:`augmentation`) followed by ``model``.

    Both keep their own weights (the augmentation has none), so training the returned model
    trains ``model``; compile ``model`` too if it is to be evaluated on its own. The returned
    model's input is named ``"image"``; its name is ``name`` or ``model.name``.
    """
    check_model(model, needs_inputs=True)
    check_instance("augment", augment, keras.layers.Layer,
                   "a Keras layer or model, e.g. cnnlib.recipes.augmentation()")
    if name is not None:
        check_str("name", name)
    if len(model.inputs) != 1:
        raise ValueError(f"model must have one input (the images), got {len(model.inputs)}")
    inputs = keras.Input(shape=model.input_shape[1:], name="image")
    return keras.Model(inputs, model(augment(inputs)), name=name or model.name)


def warmup_cosine(peak, total_steps, *, warmup_steps=0, start=0.0, final=0.0):
    """A learning-rate schedule: a linear warm-up, then a cosine decay (a Keras schedule).

    Step ``s`` (counted from 0, one step per batch) gets the learning rate

    - ``start + (peak - start) * s / warmup_steps`` while ``s < warmup_steps``;
    - ``final + (peak - final) * (1 + cos(pi * t)) / 2`` after that, with
      ``t = (s - warmup_steps) / (total_steps - warmup_steps)``, which falls from ``peak`` to
      ``final`` at ``s = total_steps``;
    - ``final`` from ``total_steps`` on.

    The warm-up lets a large peak rate start gently while batch norm's statistics and Adam's
    moment estimates settle (Goyal et al. 2017); the cosine spends the last steps at small rates,
    where the weights settle. Returns a ``keras.optimizers.schedules.CosineDecay``, which takes
    the place of a number wherever Keras takes a learning rate.
    """
    peak = check_real("peak", peak, 0, min_open=True)
    total_steps = check_positive_int("total_steps", total_steps)
    warmup_steps = check_int("warmup_steps", warmup_steps, 0, total_steps - 1)
    start = check_real("start", start, 0, peak)
    final = check_real("final", final, 0, peak)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=start if warmup_steps else peak,
        decay_steps=total_steps - warmup_steps, alpha=final / peak, warmup_target=peak,
        warmup_steps=warmup_steps, name="warmup_cosine")


class SparseCrossentropy(keras.losses.Loss):
    """Cross-entropy of integer labels and predicted probabilities, with label smoothing.

    With ``label_smoothing = eps`` and ``K`` classes the target of an example of class ``c`` is
    ``1 - eps + eps / K`` for class ``c`` and ``eps / K`` for every other class (Szegedy et al.
    2016, section 7), so the loss is ``-(1 - eps) log p_c - (eps / K) sum_k log p_k``: the
    network is no longer pushed to make its largest probability 1, which keeps the logits
    small and often generalises a little better. ``eps = 0`` is Keras's
    ``sparse_categorical_crossentropy``. Labels of shape ``(N,)`` or ``(N, 1)``.
    """

    def __init__(self, label_smoothing=0.0, name="sparse_crossentropy", **kwargs):
        label_smoothing = check_rate("label_smoothing", label_smoothing)
        super().__init__(name=check_str("name", name, none=True), **kwargs)
        self.label_smoothing = label_smoothing

    def call(self, y_true, y_pred):
        classes = keras.ops.shape(y_pred)[-1]
        labels = keras.ops.reshape(keras.ops.cast(y_true, "int32"), (-1,))
        return keras.losses.categorical_crossentropy(
            keras.ops.one_hot(labels, classes, dtype=y_pred.dtype), y_pred,
            label_smoothing=self.label_smoothing)

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


def compile_classifier(model, learning_rate=1e-3, *, optimizer="adam", momentum=0.9,
                       weight_decay=None, label_smoothing=0.0, run_eagerly=False):
    """Compile a softmax classifier for integer labels and return it.

    Loss ``sparse_categorical_crossentropy`` (labels ``0 .. classes-1``, the model outputs
    probabilities), metric ``accuracy``; with ``label_smoothing`` > 0 the loss is
    :class:`SparseCrossentropy` with that smoothing. ``optimizer`` is ``"adam"`` or ``"sgd"``
    (SGD with ``momentum``, 0.9 as in AlexNet, VGG and ResNet); ``learning_rate`` is a number or a
    ``keras.optimizers.schedules.LearningRateSchedule``. ``weight_decay`` is Keras's *decoupled*
    decay (the weights shrink by ``learning_rate * weight_decay`` per step), not an L2 term in the
    loss. ``run_eagerly=True`` skips compiling a graph, which pays off for a handful of steps.
    """
    check_model(model)
    if not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real):
            raise TypeError("learning_rate must be a positive number or a "
                            "keras.optimizers.schedules.LearningRateSchedule, got "
                            f"{describe(learning_rate)}")
        check_real("learning_rate", learning_rate, 0, min_open=True)
    check_choice("optimizer", optimizer, _OPTIMIZERS)
    momentum = check_real("momentum", momentum, 0, 1, max_open=True)
    if weight_decay is not None:
        weight_decay = check_real("weight_decay", weight_decay, 0)
    label_smoothing = check_rate("label_smoothing", label_smoothing)
    check_bool("run_eagerly", run_eagerly)
    if optimizer == "adam":
        chosen = keras.optimizers.Adam(learning_rate=learning_rate, weight_decay=weight_decay)
    else:
        chosen = keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum,
                                      weight_decay=weight_decay)
    loss = (SparseCrossentropy(label_smoothing) if label_smoothing
            else "sparse_categorical_crossentropy")
    model.compile(optimizer=chosen, loss=loss, metrics=["accuracy"], run_eagerly=run_eagerly)
    return model
