"""cnnlib.checks: right answers pass; known-wrong ones fail with a useful, spoiler-free message."""

import re
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from check_helpers import failure, solutions_pass_test
from numpy.lib.stride_tricks import sliding_window_view

from cnnlib import arithmetic, checks, reference
from cnnlib.checks import Case, CheckFailed, answer_hash, check_function, check_value

# --- Independent correct implementations (not the library's) ---------------------------------


def loop_correlate2d(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def loop_convolve2d(image, kernel):
    return loop_correlate2d(image, kernel[::-1, ::-1])


def tf_conv2d(x, w, stride=1, padding="valid"):
    if isinstance(padding, int):
        padding = [[0, 0], [padding, padding], [padding, padding], [0, 0]]
    else:
        padding = padding.upper()
    return tf.nn.conv2d(x, w, strides=stride, padding=padding).numpy()


def window_pool(reduce):
    def pool(x, pool_size=2, stride=None):
        ph, pw = pool_size if isinstance(pool_size, tuple) else (pool_size, pool_size)
        sh, sw = (ph, pw) if stride is None else (stride, stride)
        windows = sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]
        return reduce(windows, axis=(-2, -1))
    return pool


def formula_output_size(n, kernel_size, stride=1, padding=0):
    return (n + 2 * padding - kernel_size) // stride + 1


RIGHT = [
    (checks.check_correlate2d, reference.correlate2d),
    (checks.check_correlate2d, loop_correlate2d),
    (checks.check_convolve2d, reference.convolve2d),
    (checks.check_convolve2d, loop_convolve2d),
    (checks.check_conv2d, reference.conv2d),
    (checks.check_conv2d, tf_conv2d),
    (checks.check_max_pool2d, reference.max_pool2d),
    (checks.check_max_pool2d, window_pool(np.max)),
    (checks.check_avg_pool2d, reference.avg_pool2d),
    (checks.check_avg_pool2d, window_pool(np.mean)),
    (checks.check_conv_output_size, arithmetic.conv_output_size),
    (checks.check_conv_output_size, formula_output_size),
]


@pytest.mark.parametrize(("check", "fn"), RIGHT,
                         ids=[f"{c.__name__}-{f.__name__}" for c, f in RIGHT])
def test_right_answers_pass_with_one_line(check, fn, capsys):
    check(fn)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✔ ") and "passed all" in out


def test_conv2d_in_float32_passes():
    """Tolerances suit the quantity: float32 arithmetic is not a mistake."""
    def conv2d_float32(x, w, **kwargs):
        return tf_conv2d(x.astype("float32"), w.astype("float32"), **kwargs)

    checks.check_conv2d(conv2d_float32)


# --- Known-wrong answers ----------------------------------------------------------------------




def test_unflipped_kernel_fails_convolve2d_on_the_first_case():
    message = failure(checks.check_convolve2d, loop_correlate2d)
    assert "case 1 of" in message and "kernel [[1, 2], [0, -1]]" in message
    assert "expected" in message and "got" in message
    assert "did not flip the kernel" in message


def test_kernel_flipped_along_one_axis_fails_convolve2d():
    message = failure(checks.check_convolve2d, lambda image, k: loop_correlate2d(image, k[::-1]))
    assert "one axis only" in message


