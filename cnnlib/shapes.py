"""Generated shapes with every kind of ground truth (course: notebook 15, CNN tasks).

:func:`make_shapes` draws circles, squares and triangles on noisy backgrounds and returns, for
each image, the answers of the CNN tasks of the lectures (L1, L3, L5): the class of every shape
(classification), its bounding box (localisation, detection), a class per pixel (semantic
segmentation) and an object number per pixel (instance segmentation). The shapes never overlap
and keep at least one pixel between their boxes, so every answer is exact and the ground truths
agree with each other. NumPy only: thousands of images take a fraction of a second.

    data = make_shapes(1000, size=32, max_shapes=3, seed=0)
    data.images.shape, data.masks.shape, data.boxes.shape   # (1000, 32, 32, 1) (1000, 32, 32)
                                                            # (1000, 3, 4)
    CLASS_NAMES[data.labels[0, 0]]                          # e.g. 'triangle'

:func:`box_iou` and :func:`iou_per_class` score localisation and segmentation.
"""

import functools
from typing import NamedTuple

import numpy as np

from cnnlib._validation import (
    check_array,
    check_choice,
    check_classes,
    check_int,
    check_non_negative_int,
    check_positive_int,
    check_rate,
    describe,
)

__all__ = ["CLASS_NAMES", "Shapes", "box_iou", "iou_per_class", "make_shapes"]

CLASS_NAMES = ("background", "circle", "square", "triangle")
_NUM_CLASSES = len(CLASS_NAMES)

_GAP = 1  # free pixels kept between the boxes of two shapes
_BACKGROUND_LEVELS = (0.0, 0.35)  # background intensity (per channel), drawn per image
_SHAPE_LEVELS = (0.55, 1.0)  # shape intensity (per channel), drawn per shape


class Shapes(NamedTuple):
    """What :func:`make_shapes` returns (a named tuple: unpack it or use the fields).

    - ``images``: ``(n, size, size, channels)`` float32 in [0, 1];
    - ``masks``: ``(n, size, size)`` uint8, the class of every pixel (index into
      :data:`CLASS_NAMES`; 0 = background): the answer of semantic segmentation;
    - ``instances``: ``(n, size, size)`` uint8, 0 for the background and ``k`` for the pixels
      of the image's k-th shape (1-based): the answer of instance segmentation;
    - ``boxes``: ``(n, max_shapes, 4)`` int32, the k-th shape's tight box ``(top, left, bottom,
      right)`` in pixels with ``bottom`` and ``right`` excluded, so that
      ``image[top:bottom, left:right]`` is the box; rows of missing shapes are -1;
    - ``labels``: ``(n, max_shapes)`` uint8, the k-th shape's class (1, 2 or 3), 0 where there
      is no k-th shape;
    - ``counts``: ``(n,)`` int32, the number of shapes in each image.
    """

    images: np.ndarray
    masks: np.ndarray
    instances: np.ndarray
    boxes: np.ndarray
    labels: np.ndarray
    counts: np.ndarray


@functools.cache
def _shape_patch(kind, side, rotation):
    """Boolean ``side × side`` mask of a shape, sampled at the pixel centres, and its tight box
    ``(top, left, bottom, right)`` inside the patch (a triangle's apex may not fill a pixel)."""
    centres = (np.arange(side) + 0.5) / side  # pixel centres in [0, 1]
    v, u = np.meshgrid(centres, centres, indexing="ij")  # v: down, u: right
    if kind == "circle":
        patch = (u - 0.5) ** 2 + (v - 0.5) ** 2 <= 0.25
    elif kind == "square":
        patch = np.ones((side, side), dtype=bool)
    else:  # isosceles triangle, apex at the top, base at the bottom, then rotated
        patch = np.rot90(np.abs(u - 0.5) <= v / 2, rotation)
    patch.flags.writeable = False  # cached: shared by every call
    rows, cols = np.nonzero(patch)
    return patch, (rows.min(), cols.min(), rows.max() + 1, cols.max() + 1)


def _shape_sizes(shape_size, size):
    """``shape_size`` as ``(smallest, largest)``, both from 3 to ``size``."""
    what = f"a pair (smallest, largest) of integers with 3 <= smallest <= largest <= size ({size})"
    if not isinstance(shape_size, tuple | list) or len(shape_size) != 2:
        raise TypeError(f"shape_size must be {what}, got {describe(shape_size)}")
    smallest = check_int("shape_size[0]", shape_size[0], 3)
    largest = check_int("shape_size[1]", shape_size[1], 3)
    if not smallest <= largest <= size:
        raise ValueError(f"shape_size must be {what}, got {tuple(shape_size)!r}")
    return smallest, largest


def _free_corners(size, side, taken):
    """Top-left corners (flat indices into a ``size - side + 1`` square) where a ``side × side``
    box keeps a gap of ``_GAP`` pixels to every box in ``taken``."""
    span = size - side + 1
    blocked = np.zeros((span, span), dtype=bool)
    for top, left, bottom, right in taken:
        blocked[max(top - side - _GAP + 1, 0):bottom + _GAP,
                max(left - side - _GAP + 1, 0):right + _GAP] = True
    return np.flatnonzero(~blocked)


