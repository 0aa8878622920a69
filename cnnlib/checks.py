"""Exercise checks of the course notebooks (course: notebook 00, "how exercises work").

A check runs the student's function and the library's reference on a grid of cases, edge
cases included, and prints one line, ``✔ conv2d: passed all 14 cases``, or raises
:class:`CheckFailed` naming the first failing case, the expected and received values and a
hint.  A single-number answer is checked by :func:`check_value` against a value derived
from the library or against a hash (:func:`answer_hash`), so the student edition never
shows it.
"""

import copy
import hashlib
import math
import numbers
import re
import traceback
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Case",
    "CheckFailed",
    "answer_hash",
    "check_avg_pool2d",
    "check_conv2d",
    "check_conv_output_size",
    "check_convolve2d",
    "check_correlate2d",
    "check_function",
    "check_gradient",
    "check_max_pool2d",
    "check_value",
    "conv_cases",
    "correlate_cases",
    "output_size_cases",
    "pool_cases",
]

_SMALL = 36  # arrays with at most this many elements are printed in full


class CheckFailed(AssertionError):
    """An exercise check found a wrong or missing answer; the message says which case, why."""


@dataclass(frozen=True)
class Case:
    """One input of a check, ``fn(*args, **kwargs)``, described by ``label`` in messages."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""

    def __post_init__(self):
        if not isinstance(self.args, tuple):
            raise TypeError(f"args must be a tuple, got {type(self.args).__name__}")
        if not isinstance(self.kwargs, dict):
            raise TypeError(f"kwargs must be a dict, got {type(self.kwargs).__name__}")
        if not self.label:
            parts = [_describe(v) for v in self.args]
            parts += [f"{k} {_describe(v)}" for k, v in self.kwargs.items()]
            object.__setattr__(self, "label", ", ".join(parts))


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"shape {value.shape}"
    return repr(value)


def _fmt_array(a):
    text = np.array2string(np.asarray(a), precision=4, separator=", ", suppress_small=True,
                           max_line_width=10**6)
    return re.sub(r"\s+", " ", text.replace("\n", " "))


def _plain(value):
    """NumPy scalars as Python numbers, inside tuples and lists too (for readable reprs)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list):
        return type(value)(_plain(v) for v in value)
    return value


def _short(value):
    """One-line description of a value for a message."""
    if isinstance(value, np.ndarray) or (hasattr(value, "__array__") and np.ndim(value) > 0):
        a = np.asarray(value)
        return _fmt_array(a) if a.size <= _SMALL else f"an array of shape {a.shape}"
    return repr(_plain(value))


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _mismatch(expected, got, rtol, atol):
    """``None`` if ``got`` matches ``expected``, else a phrase "expected ..., got ...".

    Arrays: shape first, then values (exact for int/bool arrays, else ``np.isclose``).
    Ints, bools and tuples of them: exact.  Floats: ``|got - expected| <= atol + rtol*|expected|``.
    """
    if got is None and expected is not None:
        return f"expected {_short(expected)}, got None (did you forget to `return` the result?)"
    if isinstance(expected, (bool, np.bool_)):
        same = isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected)
        return None if same else f"expected {_short(expected)}, got {_short(got)}"
    if _is_int(expected):
        if _is_int(got) and int(got) == int(expected):
            return None
        kind = "" if _is_int(got) else f" ({type(got).__name__}, not an int)"
        return f"expected {int(expected)}, got {_short(got)}{kind}"
    if _is_real(expected):
        if _is_real(got) and np.isclose(float(got), float(expected), rtol=rtol, atol=atol):
            return None
        return f"expected {float(expected):.6g}, got {_short(got)}"
    if isinstance(expected, (tuple, list)):
        if isinstance(got, (tuple, list, np.ndarray)) and len(got) == len(expected) and not any(
            _mismatch(e, g, rtol, atol) for e, g in zip(expected, got, strict=True)
        ):
            return None
        return f"expected {_short(expected)}, got {_short(got)}"
    if isinstance(expected, np.ndarray) or hasattr(expected, "__array__"):
        return _array_mismatch(np.asarray(expected), got, rtol, atol)
    try:
        same = bool(got == expected)
    except Exception:  # noqa: BLE001 - e.g. an array compared with a string
        same = False
    return None if same else f"expected {_short(expected)}, got {_short(got)}"


