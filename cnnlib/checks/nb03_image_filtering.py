"""Checks of notebook 03 (image filtering): a box blur and a zero-padded filter."""

import numpy as np

from cnnlib.checks.compare import matches
from cnnlib.checks.core import Case, check_function

__all__ = ["check_box_blur", "check_filter_same"]


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
    if matches(_conv2d_same_one_channel(image, kernel[::-1, ::-1]), got, 1e-6, 1e-9):
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
