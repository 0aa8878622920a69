"""cnnlib.checks.applications (notebook 15): right answers pass; known-wrong ones fail with a
useful hint that does not give the answer away."""

import keras
import numpy as np
import pytest
from check_helpers import failure, solutions_pass_test

from cnnlib import checks
from cnnlib.checks import CheckFailed
from cnnlib.checks.applications import (
    _box_iou,
    _conv_transpose_output_size,
    _mask_cases,
    _mask_iou,
)

# --- Independent correct implementations ------------------------------------------------------


def conv_transpose_output_size(n, kernel_size, stride, padding):
    if padding == "same":
        return n * stride
    return (n - 1) * stride + max(kernel_size, stride)


def mask_iou(mask_a, mask_b):
    a, b = np.asarray(mask_a) != 0, np.asarray(mask_b) != 0
    return np.logical_and(a, b).sum() / np.logical_or(a, b).sum()


def box_iou(box_a, box_b):
    top, left = max(box_a[0], box_b[0]), max(box_a[1], box_b[1])
    bottom, right = min(box_a[2], box_b[2]), min(box_a[3], box_b[3])
    overlap = max(bottom - top, 0) * max(right - left, 0)
    area_a = (box_a[2] - box_a[0]) * (box_a[3] - box_a[1])
    area_b = (box_b[2] - box_b[0]) * (box_b[3] - box_b[1])
    return overlap / (area_a + area_b - overlap)


SOLUTIONS = [
    (checks.check_conv_transpose_output_size, conv_transpose_output_size,
     "conv_transpose_output_size", 11),
    (checks.check_mask_iou, mask_iou, "mask_iou", 8),
    (checks.check_box_iou, box_iou, "box_iou", 8),
]


test_solutions_pass_with_one_line = solutions_pass_test(SOLUTIONS)



