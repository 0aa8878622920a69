"""What the plotting helpers share: colours, number formatting, grids of numbers."""

import numpy as np
from matplotlib.colors import to_rgb

from cnnlib._validation import check_array

CELL_INCHES = 0.5
HIGHLIGHT = "#fde68a"  # the current window and the output value it produces
OUTLINE = "#d97706"
PADDING = "#d1d5db"
KERNEL_TEXT = "#b91c1c"


def number(value):
    """Write a number as the slides do: 4 (not 4.0), 0.0625, 2.33."""
    value = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0, so no "-0" appears
    return str(int(value)) if value.is_integer() else f"{value:.3g}"


def as_2d(name, values):
    """``values`` as a non-empty 2-D float array (a grid of numbers to draw)."""
    return check_array(name, values, 2, empty=False, finite=True).astype(float)


def cell_colours(shape, colour="white"):
    return np.ones((*shape, 3)) * to_rgb(colour)
