"""Bad arguments the fuzz test (tests/test_fuzz.py) found unchecked, one focused test each: a
clear error that names the argument, where there used to be a silent answer, a raw Keras,
NumPy or ZeroDivisionError, or an error raised only while drawing."""

import importlib
import io

import keras
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from cnnlib import (  # noqa: E402
    arithmetic,
    checks,
    explain,
    models,
    pipeline,
    recipes,
    release,
    speedrun,
    train,
    transfer,
    viz,
)
from cnnlib.checks import compare, grids  # noqa: E402
from cnnlib.env import report  # noqa: E402

# cnnlib.models exports functions named like its modules (convnext, efficientnet): import these
convnext, efficientnet, mobilenet, resnet = (
    importlib.import_module(f"cnnlib.models.{name}")
    for name in ("convnext", "efficientnet", "mobilenet", "resnet"))
from cnnlib.reference import speed  # noqa: E402


@pytest.fixture
def x():
    return keras.Input((8, 8, 4))


def test_epoch_log_and_report_want_a_file_not_a_file_name():
    with pytest.raises(TypeError, match="file must be a file open for writing.*'log.txt'"):
        train.EpochLog(3, file="log.txt")
    with pytest.raises(TypeError, match="file must be a file open for writing"):
        report(file="report.txt")
    stream = io.StringIO()
    report(file=stream)
    assert "TensorFlow" in stream.getvalue()


@pytest.mark.parametrize(("build", "argument", "error"), [
    (lambda x: efficientnet.mbconv_block(x, True, 3, 1, 4), "expansion", TypeError),
    (lambda x: efficientnet.mbconv_block(x, 0, 3, 1, 4), "expansion", ValueError),
    (lambda x: efficientnet.mbconv_block(x, 1, 3, 1, 4, drop_rate=1.0), "drop_rate", ValueError),
    (lambda x: efficientnet.mbconv_block(x, 1, 3, True, 4), "strides", TypeError),
    (lambda x: efficientnet.squeeze_excite(x, 0), "squeeze_channels", ValueError),
    (lambda x: efficientnet.squeeze_excite(np.ones((1, 8, 8, 4)), 2), "x", TypeError),
    (lambda x: mobilenet.inverted_residual_block(x, 0, 4), "expansion", ValueError),
    (lambda x: mobilenet.inverted_residual_block(x, 2, True), "filters", TypeError),
    (lambda x: convnext.convnext_block("x"), "x", TypeError),
    (lambda x: convnext.convnext_block(x, name=3), "name", TypeError),
    (lambda x: resnet.basic_block(x, 4, name=None), "name", TypeError),
    (lambda x: convnext.LayerScale("1e-6"), "init_value", TypeError),
    (lambda x: mobilenet.make_divisible(30, 0), "divisor", ValueError),
    (lambda x: mobilenet.make_divisible(float("nan")), "value", ValueError),
    (lambda x: models.efficientnet(name=3), "name", TypeError),
])
def test_blocks_check_their_arguments_before_building(x, build, argument, error):
    with pytest.raises(error, match=rf"^{argument}(\[\d\])? must be"):
        build(x)


def test_blocks_still_build_with_good_arguments(x):
    assert efficientnet.mbconv_block(x, 6, 3, 1, 4, drop_rate=0.2).shape == (None, 8, 8, 4)
    assert mobilenet.inverted_residual_block(x, 1, 8, strides=2).shape == (None, 4, 4, 8)
    assert mobilenet.make_divisible(30) == 32


def test_viz_checks_colormaps_formats_axes_and_sizes_before_drawing():
    before = plt.get_fignums()
    with pytest.raises(ValueError, match="cmap must be a Matplotlib colormap.*'greyscale'"):
        viz.show_kernel(np.ones((3, 3)), cmap="greyscale")
    with pytest.raises(ValueError, match="fmt must be a format string"):
        viz.show_kernel(np.ones((3, 3)), fmt="{:q}")
    with pytest.raises(TypeError, match="ax must be a Matplotlib Axes"):
        viz.show_grid(np.ones((3, 3)), ax="left")
    with pytest.raises(ValueError, match="size must be a finite real number > 0"):
        viz.show_images(np.ones((2, 4, 4)), size=0)
    with pytest.raises(TypeError, match="title must be a string or None"):
        viz.show_feature_maps(np.ones((4, 4, 2)), title=3)
    with pytest.raises(TypeError, match="class_names must be a list of names"):
        viz.show_images(np.ones((2, 4, 4)), labels=[0, 1], class_names="ab")
    with pytest.raises(TypeError, match="metrics must be a metric's name or a list"):
        viz.plot_history({"loss": [1.0]}, metrics=None)
    with pytest.raises(TypeError, match=r"history\['loss'\] must be an array of real numbers"):
        viz.plot_history({"loss": ["high", "low"]}, metrics="loss")
    assert plt.get_fignums() == before  # nothing half-drawn is left open