# --- The references agree with Keras and the library -------------------------------------------


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("kernel_size", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("n", [1, 5, 8])
def test_transposed_size_reference_is_keras(n, kernel_size, stride, padding):
    layer = keras.layers.Conv2DTranspose(1, kernel_size, strides=stride, padding=padding)
    height = layer.compute_output_shape((None, n, n + 1, 1))[1]
    assert _conv_transpose_output_size(n, kernel_size, stride, padding) == height


@pytest.mark.parametrize("index", range(len(_mask_cases())))
def test_mask_reference_is_keras_iou(index):
    a, b = (np.asarray(m).astype(int) for m in _mask_cases()[index].args)
    metric = keras.metrics.IoU(num_classes=2, target_class_ids=[1])
    metric.update_state(a.ravel(), b.ravel())
    assert _mask_iou(a, b) == pytest.approx(float(metric.result()), rel=1e-6)


def test_box_reference_counts_pixels():
    for box_a, box_b in [((0, 0, 10, 10), (5, 0, 15, 10)), ((4, 6, 20, 18), (10, 2, 24, 12)),
                         ((0, 0, 2, 2), (5, 5, 8, 8))]:
        canvas = np.zeros((2, 30, 30), dtype=bool)
        canvas[0, box_a[0]:box_a[2], box_a[1]:box_a[3]] = True
        canvas[1, box_b[0]:box_b[2], box_b[1]:box_b[3]] = True
        pixels = (canvas[0] & canvas[1]).sum() / (canvas[0] | canvas[1]).sum()
        assert _box_iou(box_a, box_b) == pytest.approx(pixels)


# --- Known-wrong answers ----------------------------------------------------------------------


def test_transposed_size_as_a_convolution_fails():
    message = failure(checks.check_conv_transpose_output_size,
                      lambda n, k, s, p: -(-n // s) if p == "same" else (n - k) // s + 1)
    assert "case 1 of 11" in message and "expected 14, got 4" in message
    assert "goes the other way" in message


def test_transposed_size_with_the_formula_for_valid_everywhere_fails():
    message = failure(checks.check_conv_transpose_output_size,
                      lambda n, k, s, p: (n - 1) * s + k)
    assert "auto-encoder decoder: 7 → ?" in message and "expected 14, got 15" in message
    assert "exactly n·stride" in message


def test_transposed_size_that_forgets_small_kernels_fails():
    message = failure(checks.check_conv_transpose_output_size,
                      lambda n, k, s, p: n * s if p == "same" else (n - 1) * s + k)
    assert "kernel smaller than the stride" in message and "expected 14, got 13" in message
    assert "max(kernel_size − stride, 0)" in message


def test_dice_instead_of_iou_fails():
    message = failure(checks.check_mask_iou,
                      lambda a, b: 2 * np.sum(a & b) / (np.sum(a) + np.sum(b)))
    assert "case 1 of 8" in message and "Dice coefficient" in message


def test_union_without_the_intersection_removed_fails():
    message = failure(checks.check_mask_iou, lambda a, b: np.sum(a & b) / (np.sum(a) + np.sum(b)))
    assert "expected 0.333333, got 0.25" in message and "counts the pixels" in message


def test_recall_instead_of_iou_fails():
    message = failure(checks.check_mask_iou, lambda a, b: np.sum(a & b) / np.sum(a))
    assert "recall or a precision" in message


def test_mask_iou_that_counts_instead_of_dividing_fails():
    message = failure(checks.check_mask_iou, lambda a, b: int(np.sum(a & b)))
    assert "expected 0.333333, got 9" in message and "divide" in message


def test_mask_iou_that_only_works_on_booleans_fails():
    # With booleans a + b is the union (True + True is True); with 0/1 integers it is 2 where
    # the masks overlap.
    message = failure(checks.check_mask_iou, lambda a, b: np.sum(a * b) / np.sum(a + b))
    assert "case 7 of 8" in message and "uint8" in message and "counts the pixels" in message


def test_box_iou_without_clamping_fails_where_boxes_are_apart():
    def unclamped(a, b):
        overlap = (min(a[2], b[2]) - max(a[0], b[0])) * (min(a[3], b[3]) - max(a[1], b[1]))
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - overlap
        return overlap / union

    message = failure(checks.check_box_iou, unclamped)
    assert "case 6 of 8" in message and "side by side" in message
    assert "clamp the height and the width" in message


def test_box_iou_clamping_only_the_product_fails_where_boxes_are_apart_twice():
    def clamped_product(a, b):
        overlap = max((min(a[2], b[2]) - max(a[0], b[0])) * (min(a[3], b[3]) - max(a[1], b[1])),
                      0)
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - overlap
        return overlap / union

    message = failure(checks.check_box_iou, clamped_product)
    assert "apart in both directions" in message and "product is positive" in message


def test_box_iou_with_inclusive_corners_fails():
    def inclusive(a, b):
        overlap = (max(min(a[2], b[2]) - max(a[0], b[0]) + 1, 0)
                   * max(min(a[3], b[3]) - max(a[1], b[1]) + 1, 0))
        area_a = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
        area_b = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
        return overlap / (area_a + area_b - overlap)

    message = failure(checks.check_box_iou, inclusive)
    assert "case 1 of 8" in message and "without + 1" in message


def test_box_iou_union_without_the_overlap_removed_fails():
    def double_counted(a, b):
        overlap = (max(min(a[2], b[2]) - max(a[0], b[0]), 0)
                   * max(min(a[3], b[3]) - max(a[1], b[1]), 0))
        return overlap / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]))

    message = failure(checks.check_box_iou, double_counted)
    assert "expected 0.333333, got 0.25" in message and "counts the overlap once" in message


def test_not_answered_yet():
    def mask_iou(mask_a, mask_b):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(CheckFailed) as info:
        checks.check_mask_iou(mask_iou)
    assert "not answered yet" in str(info.value) and "in mask_iou" in str(info.value)
