"""cnnlib.explain (notebook 16): receptive fields, Grad-CAM, saliency, occlusion, filter
visualisation and the checks of the maps, against independent computations; bad input."""

import keras
import numpy as np
import pytest
from keras import layers
from scipy import stats

from cnnlib import arithmetic, explain, shapes
from cnnlib.models import vgg16

# --- Models with known answers -----------------------------------------------------------------


def cam_model(sequential, seed=0):
    """conv -> conv ("features") -> global average pooling -> dense: Grad-CAM equals CAM."""
    keras.utils.set_random_seed(seed)
    stack = [layers.Conv2D(3, 3, padding="same", activation="relu", name="conv"),
             layers.Conv2D(4, 3, padding="same", activation="relu", name="features"),
             layers.GlobalAveragePooling2D(name="gap"), layers.Dense(3, name="logits")]
    if sequential:
        return keras.Sequential([keras.Input((8, 8, 2)), *stack], name="cam_seq")
    x = inputs = keras.Input((8, 8, 2))
    for layer in stack:
        x = layer(x)
    return keras.Model(inputs, x, name="cam_fn")


def linear_model(seed=0):
    """flatten -> dense without bias: the input gradient is the weight column itself."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((6, 6, 2)), layers.Flatten(),
                             layers.Dense(3, use_bias=False, name="logits")], name="linear")


def images(n=3, shape=(8, 8, 2), seed=1):
    return np.random.default_rng(seed).random((n, *shape)).astype("float32")


# --- Receptive fields --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_vgg16():
    """VGG-16's layers on 32×32 inputs: the receptive fields do not depend on the input size."""
    return vgg16(input_shape=(32, 32, 3), classes=10, dense_units=8)


def test_vgg16_receptive_fields_are_those_of_the_lecture(small_vgg16):
    fields = {f.layer: f for f in explain.receptive_fields(small_vgg16)}
    assert fields["block1_conv1"].size == 3 and fields["block3_conv2"].size == 32
    assert fields["block5_conv3"].size == 196 and fields["block5_pool"].size == 212
    assert fields["block5_pool"].jump == 32 and "fc1" not in fields and "flatten" not in fields


def test_receptive_fields_agree_with_the_closed_form_of_arithmetic(small_vgg16):
    model = small_vgg16
    windows = []
    for layer, field in zip([la for la in model.layers if la.name.startswith("block")],
                            explain.receptive_fields(model), strict=True):
        if isinstance(layer, layers.Conv2D):
            windows.append((layer.kernel_size[0], layer.strides[0]))
        else:
            windows.append((layer.pool_size[0], layer.strides[0]))
        assert field.size == arithmetic.receptive_field(windows)


def test_receptive_fields_with_dilation_stride_and_layers_that_slide_nothing():
    model = keras.Sequential([keras.Input((64, 64, 1)),
                              layers.Conv2D(2, 5, strides=2, name="a"),
                              layers.BatchNormalization(name="bn"),
                              layers.Conv2D(2, 3, dilation_rate=2, name="b"),
                              layers.AveragePooling2D(3, strides=3, name="c"),
                              layers.GlobalMaxPooling2D(), layers.Dense(2)])
    assert explain.receptive_fields(model) == [
        ("a", 5, 2), ("bn", 5, 2), ("b", 5 + 4 * 2, 2), ("c", 13 + 2 * 2, 6)]


# --- Grad-CAM ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sequential", [True, False], ids=["sequential", "functional"])
def test_grad_cam_after_global_pooling_is_cam(sequential):
    """With GAP + dense, ∂y_c/∂A^k_ij = w_kc / Z, so Grad-CAM = ReLU(Σ_k w_kc A^k) / Z (CAM)."""
    model, x = cam_model(sequential), images()
    maps = explain.grad_cam(model, x, "features", class_index=2, upsample=False)
    features = keras.Model(model.inputs[0], model.get_layer("features").output)(x).numpy()
    weights = model.get_layer("logits").kernel.numpy()[:, 2]
    expected = np.maximum(features @ weights, 0) / 64
    np.testing.assert_allclose(maps, expected, rtol=1e-5, atol=1e-7)


