"""cnnlib.checks.backprop (notebook 07): right answers pass, the usual mistakes fail with a hint."""

import numpy as np
import pytest
import scipy.signal
from check_helpers import failure
from numpy.lib.stride_tricks import sliding_window_view

from cnnlib import checks, reference
from cnnlib.checks.backprop import (
    _conv_backward_cases,
    _im2col_cases,
    _max_pool_backward_cases,
)

# --- Convolution backward -----------------------------------------------------------------------


def library_conv_backward(dout, x, w, stride=1):
    _, cache = reference.conv_forward(x, w, np.zeros(w.shape[3]), stride)
    return reference.conv_backward(dout, cache)


def notebook_conv_backward(dout, x, w, stride=1, accumulate=True, rotate=False):
    """The notebook's solution; accumulate=False is the "=" mistake, rotate=True the kernel
    flipped by mistake (the full correlation with the kernel as it is, in loop form)."""
    kh, kw = w.shape[:2]
    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    w_dx = w[::-1, ::-1] if rotate else w
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            window = np.s_[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            upstream_ij = dout[:, i, j, :]
            if accumulate:
                dw += np.einsum("nhwc,nf->hwcf", x[window], upstream_ij)
                dx[window] += np.einsum("nf,hwcf->nhwc", upstream_ij, w_dx)
            else:
                dw = np.einsum("nhwc,nf->hwcf", x[window], upstream_ij)
                dx[window] = np.einsum("nf,hwcf->nhwc", upstream_ij, w_dx)
    return dx, dw, dout.sum(axis=(0, 1, 2))


def formula_conv_backward(dout, x, w, stride=1, flip=True):
    """The lecture's formulas with SciPy: dw = x ⋆ dout, dx = dout * w (full); strides by
    dilating dout.  flip=False correlates dout with the kernel as it is (a mistake)."""
    n, h, width, c_in = x.shape
    kh, kw, _, c_out = w.shape
    out_h, out_w = dout.shape[1:3]
    dilated = np.zeros((n, (out_h - 1) * stride + 1, (out_w - 1) * stride + 1, c_out))
    dilated[:, ::stride, ::stride] = dout
    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    full = scipy.signal.convolve2d if flip else scipy.signal.correlate2d
    for e in range(n):
        for c in range(c_in):
            for f in range(c_out):
                grad = full(dilated[e, :, :, f], w[:, :, c, f], mode="full")
                dx[e, :grad.shape[0], :grad.shape[1], c] += grad[:h, :width]
                rows, cols = dilated.shape[1] + kh - 1, dilated.shape[2] + kw - 1
                dw[:, :, c, f] += scipy.signal.correlate2d(x[e, :rows, :cols, c],
                                                           dilated[e, :, :, f], mode="valid")
    return dx, dw, dout.sum(axis=(0, 1, 2))


@pytest.mark.parametrize("fn", [library_conv_backward, notebook_conv_backward,
                                formula_conv_backward])
def test_right_conv_backward_passes(fn, capsys):
    checks.check_conv_backward(fn)
    assert capsys.readouterr().out == "".join(
        f"✔ conv_backward {name}: passed all 14 cases\n" for name in ("dx", "dw", "db"))


def test_conv_backward_grid_holds_overlapping_windows_first():
    cases = _conv_backward_cases()
    strides = [case.kwargs["stride"] for case in cases]
    kernels = [case.args[2].shape[:2] for case in cases]
    outputs = [case.args[0].shape[1:3] for case in cases]
    overlapping = [s < min(k) and min(o) > 1 for s, k, o in zip(strides, kernels, outputs,
                                                                  strict=True)]
    assert overlapping[0], "case 1 already catches '=' instead of '+='"
    assert any(s > max(k) for s, k in zip(strides, kernels, strict=True))
    assert any(case.args[1].shape[0] > 1 for case in cases)
    assert any(case.args[2].shape[2] != case.args[2].shape[3] for case in cases)
    assert any("padded 'same'" in case.label for case in cases)


def test_equals_instead_of_plus_equals_fails_with_the_hint():
    message = failure(checks.check_conv_backward,
                      lambda dout, x, w, stride=1: notebook_conv_backward(dout, x, w, stride,
                                                                          accumulate=False))
    assert message.startswith("✘ conv_backward dx: case 1/14 failed")
    assert "stride 1" in message and "+=" in message and "rather than overwrite" in message


def test_equals_in_dw_only_fails_in_dw():
    def dw_overwritten(dout, x, w, stride=1):
        dx, _, db = notebook_conv_backward(dout, x, w, stride)
        _, dw, _ = notebook_conv_backward(dout, x, w, stride, accumulate=False)
        return dx, dw, db

    message = failure(checks.check_conv_backward, dw_overwritten)
    assert message.startswith("✘ conv_backward dw: case 1/14 failed") and "+=" in message


@pytest.mark.parametrize("wrong", [
    lambda dout, x, w, stride=1: formula_conv_backward(dout, x, w, stride, flip=False),
    lambda dout, x, w, stride=1: notebook_conv_backward(dout, x, w, stride, rotate=True),
], ids=["formula", "loops"])
def test_unrotated_kernel_in_dx_fails_with_the_hint(wrong):
    message = failure(checks.check_conv_backward, wrong)
    assert message.startswith("✘ conv_backward dx: case 1/14 failed")
    assert "rotated by 180°" in message


def test_bias_gradient_of_one_example_fails():
    def first_example_db(dout, x, w, stride=1):
        dx, dw, _ = notebook_conv_backward(dout, x, w, stride)
        return dx, dw, dout[0].sum(axis=(0, 1))

    message = failure(checks.check_conv_backward, first_example_db)
    assert message.startswith("✘ conv_backward db: case 2/14") and "over the batch" in message


def test_conv_backward_must_return_three_gradients():
    message = failure(checks.check_conv_backward,
                      lambda dout, x, w, stride=1: notebook_conv_backward(dout, x, w, stride)[0])
    assert "case 1 of 14 failed" in message and "return a tuple (dx, dw, db)" in message
    message = failure(checks.check_conv_backward, lambda dout, x, w, stride=1: None)
    assert "got None" in message and "return" in message


def test_conv_backward_not_answered_yet():
    def conv_backward(dout, x, w, stride=1):
        # YOUR CODE HERE
        raise NotImplementedError()

    message = failure(checks.check_conv_backward, conv_backward)
    assert "not answered yet" in message and "in conv_backward" in message


def test_errors_in_the_student_code_are_reported_with_the_case():
    def broken(dout, x, w, stride=1):
        return x[:, :, :, :, 0], w, dout

    message = failure(checks.check_conv_backward, broken)
    assert "case 1 of 14 failed" in message and "IndexError" in message and "in broken" in message


# --- Max pooling backward -----------------------------------------------------------------------


def library_max_pool_backward(dout, x, pool_size=2, stride=None):
    _, cache = reference.max_pool_forward(x, pool_size, stride)
    return reference.max_pool_backward(dout, cache)


def notebook_max_pool_backward(dout, x, pool_size=2, stride=None, route="max", accumulate=True):
    """The notebook's solution; route="every" sends the gradient to every cell of the window,
    route="mean" is average pooling's rule, accumulate=False the "=" mistake."""
    ph, pw = np.broadcast_to(pool_size, 2)
    sh, sw = np.broadcast_to(pool_size if stride is None else stride, 2)
    dx = np.zeros(x.shape)
    for n in range(dout.shape[0]):
        for c in range(dout.shape[3]):
            for i in range(dout.shape[1]):
                for j in range(dout.shape[2]):
                    cells = np.s_[n, i * sh:i * sh + ph, j * sw:j * sw + pw, c]
                    window = x[cells]
                    if route == "every":
                        dx[cells] += dout[n, i, j, c]
                    elif route == "mean":
                        dx[cells] += dout[n, i, j, c] / window.size
                    else:
                        row, col = np.unravel_index(np.argmax(window), window.shape)
                        target = (n, i * sh + row, j * sw + col, c)
                        if accumulate:
                            dx[target] += dout[n, i, j, c]
                        else:
                            dx[target] = dout[n, i, j, c]
    return dx


def mask_max_pool_backward(dout, x, pool_size=2, stride=None):
    """Every cell equal to the window's maximum gets the gradient: right when there are no ties."""
    ph, pw = np.broadcast_to(pool_size, 2)
    sh, sw = np.broadcast_to(pool_size if stride is None else stride, 2)
    dx = np.zeros(x.shape)
    windows = sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            window = windows[:, i, j]  # (N, C, ph, pw)
            mask = window == window.max(axis=(2, 3), keepdims=True)
            contribution = (mask * dout[:, i, j, :, None, None]).transpose(0, 2, 3, 1)
            dx[:, i * sh:i * sh + ph, j * sw:j * sw + pw, :] += contribution
    return dx


@pytest.mark.parametrize("fn", [library_max_pool_backward, notebook_max_pool_backward,
                                mask_max_pool_backward])
def test_right_max_pool_backward_passes(fn, capsys):
    checks.check_max_pool_backward(fn)
    assert capsys.readouterr().out == "✔ max_pool_backward: passed all 10 cases\n"


def test_max_pool_grid_has_no_ties_and_keeps_its_edge_cases():
    cases = _max_pool_backward_cases()
    for case in cases:
        dout, x = case.args
        ph, pw = np.broadcast_to(case.kwargs["pool_size"], 2)
        sh, sw = np.broadcast_to(case.kwargs.get("stride") or (ph, pw), 2)
        windows = sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]
        flat = windows.reshape(*windows.shape[:4], -1)
        assert (np.sort(flat, axis=-1)[..., -1] > np.sort(flat, axis=-1)[..., -2]).all()
        assert dout.shape == reference.max_pool2d(x, **case.kwargs).shape
    assert any(np.all(case.args[1] < 0) for case in cases)
    assert any(case.kwargs.get("stride", 99) < np.max(case.kwargs["pool_size"]) for case in cases)