def test_off_by_one_output_size_fails():
    message = failure(checks.check_conv_output_size, lambda n, k, s=1, p=0: (n + 2 * p - k) // s)
    assert "n=7, kernel_size=3, stride=1, padding=0: expected 5, got 4" in message
    assert "off by one" in message


def test_float_output_size_fails():
    message = failure(checks.check_conv_output_size, lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1)
    assert "got 5.0" in message and "//" in message


def test_pool_that_ignores_stride_fails():
    def pool(x, pool_size=2, stride=None):
        return window_pool(np.max)(x, pool_size)

    message = failure(checks.check_max_pool2d, pool)
    assert "stride 1" in message and "expected output shape" in message
    assert "every `stride` pixels" in message


def test_max_pool_that_starts_from_zero_fails():
    message = failure(checks.check_max_pool2d,
                      lambda x, **kw: np.maximum(window_pool(np.max)(x, **kw), 0))
    assert "expected" in message and "got" in message


def test_conv2d_that_ignores_same_padding_fails():
    message = failure(checks.check_conv2d,
                      lambda x, w, stride=1, padding="valid": tf_conv2d(x, w, stride, "valid"))
    assert "padding 'same'" in message and "expected output shape" in message
    assert "x shape (2, 5, 5, 3), w shape (3, 3, 3, 2), stride 1" in message


def test_conv2d_without_channel_sum_fails():
    def first_channel_only(x, w, stride=1, padding="valid"):
        return tf_conv2d(x[..., :1], w[:, :, :1], stride, padding)

    message = failure(checks.check_conv2d, first_channel_only)
    assert "case 2 of" in message  # case 1 has a single input channel


def test_not_answered_yet():
    def conv2d(x, w, stride=1, padding="valid"):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(CheckFailed) as info:
        checks.check_conv2d(conv2d)
    assert "not answered yet" in str(info.value) and "in conv2d" in str(info.value)
    assert info.value.__suppress_context__, "raised from None: a short traceback"


def test_other_exceptions_are_reported_with_the_case():
    def correlate2d(image, kernel):
        out = np.zeros((2, 2))
        return out[image.shape[0]]

    message = failure(checks.check_correlate2d, correlate2d)
    assert "case 1 of" in message and "IndexError" in message and "in correlate2d, line" in message


def test_missing_return_is_named():
    message = failure(checks.check_correlate2d, lambda image, kernel: None)
    assert "got None" in message and "return" in message


# --- A backward pass: "=" instead of "+=" -----------------------------------------------------


def conv_backward_dx(dout, x, w, stride, accumulate=True):
    """dx of a valid NHWC convolution, with loops (the exercise of notebook 07)."""
    kh, kw = w.shape[:2]
    dx = np.zeros_like(x)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            window = (slice(None), slice(i * stride, i * stride + kh),
                      slice(j * stride, j * stride + kw))
            contribution = np.einsum("no,hwco->nhwc", dout[:, i, j], w)
            if accumulate:
                dx[window] += contribution
            else:
                dx[window] = contribution
    return dx


def tape_dx(dout, x, w, stride):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.conv2d(x, w, strides=stride, padding="VALID")
    return tape.gradient(y, x, output_gradients=tf.constant(dout)).numpy()


def backward_cases():
    rng = np.random.default_rng(0)
    cases = []
    for n, size, c_in, k, c_out, stride in [(1, 4, 1, 2, 1, 2), (2, 5, 2, 3, 3, 1),
                                           (1, 7, 2, 3, 2, 2), (1, 6, 1, 2, 2, 3)]:
        x, w = rng.normal(size=(n, size, size, c_in)), rng.normal(size=(k, k, c_in, c_out))
        out = (size - k) // stride + 1
        dout = rng.normal(size=(n, out, out, c_out))
        cases.append(Case((dout, x, w, stride),
                          label=f"x shape {x.shape}, w shape {w.shape}, stride {stride}"))
    return cases


def test_backward_pass_with_plus_equals_passes(capsys):
    checks.check_gradient(conv_backward_dx, tape_dx, backward_cases(), name="conv_backward")
    assert capsys.readouterr().out == "✔ conv_backward: passed all 4 cases\n"


def test_backward_pass_with_equals_fails_where_windows_overlap():
    def overwriting(dout, x, w, stride):
        return conv_backward_dx(dout, x, w, stride, accumulate=False)

    mistake = checks.Mistake("accumulate with += rather than overwrite with =.", answer=overwriting)
    message = failure(lambda fn: checks.check_gradient(fn, tape_dx, backward_cases(),
                                                       name="conv_backward", mistakes=[mistake]),
                      overwriting)
    # Case 1 (stride = kernel, no overlap) passes even with "="; case 2 overlaps.
    assert "case 2 of 4" in message and "stride 1" in message and "+=" in message


# --- check_function machinery -----------------------------------------------------------------


def test_tolerance_and_exactness():
    cases = [Case((2.0,))]
    check_function(lambda v: v * (1 + 1e-9), lambda v: v, cases)
    with pytest.raises(CheckFailed):
        check_function(lambda v: v * (1 + 1e-3), lambda v: v, cases)
    with pytest.raises(CheckFailed, match=r"expected \(2, 3\), got \(3, 2\)"):
        check_function(lambda: (3, 2), lambda: (2, 3), [Case()])
    check_function(lambda: [np.int64(2), 3], lambda: (2, 3), [Case()])
    with pytest.raises(CheckFailed, match="not an int"):
        check_function(lambda: 3.0, lambda: 3, [Case()])


def test_large_arrays_report_the_largest_difference():
    expected = np.zeros((10, 10))
    got = expected.copy()
    got[3, 4], got[5, 6] = 0.5, 2.0
    message = failure(lambda fn: check_function(fn, lambda: expected, [Case(label="the case")]),
                      lambda: got)
    assert "the case: 2 of 100 values differ" in message and "at index (5, 6)" in message
    assert "expected 0, got 2" in message


def test_student_cannot_change_the_inputs_of_the_reference():
    """Two cases share one input array (as the equivariance grid shares its image): the
    student's function zeroes its input, so without the engine's copy the reference of case 2
    would see zeros and expect zeros."""
    image = np.ones(3)

    def vandal(a):
        a[:] = 0
        return np.full(3, 2.0)

    check_function(vandal, lambda a: a * 2, [Case((image,)), Case((image,))])
    assert np.array_equal(image, np.ones(3))


def test_callable_hint_and_default_label():
    def hint(case, expected, got):
        return f"look at {case.args[0]}"

    message = failure(lambda fn: check_function(fn, lambda n, stride: n + 1,
                                                [Case((4,), {"stride": 2})], hint=hint),
                      lambda n, stride: n)
    assert re.search(r"case 1 of 1 failed — 4, stride 2: .* Hint: look at 4", message)


def test_check_function_validates_its_arguments():
    with pytest.raises(TypeError, match="student_fn"):
        check_function(3, abs, [Case((1,))])
    with pytest.raises(ValueError, match="cases"):
        check_function(abs, abs, [])
    with pytest.raises(ValueError, match="rtol"):
        check_function(abs, abs, [Case((1,))], rtol=-1)
    with pytest.raises(TypeError, match="args"):
        Case(args=[1])


# --- check_value and hashes -------------------------------------------------------------------


def test_hashed_answer(capsys):
    check_value(lambda: 32 * 32 * 3, name="values", expected_hash=answer_hash(3072))
    assert capsys.readouterr().out == "✔ values: correct\n"
    check_value(3072.0, name="values", expected_hash=answer_hash(3072)[:16])


def test_hashed_answer_never_reveals_the_expected_value():
    for wrong in (3071, 3073, 1024, "3072 values"):
        with pytest.raises(CheckFailed) as info:
            check_value(wrong, name="values", expected_hash=answer_hash(3072), hint="count them.")
        message = str(info.value)
        assert "3072" not in message.replace(str(wrong), "")
        assert "got" in message and "not the expected answer" in message and "count them" in message


def test_hashed_answer_with_significant_digits():
    digest = answer_hash(0.1235, digits=4)
    for right in (0.1235, 0.12352, 0.123449999, 0.12361):  # within one unit in the last digit
        check_value(right, name="ratio", expected_hash=digest, digits=4)
    for wrong in (0.1240, 0.1232, 1.235):
        with pytest.raises(CheckFailed):
            check_value(wrong, name="ratio", expected_hash=digest, digits=4)


def test_answer_hash_is_canonical():
    assert answer_hash(576) == answer_hash(576.0) == answer_hash(np.int64(576))
    assert answer_hash(" Same ") == answer_hash("same")
    assert answer_hash((1, 2)) == answer_hash([1, 2]) == answer_hash(np.array([1, 2]))
    assert answer_hash(576) != answer_hash(577) and answer_hash(True) != answer_hash(1)
    assert answer_hash(0.0, digits=3) == answer_hash(-0.0, digits=3)
    with pytest.raises(TypeError, match="value"):
        answer_hash({1: 2})
    with pytest.raises(ValueError, match="digits"):
        answer_hash(1.0, digits=0)


def test_expected_value_is_not_printed_and_direction_is_optional():
    with pytest.raises(CheckFailed) as info:
        check_value(225_000_001, name="multiplications", expected=225_000_000)
    assert "225000000" not in str(info.value).replace("225000001", "")
    assert "too" not in str(info.value)
    with pytest.raises(CheckFailed, match="too low"):
        check_value(1.0, name="x", expected=2.5, hint_direction=True)
    check_value(2.5 + 1e-9, name="x", expected=2.5)


def test_value_not_answered_yet():
    def answer():
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match="(?s)not answered yet.*in answer"):
        check_value(answer, name="answer", expected=1)
    with pytest.raises(CheckFailed, match="not answered yet"):
        check_value(None, name="answer", expected=1)