def _array_mismatch(expected, got, rtol, atol):
    try:
        got = np.asarray(got)
    except Exception:  # noqa: BLE001 - anything unconvertible is simply a wrong answer
        got = None
    if got is None or got.dtype.kind not in "biuf":
        return f"expected an array of shape {expected.shape}, got {_short(got)}"
    if got.shape != expected.shape:
        return f"expected output shape {expected.shape}, got {got.shape}"
    if expected.dtype.kind in "biu":
        close = got == expected
    else:
        close = np.isclose(got, expected, rtol=rtol, atol=atol)
    if close.all():
        return None
    bad = int((~close).sum())
    if expected.size <= _SMALL:
        first = tuple(int(i) for i in np.argwhere(~close)[0])
        return (f"expected {_fmt_array(expected)}, got {_fmt_array(got)} "
                f"({bad} of {expected.size} values differ, the first at index {first})")
    diff = np.nan_to_num(np.abs(got.astype(float) - expected), nan=np.inf)
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(diff), diff.shape))
    return (f"{bad} of {expected.size} values differ; the largest difference is at index "
            f"{worst}: expected {expected[worst]:.6g}, got {got[worst]:.6g}")


def _fail(name, message, hint=None):
    __tracebackhide__ = True
    text = f"✘ {name}: {message}"
    if hint:
        text += f" Hint: {hint}"
    raise CheckFailed(text) from None  # the message below says what to fix


def _student_frame(err):
    """The innermost frame of ``err``'s traceback outside this module and installed packages."""
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if f.filename != __file__ and "site-packages" not in f.filename
              and not f.filename.startswith("<frozen")]
    return frames[-1] if frames else None


def _not_answered(name, err):
    __tracebackhide__ = True
    frame = _student_frame(err)
    where = frame.name if frame and frame.name != "<module>" else name
    _fail(name, f"not answered yet: replace `raise NotImplementedError()` in {where} with "
                "your code, run that cell, then run this check again.")


def _where(err):
    """" (in fn, line 7: `code`)" for the innermost frame of the student's code."""
    frame = _student_frame(err)
    if frame is None:
        return ""
    code = f": `{frame.line.strip()}`" if frame.line else ""
    return f" (in {frame.name}, line {frame.lineno}{code})"


def _require_callable(argument, value):
    if not callable(value):
        raise TypeError(f"{argument} must be a function, got {value!r} ({type(value).__name__})")


def _require_tolerances(rtol, atol):
    for argument, value in (("rtol", rtol), ("atol", atol)):
        if not _is_real(value) or not value >= 0:
            raise ValueError(f"{argument} must be a non-negative number, got {value!r}")


def check_function(student_fn, reference_fn, cases, *, name=None, rtol=1e-7, atol=1e-9,
                   hint=None):
    """Compare ``student_fn`` with ``reference_fn`` on ``cases`` (a list of :class:`Case`).

    Prints ``✔ name: passed all N cases`` or raises :class:`CheckFailed` for the first failing
    case.  ``hint`` is a string, or a function ``(case, expected, got) -> str or None``.
    """
    __tracebackhide__ = True
    _require_callable("student_fn", student_fn)
    _require_callable("reference_fn", reference_fn)
    cases = list(cases)
    if not cases or not all(isinstance(c, Case) for c in cases):
        raise ValueError(f"cases must be a non-empty list of Case objects, got {cases!r:.80}")
    _require_tolerances(rtol, atol)
    if name is None:
        name = getattr(student_fn, "__name__", "your function")
    total = len(cases)
    for number, case in enumerate(cases, 1):
        expected = reference_fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        failed = f"case {number} of {total} failed — {case.label}"
        try:
            got = student_fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        except NotImplementedError as err:
            _not_answered(name, err)
        except Exception as err:  # noqa: BLE001 - any error of the student's code is reported
            text = f"{failed}: your function raised {type(err).__name__}: {err}{_where(err)}."
            _fail(name, text, hint if isinstance(hint, str) else None)
        problem = _mismatch(expected, got, rtol, atol)
        if problem:
            _fail(name, f"{failed}: {problem}.",
                  hint(case, expected, got) if callable(hint) else hint)
    print(f"✔ {name}: passed all {total} cases")


