"""Import TensorFlow without its C++ start-up lines on stderr.

TensorFlow 2.21 writes lines such as "WARNING: All log messages before absl::InitializeLog() is
called are written to STDERR", "Could not find cuda drivers" or the oneDNN notice to file
descriptor 2 *before* its logging is configured, so ``TF_CPP_MIN_LOG_LEVEL`` cannot silence them.
Jupyter records them as stderr output of the first cell. We point descriptor 2 at a temporary
file while TensorFlow is imported and its devices are discovered, then restore it. Nothing else
changes in what TensorFlow computes. If the import fails, the captured lines are written back to
stderr so that the real error is visible.

The common fix for those lines, ``TF_ENABLE_ONEDNN_OPTS=0``, turns off oneDNN, TensorFlow's fast
CPU kernels. We do the opposite: unless ``TF_ENABLE_ONEDNN_OPTS`` is already set, oneDNN is turned
on. TensorFlow enables it by itself only on CPUs with AVX-512 VNNI/BF16 or AMX; on others it trains
a ResNet-20 about 1.7 times faster on two cores (``benchmarks/bench_quiet_import.py``). Its notice
("oneDNN custom operations are on ...") is captured with the other start-up lines.
"""

import os
import sys
import tempfile
import warnings

#: What TensorFlow wrote to stderr while cnnlib imported it (for troubleshooting).
startup_log = ""


def set_environment_defaults(environ):
    """Turn TensorFlow's later C++ log lines off (``TF_CPP_MIN_LOG_LEVEL=3``) and oneDNN on
    (``TF_ENABLE_ONEDNN_OPTS=1``) in ``environ``, each only where it is not set already."""
    environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")


def import_tensorflow_quietly():
    """Import TensorFlow (and Keras) with descriptor 2 captured; return the ``tensorflow`` module.

    Set ``CNNLIB_TF_LOGS=1`` to see TensorFlow's start-up lines as usual.
    """
    global startup_log
    if "tensorflow" in sys.modules or os.environ.get("CNNLIB_TF_LOGS") == "1":
        import tensorflow as tf

        return tf
    set_environment_defaults(os.environ)
    sys.stderr.flush()
    saved_fd = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            with warnings.catch_warnings():
                # Keras 3.13 asks NumPy 1.26 for np.object while it is imported, which warns
                # "In the future `np.object` will be defined as the corresponding NumPy scalar".
                # Jupyter shows that FutureWarning under the first cell (it writes Python's
                # warnings to sys.stderr, which the capture of descriptor 2 does not cover).
                warnings.filterwarnings("ignore", message="In the future `np.object`",
                                        category=FutureWarning)
                import tensorflow as tf

                # Device discovery (CUDA probing) logs on first use: do it now, while captured.
                tf.config.list_physical_devices()
                import keras  # noqa: F401  (imported here, with its warning kept out)
        except BaseException:
            os.dup2(saved_fd, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
        captured.seek(0)
        startup_log = captured.read().decode(errors="replace")
    tf.get_logger().setLevel("ERROR")
    return tf
