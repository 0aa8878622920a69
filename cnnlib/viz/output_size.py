"""How many positions a filter fits: the output-size picture and its sliders (notebook 04)."""

import math
import uuid

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch, Rectangle

from cnnlib._validation import check_int
from cnnlib.viz._common import PADDING

__all__ = ["output_size_explorer", "plot_output_size"]


def _output_size_text(n, kernel_size, stride, padding):
    size = (n + 2 * padding - kernel_size) / stride + 1
    fits = n + 2 * padding >= kernel_size and size.is_integer()
    value = str(int(size)) if size.is_integer() else f"{size:.2f}"
    verdict = f"{n}×{n} input gives {int(size)}×{int(size)} output" if fits else "doesn't fit"
    return (f"(N + 2P − F)/S + 1 = ({n} + 2·{padding} − {kernel_size})/{stride} + 1 "
            f"= {value} → {verdict}")


#: Largest N, F, S and P drawn: a picture of more cells would be too small to read (and slow).
_LIMITS = {"n": (1, 64), "kernel_size": (1, 64), "stride": (1, 64), "padding": (0, 32)}


def _picture_arguments(n, kernel_size, stride, padding):
    """N, F, S and P checked against ``_LIMITS``."""
    values = {"n": n, "kernel_size": kernel_size, "stride": stride, "padding": padding}
    return tuple(check_int(name, values[name], *_LIMITS[name]) for name in values)


def plot_output_size(n, kernel_size, stride, padding):
    """Draw one side of an N-wide input with P zero cells on each end and the positions of an
    F-wide filter moved S cells at a time; the title gives (N + 2P − F)/S + 1, or says the
    filter "doesn't fit" (the last window would run past the edge). Course: notebook 04."""
    n, kernel_size, stride, padding = _picture_arguments(n, kernel_size, stride, padding)
    total = n + 2 * padding
    count = (total - kernel_size) // stride + 1 if total >= kernel_size else 0
    fits = total >= kernel_size and (total - kernel_size) % stride == 0
    starts = [k * stride for k in range(count + (not fits))]  # the extra one overhangs the edge
    lanes = max(1, min(math.ceil(kernel_size / stride), len(starts)))
    extent = max(total, starts[-1] + kernel_size)

    fig, ax = plt.subplots(figsize=(max(8.5, 0.45 * extent + 4), 1.9 + 0.45 * lanes),
                           layout="constrained")
    for x in range(total):
        is_padding = x < padding or x >= padding + n
        ax.add_patch(Rectangle((x, 0), 1, 1, facecolor=PADDING if is_padding else "white",
                               edgecolor="black"))
        if is_padding:
            ax.text(x + 0.5, 0.5, "0", ha="center", va="center")
    for k, start in enumerate(starts):
        overhangs = start + kernel_size > total
        y = -0.9 - 0.9 * (k % lanes)
        ax.add_patch(Rectangle((start + 0.1, y), kernel_size - 0.2, 0.7,
                               facecolor="none" if overhangs else "#bfdbfe",
                               edgecolor="red" if overhangs else "#1d4ed8",
                               linestyle="--" if overhangs else "-", linewidth=1.5))
        ax.text(start + kernel_size / 2, y + 0.35, "✗" if overhangs else str(k + 1),
                ha="center", va="center", color="red" if overhangs else "black")
    ax.set_xlim(-0.2, extent + 0.2)
    ax.set_ylim(-0.9 * lanes - 0.2, 1.1)
    ax.set_aspect("equal")
    ax.set_xticks(np.arange(total) + 0.5, np.arange(total))
    ax.set_yticks([0.5, -0.45 * lanes], ["input", "windows"])
    ax.set_xlabel("position along one side of the padded input")
    handles = [Patch(facecolor="#bfdbfe", edgecolor="#1d4ed8", label="filter window")]
    if padding:
        handles.insert(0, Patch(facecolor=PADDING, edgecolor="black", label="zero padding"))
    if not fits:
        handles.append(Patch(facecolor="none", edgecolor="red", linestyle="--",
                             label="window that doesn't fit"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_title(_output_size_text(n, kernel_size, stride, padding), fontsize=11)
    fig.suptitle(f"Output size for N = {n}, F = {kernel_size}, S = {stride}, P = {padding}")
    return fig


#: One label width and one slider width for every slider of the explorer, so they line up.
_SLIDER_STYLE = {"description_width": "7em"}
_SLIDER_WIDTH = "30em"


def output_size_explorer(n=7, kernel_size=3, stride=1, padding=0):
    """Sliders for N, F, S and P below the picture of `plot_output_size`. Make it the last line
    of a cell.

    The picture for the starting values is displayed first (what GitHub, nbviewer and a headless
    run record); moving a slider redraws that same picture in place, so the figure above the
    sliders always shows their values. Course: notebook 04.
    """
    n, kernel_size, stride, padding = _picture_arguments(n, kernel_size, stride, padding)
    import ipywidgets as widgets
    from IPython.display import display, update_display

    display_id = f"output-size-{uuid.uuid4().hex}"
    figure = plot_output_size(n, kernel_size, stride, padding)
    display(figure, display_id=display_id)
    plt.close(figure)  # so the inline backend does not draw it a second time

    def slider(value, low, high, description):
        return widgets.IntSlider(value=value, min=low, max=max(high, value),
                                 description=description, continuous_update=False,
                                 style=dict(_SLIDER_STYLE), layout={"width": _SLIDER_WIDTH})

    sliders = {
        "n": slider(n, 1, 16, "N (input)"),
        "kernel_size": slider(kernel_size, 1, 9, "F (filter)"),
        "stride": slider(stride, 1, 5, "S (stride)"),
        "padding": slider(padding, 0, 4, "P (padding)"),
    }

    def redraw(_change):
        figure = plot_output_size(**{name: s.value for name, s in sliders.items()})
        update_display(figure, display_id=display_id)
        plt.close(figure)

    for widget in sliders.values():
        widget.observe(redraw, names="value")
    hint = widgets.Label("Move a slider to redraw the picture above.")

    class OutputSizeExplorer(widgets.VBox):
        def __repr__(self):  # the text that GitHub and nbviewer show instead of the sliders
            return "[Sliders for N, F, S and P: run the notebook to use them.]"

    return OutputSizeExplorer([*sliders.values(), hint])
