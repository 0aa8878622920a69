"""Ready-made checks of notebook 07's exercises: backward passes and im2col.

Like the checks of notebooks 00-06, each check is one call in the notebook,
``checks.check_conv_backward(conv_backward)``; the reference, the cases and the hints live
here.  The student functions take explicit arguments (no cache), without padding: a padded
convolution is the valid convolution of the padded input, so the grids below pad the inputs
of :func:`~cnnlib.checks.grids.conv_cases` first and keep its edge cases (overlapping
windows, strides larger than the kernel, non-square kernels, batches, several channels).
"""

import numpy as np

from cnnlib.checks.compare import matches
from cnnlib.checks.core import Case, Mistake, check_function, check_gradient
from cnnlib.checks.grids import conv_cases, pool_cases

__all__ = ["check_conv_backward", "check_im2col", "check_max_pool_backward"]

_PLUS_EQUALS = ("where windows overlap, an input receives gradient from every window that "
                "covers it: accumulate with += rather than overwrite with =.")


def _matches(candidate, got):
    return matches(np.asarray(candidate), got, 1e-5, 1e-8)


# Convolution backward --------------------------------------------------------------------------


def _library_conv_backward(dout, x, w, stride=1):
    """``reference.conv_backward`` of a valid convolution, from explicit arguments."""
    from cnnlib.reference import conv_backward, conv_forward

    _, cache = conv_forward(x, w, np.zeros(w.shape[3]), stride, "valid")
    return conv_backward(dout, cache)


def _loop_conv_backward(dout, x, w, stride, *, accumulate=True, use_stride=True):
    """Loops over the output positions; the usual mistakes switched on (for hints only):
    ``=`` instead of ``+=``, the windows placed every pixel instead of every ``stride``."""
    kh, kw = w.shape[:2]
    step = stride if use_stride else 1
    dx, dw = np.zeros_like(x, dtype=float), np.zeros_like(w, dtype=float)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            window = np.s_[:, i * step:i * step + kh, j * step:j * step + kw, :]
            dx_part = np.einsum("nf,hwcf->nhwc", dout[:, i, j], w)
            dw_part = np.einsum("nhwc,nf->hwcf", x[window], dout[:, i, j])
            if accumulate:
                dx[window] += dx_part
                dw += dw_part
            else:
                dx[window] = dx_part
                dw = dw_part
    return dx, dw, dout.sum(axis=(0, 1, 2))


def _conv_backward_mistakes():
    def overwriting(dout, x, w, stride=1):
        return _loop_conv_backward(dout, x, w, stride, accumulate=False)

    def no_stride(dout, x, w, stride=1):
        return _loop_conv_backward(dout, x, w, stride, use_stride=False)

    def kernel_not_rotated(dout, x, w, stride=1):
        return _library_conv_backward(dout, x, w[::-1, ::-1], stride)

    def db_of_first_example(dout, x, w, stride=1):
        return None, None, dout[0].sum(axis=(0, 1))

    return [
        Mistake(_PLUS_EQUALS, answer=overwriting, output="dx"),
        Mistake("dw sums the contributions of every output position and every example: "
                "accumulate with += rather than overwrite with =.", answer=overwriting,
                output="dw"),
        Mistake("the window of output (i, j) starts at (i·stride, j·stride) of x, not at "
                "(i, j): multiply the position by the stride.", answer=no_stride),
        Mistake("your dx is the full correlation of dout with the kernel as it is: dx needs the "
                "kernel rotated by 180° (a full convolution), or, with loops, add "
                "w * dout[n, i, j, f] onto the window at (i*stride, j*stride).",
                answer=kernel_not_rotated, output="dx"),
        Mistake("db sums over the batch too, not over the first example only.",
                answer=db_of_first_example, output="db"),
    ]