def test_library_functions_name_the_argument_that_is_wrong():
    with pytest.raises(ValueError, match="^in_channels must be a positive integer, got 0"):
        arithmetic.separable_conv_macs(5, 3, 0, 4)
    with pytest.raises(ValueError, match="model 'later' is not built"):
        transfer.trainable_counts(keras.Sequential([keras.layers.Dense(2)], name="later"))
    with pytest.raises(TypeError, match="^b must be an array"):
        speed.scalar_loops_conv_forward(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)), None)
    with pytest.raises(ValueError, match="device"):
        speed.compare_conv_speeds((2, 5, 5, 1), (3, 3, 1, 1), 1, 0, loop_examples=1, repeats=1,
                                  device="CPU:-1")
    with pytest.raises(TypeError, match="^where must be a string"):
        release.strip_code("x = 1\n", where=3)
    with pytest.raises(ValueError, match="nb must be a notebook's JSON"):
        release.student_notebook([])
    inputs = keras.Input((8, 8, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3, name="conv")(inputs))
    with pytest.raises(TypeError, match="^layer_names must be a list of layer names"):
        explain.randomised_copy(model, 3)


def test_data_parallel_helpers_refuse_what_tensorflow_would_accept_or_garble():
    import tensorflow as tf

    from cnnlib import distribute, multiworker

    cpus = [device.name for device in tf.config.list_logical_devices("CPU")]
    # once TensorFlow has started, asking for the logical CPUs it already has is harmless ...
    assert distribute.split_cpu(len(cpus)) == cpus
    # ... and asking for another number says to restart
    with pytest.raises(RuntimeError, match=rf"split_cpu\({len(cpus) + 1}\) must run before.*"
                                           "restart the kernel"):
        distribute.split_cpu(len(cpus) + 1)
    # TensorFlow builds a MirroredStrategy over a device that does not exist
    with pytest.raises(ValueError, match=r"devices\[0\] must name a device of this machine.*"
                                         "'GPU:99'"):
        distribute.mirrored_strategy(["GPU:99"])
    with pytest.raises(ValueError, match="devices must name each device once"):
        distribute.mirrored_strategy(["CPU:0", "/cpu:0"])
    assert distribute.mirrored_strategy(["/cpu:0"]).num_replicas_in_sync == 1
    with pytest.raises(TypeError, match=r"second\[1\] must be an array of real numbers"):
        distribute.max_weight_difference([np.ones(2), np.ones(1)],
                                         [np.ones(2), np.array(["a"])])
    assert distribute.max_weight_difference([np.ones(2)], [np.array([1.0, 1.5])]) == 0.5
    with pytest.raises(TypeError, match="ports must be a list of port numbers"):
        multiworker.tf_configs(2, ports=3)
    with pytest.raises(ValueError, match="ports must be distinct"):
        multiworker.tf_configs(2, ports=[5000, 5000])
    with pytest.raises(TypeError, match=r"ports\[1\] must be an integer"):
        multiworker.tf_configs(2, ports=[5000, True])
    assert [config["cluster"]["worker"] for config in multiworker.tf_configs(2, (5000, 5001))] \
        == [["localhost:5000", "localhost:5001"]] * 2
    with pytest.raises(ValueError, match="device '/gpu:99' is not a device of this machine"):
        multiworker.reference_run(steps=1, global_batch=1, device="/gpu:99")


def test_the_check_machinery_checks_its_own_arguments():
    with pytest.raises(TypeError, match="^seed must be a non-negative integer, got True"):
        grids.conv_cases(seed=True)
    with pytest.raises(ValueError, match="^rtol must be a finite real number >= 0"):
        compare.matches(1.0, 1.0, rtol=-1.0)
    with pytest.raises(ValueError, match="^atol must be"):
        compare.mismatch(1.0, 1.0, atol=float("nan"))
    with pytest.raises(TypeError, match="^label must be a string or None"):
        checks.Case((1,), label=3)
    with pytest.raises(TypeError, match="^answer must be a function"):
        checks.Mistake("a hint", answer=3)
    with pytest.raises(TypeError, match="^cases must be a non-empty list of Case objects"):
        checks.check_function(abs, abs, None)
    with pytest.raises(TypeError, match="^mistakes must be a dict"):
        checks.check_value(3, name="answer", expected=3, mistakes=["wrong"])
    with pytest.raises(TypeError, match="^hint_direction must be True or False"):
        checks.check_value(3, name="answer", expected=3, hint_direction="yes")
    with pytest.raises(TypeError, match="^forbidden must be a tuple of dotted names"):
        checks.library_calls(abs, None)


