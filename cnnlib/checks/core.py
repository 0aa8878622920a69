"""The machinery of the exercise checks: compare, describe, fail with a hint (notebook 00).

A check runs the student's function and a reference on a grid of cases and prints one line,
``✔ name: passed all N cases``, or raises :class:`CheckFailed` naming the first failing case,
the expected and received values and a hint.  A single-number answer is checked by
:func:`check_value` against a value derived from the library or against a hash
(:func:`answer_hash`), so the student edition never shows it.
"""

import copy
import hashlib
import math
import numbers
import os
import re
import traceback
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Case", "CheckFailed", "answer_hash", "check_function", "check_gradient", "check_value"]

_SMALL = 36  # arrays with at most this many elements are printed in full
_PACKAGE = os.path.dirname(os.path.abspath(__file__))  # frames from here are not the student's


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
    """The innermost frame of ``err``'s traceback outside this package and installed packages."""
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if os.path.dirname(os.path.abspath(f.filename)) != _PACKAGE
              and "site-packages" not in f.filename and not f.filename.startswith("<frozen")]
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
