"""Ready-made checks of the course's exercises, one per exercise, in notebook order.

A notebook's check cell is a single call such as ``checks.check_conv2d(conv2d)``: the
reference, the grid of cases and the hints live here, so the student edition, which keeps
its check cells, shows nothing that solves the exercise.
"""

import numpy as np

from cnnlib.checks.core import Case, _is_int, _is_real, _mismatch, check_function
from cnnlib.checks.grids import conv_cases, correlate_cases, output_size_cases, pool_cases

__all__ = [
    "check_avg_pool2d",
    "check_box_blur",
    "check_conv2d",
    "check_conv_layer_cost",
    "check_conv_output_size",
    "check_convolve2d",
    "check_correlate2d",
    "check_dense_params",
    "check_equivariance_error",
    "check_filter_same",
    "check_layer_weights",
    "check_max_pool2d",
    "check_same_padding_split",
]


# Notebook 00 ---------------------------------------------------------------------------------


def check_dense_params(fn):
    """Check ``dense_params(n_inputs, n_units)``: the weights and biases of a dense layer
    (notebook 00)."""
    __tracebackhide__ = True
    from cnnlib.arithmetic import dense_params

    cases = [Case((784, 10)), Case((1, 1)), Case((3072, 100)),
             Case((100 * 100, 100), label="a 100×100 image into 100 units")]
    check_function(fn, dense_params, cases, name="dense_params",
                   hint="every unit has one weight per input, plus one bias.")


# Notebook 01 ---------------------------------------------------------------------------------


def _counted_layer_weights(height, width, kernel_height, kernel_width):
    """Weights of a dense, a locally connected and a convolution layer, the connections counted
    one output pixel at a time (a correlation of all-ones arrays counts each window's inputs)."""
    import scipy.signal

    window = np.ones((kernel_height, kernel_width))
    in_window = scipy.signal.correlate2d(np.ones((height, width)), window, mode="same")
    return (height * width) ** 2, int(in_window.sum()), window.size


def check_layer_weights(fn):
    """Check ``layer_weights(height, width, kernel_height, kernel_width)`` -> (dense, locally
    connected, convolution) weight counts of a "same" layer on one channel (notebook 01)."""
    __tracebackhide__ = True
    cases = [Case((1, 5, 1, 3), label="L4's example: 5 inputs in a row, a 1×3 kernel"),
             Case((5, 1, 3, 1), label="a column of 5, a 3×1 kernel"),
             Case((4, 4, 3, 3)), Case((6, 7, 3, 5)), Case((5, 5, 5, 5)),
             Case((8, 8, 1, 1), label="a 1×1 kernel"), Case((28, 28, 3, 3)),
             Case((100, 100, 3, 3), label="L3's 100×100 image, a 3×3 kernel"),
             Case((32, 24, 7, 5))]
    check_function(fn, _counted_layer_weights, cases, name="layer_weights",
                   hint="a dense layer has (height·width)² weights; for the locally connected "
                        "layer count the connections along one axis first (L4: 3·5 − 2 = 13) — "
                        "the 2-D count is the product of the row count and the column count.")


def _scipy_equivariance_error(layer, image, dy, dx, margin):
    import scipy.ndimage

    def shift(array):  # nearest-neighbour shift by whole pixels, zeros moving in
        return scipy.ndimage.shift(array, (dy, dx), order=0, mode="constant", cval=0.0)

    difference = np.abs(layer(shift(image)) - shift(layer(image)))
    height, width = difference.shape
    return float(difference[margin:height - margin, margin:width - margin].max())


def _equivariance_cases():
    """Layers that are equivariant, equivariant away from the borders, or not at all."""
    import scipy.signal

    rng = np.random.default_rng(1)
    image = np.round(rng.uniform(-1, 1, (12, 12)), 2)
    kernel = np.round(rng.uniform(-1, 1, (3, 3)), 2)
    matrix = np.round(rng.uniform(-1, 1, (144, 144)), 2)
    bias = np.round(rng.uniform(-1, 1, (12, 12)), 2)

    def convolution(im):
        return scipy.signal.correlate2d(im, kernel, mode="same")

    layers = {
        "3×3 convolution": convolution,
        "ReLU": lambda im: np.maximum(im, 0.0),
        "dense": lambda im: (matrix @ im.ravel()).reshape(im.shape),
        "convolution + a bias per pixel": lambda im: convolution(im) + bias,
        "down-sample ×2, up-sample ×2": lambda im: np.kron(im[::2, ::2], np.ones((2, 2))),
    }
    grid = [  # (layer, (dy, dx), margin)
        ("3×3 convolution", (2, 3), 4), ("3×3 convolution", (-1, 2), 3),
        ("3×3 convolution", (2, 3), 0), ("ReLU", (3, -2), 0), ("dense", (1, 1), 3),
        ("convolution + a bias per pixel", (1, 2), 3),
        ("down-sample ×2, up-sample ×2", (1, 1), 2), ("down-sample ×2, up-sample ×2", (2, 2), 2),
    ]
    return [Case((layers[name], image, *shift, margin),
                 label=f"{name}, shift {shift}, margin {margin}") for name, shift, margin in grid]