def test_check_value_validates_its_arguments():
    with pytest.raises(ValueError, match="exactly one"):
        check_value(1, name="a")
    with pytest.raises(ValueError, match="exactly one"):
        check_value(1, name="a", expected=1, expected_hash=answer_hash(1))
    with pytest.raises(ValueError, match="expected_hash"):
        check_value(1, name="a", expected_hash="1234")
    with pytest.raises(TypeError, match="name"):
        check_value(1, name="", expected=1)


# --- The grids hold the edge cases they promise -----------------------------------------------


def test_conv_cases_cover_the_edge_cases():
    cases = checks.conv_cases()
    shapes = [(c.args[0].shape, c.args[1].shape, c.kwargs["stride"], c.kwargs["padding"])
              for c in cases]
    assert any(s < w[0] for _, w, s, _ in shapes), "overlapping windows"
    assert any(s > w[0] for _, w, s, _ in shapes), "stride larger than the kernel"
    assert any(w[0] != w[1] for _, w, _, _ in shapes), "non-square kernel"
    assert any(x[0] == 1 for x, _, _, _ in shapes) and any(x[0] > 1 for x, _, _, _ in shapes)
    assert any(w[2] != w[3] for _, w, _, _ in shapes), "C_in != C_out"
    assert any(isinstance(p, int) for _, _, _, p in shapes), "integer padding"
    assert any(p == "same" and (w[0] % 2 == 0 or s > 1) for _, w, s, p in shapes), \
        "'same' with asymmetric padding"
    assert all(c.args[0].dtype == np.float64 for c in cases)