def test_grad_cam_uses_the_predicted_class_by_default_and_one_class_per_image():
    model, x = cam_model(True), images(4)
    predicted = model(x).numpy().argmax(axis=1)
    default = explain.grad_cam(model, x, "features", upsample=False)
    chosen = explain.grad_cam(model, x, "features", class_index=predicted, upsample=False)
    np.testing.assert_allclose(default, chosen)
    other = (predicted + 1) % 3
    assert not np.allclose(default, explain.grad_cam(model, x, "features", other,
                                                     upsample=False))


def test_grad_cam_upsamples_to_the_input_size():
    model = keras.Sequential([keras.Input((8, 8, 2)),
                              layers.Conv2D(4, 3, strides=2, padding="same", name="features"),
                              layers.GlobalAveragePooling2D(), layers.Dense(3)])
    x = images()
    small = explain.grad_cam(model, x, "features", upsample=False)
    large = explain.grad_cam(model, x, "features")
    assert small.shape == (3, 4, 4) and large.shape == (3, 8, 8)
    assert large.min() >= -1e-6 and np.isclose(large.mean(), small.mean(), rtol=0.2)


def test_grad_cam_combine_formula():
    activations = np.zeros((1, 2, 2, 2))
    activations[0, 0, 0, 0], activations[0, 1, 1, 1] = 4.0, 2.0
    gradients = np.stack([np.full((1, 2, 2), 0.5), np.full((1, 2, 2), -1.0)], axis=-1)
    np.testing.assert_allclose(explain.grad_cam_combine(activations, gradients)[0],
                               [[2.0, 0.0], [0.0, 0.0]])
    # α_k is the mean of a gradient that changes over the map (after pooling it would not)
    varying = np.array([[1.0, 3.0], [0.0, 0.0]])[None, :, :, None]
    np.testing.assert_allclose(explain.grad_cam_combine(np.ones((1, 2, 2, 1)), varying)[0],
                               np.ones((2, 2)))


# --- Saliency and occlusion ----------------------------------------------------------------------


def test_saliency_of_a_linear_model_is_its_weight_column():
    model, x = linear_model(), images(2, (6, 6, 2))
    weights = model.get_layer("logits").kernel.numpy()[:, 1].reshape(6, 6, 2)
    maps = explain.saliency(model, x, class_index=1)
    np.testing.assert_allclose(maps, np.repeat(np.abs(weights).max(axis=-1)[None], 2, 0),
                               rtol=1e-6)


def test_smooth_saliency_without_noise_is_saliency_and_with_noise_averages():
    model, x = cam_model(False), images(2)
    plain = explain.saliency(model, x, class_index=0)
    np.testing.assert_allclose(explain.smooth_saliency(model, x, 0, samples=3, noise=0.0), plain,
                               rtol=1e-5, atol=1e-8)
    noisy = explain.smooth_saliency(model, x, 0, samples=4, noise=0.2, seed=3)
    assert noisy.shape == plain.shape and not np.allclose(noisy, plain)
    np.testing.assert_allclose(noisy, explain.smooth_saliency(model, x, 0, samples=4, noise=0.2,
                                                              seed=3))


def brute_force_occlusion(model, image, cls, patch, stride, fill):
    """Every patch hidden in its own copy of the image (the copies scored in one batch)."""
    height, width = image.shape[:2]
    base = model(image[None]).numpy()[0, cls]
    windows = [np.s_[top:top + patch, left:left + patch]
               for top in range(0, height - patch + 1, stride)
               for left in range(0, width - patch + 1, stride)]
    hidden = np.repeat(image[None], len(windows), axis=0)
    for copy, window in zip(hidden, windows, strict=True):
        copy[window] = fill
    scores = model(hidden).numpy()[:, cls]
    total, count = np.zeros((height, width)), np.zeros((height, width))
    for window, score in zip(windows, scores, strict=True):
        total[window] += base - score
        count[window] += 1
    return total / np.maximum(count, 1)


