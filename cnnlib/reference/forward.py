"""NumPy reference forward operations of a CNN (course notebooks 02, 04-07).

Slow on purpose: every operation is a loop over output positions that reads like the
lecture formula, so a student can follow it and check it against TensorFlow.  Layouts are
exactly those of ``tf.nn.conv2d`` so results compare directly:

- batched tensors are NHWC: ``x`` has shape ``(N, H, W, C)``;
- convolution kernels have shape ``(kh, kw, C_in, C_out)``.

Results are computed in float64 whatever the input dtype (integers and booleans included),
so that they agree with a float64 TensorFlow computation to about 1e-12.
Like TensorFlow (and unlike the lectures' "doesn't fit" rule, see
:func:`cnnlib.arithmetic.conv_output_size`), a window that runs past the padded input is
dropped: the output size is floored.
"""

import numpy as np

from cnnlib._validation import check_array, check_choice, check_pair
from cnnlib.arithmetic import conv_output_size, pool_output_size
from cnnlib.reference._args import (
    EXPLICIT_FORMS,
    as_float,
    explicit_padding,
    require_fit,
    resolve_padding,
)

__all__ = [
    "avg_pool2d",
    "conv1x1",
    "conv2d",
    "convolve2d",
    "correlate2d",
    "max_pool2d",
    "pad2d",
]



def pad2d(x, padding, value=0):
    """Pad the two spatial axes of a batch of feature maps.  Course: notebook 04.

    Inputs:
    - x: array of shape (N, H, W, C)
    - padding: "valid" (no padding), an int p (p rows/columns on every side),
      (ph, pw), or ((top, bottom), (left, right))
    - value: the fill value (0 for zero padding, -inf for max pooling)

    Returns:
    - out: array of shape (N, H + top + bottom, W + left + right, C); the dtype of x, or
      float64 when x holds integers and value is not a whole number
    """
    x = check_array("x", x, 4, layout="(N, H, W, C)")
    if isinstance(padding, str):
        if padding.lower() != "valid":
            raise ValueError(
                f"padding must be 'valid' or {EXPLICIT_FORMS}, got {padding!r} "
                "(for 'same', compute the amounts with cnnlib.arithmetic.same_padding)"
            )
        return x.copy()
    pads = explicit_padding(padding)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"value must be a real number, got {value!r}")
    if x.dtype.kind != "f" and not float(value).is_integer():
        x = x.astype(np.float64)
    return np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=value)


def _correlate(image, kernel, mode):
    kh, kw = kernel.shape
    if mode == "full":
        image = np.pad(image, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    elif kh > image.shape[0] or kw > image.shape[1]:
        raise ValueError(
            f"kernel is {kh}x{kw} but image is only {image.shape[0]}x{image.shape[1]}: "
            "in mode 'valid' the kernel must fit inside the image (or use mode='full')"
        )
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1), image.dtype)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out


def _image_and_kernel(image, kernel, mode):
    """Checked arguments of :func:`correlate2d` and :func:`convolve2d`, arrays in float64."""
    image = as_float(check_array("image", image, 2, layout="(H, W)"))
    kernel = as_float(check_array("kernel", kernel, 2, layout="(kh, kw)"))
    if kernel.size == 0:
        raise ValueError(f"kernel must not be empty, got shape {kernel.shape}")
    return image, kernel, check_choice("mode", mode, ("valid", "full"))


def correlate2d(image, kernel, mode="valid"):
    """2-D cross-correlation of one channel: what deep learning calls "convolution".

    ``out[i, j] = sum_m sum_n image[i + m, j + n] * kernel[m, n]``; matches
    ``scipy.signal.correlate2d``.  Course: notebook 02 (L2, L3).

    Inputs:
    - image: array of shape (H, W)
    - kernel: array of shape (kh, kw)
    - mode: "valid" (kernel inside the image) or "full" (every overlap, zero padded)

    Returns:
    - out: (H - kh + 1, W - kw + 1) for "valid", (H + kh - 1, W + kw - 1) for "full"
    """
    return _correlate(*_image_and_kernel(image, kernel, mode))


def convolve2d(image, kernel, mode="valid"):
    """True 2-D convolution of one channel: correlation with the kernel rotated 180°.

    ``out[i, j] = sum_m sum_n image[i - m, j - n] * kernel[m, n]``; matches
    ``scipy.signal.convolve2d``.  Course: notebook 02 (L1, L2).  Shapes as in
    :func:`correlate2d`.
    """
    image, kernel, mode = _image_and_kernel(image, kernel, mode)
    return _correlate(image, kernel[::-1, ::-1], mode)