def check_equivariance_error(fn):
    """Check ``equivariance_error(layer, image, dy, dx, margin)``: the largest difference between
    the layer of the shifted image and the shifted output, away from the borders (notebook 01).
    The cases: a convolution, a ReLU, a dense layer, a bias per pixel, down- then up-sampling."""
    __tracebackhide__ = True
    check_function(fn, _scipy_equivariance_error, _equivariance_cases(),
                   name="equivariance_error",
                   hint="shift the input and compare with the shifted output; keep only the rows "
                        "and columns from `margin` to `size − margin` before taking the maximum.")


# Notebook 02 ---------------------------------------------------------------------------------


def check_correlate2d(fn):
    """Check ``correlate2d(image, kernel)``, valid mode (notebook 02)."""
    __tracebackhide__ = True
    from cnnlib.reference import correlate2d

    check_function(fn, correlate2d, correlate_cases(), name="correlate2d", rtol=1e-6, atol=1e-9,
                   hint="slide the kernel over the image without flipping it; the output has "
                        "one row (column) per position where the kernel fits entirely.")


def _convolve_hint(case, expected, got):
    from cnnlib.reference import correlate2d

    image, kernel = case.args
    mistakes = [("did not flip the kernel", kernel),
                ("flipped the kernel along one axis only", kernel[::-1]),
                ("flipped the kernel along one axis only", kernel[:, ::-1])]
    for mistake, k in mistakes:
        if _mismatch(correlate2d(image, k), got, 1e-6, 1e-9) is None:
            return (f"your result is a cross-correlation: you {mistake}. Convolution slides "
                    "the kernel rotated by 180°.")
    return "convolution is a cross-correlation with the kernel rotated by 180°."


def check_convolve2d(fn):
    """Check a true convolution ``convolve2d(image, kernel)``, valid mode (notebook 02)."""
    __tracebackhide__ = True
    from cnnlib.reference import convolve2d

    check_function(fn, convolve2d, correlate_cases(), name="convolve2d", rtol=1e-6, atol=1e-9,
                   hint=_convolve_hint)


# Notebook 03 ---------------------------------------------------------------------------------


def _uniform_filter_kernel(k):
    """The k×k kernel of scipy.ndimage.uniform_filter, read off its response to one pixel."""
    import scipy.ndimage

    impulse = np.zeros((2 * k + 1, 2 * k + 1))
    impulse[k, k] = 1.0
    response = scipy.ndimage.uniform_filter(impulse, size=k, mode="constant")
    rows, cols = np.nonzero(response > 1e-12)
    return response[rows.min():rows.max() + 1, cols.min():cols.max() + 1]


def _box_blur_hint(case, expected, got):
    try:
        total = float(np.sum(np.asarray(got, dtype=float)))
    except (TypeError, ValueError):
        total = None
    if total is not None and not np.isclose(total, 1.0):
        return (f"your weights sum to {total:.4g}; a kernel that keeps the brightness of flat "
                "regions sums to 1.")
    return "k×k equal weights that sum to 1."


def check_box_blur(fn):
    """Check ``box_blur(k)``, the k×k averaging kernel, against the impulse response of SciPy's
    ``uniform_filter``; the hint says when the weights do not sum to 1 (notebook 03)."""
    __tracebackhide__ = True
    cases = [Case((k,), label=f"k={k}") for k in (1, 2, 3, 4, 5, 7)]
    check_function(fn, _uniform_filter_kernel, cases, name="box_blur", hint=_box_blur_hint)


def _conv2d_same_one_channel(image, kernel):
    """The library's NHWC layer forward pass on one example with one channel."""
    from cnnlib.reference import conv2d

    out = conv2d(image[np.newaxis, :, :, np.newaxis], kernel[:, :, np.newaxis, np.newaxis],
                 padding="same")
    return out[0, :, :, 0]


