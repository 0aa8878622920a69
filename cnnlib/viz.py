"""Plotting helpers for the course notebooks (matplotlib only).

Every function returns the matplotlib ``Figure`` and leaves ``plt.show()`` to the notebook cell.
Grids of numbers (kernels, inputs, outputs) are drawn the way the lecture slides draw them:
one cell per value, the value written in the cell, integers without ".0".
"""

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

__all__ = ["show_images", "show_kernel", "show_feature_maps", "show_conv_step", "show_padding",
           "plot_output_size", "output_size_explorer", "plot_history"]

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


def _draw_grid(ax, values, colours, title, fontsize=12):
    """Draw `values` as a table of cells filled with `colours` (an (H, W, 3) array)."""
    ax.imshow(colours)
    for (row, col), value in np.ndenumerate(values):
        ax.text(col, row, _number(value), ha="center", va="center", fontsize=fontsize)
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


def show_images(images, labels=None, class_names=None, ncols=8, cmap="gray", title=None, size=1.6):
    """Show images (N, H, W), (N, H, W, 1) or (N, H, W, 3) in a grid, labels as subplot titles.

    uint8 images are drawn on 0..255, float images on 0..1 if they lie there, otherwise on the
    batch's min..max, so all images share one scale. Course: notebooks 03, 08.
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if not (images.ndim == 3 or (images.ndim == 4 and images.shape[-1] == 3)) or len(images) == 0:
        raise ValueError("images must have shape (N, H, W), (N, H, W, 1) or (N, H, W, 3) with "
                         f"N >= 1, got {images.shape}")
    _check_int("ncols", ncols, minimum=1)
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"labels must have one entry per image ({len(images)}), got {len(labels)}")
    if class_names is not None and labels is not None:
        for k, label in enumerate(labels):
            if not 0 <= int(label) < len(class_names):
                raise ValueError(f"labels[{k}] = {label} is not an index into class_names "
                                 f"({len(class_names)} names)")
    if images.dtype == np.uint8:
        low, high = 0.0, 255.0
    else:
        low, high = float(images.min()), float(images.max())
        if low >= 0 and high <= 1:
            low, high = 0.0, 1.0
    scaled = (images.astype(float) - low) / ((high - low) or 1.0)

    ncols = min(ncols, len(images))
    nrows = math.ceil(len(images) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4 * bool(title)),
                             squeeze=False, layout="constrained")
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= len(images):
            continue
        ax.imshow(scaled[k], cmap=cmap, vmin=0, vmax=1)
        if labels is not None:
            name = class_names[int(labels[k])] if class_names is not None else labels[k]
            ax.set_title(str(name), fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def show_kernel(kernel, title=None, ax=None, fmt="{:g}", cmap="RdBu_r"):
    """Draw a 2-D kernel as a heat map, each value written in its cell, colour scale symmetric
    around 0 (so 0 is white), with a colour bar. Course: notebooks 02, 03, 08."""
    kernel = _as_2d("kernel", kernel)
    height, width = kernel.shape
    if ax is None:
        size = (0.7 * width + 2, 0.7 * height + 1)
        _, ax = plt.subplots(figsize=size, layout="constrained")
    limit = float(np.abs(kernel).max()) or 1.0
    image = ax.imshow(kernel, cmap=cmap, vmin=-limit, vmax=limit)
    for (row, col), value in np.ndenumerate(kernel):
        colour = "white" if abs(value) > 0.6 * limit else "black"
        ax.text(col, row, fmt.format(value + 0.0), ha="center", va="center", color=colour)
    ax.set_xticks(np.arange(width))
    ax.set_yticks(np.arange(height))
    ax.set(title=title or f"{height}×{width} kernel", xlabel="column", ylabel="row")
    ax.figure.colorbar(image, ax=ax, label="weight")
    return ax.figure


def show_feature_maps(maps, titles=None, ncols=6, cmap="viridis", title=None):
    """Show feature maps side by side, each with its own colour bar (maps differ in range, and a
    shared scale would hide the weak ones). `maps`: an (H, W, C) array, a batch of one
    (1, H, W, C), or a list of 2-D arrays. Course: notebooks 03, 05, 08."""
    if isinstance(maps, list | tuple):
        maps = [_as_2d(f"maps[{k}]", m) for k, m in enumerate(maps)]
        default_titles = [f"map {k}" for k in range(len(maps))]
    else:
        array = np.asarray(maps, dtype=float)
        if array.ndim == 4 and array.shape[0] == 1:
            array = array[0]
        if array.ndim != 3:
            raise ValueError("maps must be an (H, W, C) array, a (1, H, W, C) batch or a list of "
                             f"2-D arrays, got shape {array.shape}")
        maps = [array[..., c] for c in range(array.shape[-1])]
        default_titles = [f"channel {c}" for c in range(len(maps))]
    if not maps:
        raise ValueError("maps must hold at least one feature map, got none")
    _check_int("ncols", ncols, minimum=1)
    if titles is not None and len(titles) != len(maps):
        raise ValueError(f"titles must have one entry per map ({len(maps)}), got {len(titles)}")

    ncols = min(ncols, len(maps))
    nrows = math.ceil(len(maps) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.4 * ncols, 2.2 * nrows + 0.4 * bool(title)),
                             squeeze=False, layout="constrained")
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= len(maps):
            continue
        image = ax.imshow(maps[k], cmap=cmap)
        ax.set_title(str((titles or default_titles)[k]), fontsize=9)
        fig.colorbar(image, ax=ax, shrink=0.8)
    if title:
        fig.suptitle(title)
    return fig


def _correlate(image, kernel, stride):
    """Cross-correlation without padding (the deep-learning "convolution")."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)[::stride, ::stride]
    return np.einsum("ijkl,kl->ij", windows, kernel)