@pytest.mark.parametrize(("patch", "stride", "fill"), [(2, 2, None), (3, 1, 0.0), (4, 3, 0.5)])
def test_occlusion_matches_hiding_each_patch_by_hand(patch, stride, fill):
    model, x = cam_model(True), images(2)
    maps = explain.occlusion(model, x, class_index=1, patch=patch, stride=stride, fill=fill)
    for k in range(2):
        value = float(x[k].mean()) if fill is None else fill
        np.testing.assert_allclose(maps[k], brute_force_occlusion(model, x[k], 1, patch, stride,
                                                                  value), rtol=1e-4, atol=1e-6)


def test_occlusion_of_a_linear_model_is_weight_times_contrast():
    """Hiding pixel p with fill f drops the score by w_p·(x_p − f): a 1×1 patch shows it."""
    model, x = linear_model(), images(1, (6, 6, 2))
    weights = model.get_layer("logits").kernel.numpy()[:, 0].reshape(6, 6, 2)
    maps = explain.occlusion(model, x, class_index=0, patch=1, stride=1, fill=0.25)
    np.testing.assert_allclose(maps[0], (weights * (x[0] - 0.25)).sum(axis=-1), rtol=1e-4,
                               atol=1e-6)


# --- Filter visualisation -------------------------------------------------------------------------


def test_filter_visualisation_climbs_the_filter_and_stays_in_range():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((12, 12, 1)),
                              layers.Conv2D(2, 3, activation="relu", name="conv")])
    kernel = np.zeros((3, 3, 1, 2), dtype="float32")
    kernel[:, 1, 0, 0] = 1.0  # filter 0: a bright vertical line
    kernel[:, 0, 0, 1], kernel[:, 2, 0, 1] = 1.0, -1.0  # filter 1: dark-to-bright edge
    model.get_layer("conv").set_weights([kernel, np.zeros(2, dtype="float32")])
    pictures = explain.filter_visualisation(model, "conv", [0, 1], steps=12, blur_every=0)
    assert pictures.shape == (2, 12, 12, 1)
    assert pictures.min() >= 0.0 and pictures.max() <= 1.0
    activations = model(pictures).numpy()
    grey = model(np.full((1, 12, 12, 1), 0.5, dtype="float32")).numpy()
    assert activations[0, ..., 0].mean() > grey[0, ..., 0].mean() + 0.5
    assert activations[1, ..., 1].mean() > grey[0, ..., 1].mean() + 0.5
    single = explain.filter_visualisation(model, "conv", 0, steps=12, blur_every=0)
    np.testing.assert_allclose(single, pictures[0], atol=1e-6)


# --- Checks of the maps --------------------------------------------------------------------------


def test_peak_in_box():
    maps = np.zeros((4, 5, 5))
    maps[0, 2, 2] = 1  # inside
    maps[1, 4, 4] = 1  # bottom-right corner: outside a box that ends (excluded) at 4
    maps[2, 1, 3] = 1  # on the box's top-right pixel
    boxes = np.array([[1, 1, 4, 4]] * 4)
    assert explain.peak_in_box(maps, boxes).tolist() == [True, False, True, False]


def test_rank_correlation():
    rng = np.random.default_rng(0)
    a = rng.random((3, 4, 4))
    b = np.stack([a[0], -a[1], rng.random((4, 4))])
    result = explain.rank_correlation(a, b)
    assert result[0] == pytest.approx(1) and result[1] == pytest.approx(-1)
    ranks_a = a[2].ravel().argsort().argsort()
    ranks_b = b[2].ravel().argsort().argsort()
    assert result[2] == pytest.approx(np.corrcoef(ranks_a, ranks_b)[0, 1])
    assert np.isnan(explain.rank_correlation(np.zeros((1, 2, 2)), a[:1, :2, :2])[0])


def test_randomised_copy_changes_only_the_named_layers():
    model = cam_model(False)
    before = [w.copy() for w in model.get_weights()]
    copy = explain.randomised_copy(model, ["logits"], seed=4)
    for kept, original in zip(copy.get_weights()[:4], before[:4], strict=True):
        np.testing.assert_array_equal(kept, original)
    assert not np.allclose(copy.get_layer("logits").kernel.numpy(), before[4])
    assert np.all(copy.get_layer("logits").bias.numpy() == 0)
    for now, original in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(now, original)
    again = explain.randomised_copy(model, ["logits"], seed=4)
    np.testing.assert_array_equal(again.get_layer("logits").kernel.numpy(),
                                  copy.get_layer("logits").kernel.numpy())
    everything = explain.randomised_copy(model, seed=1)
    kernel = everything.get_layer("conv").kernel.numpy()
    limit = np.sqrt(6 / (3 * 3 * 2 + 3 * 3 * 3))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > limit / 2


