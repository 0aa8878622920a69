"""Tests of cnnlib.pipeline: the tf.data input pipeline and its stateless augmentation."""

import numpy as np
import pytest
import tensorflow as tf

from cnnlib import pipeline

DIGITS = {"flip": False, "shift": 0.08, "rotation": 0.03, "zoom": 0.08}


def digits(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 12, 12), dtype=np.uint8), np.arange(n) % 10


def epochs_of(data, epochs=2):
    """The batches of ``epochs`` passes over ``data``, as NumPy arrays."""
    return [[(images.numpy(), labels.numpy()) for images, labels in data]
            for _ in range(epochs)]


def same_batches(first, second):
    return all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
               for one, other in zip(first, second, strict=True)
               for a, b in zip(one, other, strict=True))


def test_the_same_seed_gives_the_same_batches_in_every_epoch_of_every_run():
    x, y = digits()
    make = lambda seed: pipeline.dataset(x, y, batch_size=16, training=True,  # noqa: E731
                                         augment=DIGITS, seed=seed)
    first, second, other = epochs_of(make(3)), epochs_of(make(3)), epochs_of(make(4))
    assert same_batches(first, second)
    assert not np.array_equal(first[0][0][0], other[0][0][0])  # another seed, other batches
    # a new order and new transformations in the second epoch
    assert not np.array_equal(first[0][0][1], first[1][0][1])
    assert [len(labels) for _, labels in first[0]] == [16, 16, 8]


def test_test_data_comes_in_order_converted_and_never_augmented():
    x, y = digits()
    batches = epochs_of(pipeline.dataset(x, y, batch_size=16), epochs=2)
    assert same_batches(batches[:1], batches[1:])
    images = np.concatenate([b[0] for b in batches[0]])
    labels = np.concatenate([b[1] for b in batches[0]])
    assert images.dtype == np.float32 and images.shape == (40, 12, 12, 1)
    np.testing.assert_allclose(images[..., 0], x / 255, rtol=1e-6)
    np.testing.assert_array_equal(labels, y)
    floats = np.random.default_rng(1).uniform(size=(5, 4, 4, 3))
    converted = next(iter(pipeline.dataset(floats, np.zeros(5, int), batch_size=5)))[0]
    np.testing.assert_allclose(converted.numpy(), floats, rtol=1e-6)  # floats are not rescaled


def test_training_data_is_shuffled_with_images_and_labels_kept_together():
    x, y = digits()
    batches = epochs_of(pipeline.dataset(x, y, batch_size=16, training=True, seed=0), epochs=1)
    images = np.concatenate([b[0] for b in batches[0]])[..., 0]
    labels = np.concatenate([b[1] for b in batches[0]])
    pixels = np.rint(images * 255).astype(np.uint8)
    order = [int(np.flatnonzero((x == image[None]).all(axis=(1, 2)))[0]) for image in pixels]
    assert sorted(order) == list(range(40)) and order != list(range(40))
    np.testing.assert_array_equal(labels, y[order])


def test_augmentation_is_applied_in_training_only():
    x, y = digits()
    plain = np.concatenate([b[0] for b in pipeline.dataset(x, y, batch_size=40,
                                                           training=True, seed=0)])
    augmented = np.concatenate([b[0] for b in pipeline.dataset(x, y, batch_size=40,
                                                               training=True, augment=DIGITS,
                                                               seed=0)])
    assert not np.allclose(plain, augmented)
    with pytest.raises(ValueError, match="augment is for training data only"):
        pipeline.dataset(x, y, augment=DIGITS)


def dataset_ops(data):
    graph = tf.compat.v1.GraphDef.FromString(data._as_serialized_graph().numpy())
    return [node.op for node in graph.node if node.op.endswith("Dataset")
            or "Dataset" in node.op]


def test_the_pipeline_caches_shuffles_batches_maps_and_prefetches_in_that_order():
    x, y = digits()
    ops = dataset_ops(pipeline.dataset(x, y, training=True, augment=DIGITS))
    steps = ["Cache", "Shuffle", "Batch", "Zip", "ParallelMap", "Prefetch"]
    positions = [next(i for i, op in enumerate(ops) if op.startswith(step)) for step in steps]
    assert positions == sorted(positions), ops
    test_ops = dataset_ops(pipeline.dataset(x, y, cache=False))
    assert not any(op.startswith(("Cache", "Shuffle", "ParallelMap")) for op in test_ops)
    assert test_ops[-1].startswith("Prefetch") or any(op.startswith("Prefetch") for op in test_ops)


def test_random_affine_without_amounts_is_the_identity_and_a_seed_repeats():
    images = np.random.default_rng(0).uniform(size=(3, 9, 9, 2)).astype("float32")
    np.testing.assert_array_equal(pipeline.random_affine(images, [1, 2]).numpy(), images)
    first = pipeline.random_affine(images, [5, 6], **DIGITS).numpy()
    np.testing.assert_array_equal(first, pipeline.random_affine(images, [5, 6], **DIGITS).numpy())
    assert not np.allclose(first, pipeline.random_affine(images, [5, 7], **DIGITS).numpy())


