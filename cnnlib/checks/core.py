"""The machinery of the exercise checks: run, compare, fail with a hint (notebook 00).

A check runs the student's function and a reference on a grid of cases and prints one line,
``✔ name: passed all N cases``, or raises :class:`CheckFailed`.  The first line of the message
says which case failed, what was expected and what came back, in at most 90 characters (what
nbgrader's feedback shows); the case, the details and a hint follow on lines of their own.  A
single-number answer is checked by :func:`check_value` against a value derived from the library
or against a hash (:func:`answer_hash`), so the student edition never shows it.

A check module declares, beside each reference, the known mistakes (:class:`Mistake`): a wrong
implementation or a test on the answer, and the hint that this mistake, and only it, gets.
"""

import copy
import hashlib
import math
import os
import re
import textwrap
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cnnlib._validation import (
    check_bool,
    check_callable,
    check_instance,
    check_positive_int,
    check_real,
    check_str,
)
from cnnlib.checks.compare import (
    brief_mismatch,
    describe,
    is_int,
    is_real,
    matches,
    mismatch,
    short,
)

__all__ = ["WIDTH", "Case", "CheckFailed", "Mistake", "answer_hash", "answer_of", "check_function",
           "check_gradient", "check_value", "fail", "run_student"]

WIDTH = 90  # nbgrader's feedback cuts lines at 90 characters
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
        check_str("label", self.label, empty=True, none=True)
        if not self.label:
            parts = [describe(v) for v in self.args]
            parts += [f"{k} {describe(v)}" for k, v in self.kwargs.items()]
            object.__setattr__(self, "label", ", ".join(parts))


