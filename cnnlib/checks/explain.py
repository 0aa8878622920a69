"""Ready-made checks of notebook 16's exercises (what a CNN sees: receptive fields, Grad-CAM).

Each check is one call in the notebook, ``checks.check_receptive_field_sizes(fn)``; the
reference, the cases and the hints live here.  The references are the library's
(:func:`cnnlib.arithmetic.receptive_field`, :func:`cnnlib.explain.grad_cam_combine`); the tests
compare them with independent computations.
"""

import numbers

import numpy as np

from cnnlib.checks.core import Case, check_function

__all__ = ["check_grad_cam_combine", "check_receptive_field_sizes"]


# Exercise 1: receptive fields layer by layer -------------------------------------------------


def _receptive_field_sizes(layers):
    """The receptive field after each layer, from the closed form of the library."""
    from cnnlib.arithmetic import receptive_field

    return [receptive_field(layers[:k + 1]) for k in range(len(layers))]


def _without_jump(layers):
    return list(np.cumsum([k - 1 for k, _ in layers]) + 1)


def _jump_after(layers):
    """The slip of multiplying by the jump *after* the layer (j_out instead of j_in)."""
    sizes, size, jump = [], 1, 1
    for kernel, stride in layers:
        jump *= stride
        size += (kernel - 1) * jump
        sizes.append(size)
    return sizes


def _receptive_field_hint(case, expected, got):
    layers = case.args[0]
    if not isinstance(got, list | tuple | np.ndarray):
        return "return a list with one receptive field per layer."
    if len(got) != len(layers):
        return f"return one size per layer: {len(layers)} here."
    if not all(isinstance(v, numbers.Integral) for v in got):
        return "receptive fields are whole numbers of pixels: keep ints."
    if list(got) == _without_jump(layers):
        return ("after a stride-2 layer, neighbouring units are 2 input pixels apart: a kernel "
                "of k units adds (k − 1)·j_in pixels, j_in the product of the strides so far.")
    if list(got) == _jump_after(layers):
        return ("a layer's kernel spans units of its *input*: multiply (k − 1) by the jump before "
                "the layer, then update the jump with the layer's stride.")
    return "start from r = j = 1 (one pixel); each layer: r ← r + (k − 1)·j, then j ← j·s."


def check_receptive_field_sizes(fn):
    """Check ``receptive_field_sizes(layers)``: for ``layers``, a list of ``(kernel_size,
    stride)`` of stacked convolution/pooling layers, first layer first, the list of the
    receptive fields (in input pixels) of one unit after each layer (notebook 16).  The cases:
    3×3 stacks, pooling in between, strided first layers, 1×1 layers, one layer alone."""
    __tracebackhide__ = True
    cases = [
        Case(([(3, 1), (3, 1), (3, 1)],), label="three 3×3 convolutions, stride 1"),
        Case(([(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2)],),
             label="two VGG blocks: 3×3, 3×3, 2×2/2 pooling, twice"),
        Case(([(7, 2), (3, 2), (3, 1), (3, 1)],), label="a ResNet stem: 7×7/2, 3×3/2 pool, 3×3"),
        Case(([(11, 4), (3, 2), (5, 1)],), label="AlexNet's first layers: 11×11/4, 3×3/2, 5×5"),
        Case(([(1, 1), (3, 1), (1, 1)],), label="1×1 layers add nothing"),
        Case(([(5, 1)],), label="one 5×5 layer"),
        Case(([(2, 2), (2, 2), (2, 2), (3, 1)],), label="three 2×2/2 poolings, then 3×3"),
    ]
    check_function(fn, _receptive_field_sizes, cases, name="receptive_field_sizes",
                   hint=_receptive_field_hint)


# Exercise 2: Grad-CAM from activations and gradients -----------------------------------------


def _grad_cam_combine(activations, gradients):
    from cnnlib.explain import grad_cam_combine

    return grad_cam_combine(activations, gradients)


def _grad_cam_hint(case, expected, got):
    activations, gradients = (np.asarray(a, dtype=float) for a in case.args)
    got = np.asarray(got, dtype=float) if np.ndim(got) else got
    if np.shape(got) != expected.shape:
        return (f"return one map per image, shape (N, h, w) = {expected.shape}: sum the "
                "weighted maps over the channel axis k.")
    weights = gradients.mean(axis=(1, 2))
    weighted = np.einsum("nijk,nk->nij", activations, weights)
    if np.allclose(got, weighted):
        return "Grad-CAM keeps only the positive evidence for the class: apply a ReLU at the end."
    if np.allclose(got, np.maximum(weighted * gradients.shape[1] * gradients.shape[2], 0)):
        return "α_k is the *mean* of the gradients over the h×w positions, not their sum."
    if np.allclose(got, np.maximum((activations * gradients).sum(axis=-1), 0)):
        return ("you multiplied activations and gradients position by position; Grad-CAM first "
                "averages each channel's gradients into one weight α_k per channel.")
    return "α_k = mean over i, j of the gradients of channel k; map = ReLU(Σ_k α_k A^k)."


def _grad_cam_cases():
    rng = np.random.default_rng(16)
    single = np.zeros((1, 3, 3, 2))
    single[0, 1, 1, 0] = 2.0
    single[0, 0, 2, 1] = 1.0
    pull = np.stack([np.full((1, 3, 3), 0.5), np.full((1, 3, 3), -1.0)], axis=-1)
    return [
        Case((single, pull), label="two channels: one with positive, one with negative weight"),
        Case((single, -pull), label="the same maps, gradients of the other sign"),
        Case((rng.random((2, 4, 4, 3)), rng.normal(size=(2, 4, 4, 3))),
             label="a batch of two random 4×4×3 maps"),
        Case((rng.random((1, 2, 5, 4)), rng.normal(size=(1, 2, 5, 4))),
             label="a 2×5 map (not square)"),
        Case((np.abs(rng.normal(size=(3, 7, 7, 8))), rng.normal(size=(3, 7, 7, 8)) * 1e-3),
             label="three 7×7×8 maps with small gradients"),
        Case((rng.random((1, 1, 1, 4)), rng.normal(size=(1, 1, 1, 4))), label="a 1×1 map"),
    ]


def check_grad_cam_combine(fn):
    """Check ``grad_cam_combine(activations, gradients)``: from a layer's feature maps
    ``A`` and the gradients of a class score with respect to them, both ``(N, h, w, K)``, the
    Grad-CAM maps ``ReLU(Σ_k α_k A^k)`` with ``α_k`` the mean gradient of channel ``k``, shape
    ``(N, h, w)`` (notebook 16).  The cases: hand-made maps with weights of both signs, random
    batches, a non-square map, a 1×1 map."""
    __tracebackhide__ = True
    check_function(fn, _grad_cam_combine, _grad_cam_cases(), name="grad_cam_combine",
                   rtol=1e-6, atol=1e-9, hint=_grad_cam_hint)
