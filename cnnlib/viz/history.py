"""Training curves of a Keras model (notebooks 08-13)."""

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from cnnlib._validation import check_array, check_str, describe

__all__ = ["plot_history"]


def plot_history(history, metrics=("loss", "accuracy"), title=None):
    """Training curves from a Keras ``History`` or a dict like {"loss": [...], "val_loss": [...]}:
    one subplot per metric, training and (if logged) validation. Course: notebooks 08-13."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError("history must be a keras History or a dict of per-epoch lists, "
                        f"got {type(history).__name__}")
    if not isinstance(metrics, str | list | tuple):
        raise TypeError(f"metrics must be a metric's name or a list of them, got "
                        f"{describe(metrics)}")
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    title = check_str("title", title, empty=True, none=True)
    missing = [name for name in metrics if name not in logs]
    if not metrics or missing:
        raise ValueError(f"metrics must name logged metrics, got {list(metrics)}; "
                         f"the history has {sorted(logs)}")
    series = {key: check_array(f"history[{key!r}]", logs[key], 1).astype(float)
              for name in metrics for key in (name, f"val_{name}") if key in logs}
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.5), squeeze=False,
                             layout="constrained")
    for ax, name in zip(axes[0], metrics, strict=True):
        for key, label in ((name, "training"), (f"val_{name}", "validation")):
            if key in series:
                values = series[key]
                ax.plot(np.arange(1, len(values) + 1), values, marker="o", markersize=3,
                        label=label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(title=name, xlabel="epoch", ylabel=name)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title or "Training history")
    return fig