# --- Does the map point at the object? Is it more than an edge detector? -------------------------


@pytest.fixture(scope="module")
def shapes_classifier():
    """A small CNN that tells circles, squares and triangles apart (one shape per image).

    It takes images of any size: it trains on 24×24 images (shapes of the sizes of the 32×32
    test images' with less background around them: about half the work per step) and is tested
    on 32×32 images."""
    keras.utils.set_random_seed(0)
    train = shapes.make_shapes(1200, size=24, max_shapes=1, seed=10)
    model = keras.Sequential([
        keras.Input((None, None, 1)),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, padding="same", activation="relu", name="last_conv"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(3, name="logits"),
    ])
    model.compile(keras.optimizers.Adam(3e-3),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], steps_per_execution=8)  # the same steps, fewer calls
    model.fit(train.images, train.labels[:, 0] - 1, epochs=6, batch_size=32, verbose=0)
    return model


@pytest.mark.slow
def test_maps_point_at_the_shape_and_change_with_random_weights(shapes_classifier):
    test = shapes.make_shapes(60, size=32, max_shapes=1, seed=11)
    labels = test.labels[:, 0] - 1
    accuracy = np.mean(shapes_classifier(test.images).numpy().argmax(1) == labels)
    assert accuracy > 0.8
    cam = explain.grad_cam(shapes_classifier, test.images, "last_conv", labels)
    hidden = explain.occlusion(shapes_classifier, test.images, labels, patch=6, stride=4)
    box_share = np.mean([(b[2] - b[0]) * (b[3] - b[1]) / 32 ** 2 for b in test.boxes[:, 0]])
    assert box_share < 0.2  # a random peak would fall in the box about this often
    assert explain.peak_in_box(cam, test.boxes[:, 0]).mean() >= 0.7
    assert explain.peak_in_box(hidden, test.boxes[:, 0]).mean() >= 0.7
    randomised = explain.randomised_copy(shapes_classifier, seed=0)
    random_cam = explain.grad_cam(randomised, test.images, "last_conv", labels)
    correlation = np.nanmean(explain.rank_correlation(cam, random_cam))
    assert correlation < 0.5
    same = np.nanmean(explain.rank_correlation(cam, explain.grad_cam(
        shapes_classifier, test.images + 0.01, "last_conv", labels)))
    assert same > 0.9


# --- Bad input -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cam_sequential():
    """One model for the calls that must be refused before they use it."""
    return cam_model(True)


