"""What the plotting helpers share: colours, number formatting, argument checks."""

import numpy as np
from matplotlib.colors import to_rgb

CELL_INCHES = 0.5
HIGHLIGHT = "#fde68a"  # the current window and the output value it produces
OUTLINE = "#d97706"
PADDING = "#d1d5db"
KERNEL_TEXT = "#b91c1c"


def _number(value):
    """Write a number as the slides do: 4 (not 4.0), 0.0625, 2.33."""
    value = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0, so no "-0" appears
    return str(int(value)) if value.is_integer() else f"{value:.3g}"


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


def _as_2d(name, values):
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        kind = type(values).__name__
        raise TypeError(f"{name} must be a 2-D array of numbers, got {kind}") from None
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {array.shape}")
    return array


def _cell_colours(shape, colour="white"):
    return np.ones((*shape, 3)) * to_rgb(colour)