def test_correlate_cases_start_with_an_asymmetric_kernel():
    cases = checks.correlate_cases()
    first = cases[0].args[1]
    assert not np.array_equal(first, first[::-1, ::-1])
    kernels = [(c.args[0].shape, c.args[1].shape) for c in cases]
    assert any(k == (1, 1) for _, k in kernels) and any(i == k for i, k in kernels)
    assert any(k[0] != k[1] for _, k in kernels)


def test_pool_cases_cover_the_edge_cases():
    grid = [(c.args[0].shape[0], c.kwargs["pool_size"], c.kwargs.get("stride"))
            for c in checks.pool_cases()]
    size = [(p if isinstance(p, int) else p[0], s) for _, p, s in grid]
    assert any(s is not None and s < p for p, s in size), "overlapping windows"
    assert any(s is not None and s > p for p, s in size), "stride larger than the pool"
    assert any(isinstance(p, tuple) and p[0] != p[1] for _, p, _ in grid), "non-square pool"
    assert any(n == 1 for n, _, _ in grid)


def test_output_size_cases_fit_exactly():
    for case in checks.output_size_cases():
        n, k, s, p = case.args
        assert (n + 2 * p - k) % s == 0
        arithmetic.conv_output_size(n, k, s, p)  # rounding="exact" would raise otherwise


