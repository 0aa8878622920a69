"""cnnlib.shapes: generated shapes whose ground truths agree with the images and each other."""

import numpy as np
import pytest
from scipy import ndimage

from cnnlib.shapes import CLASS_NAMES, Shapes, box_iou, iou_per_class, make_shapes


@pytest.fixture(scope="module")
def data():
    return make_shapes(300, size=32, max_shapes=3, seed=0)


@pytest.fixture(scope="module")
def clean():
    """Without pixel noise, every region of an image has exactly one colour."""
    return make_shapes(100, size=48, max_shapes=5, channels=3, noise=0.0, seed=7)


def test_shapes_and_dtypes(data):
    assert isinstance(data, Shapes)
    images, masks, instances, boxes, labels, counts = data  # a named tuple unpacks
    assert images.shape == (300, 32, 32, 1) and images.dtype == np.float32
    assert masks.shape == instances.shape == (300, 32, 32)
    assert masks.dtype == instances.dtype == labels.dtype == np.uint8
    assert boxes.shape == (300, 3, 4) and boxes.dtype == np.int32
    assert labels.shape == (300, 3) and counts.shape == (300,) and counts.dtype == np.int32
    assert 0 <= images.min() and images.max() <= 1


def test_colour_images_have_three_channels(clean):
    assert clean.images.shape == (100, 48, 48, 3)


def test_class_names():
    assert CLASS_NAMES == ("background", "circle", "square", "triangle")


def test_same_seed_same_data_and_other_seed_other_data():
    first, again = make_shapes(20, seed=3), make_shapes(20, seed=3)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.images, make_shapes(20, seed=4).images)


def test_counts_and_classes(data):
    assert data.counts.min() >= 1 and data.counts.max() <= 3
    assert set(np.unique(data.counts)) == {1, 2, 3}  # 1 to max_shapes, drawn uniformly
    for labels, count in zip(data.labels, data.counts, strict=True):
        assert np.all(np.isin(labels[:count], (1, 2, 3))) and np.all(labels[count:] == 0)
    assert set(np.unique(data.masks)) == {0, 1, 2, 3}


def test_every_class_is_drawn_about_equally_often(data):
    shares = np.bincount(data.labels.ravel(), minlength=4)[1:] / data.counts.sum()
    assert np.all(np.abs(shares - 1 / 3) < 0.08)


def test_instances_agree_with_masks_labels_and_boxes(data):
    for index in range(len(data.images)):
        instances, masks = data.instances[index], data.masks[index]
        count = data.counts[index]
        assert set(np.unique(instances)) == set(range(count + 1))
        np.testing.assert_array_equal(masks == 0, instances == 0)
        for number in range(1, count + 1):
            rows, cols = np.nonzero(instances == number)
            assert np.all(masks[rows, cols] == data.labels[index, number - 1])
            tight = (rows.min(), cols.min(), rows.max() + 1, cols.max() + 1)
            assert tuple(data.boxes[index, number - 1]) == tight
        assert np.all(data.boxes[index, count:] == -1)


def test_shapes_keep_apart(data):
    """Boxes never overlap, so the connected regions of the mask are the instances."""
    for index in range(len(data.images)):
        count = data.counts[index]
        boxes = data.boxes[index, :count]
        assert np.all(box_iou(boxes[:, None], boxes[None, :])[~np.eye(count, dtype=bool)] == 0)
        regions, found = ndimage.label(data.masks[index] > 0, structure=np.ones((3, 3)))
        assert found == count


def test_shapes_have_their_sizes():
    data = make_shapes(200, size=40, shape_size=(5, 9), seed=1)
    present = data.labels > 0
    heights = (data.boxes[..., 2] - data.boxes[..., 0])[present]
    widths = (data.boxes[..., 3] - data.boxes[..., 1])[present]
    assert heights.max() <= 9 and widths.max() <= 9 and max(heights.max(), widths.max()) == 9
    # The triangle's apex may not fill the corner pixels' centres: one pixel less.
    assert min(heights.min(), widths.min()) >= 4