def check_gradient(student_fn, reference_fn, cases, *, name=None, rtol=1e-5, atol=1e-8,
                   hint="where windows overlap, an input receives gradient from every window "
                        "that covers it: accumulate with += rather than overwrite with =."):
    """:func:`check_function` for backward passes (notebook 07): relative error ``rtol``."""
    __tracebackhide__ = True
    check_function(student_fn, reference_fn, cases, name=name, rtol=rtol, atol=atol, hint=hint)


def _canonical(value, digits):
    if isinstance(value, str | np.str_):
        return "str:" + " ".join(str(value).split()).casefold()
    if isinstance(value, bool | np.bool_):
        return f"bool:{bool(value)}"
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, tuple | list):
        return "seq:[" + ",".join(_canonical(v, digits) for v in value) + "]"
    if _is_real(value):
        if digits is not None:
            return "num:" + format(float(value) or 0.0, f".{digits - 1}e")
        if _is_int(value) or float(value).is_integer():
            return f"int:{int(value)}"
        return f"float:{float(value)!r}"
    raise TypeError(f"value must be a number, a string, a bool or a tuple/list/array of them, "
                    f"got {value!r} ({type(value).__name__})")


def _check_digits(digits):
    if digits is not None and (not _is_int(digits) or digits < 1):
        raise ValueError(f"digits must be None or a positive integer, got {digits!r}")


def answer_hash(value, digits=None):
    """SHA-256 (hex) of an answer, for ``check_value(..., expected_hash=...)``.

    Ints and whole floats hash alike (``576 == 576.0``); strings ignore case and extra spaces;
    tuples, lists and arrays hash element by element.  ``digits`` rounds numbers to that many
    significant digits first.  A hash hides the answer from reading, not from brute force.
    """
    _check_digits(digits)
    return hashlib.sha256(_canonical(value, digits).encode()).hexdigest()


def _accepted_hashes(value, digits):
    """Hashes of ``value`` and, for a rounded scalar, its neighbours one unit in the last digit."""
    if digits is None or not _is_real(value) or not math.isfinite(value):
        return {answer_hash(value, digits)}
    rounded = float(format(float(value), f".{digits - 1}e"))
    unit = 10.0 ** (math.floor(math.log10(abs(rounded))) - digits + 1) if rounded else 0.0
    return {answer_hash(rounded + k * unit, digits) for k in (-1, 0, 1)}


def check_value(value, *, name, expected=None, expected_hash=None, rtol=1e-6, atol=0,
                digits=None, hint=None, hint_direction=False):
    """Check a single answer (a number, string or tuple); never prints the expected value.

    ``value`` may be a function of no arguments (an exercise written as a function).  Pass
    either ``expected`` (derived from the library, compared with ``rtol``/``atol``) or
    ``expected_hash`` (from :func:`answer_hash`, at least its first 12 hex digits; with
    ``digits``, the answer must agree to that many significant digits, give or take one unit
    in the last).  ``hint_direction=True`` says whether a wrong number is too high or too low.
    """
    __tracebackhide__ = True
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    if (expected is None) == (expected_hash is None):
        raise ValueError("pass exactly one of expected= and expected_hash=")
    if expected_hash is not None and not re.fullmatch(r"[0-9a-f]{12,64}", str(expected_hash)):
        raise ValueError(f"expected_hash must be 12 to 64 hex digits, got {expected_hash!r}")
    _check_digits(digits)
    _require_tolerances(rtol, atol)
    if callable(value):
        try:
            value = value()
        except NotImplementedError as err:
            _not_answered(name, err)
    if value is None or value is Ellipsis:
        _fail(name, f"not answered yet: set it to your answer (it is {value!r}).")
    if expected_hash is not None:
        try:
            accepted = _accepted_hashes(value, digits)
        except TypeError:
            accepted = set()
        if not any(h.startswith(expected_hash) for h in accepted):
            _fail(name, f"got {_short(value)}, which is not the expected answer.", hint)
    elif _mismatch(expected, value, rtol, atol):
        direction = ""
        if hint_direction and _is_real(value) and _is_real(expected):
            direction = " (too high)" if value > expected else " (too low)"
        _fail(name, f"got {_short(value)}, which is not the expected value{direction}.", hint)
    print(f"✔ {name}: correct")


