"""Checks of notebook 01 (why convolutions): weight counts and equivariance."""

import numpy as np

from cnnlib.checks.core import Case, Mistake, check_function

__all__ = ["check_equivariance_error", "check_layer_weights"]


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
    mistakes = [
        Mistake("near the borders part of each window falls on the zero padding, where there "
                "are no inputs: count the connections along one axis first (L4: 3·5 − 2 = 13), "
                "then multiply the row count by the column count.",
                answer=lambda h, w, kh, kw: ((h * w) ** 2, h * w * kh * kw, kh * kw)),
        Mistake("a dense layer connects every input pixel to every output pixel: "
                "(height·width)² weights, not height·width.",
                answer=lambda h, w, kh, kw: (h * w, *_counted_layer_weights(h, w, kh, kw)[1:])),
        Mistake("a convolution shares one kernel over all positions: its weights are the "
                "kernel's, kernel_height·kernel_width, whatever the image size.",
                answer=lambda h, w, kh, kw: (*_counted_layer_weights(h, w, kh, kw)[:2],
                                             h * w * kh * kw)),
    ]
    check_function(fn, _counted_layer_weights, cases, name="layer_weights", mistakes=mistakes,
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
    def whole_map(layer, image, dy, dx, margin):
        return _scipy_equivariance_error(layer, image, dy, dx, 0)

    mistakes = [Mistake("keep only the rows and columns from `margin` to `size − margin` "
                        "before taking the maximum: the borders are where shifts differ.",
                        answer=whole_map)]
    check_function(fn, _scipy_equivariance_error, _equivariance_cases(),
                   name="equivariance_error", mistakes=mistakes,
                   hint="shift the input and compare with the shifted output; keep only the rows "
                        "and columns from `margin` to `size − margin` before taking the maximum.")
