"""``tf.data`` input pipelines for training and testing (notebooks 08 and 20).

``model.fit(x, y)`` on NumPy arrays slices the arrays on the Python side and runs any augmentation
layer inside the model, step after step. A ``tf.data`` pipeline does the same work in TensorFlow's
own threads, overlapped with the training step, and is the form in which data reaches several
devices (``tf.distribute``):

- :func:`dataset`: images and integer labels as a ``tf.data.Dataset`` of batches: converted to
  float32 once and **cached**, **shuffled** with a seed (a new order every epoch), **batched**,
  **augmented on the fly** (training only) and **prefetched** (``tf.data.AUTOTUNE``), so the next
  batch is prepared while the model trains on this one;
- :func:`random_affine`: the augmentation it applies, random shifts, rotations, zooms and
  horizontal flips of a batch drawn from a seed (``tf.random.stateless_*``), so the same seed
  gives the same images however many threads prepare them.

The arguments ``flip``, ``shift``, ``rotation`` and ``zoom`` mean what they mean for
:func:`cnnlib.recipes.augmentation` (fractions of the image size or of a full turn), so the same
dictionary describes the augmentation of a model (Keras layers) and of a pipeline::

    DIGITS = {"flip": False, "shift": 0.08, "rotation": 0.03, "zoom": 0.08}
    train_data = dataset(x_train, y_train, batch_size=128, training=True, augment=DIGITS, seed=0)
    test_data = dataset(x_test, y_test, batch_size=512)
    model.fit(train_data, epochs=5, validation_data=test_data)
"""

import math

import tensorflow as tf

from cnnlib._validation import (
    check_array,
    check_bool,
    check_class_labels,
    check_images,
    check_instance,
    check_int,
    check_paired_examples,
    check_positive_int,
    check_real,
    check_tensor,
)

__all__ = ["AUGMENT_KEYS", "dataset", "random_affine"]

AUGMENT_KEYS = ("flip", "shift", "rotation", "zoom")


def _augment_arguments(flip, shift, rotation, zoom):
    """The four augmentation amounts, checked: ``(flip, shift, rotation, zoom)``."""
    return (check_bool("flip", flip), check_real("shift", shift, 0, 1, max_open=True),
            check_real("rotation", rotation, 0, 1, max_open=True),
            check_real("zoom", zoom, 0, 1, max_open=True))


def _affine(images, seed, flip, shift, rotation, zoom):
    """:func:`random_affine` without the argument checks (it runs inside ``Dataset.map``)."""
    images = tf.convert_to_tensor(images)
    static_shape = images.shape  # the transformation below forgets it
    batch = tf.shape(images)[0]
    height = tf.cast(tf.shape(images)[1], tf.float32)
    width = tf.cast(tf.shape(images)[2], tf.float32)
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=5)

    def uniform(index, limit):
        return tf.random.stateless_uniform([batch], seeds[index], -limit, limit)

    if shift or rotation or zoom:
        angle = uniform(0, rotation * 2 * math.pi) if rotation else tf.zeros([batch])
        scale = 1 + uniform(1, zoom) if zoom else tf.ones([batch])
        shift_x = uniform(2, shift) * width if shift else tf.zeros([batch])
        shift_y = uniform(3, shift) * height if shift else tf.zeros([batch])
        # Output pixel (x, y) reads input pixel A (x, y) + b: a rotation by `angle` and a zoom by
        # `scale` about the image centre, then a shift. A scale above 1 reads a larger window
        # (zooms out); the pixels read from outside the image are zeros.
        cos, sin = tf.cos(angle) * scale, tf.sin(angle) * scale
        centre_x, centre_y = (width - 1) / 2, (height - 1) / 2
        offset_x = centre_x - (cos * centre_x - sin * centre_y) - shift_x
        offset_y = centre_y - (sin * centre_x + cos * centre_y) - shift_y
        zeros = tf.zeros([batch])
        transforms = tf.stack([cos, -sin, offset_x, sin, cos, offset_y, zeros, zeros], axis=1)
        images = tf.raw_ops.ImageProjectiveTransformV3(
            images=images, transforms=transforms, output_shape=tf.shape(images)[1:3],
            fill_value=0.0, interpolation="BILINEAR", fill_mode="CONSTANT")
    if flip:
        flipped = tf.random.stateless_uniform([batch], seeds[4]) < 0.5
        images = tf.where(flipped[:, None, None, None], tf.reverse(images, axis=[2]), images)
    return tf.ensure_shape(images, static_shape)