@dataclass(frozen=True)
class Mistake:
    """A known mistake and its hint, declared beside a check's reference.

    ``answer`` is the wrong implementation (the reference's signature): the mistake is
    recognised when the student's result equals its result on the failing case.  Or ``when``,
    a test ``(case, expected, got) -> bool``.  With several outputs, ``output`` names the one
    the mistake concerns (``None``: any).  A mistake's hint is shown only when it is recognised.
    """

    hint: str
    answer: Callable | None = None
    when: Callable | None = None
    output: str | None = None

    def __post_init__(self):
        if not isinstance(self.hint, str) or not self.hint:
            raise TypeError(f"hint must be a non-empty string, got {self.hint!r}")
        for field_name in ("answer", "when"):
            if getattr(self, field_name) is not None:
                check_callable(field_name, getattr(self, field_name))
        check_str("output", self.output, none=True)
        if (self.answer is None) == (self.when is None):
            raise ValueError("give a Mistake exactly one of answer= and when=")

    def recognises(self, case, expected, got, *, index=None, rtol=1e-7, atol=1e-9):
        """True if ``got`` is this mistake's answer on ``case`` (its output ``index``)."""
        try:
            if self.when is not None:
                return bool(self.when(case, expected, got))
            wrong = self.answer(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
            if index is not None:
                wrong = wrong[index]
            return matches(wrong, got, rtol, atol) and not matches(expected, got, rtol, atol)
        except Exception:  # noqa: BLE001 - a mistake that does not apply to this case
            return False


def _wrap(text, indent="  "):
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _message(name, summary, details=(), hint=None):
    first = f"✘ {name}: {summary}"
    if len(first) > WIDTH:
        first = first[:WIDTH - 1] + "…"
    lines = [first]
    for detail in details:
        if detail:
            lines += _wrap(detail)
    if hint:
        lines += _wrap(f"Hint: {hint}")
    return "\n".join(lines)


def fail(name, summary, *details, hint=None):
    """Raise :class:`CheckFailed`: ``✘ name: summary`` (cut at 90 characters), then each
    detail and the hint on lines of their own (wrapped at 90 characters)."""
    __tracebackhide__ = True
    raise CheckFailed(_message(name, summary, details, hint)) from None


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
    fail(name, "not answered yet",
         f"replace `raise NotImplementedError()` in {where} with your code, run that cell, "
         "then run this check again.")


def _where(err):
    """" (in fn, line 7: `code`)" for the innermost frame of the student's code."""
    frame = _student_frame(err)
    if frame is None:
        return ""
    code = f": `{frame.line.strip()}`" if frame.line else ""
    return f" (in {frame.name}, line {frame.lineno}{code})"


def run_student(fn, case=None, *, name=None, position="", hint=None):
    """``fn(*case.args, **case.kwargs)`` on copies of the arguments (the student cannot change
    the inputs of the reference).  A ``NotImplementedError`` fails as "not answered yet", any
    other error as ``✘ name: position: your function raised ...`` with the student's line."""
    __tracebackhide__ = True
    if case is not None:
        check_instance("case", case, Case, "a Case or None")
    check_str("name", name, none=True)
    check_str("position", position, empty=True)
    check_str("hint", hint, none=True)
    case = Case() if case is None else case
    name = name or getattr(fn, "__name__", "your function")
    try:
        return fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    except NotImplementedError as err:
        _not_answered(name, err)
    except Exception as err:  # noqa: BLE001 - any error of the student's code is reported
        where = f"{position}: " if position else ""
        number = position.replace("/", " of ") + " failed — " if position else ""
        fail(name, f"{where}your function raised {type(err).__name__}: {err}",
             f"{number}{case.label}: your function raised {type(err).__name__}: {err}"
             f"{_where(err)}.", hint=hint)


def answer_of(fn, name):
    """``fn()`` for an exercise written as a function of no arguments, else ``fn`` itself."""
    __tracebackhide__ = True
    check_str("name", name)
    return run_student(fn, name=name) if callable(fn) else fn


def _require_tolerances(rtol, atol):
    check_real("rtol", rtol, 0)
    check_real("atol", atol, 0)


def _hint_for(case, expected, got, *, hint, mistakes, output=None, index=None, rtol, atol,
              agrees=None):
    """The hint of the known mistake that ``got`` is, else the generic ``hint``.

    When the failing case cannot tell two known mistakes apart, ``agrees(mistake)`` (does the
    student's function give that mistake's answer on every case?) decides; if it cannot
    either, both hints are shown."""
    found = [m for m in mistakes if m.output in (None, output)
             and m.recognises(case, expected, got, index=index, rtol=rtol, atol=atol)]
    if len(found) > 1 and agrees is not None:
        found = [m for m in found if m.when is not None or agrees(m)] or found
    if found:
        return " Or: ".join(dict.fromkeys(m.hint for m in found))
    if isinstance(hint, dict):
        hint = hint.get(output)
    if not callable(hint):
        return hint
    try:
        return hint(case, expected, got)
    except Exception:  # noqa: BLE001 - a hint that does not apply to this answer
        return None


def _compact(value, room):
    """``value`` in at most ``room`` characters: an array by its shape, else cut."""
    if isinstance(value, np.ndarray):
        text = f"an array of shape {value.shape}"
    else:
        text = short(value)
    return text if len(text) <= room else text[:max(room - 1, 1)] + "…"


def _first_line(name, position, brief, expected, got):
    """``position failed: brief``, or, when that is over 90 characters, expected and got
    each cut to half of the room left."""
    summary = f"{position} failed: {brief}"
    if len(f"✘ {name}: {summary}") <= WIDTH:
        return summary
    room = (WIDTH - len(f"✘ {name}: {position} failed: expected , got ")) // 2
    return f"{position} failed: expected {_compact(expected, room)}, got {_compact(got, room)}"


def _agreement(student_fn, cases, index, rtol, atol):
    """``agrees(mistake)``: the student's function gives the mistake's answer on every case."""
    def agrees(mistake):
        for case in cases:
            try:
                got = student_fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
                wrong = mistake.answer(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
                if index is not None:
                    got, wrong = got[index], wrong[index]
            except Exception:  # noqa: BLE001 - a mistake that does not apply to this case
                return False
            if not matches(wrong, got, rtol, atol):
                return False
        return True
    return agrees


def _compare_all(student_fn, reference_fn, cases, *, name, rtol, atol, hint, mistakes,
                 outputs=None, index=None):
    __tracebackhide__ = True
    total = len(cases)
    output = None if index is None else outputs[index]
    for number, case in enumerate(cases, 1):
        expected = reference_fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        position = f"case {number}/{total}"
        got = run_student(student_fn, case, name=name, position=position,
                          hint=hint if isinstance(hint, str) else None)
        if index is not None:
            whole = isinstance(got, tuple | list) and len(got) == len(outputs)
            expected, got = expected[index], got[index] if whole else None
        problem = mismatch(expected, got, rtol, atol)
        if problem:
            brief = brief_mismatch(expected, got, rtol, atol)
            fail(name, _first_line(name, position, brief, expected, got),
                 f"case {number} of {total} failed — {case.label}: {problem}.",
                 hint=_hint_for(case, expected, got, hint=hint, mistakes=mistakes, output=output,
                                index=index, rtol=rtol, atol=atol,
                                agrees=_agreement(student_fn, cases, index, rtol, atol)))
    print(f"✔ {name}: passed all {total} cases")


def _require_outputs(student_fn, cases, *, name, outputs):
    """Fail unless the student's function returns a tuple with one value per output."""
    __tracebackhide__ = True
    got = run_student(student_fn, cases[0], name=name, position=f"case 1/{len(cases)}")
    if not isinstance(got, tuple | list) or len(got) != len(outputs):
        missing = " (did you forget to `return` them?)" if got is None else ""
        fail(name, f"case 1/{len(cases)} failed: expected a tuple ({', '.join(outputs)}), "
                   f"got {short(got)}",
             f"case 1 of {len(cases)} failed — {cases[0].label}: return a tuple "
             f"({', '.join(outputs)}), got {short(got)}{missing}.")


def check_function(student_fn, reference_fn, cases, *, name=None, rtol=1e-7, atol=1e-9,
                   hint=None, mistakes=(), outputs=None):
    """Compare ``student_fn`` with ``reference_fn`` on ``cases`` (a list of :class:`Case`).

    Prints ``✔ name: passed all N cases`` or raises :class:`CheckFailed` for the first failing
    case.  On a failure the hint is that of the first of ``mistakes`` (:class:`Mistake`) that
    the answer is; if none is, ``hint``: a string, or a function ``(case, expected, got) ->
    str or None``.  ``outputs`` (names) checks a function that returns one value per name,
    output by output: one line ``✔ name output: passed all N cases`` each; ``hint`` may then be
    a dict from output name to hint.
    """
    __tracebackhide__ = True
    check_callable("student_fn", student_fn)
    check_callable("reference_fn", reference_fn)
    check_instance("cases", cases, list | tuple, "a non-empty list of Case objects")
    check_instance("mistakes", mistakes, list | tuple, "a list of Mistake objects")
    check_str("name", name, none=True)
    if not (hint is None or isinstance(hint, str | dict) or callable(hint)):
        raise TypeError(f"hint must be a string, a dict from output name to hint, a function "
                        f"or None, got {hint!r:.80}")
    if outputs is not None:
        check_instance("outputs", outputs, list | tuple, "a list of output names")
    cases = list(cases)
    if not cases or not all(isinstance(c, Case) for c in cases):
        raise ValueError(f"cases must be a non-empty list of Case objects, got {cases!r:.80}")
    _require_tolerances(rtol, atol)
    mistakes = tuple(mistakes)
    if not all(isinstance(m, Mistake) for m in mistakes):
        raise TypeError(f"mistakes must be Mistake objects, got {mistakes!r:.80}")
    if name is None:
        name = getattr(student_fn, "__name__", "your function")
    options = {"rtol": rtol, "atol": atol, "hint": hint, "mistakes": mistakes}
    if outputs is None:
        _compare_all(student_fn, reference_fn, cases, name=name, **options)
        return
    outputs = tuple(outputs)
    _require_outputs(student_fn, cases, name=name, outputs=outputs)
    for index, output in enumerate(outputs):
        _compare_all(student_fn, reference_fn, cases, name=f"{name} {output}", outputs=outputs,
                     index=index, **options)


def check_gradient(student_fn, reference_fn, cases, *, name=None, rtol=1e-5, atol=1e-8,
                   hint=None, mistakes=(), outputs=None):
    """:func:`check_function` for backward passes (notebook 07): relative error ``rtol``."""
    __tracebackhide__ = True
    check_function(student_fn, reference_fn, cases, name=name, rtol=rtol, atol=atol, hint=hint,
                   mistakes=mistakes, outputs=outputs)


def _canonical(value, digits):
    if isinstance(value, str | np.str_):
        return "str:" + " ".join(str(value).split()).casefold()
    if isinstance(value, bool | np.bool_):
        return f"bool:{bool(value)}"
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, tuple | list):
        return "seq:[" + ",".join(_canonical(v, digits) for v in value) + "]"
    if is_real(value):
        if digits is not None:
            return "num:" + format(float(value) or 0.0, f".{digits - 1}e")
        if is_int(value) or float(value).is_integer():
            return f"int:{int(value)}"
        return f"float:{float(value)!r}"
    raise TypeError(f"value must be a number, a string, a bool or a tuple/list/array of them, "
                    f"got {value!r} ({type(value).__name__})")


def _require_digits(digits):
    if digits is not None:
        check_positive_int("digits", digits)


def answer_hash(value, digits=None):
    """SHA-256 (hex) of an answer, for ``check_value(..., expected_hash=...)``.

    Ints and whole floats hash alike (``576 == 576.0``); strings ignore case and extra spaces;
    tuples, lists and arrays hash element by element.  ``digits`` rounds numbers to that many
    significant digits first.  A hash hides the answer from reading, not from brute force.
    """
    _require_digits(digits)
    return hashlib.sha256(_canonical(value, digits).encode()).hexdigest()


def _accepted_hashes(value, digits):
    """Hashes of ``value`` and, for a rounded scalar, its neighbours one unit in the last digit."""
    if digits is None or not is_real(value) or not math.isfinite(value):
        try:
            return {answer_hash(value, digits)}
        except TypeError:
            return set()
    rounded = float(format(float(value), f".{digits - 1}e"))
    unit = 10.0 ** (math.floor(math.log10(abs(rounded))) - digits + 1) if rounded else 0.0
    return {answer_hash(rounded + k * unit, digits) for k in (-1, 0, 1)}


def _is_hashed(value, prefix, digits):
    return any(h.startswith(prefix) for h in _accepted_hashes(value, digits))


def check_value(value, *, name, expected=None, expected_hash=None, rtol=1e-6, atol=0,
                digits=None, hint=None, hint_direction=False, mistakes=None):
    """Check a single answer (a number, string or tuple); never prints the expected value.

    ``value`` may be a function of no arguments (an exercise written as a function).  Pass
    either ``expected`` (derived from the library, compared with ``rtol``/``atol``) or
    ``expected_hash`` (from :func:`answer_hash`, at least its first 12 hex digits; with
    ``digits``, the answer must agree to that many significant digits, give or take one unit
    in the last).  ``mistakes`` maps the hash prefix of a known wrong answer to its hint,
    shown instead of ``hint`` when the answer is that one.  ``hint_direction=True`` says
    whether a wrong number is too high or too low.
    """
    __tracebackhide__ = True
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    if (expected is None) == (expected_hash is None):
        raise ValueError("pass exactly one of expected= and expected_hash=")
    if expected_hash is not None and not re.fullmatch(r"[0-9a-f]{12,64}", str(expected_hash)):
        raise ValueError(f"expected_hash must be 12 to 64 hex digits, got {expected_hash!r}")
    _require_digits(digits)
    _require_tolerances(rtol, atol)
    check_str("hint", hint, none=True)
    check_bool("hint_direction", hint_direction)
    if mistakes is not None:
        check_instance("mistakes", mistakes, dict, "a dict from a wrong answer's hash to its hint")
    value = answer_of(value, name)
    if value is None or value is Ellipsis:
        fail(name, f"not answered yet: set it to your answer (it is {value!r}).")
    known = [h for prefix, h in (mistakes or {}).items() if _is_hashed(value, prefix, digits)]
    hint = known[0] if known else hint
    if expected_hash is not None:
        if not _is_hashed(value, expected_hash, digits):
            fail(name, f"got {short(value)}, which is not the expected answer.", hint=hint)
    elif mismatch(expected, value, rtol, atol):
        direction = ""
        if hint_direction and is_real(value) and is_real(expected):
            direction = " (too high)" if value > expected else " (too low)"
        fail(name, f"got {short(value)}, which is not the expected value{direction}.", hint=hint)
    print(f"✔ {name}: correct")


# Names of the engine before it had a public API, for check modules written against it.
_fail = fail
_is_int, _is_real, _mismatch, _short = is_int, is_real, mismatch, short