def test_squares_fill_their_box_and_circles_do_not(data):
    for kind, low, high in (("square", 1.0, 1.0), ("circle", 0.7, 0.9), ("triangle", 0.35, 0.65)):
        label = CLASS_NAMES.index(kind)
        for index, number in zip(*np.nonzero(data.labels == label), strict=True):
            top, left, bottom, right = data.boxes[index, number]
            filled = np.mean(data.instances[index, top:bottom, left:right] == number + 1)
            assert low <= filled <= high, (kind, filled)


def test_images_agree_with_the_masks(clean):
    """Without noise the background is one colour and every shape another, brighter one."""
    for image, instances, count in zip(clean.images, clean.instances, clean.counts, strict=True):
        background = image[instances == 0]
        assert np.all(background == background[0]) and np.all(background[0] <= 0.35)
        for number in range(1, count + 1):
            pixels = image[instances == number]
            assert np.all(pixels == pixels[0]) and np.all(pixels[0] >= 0.55)


def test_noise_is_gaussian_around_the_clean_image():
    clean = make_shapes(50, noise=0.0, seed=5)
    noisy = make_shapes(50, noise=0.05, seed=5)
    np.testing.assert_array_equal(clean.masks, noisy.masks)
    difference = noisy.images - clean.images
    inside = (clean.images > 0.2) & (clean.images < 0.8)  # far from the clipping at 0 and 1
    assert abs(difference[inside].mean()) < 0.002 and 0.045 < difference[inside].std() < 0.055


def test_larger_images_hold_more_shapes_of_the_same_size():
    data = make_shapes(100, size=64, max_shapes=8, seed=2)
    assert data.counts.mean() > 4 and data.counts.max() == 8
    assert (data.boxes[..., 2] - data.boxes[..., 0]).max() <= 14


def test_crowded_settings_leave_shapes_out():
    data = make_shapes(50, size=16, max_shapes=6, shape_size=(10, 12), seed=0)
    assert np.all(data.counts == 1)  # two 10-pixel shapes and a gap do not fit in 16 pixels


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"n": 0}, ValueError, ["n must be a positive integer", "got 0"]),
    ({"n": 2.5}, TypeError, ["n must be a positive integer", "2.5 (float)"]),
    ({"n": True}, TypeError, ["n must be", "True (bool)"]),
    ({"size": 2}, ValueError, ["size must be an integer >= 3", "got 2"]),
    ({"size": "32"}, TypeError, ["size must be", "'32' (str)"]),
    ({"max_shapes": 0}, ValueError, ["max_shapes must be an integer in [1, 255]", "got 0"]),
    ({"max_shapes": 300}, ValueError, ["max_shapes must be an integer in [1, 255]", "got 300"]),
    ({"shape_size": 8}, TypeError, ["shape_size must be a pair", "8 (int)"]),
    ({"shape_size": (8, 14, 2)}, TypeError, ["shape_size must be a pair"]),
    ({"shape_size": (2, 8)}, ValueError, ["shape_size[0] must be an integer >= 3", "got 2"]),
    ({"shape_size": (8, 6.5)}, TypeError, ["shape_size[1] must be", "6.5 (float)"]),
    ({"shape_size": (10, 8)}, ValueError, ["smallest <= largest <= size (32)", "(10, 8)"]),
    ({"shape_size": (8, 40)}, ValueError, ["largest <= size (32)", "(8, 40)"]),
    ({"channels": 2}, ValueError, ["channels must be one of 1, 3", "got 2"]),
    ({"channels": "rgb"}, TypeError, ["channels must be", "'rgb' (str)"]),
    ({"noise": -0.1}, ValueError, ["noise must be a finite real number in [0, 1)", "-0.1"]),
    ({"noise": "low"}, TypeError, ["noise must be a finite real number in [0, 1)", "'low' (str)"]),
    ({"seed": -1}, ValueError, ["seed must be a non-negative integer", "got -1"]),
    ({"seed": None}, TypeError, ["seed must be a non-negative integer", "None (NoneType)"]),
])
def test_bad_arguments_are_named(kwargs, error, words):
    arguments = {"n": 4, **kwargs}
    with pytest.raises(error) as info:
        make_shapes(**arguments)
    assert all(word in str(info.value) for word in words), str(info.value)