def test_random_affine_names_images_that_are_not_numbers():
    with pytest.raises(TypeError, match="^images must be an array of real numbers, got dtype"):
        pipeline.random_affine(None, (1, 2))
    with pytest.raises(TypeError, match="^images must be an array of real numbers, got dtype"):
        pipeline.random_affine(np.array([["a", "b"]]), (1, 2))


def _digits(count=6):
    rng = np.random.default_rng(0)
    return rng.uniform(size=(count, 8, 8, 1)).astype("float32"), np.arange(count) % 3


def test_train_to_accuracy_checks_examples_and_names_the_pairs_of_arrays():
    inputs = keras.Input((8, 8, 1))
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(inputs))
    model = recipes.compile_classifier(keras.Model(inputs, outputs))
    x, y = _digits()
    for examples in (0, 2.5, "6"):  # ignored, and so unchecked, with arrays before
        with pytest.raises((TypeError, ValueError), match="^examples must be a positive integer"):
            speedrun.train_to_accuracy(model, (x, y), (x, y), epochs=1, examples=examples)
    with pytest.raises(ValueError, match=r"^examples must be the number of training images, "
                                         r"len\(train_data\[0\]\) = 6, or None, got 5"):
        speedrun.train_to_accuracy(model, (x, y), (x, y), epochs=1, examples=5, log=False)
    with pytest.raises(ValueError, match=r"^train_data\[0\] and train_data\[1\] must have the "
                                         "same number of examples, got 6 and 2"):
        speedrun.train_to_accuracy(model, (x, y[:2]), (x, y), epochs=1, log=False)
    with pytest.raises(ValueError, match=r"^test\[0\] and test\[1\] must have the same "):
        speedrun.train_to_accuracy(model, (x, y), (x, y[:2]), epochs=1, log=False)
    with pytest.raises(ValueError, match=r"^test\[0\] must be a 3 or 4-D array"):
        speedrun.train_to_accuracy(model, (x, y), (x[:, 0, 0], y), epochs=1, log=False)
    with pytest.raises(ValueError, match=r"^test\[1\] must hold integer class labels"):
        speedrun.train_to_accuracy(model, (x, y), (x, y / 2), epochs=1, log=False)


@pytest.mark.parametrize(
    ("argument", "value", "error", "message"),
    [
        ("x_train", np.ones((6, 8)), ValueError, "^x_train must be a 3 or 4-D array"),
        ("x_test", np.array(["a"] * 6), TypeError, "^x_test must be an array of real numbers"),
        ("y_train", np.full(6, -1), ValueError, "^y_train must hold class labels 0, 1, 2"),
        ("y_test", np.ones(6) / 2, ValueError, "^y_test must hold integer class labels"),
        ("target", 1.5, ValueError, "^target must be a finite real number"),
        ("time_limit", 0, ValueError, "^time_limit must be a finite real number > 0"),
        ("label_smoothing", 1.0, ValueError, "^label_smoothing must be"),
        ("bn_momentum", -0.1, ValueError, "^bn_momentum must be"),
        ("log", "yes", TypeError, "^log must be True or False"),
    ],
)
def test_fast_recipe_checks_every_argument_by_its_name_before_building(
        monkeypatch, argument, value, error, message):
    def build(*args, **kwargs):
        pytest.fail(f"the network was built with {argument}={value!r}")

    monkeypatch.setattr(speedrun, "fast_cnn", build)
    x, y = _digits()
    data = {"x_train": x, "y_train": y, "x_test": x, "y_test": y, argument: value}
    arrays = [data.pop(name) for name in ("x_train", "y_train", "x_test", "y_test")]
    with pytest.raises(error, match=message):
        speedrun.fast_recipe(*arrays, **data)


def test_sparse_crossentropy_checks_its_name():
    with pytest.raises(TypeError, match="^name must be a string"):
        recipes.SparseCrossentropy(0.1, name=3)
    assert recipes.SparseCrossentropy(0.1, name="smooth").name == "smooth"