def _filter_same_hint(case, expected, got):
    image, kernel = case.args
    if np.shape(got) != image.shape:
        return "pad (kh - 1)/2 rows and (kw - 1)/2 columns on each side, so the shape is kept."
    if _mismatch(_conv2d_same_one_channel(image, kernel[::-1, ::-1]), got, 1e-6, 1e-9) is None:
        return "you flipped the kernel: that is a true convolution, tf.nn.conv2d does not flip."
    return "out[i, j] is the sum of kernel × the (kh, kw) window of the padded image at (i, j)."


def _filter_same_cases():
    """A patch of camera() with L2's vertical-edge kernel, then odd kernels of every shape."""
    import skimage.data

    patch = skimage.data.camera()[100:105, 200:205] / 255.0
    vertical_edge = np.array([[-1.0, 0.0, 1.0]] * 3)
    cases = [Case((patch, vertical_edge), label="a 5×5 patch of camera(), vertical-edge kernel")]
    rng = np.random.default_rng(3)
    for image, kernel in [((5, 5), (3, 3)), ((6, 8), (3, 3)), ((7, 5), (5, 5)), ((4, 4), (1, 1)),
                          ((5, 6), (3, 1)), ((6, 5), (1, 5)), ((3, 3), (3, 3)), ((1, 7), (1, 3)),
                          ((9, 9), (7, 3))]:
        cases.append(Case((np.round(rng.uniform(-2, 2, image), 1),
                           np.round(rng.uniform(-2, 2, kernel), 1)),
                          label=f"image shape {image}, kernel shape {kernel}"))
    return cases


def check_filter_same(fn):
    """Check ``filter_same(image, kernel)``: a cross-correlation of a grey (H, W) image with an
    odd-sized kernel, zero padded to keep the shape, as ``tf.nn.conv2d(..., "SAME")`` (notebook 03).
    """
    __tracebackhide__ = True
    check_function(fn, _conv2d_same_one_channel, _filter_same_cases(), name="filter_same",
                   rtol=1e-6, atol=1e-9, hint=_filter_same_hint)


# Notebook 04 ---------------------------------------------------------------------------------


def _output_size_hint(case, expected, got):
    if _is_real(got) and not _is_int(got):
        return "an output size is a whole number: use integer division // (or int())."
    if _is_real(got) and abs(got - expected) == 1:
        return "off by one: count the first window position too."
    return "count the positions where the kernel fits: the first at 0, then one every `stride` " \
           "pixels, in the input padded by `padding` on both sides."


def check_conv_output_size(fn):
    """Check ``conv_output_size(n, kernel_size, stride, padding)`` (notebook 04)."""
    __tracebackhide__ = True
    from cnnlib.arithmetic import conv_output_size

    check_function(fn, conv_output_size, output_size_cases(), name="conv_output_size",
                   hint=_output_size_hint)


def _same_padding_hint(case, expected, got):
    pair = isinstance(got, tuple | list) and len(got) == 2
    if pair and tuple(got) == expected[::-1]:
        return "TensorFlow puts the odd extra row at the end (bottom/right), not the start."
    if pair and min(got) < 0:
        return "padding is never negative: when the windows need no extra pixels it is 0."
    return ("the last of the ceil(n / stride) windows must end inside the padded input; "
            "split that total as evenly as possible.")


def check_same_padding_split(fn):
    """Check ``same_padding_split(n, kernel_size, stride)`` -> (before, after), the zeros that
    ``padding="same"`` adds on each end of an axis, for sizes 5-8, kernels 1-5 and strides 1-3
    (notebook 04)."""
    __tracebackhide__ = True
    from cnnlib.arithmetic import same_padding

    cases = [Case((n, kernel_size, stride),
                  label=f"n={n}, kernel_size={kernel_size}, stride={stride}")
             for n in (5, 6, 7, 8) for kernel_size in (1, 2, 3, 4, 5) for stride in (1, 2, 3)]
    check_function(fn, same_padding, cases, name="same_padding_split", hint=_same_padding_hint)


# Notebook 05 ---------------------------------------------------------------------------------