# --- Scores -----------------------------------------------------------------------------------


def test_box_iou_by_hand():
    assert box_iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert box_iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1
    assert box_iou((0, 0, 10, 10), (2, 2, 4, 4)) == pytest.approx(4 / 100)
    assert box_iou((0, 0, 10, 10), (10, 0, 20, 10)) == 0  # touching edges share no pixel
    assert box_iou((0, 0, 2, 2), (5, 5, 8, 8)) == 0  # apart in both directions: no negative area
    assert box_iou((-1, -1, -1, -1), (-1, -1, -1, -1)) == 0  # missing shapes


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_box_iou_refuses_boxes_that_are_not_finite(bad):
    with pytest.raises(ValueError, match="boxes_b must hold finite numbers, got NaN or infinity"):
        box_iou((0, 0, 10, 10), (0, 0, bad, 10))


def test_box_iou_refuses_boxes_that_are_not_numbers():
    with pytest.raises(TypeError, match="boxes_a must be an array of real numbers, got dtype <U1"):
        box_iou(("a", "b", "c", "d"), (0, 0, 1, 1))


def test_box_iou_broadcasts_and_matches_pixel_counts(data):
    boxes = data.boxes[:20, 0]
    table = box_iou(boxes[:, None], boxes[None, :])
    assert table.shape == (20, 20) and np.allclose(np.diag(table), 1)
    a, b = boxes[0], boxes[1]
    canvas_a, canvas_b = np.zeros((32, 32), bool), np.zeros((32, 32), bool)
    canvas_a[a[0]:a[2], a[1]:a[3]] = True
    canvas_b[b[0]:b[2], b[1]:b[3]] = True
    pixels = (canvas_a & canvas_b).sum() / (canvas_a | canvas_b).sum()
    assert table[0, 1] == pytest.approx(pixels)


def test_box_iou_refuses_bad_boxes():
    with pytest.raises(ValueError, match=r"boxes_a must have shape \(\.\.\., 4\)"):
        box_iou((0, 0, 1), (0, 0, 1, 1))
    with pytest.raises(ValueError, match="boxes_b must have bottom >= top"):
        box_iou((0, 0, 1, 1), (5, 0, 1, 1))


def test_iou_per_class_by_hand():
    true = np.array([[0, 0, 1, 1], [0, 2, 2, 1]])
    predicted = np.array([[0, 1, 1, 1], [0, 2, 0, 0]])
    # background: 2 shared of 5; class 1: 2 of 4; class 2: 1 of 2; class 3: nowhere.
    np.testing.assert_allclose(iou_per_class(true, predicted), [2 / 5, 2 / 4, 1 / 2, np.nan])


def test_iou_per_class_agrees_with_keras(data):
    import keras

    rng = np.random.default_rng(0)
    predicted = np.where(rng.random(data.masks.shape) < 0.1,
                         rng.integers(0, 4, data.masks.shape), data.masks)
    ours = iou_per_class(data.masks, predicted)
    metric = keras.metrics.MeanIoU(num_classes=4)
    metric.update_state(data.masks, predicted)
    assert np.nanmean(ours) == pytest.approx(float(metric.result()), rel=1e-6)
    for label in range(4):
        single = keras.metrics.IoU(num_classes=4, target_class_ids=[label])
        single.update_state(data.masks, predicted)
        assert ours[label] == pytest.approx(float(single.result()), rel=1e-6)


def test_iou_per_class_refuses_bad_masks():
    with pytest.raises(ValueError, match="same shape"):
        iou_per_class(np.zeros((2, 2), int), np.zeros((2, 3), int))
    with pytest.raises(TypeError, match="predicted_masks must hold integer class numbers"):
        iou_per_class(np.zeros((2, 2), int), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="true_masks must hold class numbers from 0 to 3"):
        iou_per_class(np.full((2, 2), 4), np.zeros((2, 2), int))
    with pytest.raises(ValueError, match="num_classes must be a positive integer, got 0"):
        iou_per_class(np.zeros((2, 2), int), np.zeros((2, 2), int), num_classes=0)