def show_conv_step(image, kernel, i, j, stride=1, title=None):
    """Draw one sliding-window step: the input with the window for output (i, j) highlighted and
    the kernel weights written small in it ("×1"), the kernel, and the output grid with the value
    at (i, j) highlighted. Cross-correlation, no padding. Course: notebooks 02, 04."""
    image = _as_2d("image", image)
    kernel = _as_2d("kernel", kernel)
    _check_int("stride", stride, minimum=1)
    (height, width), (kh, kw) = image.shape, kernel.shape
    if kh > height or kw > width:
        raise ValueError(f"kernel must fit inside image, got a {kh}×{kw} kernel for a "
                         f"{height}×{width} image")
    output = _correlate(image, kernel, stride)
    for name, index, size, unit in (("i", i, output.shape[0], "rows"),
                                    ("j", j, output.shape[1], "columns")):
        _check_int(name, index, minimum=0)
        if index >= size:
            raise ValueError(f"{name} must be in [0, {size}) for an output with {size} {unit}, "
                             f"got {index}")
    top, left = i * stride, j * stride

    columns = (width, 0.8, kw, 0.8, output.shape[1])
    fig, axes = plt.subplots(1, 5, gridspec_kw={"width_ratios": columns}, layout="constrained",
                             figsize=(CELL_INCHES * sum(columns) + 2.5, CELL_INCHES * height + 2))
    ax_in, ax_times, ax_kernel, ax_equals, ax_out = axes
    colours = _cell_colours(image.shape)
    colours[top:top + kh, left:left + kw] = to_rgb(HIGHLIGHT)
    _draw_grid(ax_in, image, colours, f"input ({height}×{width})")
    _outline(ax_in, top, left, kh, kw)
    for (row, col), weight in np.ndenumerate(kernel):
        ax_in.text(left + col + 0.45, top + row + 0.45, f"×{_number(weight)}", ha="right",
                   va="bottom", fontsize=8, color=KERNEL_TEXT)
    _draw_grid(ax_kernel, kernel, _cell_colours(kernel.shape), f"kernel ({kh}×{kw})")
    for text in ax_kernel.texts:
        text.set_color(KERNEL_TEXT)
    colours = _cell_colours(output.shape)
    colours[i, j] = to_rgb(HIGHLIGHT)
    _draw_grid(ax_out, output, colours, f"output ({output.shape[0]}×{output.shape[1]})")
    _outline(ax_out, i, j, 1, 1)
    for ax, symbol in ((ax_times, "⊛"), (ax_equals, "=")):
        ax.axis("off")
        ax.text(0.5, 0.5, symbol, ha="center", va="center", fontsize=24, transform=ax.transAxes)

    window = image[top:top + kh, left:left + kw]
    if kernel.size <= 9:
        terms = " + ".join(f"{_number(x)}×{_number(w) if w >= 0 else f'({_number(w)})'}"
                           for x, w in zip(window.flat, kernel.flat, strict=True))
    else:
        terms = f"sum of the {kernel.size} products"
    fig.supxlabel(f"output[{i}, {j}] = {terms} = {_number(output[i, j])}", fontsize=10)
    fig.suptitle(title or f"Sliding a {kh}×{kw} kernel over a {height}×{width} input "
                          f"(stride {stride}): output position ({i}, {j})")
    return fig


def _normalise_padding(padding):
    """int or ((top, bottom), (left, right)) -> ((top, bottom), (left, right))."""
    if isinstance(padding, int | np.integer) and not isinstance(padding, bool):
        _check_int("padding", padding, minimum=0)
        return (int(padding),) * 2, (int(padding),) * 2
    try:
        (top, bottom), (left, right) = padding
    except (TypeError, ValueError):
        raise ValueError("padding must be an int or ((top, bottom), (left, right)), "
                         f"got {padding!r}") from None
    for name, value in (("top", top), ("bottom", bottom), ("left", left), ("right", right)):
        _check_int(f"padding ({name})", value, minimum=0)
    return (int(top), int(bottom)), (int(left), int(right))


