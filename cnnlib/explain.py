"""What a CNN sees: receptive fields, filter visualisation, occlusion, saliency and Grad-CAM
(course: notebook 16).

Every method takes a trained Keras model, Sequential or functional, and a batch of images
``(N, H, W, C)``; the maps come back as NumPy arrays ``(N, H, W)`` at the input's resolution,
larger values where the model's score for the class counts more.  The score is the model's
output for that class as it is (logits or softmax probabilities; Grad-CAM's paper uses the
score before the softmax).  ``class_index`` picks the class: ``None`` for each image's
predicted class, an ``int`` for all images, or one label per image.

- :func:`receptive_fields`: the input window that a unit of each layer sees,
  ``r_out = r_in + (k − 1)·j_in``;
- :func:`filter_visualisation`: gradient ascent in input space on one filter's mean activation;
- :func:`occlusion`: the drop of the score when a grey patch hides part of the image
  (Zeiler & Fergus 2013);
- :func:`saliency` and :func:`smooth_saliency`: input gradients (Simonyan et al. 2013) and their
  average over noisy copies (SmoothGrad, Smilkov et al. 2017);
- :func:`grad_cam` (Selvaraju et al. 2017) and its formula on arrays, :func:`grad_cam_combine`;
- checks of the maps: :func:`peak_in_box` (does the peak fall on the object?),
  :func:`randomised_copy` and :func:`rank_correlation` (Adebayo et al. 2018: does the map change
  when the weights are randomised?).
"""

from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf
from scipy import ndimage

from cnnlib._validation import (
    check_array,
    check_bool,
    check_int,
    check_layer_name,
    check_model,
    check_non_negative_int,
    check_positive_int,
    check_real,
    describe,
)

__all__ = [
    "ReceptiveField",
    "filter_visualisation",
    "grad_cam",
    "grad_cam_combine",
    "occlusion",
    "peak_in_box",
    "randomised_copy",
    "rank_correlation",
    "receptive_fields",
    "saliency",
    "smooth_saliency",
]

_BATCH = 256  # images per forward pass in occlusion


# Receptive fields --------------------------------------------------------------------------


class ReceptiveField(NamedTuple):
    """One layer's unit sees ``size × size`` input pixels; neighbouring units are ``jump`` apart."""

    layer: str
    size: int
    jump: int


def _window(layer):
    """(kernel, stride, dilation) along the height of a layer that slides a window, else None."""
    if isinstance(layer, keras.layers.Conv2D | keras.layers.DepthwiseConv2D):
        kernel, stride, dilation = layer.kernel_size[0], layer.strides[0], layer.dilation_rate[0]
        return kernel, stride, dilation
    if isinstance(layer, keras.layers.MaxPooling2D | keras.layers.AveragePooling2D):
        return layer.pool_size[0], layer.strides[0], 1
    return None


def receptive_fields(model):
    """The receptive field of every layer of a chain of layers (e.g. VGG), first layer first.

    Walks ``model.layers`` in order with ``r_out = r_in + (k_eff − 1)·j_in`` and
    ``j_out = j_in·s`` (``k_eff = (k − 1)·d + 1`` for a dilation ``d``), starting from one pixel
    (``r = j = 1``), along the height (square windows in the course's models).  Layers that slide
    no window (activations, batch norm, dropout, padding) keep ``r`` and ``j``; the walk stops at
    the first layer that mixes all positions (``Flatten``, ``Dense``, global pooling).  Returns a
    list of :class:`ReceptiveField`; ``VGG-16``'s ``block5_conv3`` sees 196×196 pixels.
    """
    check_model(model)
    fields, size, jump = [], 1, 1
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.layers.Flatten | keras.layers.Dense
                      | keras.layers.GlobalAveragePooling2D | keras.layers.GlobalMaxPooling2D):
            break
        window = _window(layer)
        if window is not None:
            kernel, stride, dilation = window
            size += ((kernel - 1) * dilation) * jump
            jump *= stride
        fields.append(ReceptiveField(layer.name, size, jump))
    return fields


# Shared argument handling ------------------------------------------------------------------


