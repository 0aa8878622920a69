"""Ready-made checks of notebook 15's exercises (applications: auto-encoders, segmentation,
localisation).

Like the checks of notebooks 00-06, each check is one call in the notebook,
``checks.check_mask_iou(mask_iou)``; the reference, the cases and the hints live here.  The
tests compare the references with Keras (``Conv2DTranspose``, ``keras.metrics.IoU``) and with
:func:`cnnlib.shapes.box_iou`.
"""

import math

import numpy as np

from cnnlib.checks.compare import is_real
from cnnlib.checks.core import Case, check_function

__all__ = ["check_box_iou", "check_conv_transpose_output_size", "check_mask_iou"]


# Exercise 1: the output size of a transposed convolution --------------------------------------


def _conv_transpose_output_size(n, kernel_size, stride, padding):
    """Keras's ``Conv2DTranspose`` output length along one axis (``output_padding=None``)."""
    if padding == "same":
        return n * stride
    return n * stride + max(kernel_size - stride, 0)


def _conv_transpose_output_size_hint(case, expected, got):
    n, kernel_size, stride, padding = case.args
    if not is_real(got):
        return "return one whole number, the output length."
    if got == (n - kernel_size) // stride + 1 or got == -(-n // stride):
        return ("that is the output size of a convolution, which shrinks the input; a transposed "
                "convolution goes the other way and enlarges it.")
    if padding == "same":
        return "with padding=\"same\", Keras makes the output exactly n·stride long."
    if got == (n - 1) * stride + kernel_size:
        return ("(n − 1)·stride + kernel_size is right when the kernel is at least as large as "
                "the stride; with a smaller kernel the copies leave gaps, and Keras still makes "
                "the output n·stride long: n·stride + max(kernel_size − stride, 0).")
    return ("each input value paints a kernel_size-wide copy of the kernel, the copies placed "
            "stride apart: (n − 1)·stride + kernel_size with padding=\"valid\".")


def check_conv_transpose_output_size(fn):
    """Check ``conv_transpose_output_size(n, kernel_size, stride, padding)``: the output length,
    along one axis, of Keras's ``Conv2DTranspose`` with ``padding`` "valid" or "same" (and no
    ``output_padding``), as in the decoders of notebook 15.  The cases: the decoders' layers,
    kernels larger than, equal to and smaller than the stride, stride 1, one-pixel inputs."""
    __tracebackhide__ = True
    cases = [
        Case((7, 3, 2, "same"), label="auto-encoder decoder: 7 → ?, 3×3, stride 2, same"),
        Case((14, 3, 2, "same"), label="auto-encoder decoder: 14 → ?, 3×3, stride 2, same"),
        Case((8, 2, 2, "valid"), label="segmenter decoder: 8 → ?, 2×2, stride 2, valid"),
        Case((7, 3, 2, "valid"), label="7, 3×3, stride 2, valid (the copies overlap)"),
        Case((5, 4, 2, "valid"), label="5, 4×4, stride 2, valid"),
        Case((10, 5, 1, "valid"), label="10, 5×5, stride 1, valid"),
        Case((10, 5, 1, "same"), label="10, 5×5, stride 1, same"),
        Case((6, 5, 3, "same"), label="6, 5×5, stride 3, same"),
        Case((7, 1, 2, "valid"), label="7, 1×1, stride 2, valid (kernel smaller than the stride)"),
        Case((5, 2, 3, "valid"), label="5, 2×2, stride 3, valid (kernel smaller than the stride)"),
        Case((1, 3, 2, "valid"), label="one pixel, 3×3, stride 2, valid"),
    ]
    check_function(fn, _conv_transpose_output_size, cases, name="conv_transpose_output_size",
                   hint=_conv_transpose_output_size_hint)


# Exercise 2: intersection over union of two masks ---------------------------------------------


def _mask_iou(mask_a, mask_b):
    """|A ∩ B| / |A ∪ B| of two masks of the same shape (nonzero = inside)."""
    a, b = np.asarray(mask_a).astype(bool), np.asarray(mask_b).astype(bool)
    return float(np.sum(a & b) / np.sum(a | b))


def _mask_iou_hint(case, expected, got):
    a, b = (np.asarray(m).astype(bool) for m in case.args)
    both, size_a, size_b = np.sum(a & b), np.sum(a), np.sum(b)
    if not is_real(got):
        return "return one number, the ratio (a float)."
    if size_a + size_b and math.isclose(got, 2 * both / (size_a + size_b)):
        return ("2·|A ∩ B| / (|A| + |B|) is the Dice coefficient (the F1 score of the pixels), "
                "not the IoU: divide the intersection by the union.")
    if size_a + size_b and math.isclose(got, both / (size_a + size_b)):
        return ("|A| + |B| counts the pixels of the intersection twice: the union is "
                "|A| + |B| − |A ∩ B|.")
    if math.isclose(got, both) or math.isclose(got, np.sum(a | b)):
        return "divide the number of pixels in both masks by the number in either."
    if any(size and math.isclose(got, both / size) for size in (size_a, size_b)):
        return ("dividing by one mask's size gives a recall or a precision; the IoU divides by "
                "the union of the two masks.")
    return ("the intersection holds the pixels inside both masks (a & b), the union those inside "
            "either (a | b); count each with np.sum.")


def _masks_on_a_grid(size, boxes):
    mask = np.zeros((size, size), dtype=bool)
    for top, left, bottom, right in boxes:
        mask[top:bottom, left:right] = True
    return mask


