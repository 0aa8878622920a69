"""Grids of numbers drawn the way the lecture slides draw them (notebooks 02, 03, 04, 06).

One cell per value, the value written in the cell, integers without ".0": inputs, kernels,
outputs, one sliding-window step, zero padding.
"""

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch, Rectangle

from cnnlib._validation import check_axes, check_colormap, check_format, check_int, check_str
from cnnlib.viz._common import (
    CELL_INCHES,
    HIGHLIGHT,
    KERNEL_TEXT,
    OUTLINE,
    PADDING,
    as_2d,
    cell_colours,
    number,
)

__all__ = ["show_conv_step", "show_grid", "show_kernel", "show_padding"]


def _draw_grid(ax, values, colours, title, fontsize=12, formatter=number):
    """Draw `values` as a table of cells filled with `colours` (an (H, W, 3) array)."""
    ax.imshow(colours)
    for (row, col), value in np.ndenumerate(values):
        ax.text(col, row, formatter(value), ha="center", va="center", fontsize=fontsize)
    height, width = values.shape
    ax.set_xticks(np.arange(width))
    ax.set_yticks(np.arange(height))
    ax.set_xticks(np.arange(width + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(height + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="black", linewidth=1)
    ax.tick_params(which="minor", length=0)
    ax.set(title=title, xlabel="column", ylabel="row")


def _outline(ax, top, left, height, width):
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False,
                           edgecolor=OUTLINE, linewidth=3, clip_on=False))



def _formatter(fmt):
    """None: the slides' style; a format string such as "{:.2f}"; or a function of the value."""
    if fmt is None:
        return number
    fmt = check_format("fmt", fmt)
    if callable(fmt):
        return fmt
    return lambda value: fmt.format(float(value) + 0.0)


def _highlight_colours(shape, highlight):
    """Cell colours: white, with each highlighted region in its colour."""
    colours = cell_colours(shape)
    if highlight is None:
        return colours
    regions = highlight if isinstance(highlight, Mapping) else {HIGHLIGHT: highlight}
    for colour, region in regions.items():
        try:
            rgb = to_rgb(colour)
        except ValueError:
            raise ValueError(f"highlight colours must be matplotlib colours, got {colour!r}") \
                from None
        mask = np.zeros(shape, dtype=bool)
        try:
            mask[region] = True
        except (IndexError, TypeError, ValueError):
            raise ValueError(
                f"highlight must be a region of the {shape[0]}×{shape[1]} grid (a boolean mask, "
                f"(row, col) or np.s_[0:2, 0:2]) or a dict {{colour: region}}, got {region!r}"
            ) from None
        colours[mask] = rgb
    return colours


def show_grid(values, title=None, ax=None, highlight=None, fmt=None):
    """Draw a 2-D array as a grid of numbers, one cell per value, as the slides draw inputs and
    outputs. Course: notebooks 02, 06.

    ``highlight`` fills cells: a region (a boolean mask, ``(row, col)``, ``np.s_[0:2, 0:2]``)
    in the highlight colour, or a dict ``{colour: region}`` for several colours. ``fmt``:
    ``None`` writes numbers as the slides do (4, 0.0625, 2.33), or give a format string
    (``"{:.2f}"``) or a function of the value. Draws on ``ax`` if given.
    """
    values = as_2d("values", values)
    title = check_str("title", title, empty=True, none=True)
    ax = check_axes("ax", ax)
    formatter = _formatter(fmt)
    colours = _highlight_colours(values.shape, highlight)
    height, width = values.shape
    if ax is None:
        _, ax = plt.subplots(figsize=(CELL_INCHES * width + 1.5, CELL_INCHES * height + 1.3),
                             layout="constrained")
    _draw_grid(ax, values, colours, f"{height}×{width} values" if title is None else title,
               formatter=formatter)
    return ax.figure


def show_kernel(kernel, title=None, ax=None, fmt="{:g}", cmap="RdBu_r"):
    """Draw a 2-D kernel as a heat map, each value written in its cell, colour scale symmetric
    around 0 (so 0 is white), with a colour bar. Course: notebooks 02, 03, 08."""
    kernel = as_2d("kernel", kernel)
    title = check_str("title", title, empty=True, none=True)
    ax = check_axes("ax", ax)
    formatter = _formatter(check_format("fmt", fmt))
    cmap = check_colormap("cmap", cmap)
    height, width = kernel.shape
    if ax is None:
        size = (0.7 * width + 2, 0.7 * height + 1)
        _, ax = plt.subplots(figsize=size, layout="constrained")
    limit = float(np.abs(kernel).max()) or 1.0
    image = ax.imshow(kernel, cmap=cmap, vmin=-limit, vmax=limit)
    for (row, col), value in np.ndenumerate(kernel):
        colour = "white" if abs(value) > 0.6 * limit else "black"
        ax.text(col, row, formatter(value), ha="center", va="center", color=colour)
    ax.set_xticks(np.arange(width))
    ax.set_yticks(np.arange(height))
    ax.set(title=title or f"{height}×{width} kernel", xlabel="column", ylabel="row")
    ax.figure.colorbar(image, ax=ax, label="weight")
    return ax.figure


def _factor(value):
    """A number as a factor of a product: negative ones in parentheses, "(-1)×2"."""
    text = number(value)
    return f"({text})" if text.startswith("-") else text


