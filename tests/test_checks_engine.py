"""The check engine: known mistakes get their own hint and only theirs, several outputs, the
first line of every failure fits nbgrader's 90 characters, the hidden tests' library detector."""

import numpy as np
import pytest
from check_helpers import WIDTH, assert_message_shape, failure

from cnnlib import arithmetic, checks, reference
from cnnlib.checks import (
    Case,
    CheckFailed,
    Mistake,
    check_function,
    nb01_why_convolutions,
    nb05_channels_cost,
)
from cnnlib.checks.backprop import _library_conv_backward, _loop_conv_backward
from cnnlib.checks.core import run_student

# --- Each known mistake gets its own hint, and a hint is shown only when it matches ---------


def test_padding_added_once_is_told_so_not_off_by_one():
    message = failure(checks.check_conv_output_size, lambda n, k, s=1, p=0: (n + p - k) // s + 1)
    assert "both sides" in message and "off by one" not in message


def test_off_by_one_is_told_so_not_padding():
    message = failure(checks.check_conv_output_size, lambda n, k, s=1, p=0: (n + 2 * p - k) // s)
    assert "off by one" in message and "both sides" not in message


@pytest.mark.parametrize(("wrong", "phrase"), [
    (lambda n, k, s=1, p=0: (n - k) // s + 1, "padded first"),
    (lambda n, k, s=1, p=0: n + 2 * p - k + 1, "every `stride` pixels"),
    (lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1, "whole number"),
])
def test_other_output_size_mistakes_get_their_hint(wrong, phrase):
    assert phrase in failure(checks.check_conv_output_size, wrong)


def test_conv_backward_without_the_stride_is_not_told_about_plus_equals():
    def no_stride(dout, x, w, stride=1):
        return _loop_conv_backward(dout, x, w, stride, use_stride=False)

    message = failure(checks.check_conv_backward, no_stride)
    assert "(i·stride, j·stride)" in message and "+=" not in message


def test_conv_backward_with_equals_is_told_about_plus_equals_only():
    def overwriting(dout, x, w, stride=1):
        return _loop_conv_backward(dout, x, w, stride, accumulate=False)

    message = failure(checks.check_conv_backward, overwriting)
    assert "+=" in message and "stride" not in message.split("Hint:")[1]


def test_an_unknown_mistake_gets_the_generic_hint_only():
    def noisy(dout, x, w, stride=1):
        dx, dw, db = _library_conv_backward(dout, x, w, stride)
        return dx + 0.5, dw, db

    message = failure(checks.check_conv_backward, noisy)
    assert "+=" not in message and "180°" not in message and "collects" in message


@pytest.mark.parametrize(("check", "wrong", "phrase"), [
    (checks.check_max_pool2d, lambda x, pool_size=2, stride=None: reference.max_pool2d(
        x, pool_size), "not every `pool_size`"),
    (checks.check_max_pool2d, lambda x, pool_size=2, stride=None: reference.max_pool2d(
        x, pool_size, 1 if stride is None else stride), "defaults to pool_size"),
    (checks.check_avg_pool2d, lambda x, pool_size=2, stride=None: reference.avg_pool2d(
        x, pool_size if isinstance(pool_size, int) else pool_size[0], stride), "non-square"),
    (checks.check_conv2d, lambda x, w, stride=1, padding="valid": reference.conv2d(
        x, w[::-1, ::-1], stride=stride, padding=padding), "true convolution"),
    (checks.check_conv2d, lambda x, w, stride=1, padding="valid": reference.conv2d(
        x, w, stride=1, padding=padding)[:, ::stride, ::stride], "subsample"),
    (checks.check_correlate2d, reference.convolve2d, "you flipped the kernel"),
    (checks.check_dense_params, lambda n_inputs, n_units: n_inputs * n_units + n_inputs,
     "per unit, not per input"),
    (checks.check_values_per_image, lambda height, width, channels: height * width,
     "`channels`"),
    (checks.check_layer_weights, lambda h, w, kh, kw: (h * w, (3 * h - 2) * (3 * w - 2), 9),
     "(height·width)²"),
])
def test_each_known_mistake_gets_its_hint(check, wrong, phrase):
    assert phrase in failure(check, wrong)


def _cost(parameters=0, macs=0, scale=4):
    def wrong(input_shape, kernel_size, filters, stride=1, padding="same"):
        p, m, b = nb05_channels_cost._library_conv_layer_cost(input_shape, kernel_size, filters,
                                                              stride, padding)
        return p + parameters * filters, m + macs * (b // 4), b * scale // 4
    return wrong


def _same_padding_before_first(x, w, stride=1, padding="valid"):
    if padding != "same":
        return reference.conv2d(x, w, stride=stride, padding=padding)
    pads = []
    for n, k in zip(x.shape[1:3], w.shape[:2], strict=True):
        total = max((-(-n // stride) - 1) * stride + k - n, 0)
        pads.append((total - total // 2, total // 2))
    return reference.conv2d(reference.pad2d(x, tuple(pads)), w, stride=stride)


def _negative_padding(n, kernel_size, stride):
    total = (-(-n // stride) - 1) * stride + kernel_size - n
    return total // 2, total - total // 2


@pytest.mark.parametrize(("check", "wrong", "phrase"), [
    (checks.check_conv_layer_cost, _cost(parameters=-1), "one bias too"),
    (checks.check_conv_layer_cost, _cost(macs=1), "addition only"),
    (checks.check_conv_layer_cost, _cost(scale=1), "4 bytes per float32"),
    (checks.check_conv2d, _same_padding_before_first, "bottom/right, not the top/left"),
    (checks.check_conv2d, lambda x, w, stride=1, padding="valid": reference.conv2d(
        x, w, stride=stride), "padding was not applied"),
    (checks.check_conv2d, lambda x, w, stride=1, padding="valid": reference.conv2d(
        x[..., :1], w[:, :, :1], stride=stride, padding=padding), "all input channels"),
    (checks.check_conv_output_size, lambda n, k, s=1, p=0: (n + 2 * p) // s - k + 1,
     "divide only the distance"),
    (checks.check_same_padding_split, _negative_padding, "never negative"),
    (checks.check_max_pool2d, lambda x, **kwargs: np.maximum(reference.max_pool2d(x, **kwargs), 0),
     "start the maximum from the window"),
    (checks.check_layer_weights, lambda h, w, kh, kw: (
        (h * w) ** 2, nb01_why_convolutions._counted_layer_weights(h, w, kh, kw)[1],
        h * w * kh * kw), "shares one kernel"),
])
def test_more_known_mistakes_get_their_hint(check, wrong, phrase):
    message = failure(check, wrong)
    assert phrase in message
    assert message.count("Hint:") == 1 and " Or: " not in message, "one mistake, one hint"


def test_a_mistake_never_matches_a_right_answer():
    always = Mistake("never shown", answer=lambda n: n)
    message = failure(lambda fn: check_function(fn, lambda n: n, [Case((1,)), Case((2,))],
                                                mistakes=[always], hint="generic"),
                      lambda n: 1)
    assert "never shown" not in message and "generic" in message


def test_mistakes_are_declared_with_one_way_to_recognise_them():
    with pytest.raises(ValueError, match="exactly one"):
        Mistake("hint")
    with pytest.raises(TypeError, match="hint"):
        Mistake("", when=lambda *a: True)
    with pytest.raises(TypeError, match="mistakes"):
        check_function(abs, abs, [Case((1,))], mistakes=["hint"])


# --- Several outputs and running the student's function -------------------------------------


def test_several_outputs_one_line_each(capsys):
    check_function(lambda a: (a, 2 * a), lambda a: (a, 2 * a), [Case((1,)), Case((2,))],
                   name="pair", outputs=("first", "second"))
    assert capsys.readouterr().out == ("✔ pair first: passed all 2 cases\n"
                                       "✔ pair second: passed all 2 cases\n")
    message = failure(lambda fn: check_function(fn, lambda a: (a, 2 * a), [Case((1,))],
                                                name="pair", outputs=("first", "second"),
                                                hint={"second": "double it"}),
                      lambda a: (a, a))
    assert message.startswith("✘ pair second: case 1/1 failed: expected 2, got 1")
    assert "double it" in message


def test_run_student_copies_the_arguments_and_names_the_error():
    data = np.ones(2)
    assert run_student(lambda a: a.fill(0) or 5, Case((data,)), name="f") == 5
    assert np.array_equal(data, np.ones(2))
    with pytest.raises(CheckFailed, match="not answered yet"):
        run_student(lambda: (_ for _ in ()).throw(NotImplementedError()), name="f")
    with pytest.raises(CheckFailed, match="case 1/3: your function raised ZeroDivisionError"):
        run_student(lambda: 1 / 0, name="f", position="case 1/3")


# --- The first line of every failure fits in 90 characters -----------------------------------


def _ready_made_checks():
    return [getattr(checks, name) for name in checks.__all__
            if name.startswith("check_") and name not in (
                "check_function", "check_gradient", "check_value")]


WRONG_ANSWERS = [
    lambda *args, **kwargs: None,
    lambda *args, **kwargs: 7,
    lambda *args, **kwargs: (1, 2),
    lambda *args, **kwargs: np.zeros((3, 3)),
    lambda *args, **kwargs: 1 / 0,
]


@pytest.mark.parametrize("check", _ready_made_checks(), ids=lambda c: c.__name__)
def test_every_failure_message_fits_nbgrader(check):
    for wrong in WRONG_ANSWERS:
        with pytest.raises(CheckFailed) as info:
            check(wrong)
        message = str(info.value)
        assert_message_shape(message)
        first = message.split("\n")[0]
        assert len(first) <= WIDTH
        if "case" in first and "raised" not in first:
            assert "expected" in first and "got" in first, first


def test_long_values_are_cut_on_the_first_line_only():
    expected = tuple(range(10**8, 10**8 + 12))
    with pytest.raises(CheckFailed) as info:
        check_function(lambda: expected[::-1], lambda: expected, [Case(label="x" * 120)])
    first, *rest = str(info.value).split("\n")
    assert len(first) == WIDTH and first.endswith("…")
    assert str(10**8 + 11) in " ".join(rest)


# --- The hidden tests' detector of library calls ---------------------------------------------


def own_conv_output_size(n, kernel_size, stride=1, padding=0):
    return (n + 2 * padding - kernel_size) // stride + 1


def library_conv_output_size(n, kernel_size, stride=1, padding=0):
    return arithmetic.conv_output_size(n, kernel_size, stride, padding)


def calls_a_helper(n, kernel_size, stride=1, padding=0):
    return library_conv_output_size(n, kernel_size, stride, padding)


def imports_it(x, w, stride=1, padding="valid"):
    from cnnlib.reference import conv2d

    return conv2d(x, w, stride=stride, padding=padding)


def uses_the_check_module(n, kernel_size, stride=1, padding=0):
    return checks.nb01_why_convolutions._counted_layer_weights(n, n, kernel_size, kernel_size)


def test_own_work_passes():
    assert checks.library_calls(own_conv_output_size) == []
    checks.assert_own_work(own_conv_output_size)


@pytest.mark.parametrize("fn", [library_conv_output_size, calls_a_helper, imports_it,
                                uses_the_check_module, reference.conv2d,
                                lambda x: arithmetic.conv_output_size(x, 3)])
def test_a_library_calling_solution_fails(fn):
    assert checks.library_calls(fn)
    with pytest.raises(CheckFailed) as info:
        checks.assert_own_work(fn)
    assert_message_shape(str(info.value))
    assert "uses cnnlib" in str(info.value).split("\n")[0]


def test_forbidden_names_can_be_narrow():
    import scipy.signal

    def scipy_correlate(image, kernel):
        return scipy.signal.correlate2d(image, kernel, mode="valid")

    def closure():
        fn = reference.correlate2d
        return lambda image, kernel: fn(image, kernel)

    assert checks.library_calls(scipy_correlate, ("scipy.signal",)) == ["scipy.signal"]
    assert checks.library_calls(closure(), ("cnnlib.reference",))
    assert checks.library_calls(library_conv_output_size, ("cnnlib.reference",)) == []
    assert checks.library_calls(lambda: eval("1")) == ["builtins.eval"]
    with pytest.raises(TypeError, match="forbidden"):
        checks.library_calls(abs, "cnnlib")
