"""Comparing an answer with the expected one, and saying briefly how they differ.

Used by the check engine (:mod:`cnnlib.checks.core`) and by the check modules' hints:
:func:`matches` says whether a value is the expected one (or a known wrong one) within a
tolerance, :func:`mismatch` says how it differs ("expected 5, got 4"), :func:`short` writes
a value on one line, :func:`is_int` and :func:`is_real` tell numbers from booleans.
"""

import numbers
import re

import numpy as np

from cnnlib._validation import check_real

__all__ = ["brief_mismatch", "describe", "is_int", "is_real", "matches", "mismatch", "short"]

SMALL = 36  # arrays with at most this many elements are printed in full


def is_int(value):
    """True for an integer (Python or NumPy), False for a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_real(value):
    """True for a real number (Python or NumPy), False for a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def describe(value):
    """How a case's argument is named in a label: an array by its shape, anything else by repr."""
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


def short(value):
    """One-line description of a value for a message."""
    if isinstance(value, np.ndarray) or (hasattr(value, "__array__") and np.ndim(value) > 0):
        a = np.asarray(value)
        return _fmt_array(a) if a.size <= SMALL else f"an array of shape {a.shape}"
    return repr(_plain(value))


def matches(expected, got, rtol=1e-7, atol=1e-9):
    """True if ``got`` is ``expected`` within the tolerances (see :func:`mismatch`)."""
    _tolerances(rtol, atol)
    try:
        return mismatch(expected, got, rtol, atol) is None
    except Exception:  # noqa: BLE001 - a value that cannot even be compared does not match
        return False


def _tolerances(rtol, atol):
    return check_real("rtol", rtol, 0), check_real("atol", atol, 0)


def mismatch(expected, got, rtol=1e-7, atol=1e-9):
    """``None`` if ``got`` matches ``expected``, else a phrase "expected ..., got ...".

    Arrays: shape first, then values (exact for int/bool arrays, else ``np.isclose``).
    Ints, bools and tuples of them: exact.  Floats: ``|got - expected| <= atol + rtol*|expected|``.
    """
    _tolerances(rtol, atol)
    if got is None and expected is not None:
        return f"expected {short(expected)}, got None (did you forget to `return` the result?)"
    if isinstance(expected, (bool, np.bool_)):
        same = isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected)
        return None if same else f"expected {short(expected)}, got {short(got)}"
    if is_int(expected):
        if is_int(got) and int(got) == int(expected):
            return None
        kind = "" if is_int(got) else f" ({type(got).__name__}, not an int)"
        return f"expected {int(expected)}, got {short(got)}{kind}"
    if is_real(expected):
        if is_real(got) and np.isclose(float(got), float(expected), rtol=rtol, atol=atol):
            return None
        return f"expected {float(expected):.6g}, got {short(got)}"
    if isinstance(expected, (tuple, list)):
        if isinstance(got, (tuple, list, np.ndarray)) and len(got) == len(expected) and not any(
            mismatch(e, g, rtol, atol) for e, g in zip(expected, got, strict=True)
        ):
            return None
        return f"expected {short(expected)}, got {short(got)}"
    if isinstance(expected, np.ndarray) or hasattr(expected, "__array__"):
        return _array_mismatch(np.asarray(expected), got, rtol, atol)
    try:
        same = bool(got == expected)
    except Exception:  # noqa: BLE001 - e.g. an array compared with a string
        same = False
    return None if same else f"expected {short(expected)}, got {short(got)}"


def _as_array(got):
    try:
        got = np.asarray(got)
    except Exception:  # noqa: BLE001 - anything unconvertible is simply a wrong answer
        return None
    return got if got.dtype.kind in "biuf" else None


def _close(expected, got, rtol, atol):
    if expected.dtype.kind in "biu":
        return got == expected
    return np.isclose(got, expected, rtol=rtol, atol=atol)


def _array_mismatch(expected, got, rtol, atol):
    array = _as_array(got)
    if array is None:
        return f"expected an array of shape {expected.shape}, got {short(got)}"
    got = array
    if got.shape != expected.shape:
        return f"expected output shape {expected.shape}, got {got.shape}"
    close = _close(expected, got, rtol, atol)
    if close.all():
        return None
    bad = int((~close).sum())
    if expected.size <= SMALL:
        first = tuple(int(i) for i in np.argwhere(~close)[0])
        return (f"expected {_fmt_array(expected)}, got {_fmt_array(got)} "
                f"({bad} of {expected.size} values differ, the first at index {first})")
    diff = np.nan_to_num(np.abs(got.astype(float) - expected), nan=np.inf)
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(diff), diff.shape))
    return (f"{bad} of {expected.size} values differ; the largest difference is at index "
            f"{worst}: expected {expected[worst]:.6g}, got {got[worst]:.6g}")


def brief_mismatch(expected, got, rtol=1e-7, atol=1e-9):
    """A short form of :func:`mismatch` for a message's first line: for arrays, the shapes or
    the first differing value; for anything else the same phrase (to be cut if too long)."""
    _tolerances(rtol, atol)
    if isinstance(expected, np.ndarray) and got is not None:
        array = _as_array(got)
        if array is not None and array.shape != expected.shape:
            return f"expected shape {expected.shape}, got {array.shape}"
        if array is not None:
            close = _close(expected, array, rtol, atol)
            if not close.all():
                index = tuple(int(i) for i in np.argwhere(~close)[0])
                where = ", ".join(map(str, index))
                return (f"at [{where}] expected {expected[index]:.4g}, got {array[index]:.4g}"
                        f" ({int((~close).sum())} of {expected.size} differ)")
    return mismatch(expected, got, rtol, atol)