def _correlate(image, kernel, stride):
    """Cross-correlation without padding (the deep-learning "convolution")."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)[::stride, ::stride]
    return np.einsum("ijkl,kl->ij", windows, kernel)


def show_conv_step(image, kernel, i, j, stride=1, title=None):
    """Draw one sliding-window step: the input with the window for output (i, j) highlighted and
    the kernel weights written small in it ("×1"), the kernel, and the output grid with the value
    at (i, j) highlighted. Cross-correlation, no padding. Course: notebooks 02, 04."""
    image = as_2d("image", image)
    kernel = as_2d("kernel", kernel)
    check_int("stride", stride, 1)
    title = check_str("title", title, empty=True, none=True)
    (height, width), (kh, kw) = image.shape, kernel.shape
    if kh > height or kw > width:
        raise ValueError(f"kernel must fit inside image, got a {kh}×{kw} kernel for a "
                         f"{height}×{width} image")
    output = _correlate(image, kernel, stride)
    for name, index, size, unit in (("i", i, output.shape[0], "rows"),
                                    ("j", j, output.shape[1], "columns")):
        check_int(name, index, 0)
        if index >= size:
            raise ValueError(f"{name} must be in [0, {size}) for an output with {size} {unit}, "
                             f"got {index}")
    top, left = i * stride, j * stride

    columns = (width, 0.8, kw, 0.8, output.shape[1])
    fig, axes = plt.subplots(1, 5, gridspec_kw={"width_ratios": columns}, layout="constrained",
                             figsize=(CELL_INCHES * sum(columns) + 2.5, CELL_INCHES * height + 2))
    ax_in, ax_times, ax_kernel, ax_equals, ax_out = axes
    colours = cell_colours(image.shape)
    colours[top:top + kh, left:left + kw] = to_rgb(HIGHLIGHT)
    _draw_grid(ax_in, image, colours, f"input ({height}×{width})")
    _outline(ax_in, top, left, kh, kw)
    for (row, col), weight in np.ndenumerate(kernel):
        ax_in.text(left + col + 0.45, top + row + 0.45, f"×{number(weight)}", ha="right",
                   va="bottom", fontsize=8, color=KERNEL_TEXT)
    _draw_grid(ax_kernel, kernel, cell_colours(kernel.shape), f"kernel ({kh}×{kw})")
    for text in ax_kernel.texts:
        text.set_color(KERNEL_TEXT)
    colours = cell_colours(output.shape)
    colours[i, j] = to_rgb(HIGHLIGHT)
    _draw_grid(ax_out, output, colours, f"output ({output.shape[0]}×{output.shape[1]})")
    _outline(ax_out, i, j, 1, 1)
    for ax, symbol in ((ax_times, "⊛"), (ax_equals, "=")):
        ax.axis("off")
        ax.text(0.5, 0.5, symbol, ha="center", va="center", fontsize=24, transform=ax.transAxes)

    window = image[top:top + kh, left:left + kw]
    if kernel.size <= 9:
        terms = " + ".join(f"{_factor(x)}×{_factor(w)}"
                           for x, w in zip(window.flat, kernel.flat, strict=True))
    else:
        terms = f"sum of the {kernel.size} products"
    fig.supxlabel(f"output[{i}, {j}] = {terms} = {number(output[i, j])}", fontsize=10)
    fig.suptitle(title or f"Sliding a {kh}×{kw} kernel over a {height}×{width} input "
                          f"(stride {stride}): output position ({i}, {j})")
    return fig


_MAX_PADDING = 16  # cells of padding drawn on a side: more would make unreadable pictures


def _normalise_padding(padding):
    """int or ((top, bottom), (left, right)) -> ((top, bottom), (left, right))."""
    if isinstance(padding, int | np.integer) and not isinstance(padding, bool):
        check_int("padding", padding, 0, _MAX_PADDING)
        return (int(padding),) * 2, (int(padding),) * 2
    try:
        (top, bottom), (left, right) = padding
    except (TypeError, ValueError):
        raise ValueError("padding must be an int or ((top, bottom), (left, right)), "
                         f"got {padding!r}") from None
    for name, value in (("top", top), ("bottom", bottom), ("left", left), ("right", right)):
        check_int(f"padding ({name})", value, 0, _MAX_PADDING)
    return (int(top), int(bottom)), (int(left), int(right))


def show_padding(image, padding, title=None):
    """Draw the input inside its zero-padding border: padded cells shaded grey, every value
    written, the original input outlined. `padding`: an int or ((top, bottom), (left, right)).
    Course: notebook 04."""
    image = as_2d("image", image)
    title = check_str("title", title, empty=True, none=True)
    (top, bottom), (left, right) = _normalise_padding(padding)
    padded = np.pad(image, ((top, bottom), (left, right)))
    fig, ax = plt.subplots(figsize=(max(6.0, CELL_INCHES * padded.shape[1] + 3),
                                    CELL_INCHES * padded.shape[0] + 1.5), layout="constrained")
    colours = cell_colours(padded.shape, PADDING)
    colours[top:top + image.shape[0], left:left + image.shape[1]] = 1.0
    _draw_grid(ax, padded, colours, "")
    _outline(ax, top, left, *image.shape)
    ax.legend(handles=[Patch(facecolor=PADDING, edgecolor="black", label="zero padding"),
                       Patch(facecolor="white", edgecolor=OUTLINE, linewidth=2, label="input")],
              loc="upper left", bbox_to_anchor=(1.02, 1))
    if top == bottom == left == right:
        amount = f"P = {top} on every side"
    else:
        amount = f"top {top}, bottom {bottom}, left {left}, right {right}"
    ax.set_title(title or "{}×{} input with zero padding → {}×{}\n{}".format(
        *image.shape, *padded.shape, amount))
    return fig