def _images(model, images):
    """The batch as float32 ``(N, H, W, C)`` matching the model's channels."""
    images = check_array("images", images, 4, layout="(N, H, W, C): a batch of images",
                         finite=True, empty=False).astype("float32")
    channels = model.inputs[0].shape[-1]
    if channels is not None and images.shape[-1] != channels:
        raise ValueError(f"images must have {channels} channel(s) like model {model.name!r}'s "
                         f"input, got shape {images.shape}")
    return images


def _classes(class_index, n, scores):
    """One class per image: the argmax of ``scores`` for None, else the given ones, checked."""
    count = scores.shape[-1]
    if class_index is None:
        return np.argmax(scores, axis=-1)
    if isinstance(class_index, bool):
        raise TypeError(f"class_index must be None, an integer or one per image, got "
                        f"{describe(class_index)}")
    if np.ndim(class_index) == 0:
        value = check_int("class_index", class_index, 0, count - 1)
        return np.full(n, value)
    labels = check_array("class_index", class_index, 1, kinds="iu")
    if len(labels) != n:
        raise ValueError(f"class_index must hold one class per image ({n}), got {len(labels)}")
    if labels.min() < 0 or labels.max() >= count:
        raise ValueError(f"class_index must be classes in [0, {count - 1}], got values from "
                         f"{labels.min()} to {labels.max()}")
    return labels.astype(int)


def _explained_model(model):
    check_model(model, needs_inputs=True)
    if len(model.outputs) != 1 or len(model.outputs[0].shape) != 2:
        raise ValueError(f"model {model.name!r} must have one output of shape (N, classes), got "
                         f"{[tuple(o.shape) for o in model.outputs]}")
    return model


def _feature_layer(model, layer_name):
    """A layer of ``model`` with a 4-D output (a feature map)."""
    layer = check_layer_name(model, layer_name, name="layer_name")
    if len(layer.output.shape) != 4:
        maps = [each.name for each in model.layers if len(each.output.shape) == 4
                and not isinstance(each, keras.layers.InputLayer)]
        raise ValueError(f"layer_name must name a layer with a feature map (N, H, W, C) output, "
                         f"got {layer_name!r} of output shape {tuple(layer.output.shape)}; "
                         f"layers with feature maps: {maps}")
    return layer


def _input(model):
    """The model's input tensor (one input: the tensor itself, so calls take a plain array)."""
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def _scores(outputs, classes):
    return tf.gather(outputs, classes, axis=1, batch_dims=1)


def _resize(maps, size):
    """``(N, h, w)`` maps resized bilinearly to ``size``."""
    resized = tf.image.resize(maps[..., None], size, method="bilinear")
    return resized.numpy()[..., 0]


# Grad-CAM ----------------------------------------------------------------------------------


def grad_cam_combine(activations, gradients):
    """Grad-CAM's formula on arrays: ``ReLU(Σ_k α_k A^k)`` with ``α_k = mean_ij ∂y/∂A^k_ij``.

    ``activations`` and ``gradients`` are ``(N, h, w, K)`` (the layer's maps ``A`` and the
    gradient of the class score with respect to them); returns ``(N, h, w)``.
    """
    activations = check_array("activations", activations, 4, layout="(N, h, w, K)")
    gradients = check_array("gradients", gradients, 4, layout="(N, h, w, K)")
    if activations.shape != gradients.shape:
        raise ValueError(f"activations and gradients must have the same shape, got "
                         f"{activations.shape} and {gradients.shape}")
    weights = gradients.mean(axis=(1, 2))  # α_k: global average of the gradients
    return np.maximum(np.einsum("nijk,nk->nij", activations, weights), 0)


def grad_cam(model, images, layer_name, class_index=None, *, upsample=True):
    """Grad-CAM maps (Selvaraju et al. 2017) of the feature maps of layer ``layer_name``.

    The gradients of the class score with respect to the layer's maps ``A^k`` come from
    ``tf.GradientTape``; :func:`grad_cam_combine` weighs each map by its average gradient and
    keeps the positive part.  ``upsample=True`` resizes the ``(N, h, w)`` maps bilinearly to the
    input's height and width.  Use the last convolutional layer: its units see most of the
    image, and the layers after it only pool and classify.
    """
    model = _explained_model(model)
    layer = _feature_layer(model, layer_name)
    images = _images(model, images)
    check_bool("upsample", upsample)
    split = keras.Model(_input(model), [layer.output, model.outputs[0]])
    x = tf.convert_to_tensor(images)
    with tf.GradientTape() as tape:
        activations, outputs = split(x, training=False)
        classes = _classes(class_index, len(images), outputs.numpy())
        scores = _scores(outputs, classes)
    gradients = tape.gradient(scores, activations)
    maps = grad_cam_combine(activations.numpy(), gradients.numpy())
    return _resize(maps, images.shape[1:3]) if upsample else maps


