"""Reproducibility and environment report (course: notebook 00)."""

import inspect
import os
import platform
import sys

from cnnlib._validation import check_int, check_writable
from cnnlib.config import mode_name


def set_seed(seed=42):
    """Seed Python, NumPy and TensorFlow/Keras in one call (``keras.utils.set_random_seed``).

    Results on a GPU can still differ slightly from run to run (non-deterministic kernels).
    """
    seed = check_int("seed", seed, 0, 2**32 - 1)
    import keras

    keras.utils.set_random_seed(seed)
    return seed


def _device_lines():
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    lines = [f"CPU cores:  {os.cpu_count()}"]
    if gpus:
        for gpu in gpus:
            name = tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
            lines.append(f"GPU:        {name}")
    else:
        lines.append("GPU:        none (training runs on the CPU; use quick mode or a Colab GPU)")
    return lines


def report(file=None):
    """Print the versions, devices, mode and data directory that this session uses."""
    check_writable("file", file)
    import keras
    import numpy as np
    import tensorflow as tf

    import cnnlib
    from cnnlib.data import data_dir_description

    lines = [
        f"Python:     {platform.python_version()} ({sys.platform})",
        f"TensorFlow: {tf.__version__}",
        f"Keras:      {keras.__version__} (backend: {keras.backend.backend()})",
        f"NumPy:      {np.__version__}",
        f"cnnlib:     {cnnlib.__version__}",
        *_device_lines(),
        f"Mode:       {mode_name()} (set CNNLIB_QUICK=1 for quick mode)",
        f"Data:       {data_dir_description()}",
        f"In Colab:   {'yes' if 'google.colab' in sys.modules else 'no'}",
    ]
    print("\n".join(lines), file=file)


def show_source(obj):
    """Print the source code of a library function or class, for when the code is the lesson."""
    try:
        print(inspect.getsource(obj))
    except (TypeError, OSError) as error:
        raise TypeError(f"obj must be a Python function, class or module, got {obj!r}") from error