def test_cases_are_reproducible():
    a, b = checks.conv_cases(seed=3), checks.conv_cases(seed=3)
    assert all(np.array_equal(x.args[0], y.args[0]) for x, y in zip(a, b, strict=True))


# --- Ready-made checks of the notebooks' other exercises: the notebook's solution passes ------


def dense_params(n_inputs, n_units):  # notebook 00
    return n_inputs * n_units + n_units


def layer_weights(height, width, kernel_height, kernel_width):  # notebook 01
    def connections_along(size, kernel):
        radius = (kernel - 1) // 2
        return size * kernel - radius * (radius + 1)

    locally_connected = connections_along(height, kernel_height) * connections_along(
        width, kernel_width)
    return (height * width) ** 2, locally_connected, kernel_height * kernel_width


def shift_image(image, dy, dx):  # notebook 01, section 4
    height, width = image.shape
    shifted = np.zeros_like(image)
    shifted[max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \
        image[max(-dy, 0):height + min(-dy, 0), max(-dx, 0):width + min(-dx, 0)]
    return shifted


def equivariance_error(layer, image, dy, dx, margin):  # notebook 01
    difference = np.abs(layer(shift_image(image, dy, dx)) - shift_image(layer(image), dy, dx))
    height, width = difference.shape
    return float(difference[margin:height - margin, margin:width - margin].max())


def box_blur(k):  # notebook 03
    return np.full((k, k), 1.0 / k**2)


def filter_same(image, kernel):  # notebook 03
    kh, kw = kernel.shape
    padded = np.pad(image, (((kh - 1) // 2,) * 2, ((kw - 1) // 2,) * 2))
    out = np.zeros(image.shape)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            out[i, j] = np.sum(padded[i:i + kh, j:j + kw] * kernel)
    return out


def same_padding_split(n, kernel_size, stride):  # notebook 04
    output_size = -(-n // stride)
    total = max((output_size - 1) * stride + kernel_size - n, 0)
    return total // 2, total - total // 2


def conv_layer_cost(input_shape, kernel_size, filters, stride=1, padding="same"):  # notebook 05
    height, width, depth = input_shape
    if padding == "same":
        out_h, out_w = -(-height // stride), -(-width // stride)
    else:
        out_h = (height - kernel_size) // stride + 1
        out_w = (width - kernel_size) // stride + 1
    weights_per_filter = kernel_size * kernel_size * depth
    parameters = filters * (weights_per_filter + 1)
    multiply_adds = out_h * out_w * filters * weights_per_filter
    return parameters, multiply_adds, out_h * out_w * filters * 4


def values_per_image(height, width, channels):  # notebook 00
    return height * width * channels


SOLUTIONS = [
    (checks.check_dense_params, dense_params, "dense_params", 4),
    (checks.check_values_per_image, values_per_image, "values_per_image", 5),
    (checks.check_layer_weights, layer_weights, "layer_weights", 9),
    (checks.check_equivariance_error, equivariance_error, "equivariance_error", 8),
    (checks.check_box_blur, box_blur, "box_blur", 6),
    (checks.check_filter_same, filter_same, "filter_same", 10),
    (checks.check_same_padding_split, same_padding_split, "same_padding_split", 60),
    (checks.check_conv_layer_cost, conv_layer_cost, "conv_layer_cost", 8),
]


test_notebook_solutions_pass = solutions_pass_test(SOLUTIONS)


def test_every_ready_made_check_is_tested():
    """Each ready-made check is exercised by this file or by a tests/test_checks_*.py file."""
    ready_made = {name for name in checks.__all__ if name.startswith("check_")} - {
        "check_function", "check_gradient", "check_value"}
    tested = {c.__name__ for c, _ in RIGHT} | {c.__name__ for c, *_ in SOLUTIONS}
    other_files = " ".join(path.read_text(encoding="utf-8")
                           for path in Path(__file__).parent.glob("test_checks_*.py"))
    tested |= {name for name in ready_made if re.search(rf"\b{name}\b", other_files)}
    assert ready_made == tested


def test_every_module_check_is_exported_once():
    """Each check module's names reach ``cnnlib.checks`` as the same objects, and no two
    modules export the same name (one would silently replace the other)."""
    import importlib
    import pkgutil

    owners = {}
    for info in pkgutil.iter_modules(checks.__path__):
        module = importlib.import_module(f"cnnlib.checks.{info.name}")
        for name in getattr(module, "__all__", ()):
            if not name.startswith("check_") and name not in checks.__all__:
                continue  # the engine's tools for check modules (run_student, fail, ...)
            assert name not in owners, f"{name} is exported by {owners.get(name)} and {info.name}"
            owners[name] = info.name
            assert name in checks.__all__, f"{info.name}.{name} is not in cnnlib.checks.__all__"
            assert getattr(checks, name) is getattr(module, name)


def test_dense_params_without_biases_fails():
    message = failure(checks.check_dense_params, lambda n_inputs, n_units: n_inputs * n_units)
    assert "case 1 of 4" in message and "expected 7850, got 7840" in message
    assert "one bias" in message


def test_locally_connected_count_without_the_borders_fails():
    def no_border(height, width, kernel_height, kernel_width):
        return (height * width) ** 2, height * kernel_height * width * kernel_width, \
            kernel_height * kernel_width

    message = failure(checks.check_layer_weights, no_border)
    assert "L4's example" in message and "expected (25, 13, 3), got (25, 15, 3)" in message
    assert "3·5 − 2 = 13" in message


def test_equivariance_error_that_ignores_the_margin_fails():
    def whole_map(layer, image, dy, dx, margin):
        return equivariance_error(layer, image, dy, dx, 0)

    message = failure(checks.check_equivariance_error, whole_map)
    assert "case 1 of 8" in message and "3×3 convolution, shift (2, 3), margin 4" in message
    assert "`margin`" in message


def test_errors_inside_the_checks_layers_point_at_the_student_line():
    """The check's own frames (here a layer of the check) are not the student's code."""
    def flattening(layer, image, dy, dx, margin):
        return float(np.abs(layer(image.ravel())).max())

    message = failure(checks.check_equivariance_error, flattening)
    assert "ValueError" in message and "in flattening, line" in message
    assert "layer(image.ravel())" in message


def test_box_blur_of_ones_fails_with_the_sum():
    message = failure(checks.check_box_blur, lambda k: np.ones((k, k)))
    assert "k=2" in message and "sum to 4" in message and "sums to 1" in message
    message = failure(checks.check_box_blur, lambda k: np.full((k, k), 1.0 / k))
    assert "k=2" in message and "sum to 2" in message


def test_filter_same_with_a_flipped_kernel_fails():
    message = failure(checks.check_filter_same,
                      lambda image, kernel: filter_same(image, kernel[::-1, ::-1]))
    assert "case 1 of 10" in message and "camera()" in message and "flipped" in message


def test_filter_same_without_padding_fails_with_the_shape():
    message = failure(checks.check_filter_same, loop_correlate2d)
    assert "expected output shape (5, 5), got (3, 3)" in message and "pad" in message


def test_same_padding_with_the_extra_row_first_fails():
    def extra_first(n, kernel_size, stride):
        before, after = same_padding_split(n, kernel_size, stride)
        return after, before

    message = failure(checks.check_same_padding_split, extra_first)
    assert "n=5, kernel_size=2, stride=1: expected (0, 1), got (1, 0)" in message
    assert "at the end" in message


def test_conv_layer_cost_without_biases_fails():
    def no_bias(input_shape, kernel_size, filters, stride=1, padding="same"):
        parameters, macs, memory = conv_layer_cost(input_shape, kernel_size, filters, stride,
                                                   padding)
        return parameters - filters, macs, memory

    message = failure(checks.check_conv_layer_cost, no_bias)
    assert "L3: 150×100×3" in message and "expected (15200," in message
    assert "filters·(k·k·depth + 1)" in message