def make_shapes(n, size=32, *, max_shapes=3, shape_size=(8, 14), channels=1, noise=0.05,
                seed=0):
    """Generate ``n`` images of ``size × size`` pixels with 1 to ``max_shapes`` shapes each.

    Each image gets a uniform background of a random intensity (a random colour with
    ``channels=3``), a number of shapes drawn uniformly from 1 to ``max_shapes``, and Gaussian
    pixel noise of standard deviation ``noise``, clipped to [0, 1]. Each shape is a circle, a
    square or a triangle (pointing up, down, left or right), with equal chances, a side of
    ``shape_size[0]`` to ``shape_size[1]`` pixels, a random brighter intensity or colour, and a
    place drawn uniformly among those where its box keeps one free pixel to the boxes already
    drawn. A shape with no such place left is left out (``counts`` says how many were drawn),
    so crowded settings give fewer shapes than asked; the first shape always fits. The shape
    size is in pixels, not a fraction of ``size``: larger images hold more shapes of the same
    size.

    The same arguments give the same images (NumPy's ``default_rng(seed)``). Returns a
    :class:`Shapes` named tuple ``(images, masks, instances, boxes, labels, counts)``.
    """
    n = check_positive_int("n", n)
    size = check_int("size", size, 3)
    max_shapes = check_int("max_shapes", max_shapes, 1, 255)  # instance numbers are uint8
    smallest, largest = _shape_sizes(shape_size, size)
    channels = check_choice("channels", check_int("channels", channels), (1, 3))  # grey, colour
    noise = check_rate("noise", noise)
    seed = check_non_negative_int("seed", seed)

    rng = np.random.default_rng(seed)
    # colours[i, 0] is image i's background, colours[i, k] its k-th shape's colour.
    colours = np.zeros((n, max_shapes + 1, channels))
    colours[:, 0] = rng.uniform(*_BACKGROUND_LEVELS, size=(n, channels))
    masks = np.zeros((n, size, size), dtype=np.uint8)
    instances = np.zeros((n, size, size), dtype=np.uint8)
    boxes = np.full((n, max_shapes, 4), -1, dtype=np.int32)
    labels = np.zeros((n, max_shapes), dtype=np.uint8)
    counts = np.zeros(n, dtype=np.int32)
    kinds = CLASS_NAMES[1:]
    for index in range(n):
        taken = []
        for _ in range(rng.integers(1, max_shapes + 1)):
            kind = int(rng.integers(len(kinds)))
            side = int(rng.integers(smallest, largest + 1))
            patch, (top, left, bottom, right) = _shape_patch(kinds[kind], side,
                                                              int(rng.integers(4)))
            colour = rng.uniform(*_SHAPE_LEVELS, size=channels)
            corners = _free_corners(size, side, taken)
            if not len(corners):
                continue  # no room left for this shape
            row, col = divmod(int(corners[rng.integers(len(corners))]), size - side + 1)
            number = len(taken) + 1
            window = np.s_[index, row:row + side, col:col + side]
            masks[window][patch] = kind + 1
            instances[window][patch] = number
            boxes[index, number - 1] = (row + top, col + left, row + bottom, col + right)
            labels[index, number - 1] = kind + 1
            colours[index, number] = colour
            taken.append((row, col, row + side, col + side))
        counts[index] = len(taken)
    images = colours[np.arange(n)[:, None, None], instances]  # (n, size, size, channels)
    if noise:
        images += rng.normal(0.0, noise, size=images.shape)
    images = np.clip(images, 0.0, 1.0).astype(np.float32)
    return Shapes(images, masks, instances, boxes, labels, counts)


def _as_boxes(name, boxes):
    array = check_array(name, boxes, finite=True).astype(float)
    if array.ndim == 0 or array.shape[-1] != 4:
        raise ValueError(f"{name} must have shape (..., 4) of (top, left, bottom, right), "
                         f"got shape {array.shape}")
    if np.any(array[..., 2] < array[..., 0]) or np.any(array[..., 3] < array[..., 1]):
        raise ValueError(f"{name} must have bottom >= top and right >= left")
    return array


def box_iou(boxes_a, boxes_b):
    """Intersection over union of boxes ``(top, left, bottom, right)`` (bottom and right
    excluded, as in :class:`Shapes`); the leading dimensions broadcast. Two empty boxes give 0.

    >>> float(box_iou((0, 0, 10, 10), (5, 0, 15, 10)))  # 50 shared pixels of 150
    0.3333333333333333
    """
    a, b = _as_boxes("boxes_a", boxes_a), _as_boxes("boxes_b", boxes_b)
    height = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    width = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    intersection = height * width
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = area_a + area_b - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


def iou_per_class(true_masks, predicted_masks, num_classes=_NUM_CLASSES):
    """Intersection over union of every class over all pixels of all images: for class c,
    |true = c and predicted = c| / |true = c or predicted = c|. Returns a float array of
    ``num_classes`` values, NaN for a class that is in neither (leave it out of a mean with
    ``np.nanmean``, as ``keras.metrics.MeanIoU`` does)."""
    true = np.asarray(true_masks)
    predicted = np.asarray(predicted_masks)
    if true.shape != predicted.shape:
        raise ValueError(f"true_masks and predicted_masks must have the same shape, got "
                         f"{true.shape} and {predicted.shape}")
    num_classes = check_classes(num_classes, "num_classes")
    for name, masks in (("true_masks", true), ("predicted_masks", predicted)):
        if masks.dtype.kind not in "iu":
            raise TypeError(f"{name} must hold integer class numbers, got dtype {masks.dtype}")
        if masks.size and (masks.min() < 0 or masks.max() >= num_classes):
            raise ValueError(f"{name} must hold class numbers from 0 to {num_classes - 1}, "
                             f"got values from {masks.min()} to {masks.max()}")
    pairs = true.astype(np.int64).ravel() * num_classes + predicted.astype(np.int64).ravel()
    confusion = np.bincount(pairs, minlength=num_classes**2).reshape(num_classes, num_classes)
    intersection = np.diag(confusion).astype(float)
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - intersection
    return np.divide(intersection, union, out=np.full(num_classes, np.nan), where=union > 0)