def test_bad_models_and_layers():
    model, x = cam_model(True), images()
    with pytest.raises(TypeError, match="model must be a Keras model"):
        explain.grad_cam("vgg", x, "features")
    with pytest.raises(ValueError, match=r"layer_name must be the name of a layer .*'feature'"):
        explain.grad_cam(model, x, "feature")
    with pytest.raises(ValueError, match=r"feature map .* 'logits' .*\['conv', 'features'\]"):
        explain.grad_cam(model, x, "logits")
    with pytest.raises(TypeError, match="layer_name must be a string"):
        explain.grad_cam(model, x, 3)
    unbuilt = keras.Sequential([layers.Conv2D(2, 3), layers.GlobalAveragePooling2D(),
                                layers.Dense(2)])
    with pytest.raises(ValueError, match="has no known inputs"):
        explain.saliency(unbuilt, x)
    two_outputs = keras.Model(model.inputs, [model.outputs[0], model.outputs[0]])
    with pytest.raises(ValueError, match="one output of shape"):
        explain.saliency(two_outputs, x)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"images": np.zeros((8, 8, 2))}, ValueError, r"images must be a 4-D array .*\(8, 8, 2\)"),
    ({"images": np.zeros((1, 8, 8, 3))}, ValueError, "images must have 2 channel"),
    ({"images": np.full((1, 8, 8, 2), np.nan)}, ValueError, "images must hold finite"),
    ({"images": np.zeros((0, 8, 8, 2))}, ValueError, "images must not be empty"),
    ({"class_index": 3}, ValueError, "class_index must be an integer"),
    ({"class_index": True}, TypeError, "class_index must be None"),
    ({"class_index": [0, 1]}, ValueError, r"one class per image \(3\), got 2"),
    ({"class_index": [0, 1, 5]}, ValueError, r"classes in \[0, 2\]"),
    ({"class_index": [0.0, 1.0, 2.0]}, TypeError, "class_index must be an array"),
])
def test_bad_images_and_classes(kwargs, error, match, cam_sequential):
    arguments = {"images": images(), "class_index": None, **kwargs}
    with pytest.raises(error, match=match):
        explain.grad_cam(cam_sequential, arguments["images"], "features",
                         arguments["class_index"])


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda m, x: explain.occlusion(m, x, patch=9), ValueError, "patch must be"),
    (lambda m, x: explain.occlusion(m, x, patch=0), ValueError, "patch must be"),
    (lambda m, x: explain.occlusion(m, x, stride=0), ValueError, "stride must be"),
    (lambda m, x: explain.occlusion(m, x, fill="grey"), TypeError, "fill must be"),
    (lambda m, x: explain.smooth_saliency(m, x, samples=0), ValueError, "samples must be"),
    (lambda m, x: explain.smooth_saliency(m, x, noise=-0.1), ValueError, "noise must be"),
    (lambda m, x: explain.grad_cam(m, x, "features", upsample="yes"), TypeError, "upsample"),
    (lambda m, x: explain.filter_visualisation(m, "features", 4), ValueError, "filters"),
    (lambda m, x: explain.filter_visualisation(m, "features", []), ValueError, "at least one"),
    (lambda m, x: explain.filter_visualisation(m, "features", 0, steps=0), ValueError, "steps"),
    (lambda m, x: explain.filter_visualisation(m, "features", 0, value_range=(1, 0)), ValueError,
     "low < high"),
    (lambda m, x: explain.filter_visualisation(m, "features", 0, value_range=1), TypeError,
     "value_range must be a pair"),
    (lambda m, x: explain.filter_visualisation(m, "features", 0, decay=1.0), ValueError, "decay"),
    (lambda m, x: explain.filter_visualisation(m, "gap", 0), ValueError, "feature map"),
    (lambda m, x: explain.randomised_copy(m, "logits"), TypeError, "layer_names must be a list"),
    (lambda m, x: explain.randomised_copy(m, ["gap"]), ValueError, "with weights to randomise"),
    (lambda m, x: explain.randomised_copy(m, ["nope"]), ValueError, r"layer_names\[0\]"),
    (lambda m, x: explain.grad_cam_combine(np.zeros((1, 2, 2, 3)), np.zeros((1, 2, 2, 2))),
     ValueError, "same shape"),
    (lambda m, x: explain.peak_in_box(np.zeros((2, 4, 4)), np.zeros((3, 4), int)), ValueError,
     "one .* box per map"),
    (lambda m, x: explain.peak_in_box(np.zeros((2, 4, 4)), np.zeros((2, 4))), TypeError,
     "boxes must be an array"),
    (lambda m, x: explain.rank_correlation(np.zeros((2, 4, 4)), np.zeros((2, 4, 5))), ValueError,
     "same shape"),
    (lambda m, x: explain.receptive_fields([layers.Conv2D(1, 3)]), TypeError, "Keras model"),
])
def test_bad_settings(call, error, match, cam_sequential):
    with pytest.raises(error, match=match):
        call(cam_sequential, images())


def test_rank_correlation_agrees_with_scipy_on_ties():
    a = np.array([[[1.0, 1.0], [2.0, 3.0]]])
    b = np.array([[[0.0, 1.0], [1.0, 5.0]]])
    assert explain.rank_correlation(a, b)[0] == pytest.approx(
        stats.spearmanr(a.ravel(), b.ravel()).statistic)