_CONV_HINTS = {
    "dx": ("dx[n, i*s + m, j*s + k, c] collects w[m, k, c, f] * dout[n, i, j, f] from every "
           "window (i, j) that covers it, summed over the filters f."),
    "dw": ("dw[m, k, c, f] = sum over n, i, j of x[n, i*s + m, j*s + k, c] * dout[n, i, j, f]: "
           "the input correlated with the upstream gradient."),
    "db": "db[f] sums dout[..., f] over the batch and every output position (N, H_out, W_out).",
}


def _conv_backward_cases(seed=0):
    """The conv grid with padded inputs (valid convolutions) and a seeded upstream gradient."""
    from cnnlib.reference import conv_forward, pad2d

    rng = np.random.default_rng(seed + 7)
    cases = []
    for case in conv_cases(seed):
        x, w = case.args
        stride, padding = case.kwargs["stride"], case.kwargs["padding"]
        _, cache = conv_forward(x, w, np.zeros(w.shape[3]), stride, padding)
        x_padded = pad2d(x, cache.pads)
        out, _ = conv_forward(x_padded, w, np.zeros(w.shape[3]), stride, "valid")
        dout = np.round(rng.uniform(-2, 2, out.shape), 1)
        padded = "" if padding == "valid" else f" (an input {x.shape[1:3]} padded {padding!r})"
        cases.append(Case((dout, x_padded, w), {"stride": stride},
                          f"x shape {x_padded.shape}{padded}, w shape {w.shape}, "
                          f"stride {stride}"))
    return cases


def check_conv_backward(fn):
    """Check ``conv_backward(dout, x, w, stride=1)`` -> (dx, dw, db), the backward pass of a
    valid NHWC convolution with kernels (kh, kw, C_in, C_out), against
    ``reference.conv_backward`` on the conv grid (inputs already padded; overlapping windows,
    strides larger than the kernel, batches, several channels) (notebook 07).  Hints name the
    usual mistakes: ``=`` instead of ``+=``, a kernel not rotated in dx."""
    __tracebackhide__ = True
    check_gradient(fn, _library_conv_backward, _conv_backward_cases(), name="conv_backward",
                   outputs=("dx", "dw", "db"), mistakes=_conv_backward_mistakes(),
                   hint=_CONV_HINTS)


# Max pooling backward ------------------------------------------------------------------------


def _library_max_pool_backward(dout, x, pool_size=2, stride=None):
    from cnnlib.reference import max_pool_backward, max_pool_forward

    _, cache = max_pool_forward(x, pool_size, stride)
    return max_pool_backward(dout, cache)


def _pool_backward_variants(dout, x, pool_size, stride):
    """Wrong answers, for hints: (gradient to every cell, average pooling's, max with =)."""
    ph, pw = np.broadcast_to(pool_size, 2)
    sh, sw = np.broadcast_to(pool_size if stride is None else stride, 2)
    every, mean, overwritten = (np.zeros_like(x, dtype=float) for _ in range(3))
    batch, channel = np.ogrid[:x.shape[0], :x.shape[3]]
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            window = np.s_[:, i * sh:i * sh + ph, j * sw:j * sw + pw, :]
            every[window] += dout[:, i, j][:, None, None, :]
            mean[window] += dout[:, i, j][:, None, None, :] / (ph * pw)
            flat = x[window].reshape(x.shape[0], ph * pw, x.shape[3]).argmax(axis=1)
            row, col = np.divmod(flat, pw)
            overwritten[batch, i * sh + row, j * sw + col, channel] = dout[:, i, j, :]
    return every, mean, overwritten


def _max_pool_backward_hint(case, expected, got):
    dout, x = case.args
    every, mean, overwritten = _pool_backward_variants(dout, x, case.kwargs["pool_size"],
                                                       case.kwargs.get("stride"))
    if _matches(every, got):
        return ("you sent the gradient to every cell of the window; only the maximum changed "
                "the output, so only it gets the gradient (the other cells get 0).")
    if _matches(mean, got):
        return ("that is average pooling's backward pass; max pooling sends the whole "
                "gradient to the window's maximum.")
    if _matches(overwritten, got):
        return ("overlapping windows can share their maximum: accumulate with += rather than "
                "overwrite with =.")
    return ("each window's gradient dout[n, i, j, c] goes to the position of the window's "
            "maximum (np.argmax of the flattened window, then np.unravel_index).")