def _mask_cases():
    square = _masks_on_a_grid(8, [(1, 1, 5, 5)])
    moved = _masks_on_a_grid(8, [(2, 2, 6, 7)])
    circle = np.hypot(*np.meshgrid(np.arange(16) - 7.5, np.arange(16) - 7.5)) < 6
    rng = np.random.default_rng(15)
    return [
        Case((square, moved), label="a 4×4 square and a 4×5 rectangle moved by (1, 1)"),
        Case((square, square), label="identical masks"),
        Case((square, _masks_on_a_grid(8, [(5, 5, 8, 8)])), label="masks that do not overlap"),
        Case((square, np.zeros((8, 8), dtype=bool)), label="an empty prediction"),
        Case((_masks_on_a_grid(8, [(2, 2, 4, 4)]), square), label="a mask inside another"),
        Case((circle, _masks_on_a_grid(16, [(2, 2, 14, 14)])),
             label="a circle and its bounding square"),
        Case((square.astype(np.uint8), moved.astype(np.uint8)),
             label="masks of 0s and 1s (uint8) instead of booleans"),
        Case((rng.random((3, 10, 10)) < 0.3, rng.random((3, 10, 10)) < 0.5),
             label="a batch of three random 10×10 masks, counted together"),
    ]


def check_mask_iou(fn):
    """Check ``mask_iou(mask_a, mask_b)``: the intersection over union |A ∩ B| / |A ∪ B| of two
    masks of the same shape (booleans, or 0/1 integers; at least one pixel in one of them), as
    a float (notebook 15).  The cases: overlapping, identical, disjoint, nested and empty masks,
    0/1 integer masks and a batch of masks."""
    __tracebackhide__ = True
    check_function(fn, _mask_iou, _mask_cases(), name="mask_iou", rtol=1e-9,
                   hint=_mask_iou_hint)


# Exercise 3: intersection over union of two boxes ---------------------------------------------


def _box_iou(box_a, box_b):
    """IoU of two boxes (top, left, bottom, right), bottom and right excluded."""
    from cnnlib.shapes import box_iou

    return float(box_iou(box_a, box_b))


def _box_parts(box_a, box_b):
    (ta, la, ba, ra), (tb, lb, bb, rb) = box_a, box_b
    height = min(ba, bb) - max(ta, tb)
    width = min(ra, rb) - max(la, lb)
    return height, width, (ba - ta) * (ra - la), (bb - tb) * (rb - lb)


def _box_iou_hint(case, expected, got):
    height, width, area_a, area_b = _box_parts(*case.args)
    (ta, la, ba, ra), (tb, lb, bb, rb) = case.args
    if not is_real(got):
        return "return one number, the ratio (a float)."
    if height < 0 and width < 0 and got > 0:
        return ("boxes apart in both directions have two negative overlaps, whose product is "
                "positive: clamp the height and the width of the overlap at 0 first.")
    if (height <= 0 or width <= 0) and got != 0:
        return ("boxes that do not overlap (or only touch) share no pixel: clamp the height and "
                "the width of the overlap at 0.")
    plus_one = max(min(ba, bb) - max(ta, tb) + 1, 0) * max(min(ra, rb) - max(la, lb) + 1, 0)
    union_plus_one = (ba - ta + 1) * (ra - la + 1) + (bb - tb + 1) * (rb - lb + 1) - plus_one
    if union_plus_one and math.isclose(got, plus_one / union_plus_one):
        return ("bottom and right are excluded, as in image[top:bottom, left:right]: a box is "
                "bottom − top pixels high, without + 1.")
    intersection = max(height, 0) * max(width, 0)
    if math.isclose(got, intersection / (area_a + area_b)):
        return "the union counts the overlap once: area_a + area_b − intersection."
    return ("the overlap runs from the larger top to the smaller bottom and from the larger left "
            "to the smaller right; IoU = overlap area / (area_a + area_b − overlap area).")


def check_box_iou(fn):
    """Check ``box_iou(box_a, box_b)``: the intersection over union of two boxes given as
    ``(top, left, bottom, right)`` in pixels with bottom and right excluded (as in
    ``image[top:bottom, left:right]`` and :mod:`cnnlib.shapes`), as a float (notebook 15).  The
    cases: overlapping, identical, nested and touching boxes, and boxes apart along one or
    both axes."""
    __tracebackhide__ = True
    cases = [
        Case(((0, 0, 10, 10), (5, 0, 15, 10)), label="two 10×10 boxes, one 5 pixels lower"),
        Case(((2, 3, 12, 9), (2, 3, 12, 9)), label="identical boxes"),
        Case(((0, 0, 10, 10), (2, 2, 4, 4)), label="a 2×2 box inside a 10×10 box"),
        Case(((4, 6, 20, 18), (10, 2, 24, 12)), label="boxes overlapping at a corner"),
        Case(((0, 0, 10, 10), (10, 0, 20, 10)), label="boxes that touch along an edge"),
        Case(((0, 0, 4, 4), (0, 8, 4, 12)), label="boxes side by side, 4 pixels apart"),
        Case(((0, 0, 2, 2), (5, 5, 8, 8)), label="boxes apart in both directions"),
        Case(((5, 1, 18, 14), (6, 3, 19, 13)), label="a shape's box and a predicted box"),
    ]
    check_function(fn, _box_iou, cases, name="box_iou", rtol=1e-9, hint=_box_iou_hint)