def _conv2d_hint(case, expected, got):
    padding, stride = case.kwargs["padding"], case.kwargs["stride"]
    if padding == "same":
        return ("'same' pads so that the output has ceil(n / stride) rows and columns; when the "
                "total padding is odd, the extra row/column goes at the bottom/right.")
    if not isinstance(padding, str):
        return "pad `padding` zeros on each side of the height and width axes only."
    if stride > 1:
        return "windows start every `stride` pixels and must fit entirely inside the input."
    return "each output channel sums over all input channels and all kernel positions."


def check_conv2d(fn):
    """Check ``conv2d(x, w, stride=..., padding=...)``, NHWC like ``tf.nn.conv2d`` (notebook 05)."""
    __tracebackhide__ = True
    from cnnlib.reference import conv2d

    check_function(fn, conv2d, conv_cases(), name="conv2d", rtol=1e-5, atol=1e-6,
                   hint=_conv2d_hint)


def _library_conv_layer_cost(input_shape, kernel_size, filters, stride=1, padding="same"):
    from cnnlib import arithmetic

    height, width, depth = input_shape
    out_h = arithmetic.conv_output_size(height, kernel_size, stride, padding)
    out_w = arithmetic.conv_output_size(width, kernel_size, stride, padding)
    return (arithmetic.conv_params(kernel_size, depth, filters),
            arithmetic.conv_macs((out_h, out_w), kernel_size, depth, filters),
            arithmetic.activation_memory((out_h, out_w, filters), "float32"))


def check_conv_layer_cost(fn):
    """Check ``conv_layer_cost(input_shape, kernel_size, filters, stride=1, padding="same")`` ->
    (parameters, multiply-adds, output bytes) of a Conv2D layer, on the lectures' layers and
    edge cases (notebook 05)."""
    __tracebackhide__ = True
    cases = [
        Case(((150, 100, 3), 5, 200), label="L3: 150×100×3, 200 filters 5×5, same"),
        Case(((32, 32, 3), 5, 6), {"padding": "valid"}, label="L5: 32×32×3, 6 filters 5×5"),
        Case(((5, 5, 3), 2, 2), {"padding": "valid"}, label="L3: 2 filters 2×2 on depth 3"),
        Case(((227, 227, 3), 11, 96), {"stride": 4, "padding": "valid"},
             label="AlexNet C1: 227×227×3, 96 filters 11×11, stride 4"),
        Case(((28, 28, 256), 1, 64), label="1×1 bottleneck: 28×28×256 → 64 channels"),
        Case(((7, 7, 512), 3, 512), {"stride": 2}, label="7×7×512, 3×3, stride 2, same"),
        Case(((9, 6, 4), 3, 5), {"stride": 2, "padding": "valid"},
             label="9×6×4, 3×3, stride 2, valid (non-square input)"),
        Case(((5, 5, 1), 5, 1), {"padding": "valid"}, label="kernel as large as the input"),
    ]
    check_function(fn, _library_conv_layer_cost, cases, name="conv_layer_cost",
                   hint="parameters: filters·(k·k·depth + 1); output size ceil(n/stride) for "
                        "'same', (n − k)//stride + 1 for 'valid'; one multiply-add per filter "
                        "weight per output value (no bias); 4 bytes per float32 output value.")


# Notebook 06 ---------------------------------------------------------------------------------


def _pool_hint(case, expected, got):
    if case.kwargs.get("stride") not in (None, case.kwargs["pool_size"]):
        return "windows start every `stride` pixels, not every `pool_size` pixels."
    if "stride" not in case.kwargs:
        return "when stride is not given it defaults to pool_size (windows do not overlap)."
    return "a window covers pool_size pixels (rows, columns when it is a pair) of every channel."


def _max_pool_hint(case, expected, got):
    if np.all(case.args[0] < 0):
        return "all inputs are negative here: start the maximum from the window, not from 0."
    return _pool_hint(case, expected, got)


def check_max_pool2d(fn):
    """Check ``max_pool2d(x, pool_size=..., stride=None)``, NHWC (notebook 06)."""
    __tracebackhide__ = True
    from cnnlib.reference import max_pool2d

    check_function(fn, max_pool2d, pool_cases(), name="max_pool2d", rtol=1e-6, atol=0,
                   hint=_max_pool_hint)


def check_avg_pool2d(fn):
    """Check ``avg_pool2d(x, pool_size=..., stride=None)``, NHWC (notebook 06)."""
    __tracebackhide__ = True
    from cnnlib.reference import avg_pool2d

    check_function(fn, avg_pool2d, pool_cases(), name="avg_pool2d", rtol=1e-6, atol=1e-9,
                   hint=_pool_hint)