def _max_pool_backward_cases(seed=0):
    """The pooling grid with distinct values (no ties inside a window) and an upstream gradient.

    The values keep the order (and the sign pattern of the all-negative case) of
    :func:`~cnnlib.checks.grids.pool_cases`, so every rule for ties passes."""
    from cnnlib.reference import max_pool2d

    rng = np.random.default_rng(seed + 7)
    cases = []
    for case in pool_cases(seed):
        (x,) = case.args
        ranks = np.argsort(np.argsort(x, axis=None, kind="stable")).reshape(x.shape)
        offset = x.size if np.all(x < 0) else x.size // 2
        distinct = (ranks - offset) / 10
        out = max_pool2d(distinct, **case.kwargs)
        dout = np.round(rng.uniform(-2, 2, out.shape), 1)
        cases.append(Case((dout, distinct), dict(case.kwargs), case.label))
    return cases


def check_max_pool_backward(fn):
    """Check ``max_pool_backward(dout, x, pool_size=2, stride=None)`` -> dx, the backward pass
    of an NHWC max pooling without padding, against ``reference.max_pool_backward`` on the
    pooling grid (overlapping windows, strides larger than the window, non-square windows,
    all-negative inputs; no ties) (notebook 07).  Hints name the usual mistakes: the gradient
    sent to every cell of the window, average pooling's rule, ``=`` instead of ``+=``."""
    __tracebackhide__ = True
    check_gradient(fn, _library_max_pool_backward, _max_pool_backward_cases(),
                   name="max_pool_backward", hint=_max_pool_backward_hint)


# im2col ----------------------------------------------------------------------------------------


def _library_im2col(x, kh, kw, stride=1):
    from cnnlib.reference import im2col

    return im2col(x, kh, kw, stride)


def _im2col_hint(case, expected, got):
    x, kh, kw = case.args
    rows, cols = expected.shape
    if np.shape(got) != expected.shape:
        return (f"one row per window, (n, i, j) in order: N*H_out*W_out = {rows} rows; one "
                f"column per window value, kh*kw*C = {cols} columns.")
    windows = expected.reshape(x.shape[0], -1, kh, kw, x.shape[3])
    if _matches(windows.transpose(0, 1, 4, 2, 3).reshape(rows, cols), got):
        return ("your rows hold each window in (C, kh, kw) order; flatten it in (kh, kw, C) "
                "order, the order of w.reshape(-1, C_out) for kernels (kh, kw, C, C_out).")
    return ("row (n*H_out + i)*W_out + j is x[n, i*s:i*s + kh, j*s:j*s + kw, :] flattened "
            "(row-major, so in (kh, kw, C) order).")


def _im2col_cases(seed=0):
    """The conv grid's padded inputs, with its kernel sizes and strides."""
    cases = []
    for case in _conv_backward_cases(seed):
        _, x, w = case.args
        kh, kw = w.shape[:2]
        label = case.label.split(", w shape")[0] + f", kh={kh}, kw={kw}, stride " \
            f"{case.kwargs['stride']}"
        cases.append(Case((x, kh, kw), dict(case.kwargs), label))
    return cases


def check_im2col(fn):
    """Check ``im2col(x, kh, kw, stride=1)`` -> cols of shape (N*H_out*W_out, kh*kw*C), one
    window of x (NHWC, no padding) per row in (n, i, j) order, flattened in (kh, kw, C) order,
    against ``reference.im2col`` on the conv grid (notebook 07)."""
    __tracebackhide__ = True
    check_function(fn, _library_im2col, _im2col_cases(), name="im2col", rtol=1e-7, atol=1e-9,
                   hint=_im2col_hint)
