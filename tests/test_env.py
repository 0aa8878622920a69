"""Quiet TensorFlow import, quick mode, seeding and the environment report."""

import numpy as np
import pytest
from jobs import python_run

import cnnlib
from cnnlib import _tf, config

# Each of these is a fresh Python that imports TensorFlow (seconds of CPU): conftest starts them
# as soon as this module is collected, beside the other tests, and the fixture `background` gives
# their results. Jupyter prints Python warnings through sys.stderr, not descriptor 2: the first
# import catches both (what reached descriptor 2 is the process's stderr, what reached
# sys.stderr is printed last).
BACKGROUND = {
    # TensorFlow's info lines on: whether it writes any by default depends on its version
    # (Colab's 2.20 may not), so the capture is checked with them switched on.
    "tf info on": python_run(
        "import io, os, sys\nsys.stderr = io.StringIO()\nimport cnnlib\n"
        "said, sys.stderr = sys.stderr.getvalue(), sys.__stderr__\n"
        "print(os.environ.get('TF_ENABLE_ONEDNN_OPTS'))\n"
        "print('oneDNN' in cnnlib._tf.startup_log)\nprint(repr(said))\n",
        {"TF_CPP_MIN_LOG_LEVEL": "0"}),
    # A worker of cnnlib.multiworker imports TensorFlow itself, once it knows it can run.
    "deferred": python_run("import sys, cnnlib\nprint('tensorflow' in sys.modules)",
                           {"CNNLIB_DEFER_TF": "1"}),
    # With CNNLIB_TF_LOGS=1, `import cnnlib` is a plain `import tensorflow`.
    "logs on": python_run("import cnnlib\nprint(repr(cnnlib._tf.startup_log))",
                          {"CNNLIB_TF_LOGS": "1"}),
}


def test_import_cnnlib_leaves_stderr_empty_and_onednn_on(background):
    """Even with TensorFlow's info lines on, they land in startup_log, not on stderr."""
    result = background["tf info on"]
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[:2] == ["1", "True"]


def test_import_cnnlib_shows_no_python_warning_in_a_notebook(background):
    """No Python warning may come from the import (Keras 3.13 with NumPy 1.26 warned a
    FutureWarning about np.object)."""
    result = background["tf info on"]
    assert (result.returncode, result.stdout.splitlines()[2:]) == (0, ["''"])


def test_an_explicit_setting_is_kept_and_later_logs_are_off():
    """What the import sets before TensorFlow starts (the fresh Python above shows that it
    is applied: oneDNN on where it was not set)."""
    environ = {"TF_ENABLE_ONEDNN_OPTS": "0", "HOME": "/home/student"}
    _tf.set_environment_defaults(environ)
    assert environ == {"TF_ENABLE_ONEDNN_OPTS": "0", "HOME": "/home/student",
                       "TF_CPP_MIN_LOG_LEVEL": "3"}
    environ = {"TF_CPP_MIN_LOG_LEVEL": "1"}
    _tf.set_environment_defaults(environ)
    assert environ == {"TF_CPP_MIN_LOG_LEVEL": "1", "TF_ENABLE_ONEDNN_OPTS": "1"}


def test_a_worker_can_defer_the_import(background):
    result = background["deferred"]
    assert (result.returncode, result.stdout, result.stderr) == (0, "False\n", "")


def test_tensorflow_still_computes_after_its_quiet_import():
    """conftest imported cnnlib, which captured descriptor 2 while TensorFlow started."""
    import tensorflow as tf

    image, kernel = tf.ones((1, 5, 5, 1)), tf.ones((3, 3, 1, 1))
    assert float(tf.reduce_sum(tf.nn.conv2d(image, kernel, 1, "VALID"))) == 81.0


def test_tensorflow_alone_is_noisy(background):
    """Guards the test above: if TensorFlow ever starts quietly, the capture can go."""
    result = background["logs on"]
    assert result.returncode == 0, result.stderr
    assert "absl::InitializeLog" in result.stderr or "cuda" in result.stderr.lower()


def test_logs_can_be_shown_on_request(background):
    """CNNLIB_TF_LOGS=1 leaves TensorFlow's start-up lines on stderr, and cnnlib keeps none."""
    result = background["logs on"]
    assert (result.returncode, result.stdout) == (0, "''\n") and result.stderr != ""


@pytest.mark.parametrize(("value", "quick"), [("1", True), ("true", True), ("ON", True),
                                               ("", False), ("0", False), ("no", False)])
def test_quick_mode_switch(monkeypatch, value, quick):
    monkeypatch.setenv("CNNLIB_QUICK", value)
    assert config.quick_mode() is quick
    assert cnnlib.budget(full=20, quick=1) == (1 if quick else 20)
    assert config.mode_name() == ("quick" if quick else "full")


def test_quick_mode_rejects_unknown_values(monkeypatch):
    monkeypatch.setenv("CNNLIB_QUICK", "maybe")
    with pytest.raises(ValueError, match="CNNLIB_QUICK must be one of .* got 'maybe'"):
        config.quick_mode()


def test_set_seed_makes_keras_repeatable():
    import keras

    cnnlib.set_seed(7)
    first = keras.random.normal((3,)).numpy(), np.random.rand()
    cnnlib.set_seed(7)
    second = keras.random.normal((3,)).numpy(), np.random.rand()
    np.testing.assert_array_equal(first[0], second[0])
    assert first[1] == second[1]


@pytest.mark.parametrize(("seed", "error"), [(1.5, TypeError), (True, TypeError), (-1, ValueError)])
def test_set_seed_bad_input(seed, error):
    with pytest.raises(error, match="seed"):
        cnnlib.set_seed(seed)


def test_report_names_versions_mode_and_data(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("CNNLIB_QUICK", "1")
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(tmp_path))
    cnnlib.report()
    out = capsys.readouterr().out
    for field in ("TensorFlow:", "Keras:", "GPU:", "Mode:       quick",
                  "Data:       offline directory set by CNNLIB_DATA_DIR (no dataset files found)"):
        assert field in out
    assert str(tmp_path) not in out  # committed outputs must not show the machine's folders


def test_show_source(capsys):
    cnnlib.show_source(cnnlib.budget)
    assert "def budget(full, quick):" in capsys.readouterr().out
    with pytest.raises(TypeError, match="obj"):
        cnnlib.show_source(3)
