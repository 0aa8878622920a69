"""cnnlib: the helper library of the course on convolutional neural networks in Keras/TensorFlow.

``import cnnlib`` is the first code line of every notebook: it imports TensorFlow without the C++
start-up lines that would otherwise clutter the first cell's output (see :mod:`cnnlib._tf`).
"""

import os as _os

from cnnlib._tf import import_tensorflow_quietly as _import_tensorflow_quietly

# A worker process of cnnlib.multiworker (CNNLIB_DEFER_TF=1) imports TensorFlow, as quietly, only
# once it has read its arguments and TF_CONFIG: a worker that cannot run exits at once.
if _os.environ.get("CNNLIB_DEFER_TF") != "1":
    _import_tensorflow_quietly()

from cnnlib.config import budget, quick_mode  # noqa: E402
from cnnlib.env import report, set_seed, show_source  # noqa: E402

__version__ = "0.1.0"
__all__ = ["budget", "quick_mode", "report", "set_seed", "show_source", "__version__"]