# Saliency ------------------------------------------------------------------------------------


def _input_gradients(model, x, class_index):
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = model(x, training=False)
        classes = _classes(class_index, x.shape[0], outputs.numpy())
        scores = _scores(outputs, classes)
    return tape.gradient(scores, x).numpy(), classes


def saliency(model, images, class_index=None):
    """Saliency maps (Simonyan et al. 2013): ``max_c |∂y/∂x_ijc|``, the largest absolute input
    gradient over the colour channels of each pixel, ``(N, H, W)``."""
    model = _explained_model(model)
    images = _images(model, images)
    gradients, _ = _input_gradients(model, tf.convert_to_tensor(images), class_index)
    return np.abs(gradients).max(axis=-1)


def smooth_saliency(model, images, class_index=None, *, samples=25, noise=0.15, seed=0):
    """SmoothGrad (Smilkov et al. 2017): the saliency averaged over ``samples`` noisy copies.

    The noise is Gaussian with a standard deviation of ``noise`` times each image's range
    (max − min); the class is the one of the clean image (predicted, or given). Averaging
    removes the speckle of single gradients, which change sharply from pixel to pixel.
    """
    model = _explained_model(model)
    images = _images(model, images)
    samples = check_positive_int("samples", samples)
    noise = check_real("noise", noise, 0)
    seed = check_non_negative_int("seed", seed)
    outputs = model(images, training=False).numpy()
    classes = _classes(class_index, len(images), outputs)
    rng = np.random.default_rng(seed)
    spread = (images.max(axis=(1, 2, 3)) - images.min(axis=(1, 2, 3)))[:, None, None, None]
    total = np.zeros(images.shape[:3])
    for _ in range(samples):
        noisy = images + rng.normal(size=images.shape).astype("float32") * noise * spread
        gradients, _ = _input_gradients(model, tf.convert_to_tensor(noisy), classes)
        total += np.abs(gradients).max(axis=-1)
    return total / samples


# Occlusion -----------------------------------------------------------------------------------