def show_padding(image, padding, title=None):
    """Draw the input inside its zero-padding border: padded cells shaded grey, every value
    written, the original input outlined. `padding`: an int or ((top, bottom), (left, right)).
    Course: notebook 04."""
    image = _as_2d("image", image)
    (top, bottom), (left, right) = _normalise_padding(padding)
    padded = np.pad(image, ((top, bottom), (left, right)))
    fig, ax = plt.subplots(figsize=(max(6.0, CELL_INCHES * padded.shape[1] + 3),
                                    CELL_INCHES * padded.shape[0] + 1.5), layout="constrained")
    colours = _cell_colours(padded.shape, PADDING)
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


def _output_size_text(n, kernel_size, stride, padding):
    size = (n + 2 * padding - kernel_size) / stride + 1
    fits = n + 2 * padding >= kernel_size and size.is_integer()
    value = str(int(size)) if size.is_integer() else f"{size:.2f}"
    verdict = f"{n}×{n} input gives {int(size)}×{int(size)} output" if fits else "doesn't fit"
    return (f"(N + 2P − F)/S + 1 = ({n} + 2·{padding} − {kernel_size})/{stride} + 1 "
            f"= {value} → {verdict}")


def _check_output_size_args(n, kernel_size, stride, padding):
    for name, value, minimum in (("n", n, 1), ("kernel_size", kernel_size, 1),
                                 ("stride", stride, 1), ("padding", padding, 0)):
        _check_int(name, value, minimum)


def plot_output_size(n, kernel_size, stride, padding):
    """Draw one side of an N-wide input with P zero cells on each end and the positions of an
    F-wide filter moved S cells at a time; the title gives (N + 2P − F)/S + 1, or says the
    filter "doesn't fit" (the last window would run past the edge). Course: notebook 04."""
    _check_output_size_args(n, kernel_size, stride, padding)
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


def output_size_explorer(n=7, kernel_size=3, stride=1, padding=0):
    """Sliders for N, F, S and P that redraw `plot_output_size`. Make it the last line of a cell.

    It first displays the static figure for the starting values (what GitHub, nbviewer and a
    headless run record), then returns the sliders with an output area below them where moving a
    slider draws the new picture. Course: notebook 04.
    """
    _check_output_size_args(n, kernel_size, stride, padding)
    import ipywidgets as widgets
    from IPython.display import display

    figure = plot_output_size(n, kernel_size, stride, padding)
    display(figure)
    plt.close(figure)  # so the inline backend does not draw it a second time

    sliders = {
        "n": widgets.IntSlider(value=n, min=1, max=max(16, n), description="N (input)"),
        "kernel_size": widgets.IntSlider(value=kernel_size, min=1, max=max(9, kernel_size),
                                         description="F (filter)"),
        "stride": widgets.IntSlider(value=stride, min=1, max=max(5, stride),
                                    description="S (stride)"),
        "padding": widgets.IntSlider(value=padding, min=0, max=max(4, padding),
                                     description="P (padding)"),
    }
    output = widgets.Output()

    def redraw(_change):
        with output:
            output.clear_output(wait=True)
            figure = plot_output_size(**{name: s.value for name, s in sliders.items()})
            display(figure)
            plt.close(figure)

    for slider in sliders.values():
        slider.continuous_update = False
        slider.style.description_width = "initial"
        slider.observe(redraw, names="value")
    hint = widgets.Label("Move a slider to redraw the picture (the figure above shows the "
                         "starting values).")

    class OutputSizeExplorer(widgets.VBox):
        def __repr__(self):  # the text that GitHub and nbviewer show instead of the sliders
            return "[Sliders for N, F, S and P: run the notebook to use them.]"

    return OutputSizeExplorer([*sliders.values(), hint, output])


def plot_history(history, metrics=("loss", "accuracy"), title=None):
    """Training curves from a Keras ``History`` or a dict like {"loss": [...], "val_loss": [...]}:
    one subplot per metric, training and (if logged) validation. Course: notebooks 08-13."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError("history must be a keras History or a dict of per-epoch lists, "
                        f"got {type(history).__name__}")
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    missing = [name for name in metrics if name not in logs]
    if not metrics or missing:
        raise ValueError(f"metrics must name logged metrics, got {list(metrics)}; "
                         f"the history has {sorted(logs)}")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.5), squeeze=False,
                             layout="constrained")
    for ax, name in zip(axes[0], metrics, strict=True):
        for key, label in ((name, "training"), (f"val_{name}", "validation")):
            if key in logs:
                values = np.asarray(logs[key], dtype=float)
                ax.plot(np.arange(1, len(values) + 1), values, marker="o", markersize=3,
                        label=label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(title=name, xlabel="epoch", ylabel=name)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title or "Training history")
    return fig