@pytest.mark.parametrize(("route", "hint"), [("every", "every cell of the window"),
                                             ("mean", "average pooling")])
def test_wrong_routing_fails_with_the_hint(route, hint):
    message = failure(checks.check_max_pool_backward,
                      lambda dout, x, pool_size=2, stride=None: notebook_max_pool_backward(
                          dout, x, pool_size, stride, route=route))
    assert message.startswith("✘ max_pool_backward: case 1/10 failed") and hint in message


def test_max_pool_backward_with_equals_fails_where_windows_overlap():
    message = failure(checks.check_max_pool_backward,
                      lambda dout, x, pool_size=2, stride=None: notebook_max_pool_backward(
                          dout, x, pool_size, stride, accumulate=False))
    assert "stride 1" in message and "can share their maximum" in message


# --- im2col -------------------------------------------------------------------------------------


def notebook_im2col(x, kh, kw, stride=1, order=(0, 1, 2)):
    """The notebook's solution; order=(2, 0, 1) flattens each window in (C, kh, kw) order."""
    n_examples, height, width, channels = x.shape
    out_h, out_w = (height - kh) // stride + 1, (width - kw) // stride + 1
    rows = np.empty((n_examples * out_h * out_w, kh * kw * channels))
    for n in range(n_examples):
        for i in range(out_h):
            for j in range(out_w):
                window = x[n, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
                rows[(n * out_h + i) * out_w + j] = window.transpose(order).ravel()
    return rows


@pytest.mark.parametrize("fn", [reference.im2col, notebook_im2col])
def test_right_im2col_passes(fn, capsys):
    checks.check_im2col(fn)
    assert capsys.readouterr().out == "✔ im2col: passed all 14 cases\n"


def test_im2col_in_channel_first_order_fails_with_the_hint():
    message = failure(checks.check_im2col, lambda x, kh, kw, stride=1: notebook_im2col(
        x, kh, kw, stride, order=(2, 0, 1)))
    assert "case 2 of 14" in message and "(kh, kw, C) order" in message


def test_im2col_with_the_wrong_shape_fails_with_the_shape():
    message = failure(checks.check_im2col,
                      lambda x, kh, kw, stride=1: notebook_im2col(x, kh, kw, stride).T)
    assert "expected output shape (4, 9), got (9, 4)" in message and "N*H_out*W_out" in message


def test_im2col_grid_is_the_conv_grid():
    assert [case.kwargs for case in _im2col_cases()] == \
        [case.kwargs for case in _conv_backward_cases()]