def test_flips_mirror_about_half_of_the_images_left_to_right():
    images = np.random.default_rng(0).uniform(size=(64, 5, 7, 1)).astype("float32")
    out = pipeline.random_affine(images, [0, 1], flip=True).numpy()
    mirrored = [np.array_equal(o, i[:, ::-1]) for o, i in zip(out, images, strict=True)]
    kept = [np.array_equal(o, i) for o, i in zip(out, images, strict=True)]
    assert all(m != k for m, k in zip(mirrored, kept, strict=True))
    assert 16 <= sum(mirrored) <= 48


def dot_image(row, col, height=41, width=41):
    image = np.zeros((height, width, 1), "float32")
    image[row - 1:row + 2, col - 1:col + 2] = 1  # a 3x3 dot, centred at (row, col)
    return image


def centre_of_mass(image):
    rows, cols = np.indices(image.shape[:2])
    mass = image[..., 0].sum()
    return (rows * image[..., 0]).sum() / mass, (cols * image[..., 0]).sum() / mass


def test_a_rotation_turns_about_the_centre_by_at_most_the_angle():
    images = np.stack([dot_image(20, 32)] * 32)  # 12 pixels right of the centre (20, 20)
    out = pipeline.random_affine(images, [3, 4], rotation=0.05).numpy()
    angles = []
    for image in out:
        row, col = centre_of_mass(image)
        assert np.hypot(row - 20, col - 20) == pytest.approx(12, abs=0.3)  # same distance
        angles.append(np.arctan2(row - 20, col - 20))
    assert max(np.abs(angles)) <= 0.05 * 2 * np.pi + 0.03
    assert max(angles) > 0.1 and min(angles) < -0.1  # both ways


def test_a_shift_moves_the_image_by_at_most_the_fraction_of_its_height_and_width():
    images = np.stack([dot_image(20, 30, height=41, width=61)] * 32)
    out = pipeline.random_affine(images, [3, 4], shift=0.1).numpy()
    moves = np.array([centre_of_mass(image) for image in out]) - (20, 30)
    assert np.abs(moves[:, 0]).max() <= 0.1 * 41 + 0.05  # rows: a tenth of the height
    assert np.abs(moves[:, 1]).max() <= 0.1 * 61 + 0.05  # columns: a tenth of the width
    assert np.abs(moves[:, 1]).max() > 0.1 * 41 + 0.5
    assert (moves > 1).any(axis=0).all() and (moves < -1).any(axis=0).all()


def test_a_zoom_scales_distances_from_the_centre():
    images = np.stack([dot_image(20, 32)] * 32)
    out = pipeline.random_affine(images, [3, 4], zoom=0.2).numpy()
    radii = [np.hypot(*(np.array(centre_of_mass(image)) - 20)) for image in out]
    # a zoom by a factor s in [0.8, 1.2] shows the dot at 12 / s
    assert min(radii) >= 12 / 1.2 - 0.2 and max(radii) <= 12 / 0.8 + 0.2
    assert min(radii) < 11.5 and max(radii) > 12.5
    for image in out:  # still on the horizontal line through the centre
        assert centre_of_mass(image)[0] == pytest.approx(20, abs=0.05)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: pipeline.dataset(*digits(), augment={"shear": 0.1}, training=True),
         ValueError, "augment has unknown keys"),
        (lambda: pipeline.dataset(*digits(), augment="digits", training=True),
         TypeError, "augment must be None or a dict"),
        (lambda: pipeline.dataset(*digits(), augment={"shift": 1.5}, training=True),
         ValueError, "shift must be a finite real number"),
        (lambda: pipeline.dataset(digits()[0], digits()[1][:5]), ValueError,
         "x and y must have the same number of examples"),
        (lambda: pipeline.dataset(digits()[0], digits()[1] * 0.5), ValueError,
         "y must hold integer class labels"),
        (lambda: pipeline.dataset(digits()[0], -digits()[1]), ValueError, "y must hold class"),
        (lambda: pipeline.dataset(np.zeros((4, 5)), np.zeros(4, int)), ValueError,
         "x must be a 3 or 4-D array"),
        (lambda: pipeline.dataset(*digits(), batch_size=0), ValueError, "batch_size must be"),
        (lambda: pipeline.dataset(*digits(), seed=-1), ValueError, "seed must be"),
        (lambda: pipeline.dataset(*digits(), training="yes"), TypeError, "training must be"),
        (lambda: pipeline.random_affine(np.zeros((1, 4, 4, 1)), [1, 2, 3]), ValueError,
         "seed must hold two integers"),
        (lambda: pipeline.random_affine(np.zeros((4, 4)), [1, 2]), ValueError,
         "images must be a 4-D tensor"),
        (lambda: pipeline.random_affine(np.zeros((1, 4, 4, 1)), [1, 2], zoom=-0.1), ValueError,
         "zoom must be"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