# Grids of cases -------------------------------------------------------------------------


def _values(rng, shape, low=-2.0, high=2.0):
    """Random values with one decimal, so printed arrays stay readable."""
    return np.round(rng.uniform(low, high, size=shape), 1)


def correlate_cases(seed=0):
    """(image, kernel) pairs of one channel: asymmetric first, non-square, 1x1, full-size."""
    rng = np.random.default_rng(seed)
    cases = [Case((np.arange(16.0).reshape(4, 4), np.array([[1.0, 2.0], [0.0, -1.0]])),
                  label="image shape (4, 4), kernel [[1, 2], [0, -1]] (not symmetric)")]
    for image, kernel in [((5, 6), (2, 3)), ((6, 5), (3, 1)), ((7, 7), (3, 3)), ((5, 5), (1, 1)),
                          ((4, 5), (4, 5)), ((3, 8), (3, 2)), ((1, 6), (1, 3))]:
        cases.append(Case((_values(rng, image), _values(rng, kernel)),
                          label=f"image shape {image}, kernel shape {kernel}"))
    return cases


def conv_cases(seed=0):
    """(x, w) with stride and padding for a NHWC convolution layer, edge cases included."""
    rng = np.random.default_rng(seed)
    grid = [  # N, H, W, C_in, kh, kw, C_out, stride, padding
        (1, 4, 4, 1, 3, 3, 1, 1, "valid"),   # one example, one channel
        (2, 5, 5, 2, 3, 3, 3, 1, "valid"),   # overlapping windows, C_in != C_out
        (1, 6, 7, 3, 2, 3, 2, 1, "valid"),   # non-square kernel and image
        (2, 7, 7, 2, 3, 3, 4, 2, "valid"),   # stride < kernel: windows overlap
        (1, 8, 8, 1, 2, 2, 2, 3, "valid"),   # stride > kernel: pixels skipped
        (1, 9, 9, 1, 2, 2, 1, 4, "valid"),   # stride > kernel, last pixels dropped
        (1, 5, 5, 2, 3, 2, 4, 2, "valid"),
        (3, 4, 4, 2, 1, 1, 5, 1, "valid"),   # 1x1 convolution
        (1, 5, 5, 1, 5, 5, 1, 1, "valid"),   # kernel as large as the input
        (2, 5, 5, 3, 3, 3, 2, 1, "same"),
        (1, 6, 6, 2, 4, 4, 3, 1, "same"),    # even kernel: asymmetric padding
        (1, 7, 6, 1, 3, 3, 2, 2, "same"),    # strided "same": asymmetric padding
        (2, 5, 5, 2, 3, 3, 2, 1, 1),         # integer padding
        (1, 6, 5, 2, 2, 3, 1, 2, 2),
    ]
    cases = []
    for n, h, w, c_in, kh, kw, c_out, stride, padding in grid:
        x, k = _values(rng, (n, h, w, c_in)), _values(rng, (kh, kw, c_in, c_out))
        cases.append(Case((x, k), {"stride": stride, "padding": padding},
                          f"x shape {x.shape}, w shape {k.shape}, stride {stride}, "
                          f"padding {padding!r}"))
    return cases