def occlusion(model, images, class_index=None, *, patch=8, stride=2, fill=None):
    """Occlusion sensitivity (Zeiler & Fergus 2013): how much the class score drops when a
    ``patch × patch`` square hides the image there.

    The square slides with ``stride`` over every position where it fits; it is filled with
    ``fill`` (default: each image's mean value, a grey that adds no edge of its own).  A pixel's
    value is the mean drop ``score(image) − score(occluded image)`` over the positions that hide
    it, ``(N, H, W)``; positive where hiding the pixel hurts the class.  Costs one forward pass
    per position: ``((H − patch)/stride + 1)²`` per image.
    """
    model = _explained_model(model)
    images = _images(model, images)
    n, height, width, _ = images.shape
    patch = check_int("patch", patch, 1, min(height, width))
    stride = check_positive_int("stride", stride)
    if fill is not None:
        fill = check_real("fill", fill)
    outputs = model(images, training=False).numpy()
    classes = _classes(class_index, n, outputs)
    base = outputs[np.arange(n), classes]
    tops = range(0, height - patch + 1, stride)
    lefts = range(0, width - patch + 1, stride)
    positions = [(top, left) for top in tops for left in lefts]
    fills = images.mean(axis=(1, 2, 3)) if fill is None else np.full(n, fill)
    drops = np.zeros((n, height, width))
    counts = np.zeros((height, width))
    for top, left in positions:
        counts[top:top + patch, left:left + patch] += 1
    per_batch = max(1, _BATCH // n)
    for start in range(0, len(positions), per_batch):
        chunk = positions[start:start + per_batch]
        occluded = np.repeat(images[None], len(chunk), axis=0)  # (P, N, H, W, C)
        for p, (top, left) in enumerate(chunk):
            occluded[p, :, top:top + patch, left:left + patch, :] = fills[:, None, None, None]
        scores = model(occluded.reshape(-1, *images.shape[1:]), training=False).numpy()
        scores = scores.reshape(len(chunk), n, -1)[:, np.arange(n), classes]  # (P, N)
        for p, (top, left) in enumerate(chunk):
            drops[:, top:top + patch, left:left + patch] += (base - scores[p])[:, None, None]
    covered = np.maximum(counts, 1)  # pixels no position covers (stride too large) stay at 0
    return drops / covered


# Filter visualisation ----------------------------------------------------------------------


def filter_visualisation(model, layer_name, filters, *, steps=60, learning_rate=0.05,
                         value_range=(0.0, 1.0), size=None, blur_every=4, blur_sigma=0.5,
                         decay=0.01, seed=0):
    """Input images that excite filters of layer ``layer_name`` most, by gradient ascent.

    Starts from grey plus a little noise and climbs the filter's mean activation; the gradient
    is divided by its RMS so that the step is ``learning_rate`` times the value range whatever
    the layer's scale.  Three regularisers make the pictures readable (Yosinski et al. 2015):
    ``decay`` shrinks the image towards grey each step (L2 decay), every ``blur_every`` steps a
    Gaussian blur of ``blur_sigma`` pixels removes high-frequency patterns (0 turns it off), and
    the values stay inside ``value_range``.  ``filters`` is a channel index or a list of them;
    returns ``(len(filters), H, W, C)`` images in ``value_range`` (``size``: ``(H, W)`` for
    models with a free input size).
    """
    check_model(model, needs_inputs=True)
    layer = _feature_layer(model, layer_name)
    channels = layer.output.shape[-1]
    single = np.ndim(filters) == 0
    indices = [filters] if single else list(filters)
    if not indices:
        raise ValueError("filters must name at least one filter, got an empty list")
    indices = [check_int(f"filters[{i}]", f, 0, channels - 1) for i, f in enumerate(indices)]
    steps = check_positive_int("steps", steps)
    learning_rate = check_real("learning_rate", learning_rate, 0, min_open=True)
    if not isinstance(value_range, tuple | list) or len(value_range) != 2:
        raise TypeError(f"value_range must be a pair (low, high), got {describe(value_range)}")
    low, high = (check_real(f"value_range[{i}]", v) for i, v in enumerate(value_range))
    if not low < high:
        raise ValueError(f"value_range must have low < high, got {tuple(value_range)!r}")
    blur_every = check_non_negative_int("blur_every", blur_every)
    blur_sigma = check_real("blur_sigma", blur_sigma, 0)
    decay = check_real("decay", decay, 0, 1, max_open=True)
    seed = check_non_negative_int("seed", seed)
    shape = tuple(model.inputs[0].shape[1:])
    if size is not None:
        if not isinstance(size, tuple | list) or len(size) != 2:
            raise TypeError(f"size must be a pair (height, width), got {describe(size)}")
        size = tuple(check_positive_int(f"size[{i}]", s) for i, s in enumerate(size))
        shape = (*size, shape[2])
    if None in shape:
        raise ValueError(f"model {model.name!r} takes inputs of any size {shape}: give size="
                         "(height, width)")

    features = keras.Model(_input(model), layer.output)
    rng = np.random.default_rng(seed)
    grey, scale = (low + high) / 2, high - low
    image = grey + 0.05 * scale * rng.standard_normal((len(indices), *shape))
    image = tf.Variable(image.astype("float32"))
    pick = tf.constant(indices)
    for step in range(steps):
        with tf.GradientTape() as tape:
            maps = features(image, training=False)
            chosen = tf.gather(maps, pick, axis=-1, batch_dims=1)  # (F, h, w)
            objective = tf.reduce_sum(tf.reduce_mean(chosen, axis=(1, 2)))
        gradient = tape.gradient(objective, image)
        rms = tf.sqrt(tf.reduce_mean(tf.square(gradient), axis=(1, 2, 3), keepdims=True)) + 1e-8
        values = image.numpy() + learning_rate * scale * (gradient / rms).numpy()
        values = grey + (1 - decay) * (values - grey)
        if blur_every and blur_sigma and (step + 1) % blur_every == 0:
            values = ndimage.gaussian_filter(values, sigma=(0, blur_sigma, blur_sigma, 0))
        image.assign(np.clip(values, low, high).astype("float32"))
    result = image.numpy()
    return result[0] if single else result


# Checks of the maps --------------------------------------------------------------------------


def peak_in_box(maps, boxes):
    """For each map, whether its largest value lies inside the box ``(top, left, bottom,
    right)`` (bottom and right excluded, as in :mod:`cnnlib.shapes`); a constant map (no
    peak) counts as a miss.  ``maps`` ``(N, H, W)``, ``boxes`` ``(N, 4)``; returns ``(N,)`` bools.
    """
    maps = check_array("maps", maps, 3, layout="(N, H, W)", finite=True, empty=False)
    boxes = check_array("boxes", boxes, 2, layout="(N, 4)", kinds="iu")
    if boxes.shape != (len(maps), 4):
        raise ValueError(f"boxes must be one (top, left, bottom, right) box per map, shape "
                         f"({len(maps)}, 4), got {boxes.shape}")
    flat = maps.reshape(len(maps), -1)
    rows, cols = np.unravel_index(flat.argmax(axis=1), maps.shape[1:])
    inside = ((boxes[:, 0] <= rows) & (rows < boxes[:, 2])
              & (boxes[:, 1] <= cols) & (cols < boxes[:, 3]))
    return inside & (flat.max(axis=1) > flat.min(axis=1))


def rank_correlation(maps_a, maps_b):
    """Spearman's rank correlation of each pair of maps, pixel by pixel, ``(N,)``: 1 when the two
    maps order the pixels alike, about 0 when they are unrelated.  Adebayo et al. (2018) compare
    a model's maps with those of the same model with randomised weights this way.  A constant map
    has no ranking; its correlation is NaN."""
    maps_a = check_array("maps_a", maps_a, 3, layout="(N, H, W)", finite=True, empty=False)
    maps_b = check_array("maps_b", maps_b, 3, layout="(N, H, W)", finite=True, empty=False)
    if maps_a.shape != maps_b.shape:
        raise ValueError(f"maps_a and maps_b must have the same shape, got {maps_a.shape} and "
                         f"{maps_b.shape}")
    from scipy import stats  # a third of a second to import: only when needed

    result = np.full(len(maps_a), np.nan)
    for k, (a, b) in enumerate(zip(maps_a, maps_b, strict=True)):
        if np.ptp(a) > 0 and np.ptp(b) > 0:
            result[k] = stats.spearmanr(a.ravel(), b.ravel()).statistic
    return result


def randomised_copy(model, layer_names=None, *, seed=0):
    """A copy of ``model`` whose kernels in ``layer_names`` (default: every layer with a kernel)
    are drawn afresh (Glorot uniform, Keras's default) and whose biases there are set to 0; the
    other weights, batch-norm statistics included, are kept.  The model itself is not changed.

    Adebayo et al. (2018) randomise the layers from the top down ("cascading"): pass the last
    ``k`` layer names.  A map that stays the same shows the image, not what the model learned.
    """
    check_model(model)
    seed = check_non_negative_int("seed", seed)
    with_kernel = [layer.name for layer in model.layers if hasattr(layer, "kernel")]
    if layer_names is None:
        layer_names = with_kernel
    elif not isinstance(layer_names, list | tuple):
        raise TypeError(f"layer_names must be a list of layer names, got {describe(layer_names)}")
    for i, name in enumerate(layer_names):
        layer = check_layer_name(model, name, name=f"layer_names[{i}]")
        if not hasattr(layer, "kernel"):
            raise ValueError(f"layer_names[{i}] must name a layer with weights to randomise "
                             f"({with_kernel}), got {name!r}")
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    rng = np.random.default_rng(seed)
    for name in layer_names:
        layer = copy.get_layer(name)
        kernel = layer.kernel
        shape = tuple(kernel.shape)
        receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
        fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
        limit = np.sqrt(6 / (fan_in + fan_out))
        kernel.assign(rng.uniform(-limit, limit, size=shape).astype(kernel.dtype))
        if getattr(layer, "bias", None) is not None:
            layer.bias.assign(np.zeros(tuple(layer.bias.shape), dtype=layer.bias.dtype))
    return copy
