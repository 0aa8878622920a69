"""Images and feature maps side by side (notebooks 01, 03-05, 08)."""

import math

import matplotlib.pyplot as plt
import numpy as np

from cnnlib._validation import (
    check_array,
    check_bool,
    check_colormap,
    check_instance,
    check_int,
    check_real,
    check_str,
)
from cnnlib.viz._common import as_2d

__all__ = ["show_feature_maps", "show_images"]


def show_images(images, labels=None, class_names=None, ncols=8, cmap="gray", title=None, size=1.6):
    """Show images (N, H, W), (N, H, W, 1) or (N, H, W, 3) in a grid, labels as subplot titles.

    uint8 images are drawn on 0..255, float images on 0..1 if they lie there, otherwise on the
    batch's min..max, so all images share one scale. Course: notebooks 03, 08.
    """
    images = check_array("images", images)
    if labels is not None:
        labels = check_array("labels", labels, 1, layout="(N,)", kinds="biufUSO")
    if class_names is not None:
        check_instance("class_names", class_names, list | tuple | np.ndarray,
                       "a list of names, one per class")
    cmap = check_colormap("cmap", cmap)
    title = check_str("title", title, empty=True, none=True)
    size = check_real("size", size, 0, min_open=True)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if not (images.ndim == 3 or (images.ndim == 4 and images.shape[-1] == 3)) or len(images) == 0:
        raise ValueError("images must have shape (N, H, W), (N, H, W, 1) or (N, H, W, 3) with "
                         f"N >= 1, got {images.shape}")
    check_int("ncols", ncols, 1)
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



def _colour_limits(values, symmetric):
    """(vmin, vmax) of one map: min..max, or ±max|value| if symmetric. A constant map gets a
    scale from 0 to its value (0 to 1 if it is 0), so an all-zero map shows as "nothing"."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (-1.0, 1.0) if symmetric else (0.0, 1.0)
    if symmetric:
        limit = float(np.abs(finite).max()) or 1.0
        return -limit, limit
    low, high = float(finite.min()), float(finite.max())
    if low == high:
        return (min(low, 0.0), max(high, 0.0)) if low else (0.0, 1.0)
    return low, high


def show_feature_maps(maps, titles=None, ncols=6, cmap="viridis", title=None, symmetric=False,
                      label="value"):
    """Show feature maps side by side, each with its own colour bar labelled `label` (maps differ
    in range, and a shared scale would hide the weak ones). `maps`: an (H, W, C) array, a batch
    of one (1, H, W, C), or a list of 2-D arrays. `symmetric=True` centres each scale on 0
    (±max|value|), for signed maps such as edge responses: use a diverging `cmap` such as
    "RdBu_r", so that 0 is white. Course: notebooks 01, 03-05, 08."""
    cmap = check_colormap("cmap", cmap)
    title = check_str("title", title, empty=True, none=True)
    if titles is not None:
        check_instance("titles", titles, list | tuple, "a list of titles, one per map")
    if isinstance(maps, list | tuple):
        maps = [as_2d(f"maps[{k}]", m) for k, m in enumerate(maps)]
        default_titles = [f"map {k}" for k in range(len(maps))]
    else:
        array = check_array("maps", maps).astype(float)
        if array.ndim == 4 and array.shape[0] == 1:
            array = array[0]
        if array.ndim != 3:
            raise ValueError("maps must be an (H, W, C) array, a (1, H, W, C) batch or a list of "
                             f"2-D arrays, got shape {array.shape}")
        maps = [array[..., c] for c in range(array.shape[-1])]
        default_titles = [f"channel {c}" for c in range(len(maps))]
    if not maps:
        raise ValueError("maps must hold at least one feature map, got none")
    check_int("ncols", ncols, 1)
    if titles is not None and len(titles) != len(maps):
        raise ValueError(f"titles must have one entry per map ({len(maps)}), got {len(titles)}")
    symmetric = check_bool("symmetric", symmetric)
    label = check_str("label", label, empty=True)

    ncols = min(ncols, len(maps))
    nrows = math.ceil(len(maps) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.4 * ncols, 2.2 * nrows + 0.4 * bool(title)),
                             squeeze=False, layout="constrained")
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= len(maps):
            continue
        vmin, vmax = _colour_limits(maps[k], symmetric)
        image = ax.imshow(maps[k], cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(str((titles or default_titles)[k]), fontsize=9)
        fig.colorbar(image, ax=ax, shrink=0.8, label=label)
    if title:
        fig.suptitle(title)
    return fig