def conv2d(x, w, b=None, stride=1, padding="valid"):
    """Convolution layer forward pass, as ``tf.nn.conv2d`` computes it (a correlation).

    Course: notebooks 04-05.  ``"same"`` pads like TensorFlow (the odd extra row/column at
    the bottom/right); an explicit padding floors the output size like ``tf.nn.conv2d``.

    Inputs:
    - x: input of shape (N, H, W, C_in)
    - w: kernels of shape (kh, kw, C_in, C_out)
    - b: biases of shape (C_out,), or None
    - stride: int or (sh, sw)
    - padding: "valid", "same", an int, (ph, pw) or ((top, bottom), (left, right))

    Returns:
    - out: output of shape (N, H_out, W_out, C_out) with
      H_out = floor((H + top + bottom - kh) / sh) + 1, and likewise W_out
    """
    x = as_float(check_array("x", x, 4, layout="(N, H, W, C_in)"))
    w = as_float(check_array("w", w, 4, layout="(kh, kw, C_in, C_out)"))
    if w.shape[2] != x.shape[3]:
        raise ValueError(f"w has {w.shape[2]} input channels but x has {x.shape[3]}")
    if b is not None:
        b = as_float(check_array("b", b, 1, layout="(C_out,)"))
        if b.shape != (w.shape[3],):
            raise ValueError(
                f"b must have shape ({w.shape[3]},) to match the {w.shape[3]} output "
                f"channels of w, got shape {b.shape}"
            )
    sh, sw = check_pair("stride", stride)
    kh, kw = w.shape[:2]
    pads = resolve_padding(padding, x.shape[1:3], (kh, kw), (sh, sw))
    require_fit("w", (kh, kw), x.shape[1:3], pads)
    xp = pad2d(x, pads)
    out_h = conv_output_size(xp.shape[1], kh, sh, rounding="floor")
    out_w = conv_output_size(xp.shape[2], kw, sw, rounding="floor")
    out = np.empty((x.shape[0], out_h, out_w, w.shape[3]), np.result_type(x, w))
    for i in range(out_h):
        for j in range(out_w):
            window = xp[:, i * sh : i * sh + kh, j * sw : j * sw + kw, :]  # (N, kh, kw, C_in)
            out[:, i, j, :] = np.tensordot(window, w, axes=3)  # sum over kh, kw and C_in
    return out if b is None else out + b


def conv1x1(x, w):
    """1x1 convolution: the same matrix multiply at every pixel.  Course: notebooks 05, 12.

    Inputs:
    - x: input of shape (N, H, W, C_in)
    - w: weights of shape (C_in, C_out) or (1, 1, C_in, C_out)

    Returns:
    - out: output of shape (N, H, W, C_out), ``out[n, i, j] = x[n, i, j] @ w``
    """
    x = as_float(check_array("x", x, 4, layout="(N, H, W, C_in)"))
    if np.ndim(w) == 4:
        w = check_array("w", w, 4, layout="(1, 1, C_in, C_out)")
        if w.shape[:2] != (1, 1):
            raise ValueError(
                f"w must have shape (C_in, C_out) or (1, 1, C_in, C_out), got shape {w.shape}"
            )
        w = w[0, 0]
    w = as_float(check_array("w", w, 2, layout="(C_in, C_out) or (1, 1, C_in, C_out)"))
    if w.shape[0] != x.shape[3]:
        raise ValueError(f"w has {w.shape[0]} input channels but x has {x.shape[3]}")
    return x @ w


def _pool_input(x, pool_size, stride, padding, fill):
    """Checked pooling arguments -> ``(padded x, real_cells, window, stride)``.

    ``x`` is padded with ``fill``; ``real_cells`` is 1 where the padded input is real, 0 on
    the padding (average pooling divides by its window sums).
    """
    x = as_float(check_array("x", x, 4, layout="(N, H, W, C)"))
    window = check_pair("pool_size", pool_size)
    stride = window if stride is None else check_pair("stride", stride)
    pads = resolve_padding(padding, x.shape[1:3], window, stride, explicit=False)
    require_fit("pool_size", window, x.shape[1:3], pads)
    real = pad2d(np.ones((1, *x.shape[1:3], 1)), pads)[0, :, :, 0]
    return pad2d(x, pads, value=fill), real, window, stride


def max_pool2d(x, pool_size=2, stride=None, padding="valid"):
    """Max pooling forward pass, as ``tf.nn.max_pool2d``.  Course: notebook 06 (L1, L2).

    Inputs:
    - x: input of shape (N, H, W, C)
    - pool_size: int or (ph, pw)
    - stride: int or (sh, sw); defaults to pool_size
    - padding: "valid" or "same" ("same" pads with -inf, so padded cells never win)

    Returns:
    - out: output of shape (N, H_out, W_out, C), the channels untouched
    """
    xp, _, (ph, pw), (sh, sw) = _pool_input(x, pool_size, stride, padding, fill=-np.inf)
    out_h, out_w = pool_output_size(xp.shape[1], ph, sh), pool_output_size(xp.shape[2], pw, sw)
    out = np.empty((xp.shape[0], out_h, out_w, xp.shape[3]), xp.dtype)
    for i in range(out_h):
        for j in range(out_w):
            window = xp[:, i * sh : i * sh + ph, j * sw : j * sw + pw, :]  # (N, ph, pw, C)
            out[:, i, j, :] = window.max(axis=(1, 2))
    return out


def avg_pool2d(x, pool_size=2, stride=None, padding="valid"):
    """Average pooling forward pass, as ``tf.nn.avg_pool2d``.  Course: notebook 06 (L2).

    With ``padding="same"`` a window that overlaps the padding averages its real cells
    only, like TensorFlow.  Shapes and arguments as in :func:`max_pool2d`.
    """
    xp, real, (ph, pw), (sh, sw) = _pool_input(x, pool_size, stride, padding, fill=0)
    out_h, out_w = pool_output_size(xp.shape[1], ph, sh), pool_output_size(xp.shape[2], pw, sw)
    out = np.empty((xp.shape[0], out_h, out_w, xp.shape[3]), xp.dtype)
    for i in range(out_h):
        for j in range(out_w):
            rows, cols = slice(i * sh, i * sh + ph), slice(j * sw, j * sw + pw)
            out[:, i, j, :] = xp[:, rows, cols, :].sum(axis=(1, 2)) / real[rows, cols].sum()
    return out
