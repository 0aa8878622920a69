"""Quick and full mode (course: notebook 00).

Full mode is the default and is sized for a Colab GPU. Quick mode (``CNNLIB_QUICK=1``) shrinks
epochs and data so that every notebook runs in seconds to about a minute on two CPU cores, through
the same code path; the continuous-integration run uses it.
"""

import os

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def quick_mode():
    """Return True when ``CNNLIB_QUICK`` asks for quick mode (read at each call)."""
    value = os.environ.get("CNNLIB_QUICK", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"CNNLIB_QUICK must be one of 1/true/yes/on or 0/false/no/off (or unset), got {value!r}"
    )


def mode_name():
    """``"quick"`` or ``"full"``."""
    return "quick" if quick_mode() else "full"


def budget(full, quick):
    """Pick the full-mode or the quick-mode value of a setting.

    >>> epochs = budget(full=20, quick=1)
    """
    return quick if quick_mode() else full