def random_affine(images, seed, *, flip=False, shift=0.0, rotation=0.0, zoom=0.0):
    """A random shift, rotation, zoom and flip of every image of a batch, drawn from ``seed``.

    ``images``: float ``(N, H, W, C)``. ``seed``: two integers (``tf.random``'s stateless seed);
    the same seed gives the same result, a different seed a different one. Every image gets its
    own draw: a shift of up to ``shift`` times the width (and, independently, the height) in
    each direction, a rotation about the centre of up to ``rotation`` of a full turn either way,
    a zoom in or out by up to ``zoom`` (``0.1``: from 90% to 110% of the field of view) and,
    with ``flip=True``, a horizontal mirror image with probability 1/2. The transformations are
    composed into one affine map per image (bilinear interpolation, zeros outside the image).
    All amounts 0 and ``flip=False`` return the images unchanged. Returns a float32 tensor.
    """
    if not tf.is_tensor(images):  # an array: its dtype checked here, its rank below
        images = check_array("images", images, layout="(N, height, width, channels)")
    images = check_tensor("images", tf.cast(images, tf.float32))
    seed = check_array("seed", seed, 1, layout="(2,)", kinds="iu")
    if seed.shape != (2,):
        raise ValueError(f"seed must hold two integers, got shape {seed.shape}")
    return _affine(images, seed, *_augment_arguments(flip, shift, rotation, zoom))


def _augment_dict(augment):
    """``augment`` (None or a dict with some of AUGMENT_KEYS) checked, as the four amounts."""
    if augment is None:
        return None
    check_instance("augment", augment, dict, "None or a dict with some of the keys "
                   + ", ".join(repr(key) for key in AUGMENT_KEYS))
    unknown = sorted(set(augment) - set(AUGMENT_KEYS), key=str)
    if unknown:
        raise ValueError(f"augment has unknown keys {unknown}; valid keys are "
                         + ", ".join(repr(key) for key in AUGMENT_KEYS))
    amounts = {"flip": False, "shift": 0.0, "rotation": 0.0, "zoom": 0.0, **augment}
    return _augment_arguments(*(amounts[key] for key in AUGMENT_KEYS))


def _to_float(images, labels):
    """uint8 pixels to [0, 1], other numbers to float32; a channel axis for grey images."""
    scale = 1 / 255 if images.dtype == tf.uint8 else 1.0
    images = tf.cast(images, tf.float32) * scale
    if images.shape.rank == 2:
        images = images[..., tf.newaxis]
    return images, labels


def dataset(x, y, *, batch_size=128, training=False, augment=None, seed=0, cache=True,
            drop_remainder=False):
    """Images ``x`` and integer labels ``y`` as a ``tf.data.Dataset`` of ``(images, labels)``.

    ``x``: ``(N, H, W)`` or ``(N, H, W, C)``; ``uint8`` pixels are scaled to [0, 1], other
    numbers are cast to float32, and grey images get a channel axis, ``(N, H, W, 1)``. ``y``:
    ``(N,)`` labels (``(N, 1)`` too, CIFAR-10's).

    - ``training=False`` (test and validation data): the examples in their order, in batches,
      never augmented;
    - ``training=True``: a new order every epoch (a ``shuffle`` over the whole set, seeded with
      ``seed``), and, if ``augment`` is a dict of :func:`random_affine`'s amounts (keys
      ``"flip"``, ``"shift"``, ``"rotation"``, ``"zoom"``), every batch transformed on the fly,
      with a new draw for every batch of every epoch.

    The same ``seed`` gives the same batches, epoch after epoch, in every run: the order comes
    from the seeded shuffle and the transformations from seeds drawn by a seeded
    ``tf.data.Dataset.random``. ``cache=True`` keeps the converted images in memory after the
    first epoch. ``drop_remainder=True`` drops a last, smaller batch (useful when every batch must
    split evenly over several devices). Every pipeline ends with ``prefetch(tf.data.AUTOTUNE)``.
    """
    x = check_images("x", x)
    count = check_paired_examples(x, y)
    y = check_class_labels("y", y)
    batch_size = check_positive_int("batch_size", batch_size)
    training = check_bool("training", training)
    amounts = _augment_dict(augment)
    if amounts is not None and not training:
        raise ValueError("augment is for training data only: pass training=True, or "
                         "augment=None for test data")
    seed = check_int("seed", seed, 0, 2**31 - 1)
    cache = check_bool("cache", cache)
    drop_remainder = check_bool("drop_remainder", drop_remainder)

    data = tf.data.Dataset.from_tensor_slices((x, y)).map(_to_float)
    if cache:
        data = data.cache()
    if training:
        data = data.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    data = data.batch(batch_size, drop_remainder=drop_remainder)
    if amounts is not None and any(amounts):
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)

        def transform(batch, batch_seed):
            images, labels = batch
            return _affine(images, batch_seed, *amounts), labels

        data = tf.data.Dataset.zip(data, seeds).map(
            transform, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return data.prefetch(tf.data.AUTOTUNE)