def pool_cases(seed=0):
    """(x, pool_size[, stride]) for NHWC pooling: overlapping, stride > pool, non-square."""
    rng = np.random.default_rng(seed)
    grid = [  # N, H, W, C, pool_size, stride (None: not passed, defaults to pool_size)
        (1, 4, 4, 1, 2, None), (2, 6, 6, 3, 2, 2), (1, 5, 5, 2, 3, 1), (2, 7, 7, 1, 3, 2),
        (1, 8, 8, 2, 2, 3), (1, 6, 9, 1, (2, 3), None), (2, 7, 5, 2, (3, 2), 1),
        (3, 5, 5, 2, 2, 2), (1, 4, 4, 3, 4, None),
    ]
    cases = []
    for n, h, w, c, pool, stride in grid:
        x = _values(rng, (n, h, w, c))
        kwargs = {"pool_size": pool} if stride is None else {"pool_size": pool, "stride": stride}
        shown = "not given" if stride is None else stride
        cases.append(Case((x,), kwargs, f"x shape {x.shape}, pool_size {pool}, stride {shown}"))
    x = -_values(rng, (1, 4, 4, 2), 0.1, 2.0)
    cases.append(Case((x,), {"pool_size": 2}, f"x shape {x.shape} all negative, pool_size 2"))
    return cases


def output_size_cases():
    """(n, kernel_size, stride, padding) where the kernel fits exactly (notebook 04)."""
    grid = [(7, 3, 1, 0), (7, 3, 2, 0), (32, 3, 1, 1), (28, 5, 1, 2), (5, 5, 1, 0), (9, 3, 3, 0),
            (10, 2, 4, 0), (6, 1, 1, 0), (13, 3, 2, 1), (4, 3, 1, 2), (227, 11, 4, 0)]
    return [Case((n, k, s, p), label=f"n={n}, kernel_size={k}, stride={s}, padding={p}")
            for n, k, s, p in grid]


# Ready-made checks of the notebooks -------------------------------------------------------


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


def check_correlate2d(fn):
    """Check ``correlate2d(image, kernel)``, valid mode (notebook 02)."""
    __tracebackhide__ = True
    from cnnlib.reference import correlate2d

    check_function(fn, correlate2d, correlate_cases(), name="correlate2d", rtol=1e-6, atol=1e-9,
                   hint="slide the kernel over the image without flipping it; the output has "
                        "one row (column) per position where the kernel fits entirely.")


def check_convolve2d(fn):
    """Check a true convolution ``convolve2d(image, kernel)``, valid mode (notebook 02)."""
    __tracebackhide__ = True
    from cnnlib.reference import convolve2d

    check_function(fn, convolve2d, correlate_cases(), name="convolve2d", rtol=1e-6, atol=1e-9,
                   hint=_convolve_hint)


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


def _pool_hint(case, expected, got):
    if case.kwargs.get("stride") not in (None, case.kwargs["pool_size"]):
        return "windows start every `stride` pixels, not every `pool_size` pixels."
    if "stride" not in case.kwargs:
        return "when stride is not given it defaults to pool_size (windows do not overlap)."
    return "a window covers pool_size pixels (rows, columns when it is a pair) of every channel."


def check_max_pool2d(fn):
    """Check ``max_pool2d(x, pool_size=..., stride=None)``, NHWC (notebook 06)."""
    __tracebackhide__ = True
    from cnnlib.reference import max_pool2d

    def hint(case, expected, got):
        if np.all(case.args[0] < 0):
            return "all inputs are negative here: start the maximum from the window, not from 0."
        return _pool_hint(case, expected, got)

    check_function(fn, max_pool2d, pool_cases(), name="max_pool2d", rtol=1e-6, atol=0,
                   hint=hint)


def check_avg_pool2d(fn):
    """Check ``avg_pool2d(x, pool_size=..., stride=None)``, NHWC (notebook 06)."""
    __tracebackhide__ = True
    from cnnlib.reference import avg_pool2d

    check_function(fn, avg_pool2d, pool_cases(), name="avg_pool2d", rtol=1e-6, atol=1e-9,
                   hint=_pool_hint)


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
