"""Every public function of cnnlib refuses a bad argument with a clear error, and never hangs.

The public API is found, not listed: every module of the package (private ones, ``_name``, left
out) is imported with ``pkgutil.walk_packages`` and its public names are its ``__all__`` (or, for
a module without one, the public functions and classes it defines). For each parameter of each
of them the sweep calls the function with GOOD values for every other parameter and, in turn,
each BAD value of that parameter, and expects a ``ValueError`` or ``TypeError`` whose message
names the parameter. Each call runs under a time limit, so a hang fails too.

Good and bad values come from tables keyed by the parameter's name (``kernel_size``, ``model``,
...), with overrides for one function where a name means something else there. A parameter that
no table covers fails the test (``test_every_parameter_is_covered``), so a new parameter cannot
slip past the sweep; the few parameters that take any value (the student's answer, a title) are
exempt with the reason written next to them.

The outcomes are counted per kind -- clear error, unclear error (another exception, or a message
that does not name the argument), silent answer (the bad call returned), hang -- and printed at
the end of the run.
"""

import contextlib
import functools
import importlib
import inspect
import pkgutil
import re
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

import keras
import matplotlib
import numpy as np
import pytest

import cnnlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SECONDS_PER_CALL = 5  # a clear error comes in milliseconds; this only catches hangs
NAN, INF = float("nan"), float("inf")


# --- Discovering the public API ----------------------------------------------------------------

def _public_modules():
    modules = [cnnlib]
    for info in pkgutil.walk_packages(cnnlib.__path__, "cnnlib."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        modules.append(importlib.import_module(info.name))
    return modules


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [name for name, obj in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__]


def public_callables():
    """``{qualified name: callable}`` of every public function and class, each once."""
    found = {}
    for module in _public_modules():
        for name in _public_names(module):
            obj = getattr(module, name)
            if callable(obj) and not isinstance(obj, type(keras)):
                key = f"{obj.__module__}.{obj.__qualname__}"
                found.setdefault(key, obj)
    return dict(sorted(found.items()))


PUBLIC = public_callables()


# --- Good values -------------------------------------------------------------------------------

class Fresh:
    """A value made anew for every function (a model that a call may change): the calls of one
    function with a bad argument share it, as each must fail before it changes anything."""

    def __init__(self, make):
        self.make = make


class Once(Fresh):
    """A value made once, on first use (a model that no call changes)."""

    def __init__(self, make):
        super().__init__(functools.cache(make))


def _value(value):
    return value.make() if isinstance(value, Fresh) else value


def _tiny_model(compiled=False, batch_norm=False):
    inputs = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Conv2D(2, 3, padding="same", name="conv")(inputs)
    if batch_norm:
        x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.ReLU(name="relu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(3, name="dense")(x)
    model = keras.Model(inputs, outputs, name="tiny")
    if compiled:
        model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(
            from_logits=True), metrics=["accuracy"])
    return model


def _unbuilt_model():
    return keras.Sequential([keras.layers.Dense(2)])


@functools.cache
def _workdir():
    path = Path(tempfile.mkdtemp(prefix="cnnlib-fuzz-"))
    (path / "notebooks").mkdir()
    return path


RNG = np.random.default_rng(0)
X4 = RNG.normal(size=(2, 5, 5, 2))  # a batch of images (N, H, W, C)
W4 = RNG.normal(size=(3, 3, 2, 3))  # a kernel (kh, kw, C_in, C_out)
IMAGES = RNG.uniform(size=(2, 8, 8, 1)).astype("float32")
LABELS = np.array([0, 1, 2, 0, 1, 2])
X6 = RNG.uniform(size=(6, 8, 8, 1)).astype("float32")  # as many images as LABELS

# Good values by parameter name; GOOD_FOR overrides them for one function.
GOOD = {
    "n": 7, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1, "pool_size": 2,
    "in_channels": 3, "filters": 4, "channels": 3, "output_size": 5, "in_units": 10, "units": 4,
    "use_bias": True, "shape": (4, 4, 3), "dtype": "float32", "layers": [(3, 1), (2, 2)],
    "classes": 3, "input_shape": (32, 32, 3), "dropout": 0.5, "batch_norm": True,
    "seed": 0, "model": Once(lambda: _tiny_model(compiled=True)),
    "x": X4, "w": W4, "b": np.zeros(3),
    "epochs": 1, "batch_size": 2, "repeats": 1, "warmup": 0, "title": "t",
    "cmap": "gray", "ncols": 4, "size": 1.0, "ax": None, "fmt": "{:g}",
    "kernel_initializer": "glorot_uniform", "name": "fuzz", "image": np.arange(16.).reshape(4, 4),
    "kernel": np.ones((2, 2)), "mode": "valid", "learning_rate": 0.01, "momentum": 0.9,
    "depth": 20, "width": 1.0, "strides": 1, "residual": True, "relu": True,
    "shortcut": "B", "stride_in": "1x1", "expansion": 2, "drop_rate": 0.0,
    "file": None, "images": IMAGES, "class_index": None, "layer_name": "conv",
    "rounding": "floor", "noise": 0.1, "samples": 2,
}
GOOD.update({
    # arrays of the reference implementations and the explanation methods
    "dout": np.ones((2, 3, 3, 3)), "cache": None, "gamma": np.ones(2), "beta": np.zeros(2),
    "epsilon": 1e-3, "training": True, "moving_mean": None, "moving_var": None,
    "moving": np.zeros(2), "batch": np.ones(2), "kh": 2, "kw": 2, "cols": None,
    "x_shape": (2, 5, 5, 2), "value": 0, "f": lambda x: x ** 2, "h": 1e-5,
    "a": np.ones(3), "pad": 0, "logits": np.zeros((6, 3)), "y": LABELS,
    "maps": np.arange(32.).reshape(2, 4, 4), "boxes": np.array([[0, 0, 2, 2], [1, 1, 4, 4]]),
    "maps_a": np.arange(32.).reshape(2, 4, 4), "maps_b": np.arange(32.)[::-1].reshape(2, 4, 4),
    "activations": np.ones((2, 3, 3, 2)), "gradients": np.ones((2, 3, 3, 2)),
    "layer_names": None, "patch": 4, "fill": None, "upsample": True,
    "steps": 2, "value_range": (0.0, 1.0), "blur_every": 4, "blur_sigma": 0.5, "decay": 0.01,
    "boxes_a": np.array([[0, 0, 2, 2.]]), "boxes_b": np.array([[1, 1, 3, 3.]]),
    "true_masks": np.zeros((2, 4, 4), int), "predicted_masks": np.ones((2, 4, 4), int),
    "num_classes": 4, "max_shapes": 2, "shape_size": (8, 14),
    # models and their parts
    "dense_units": 8, "conv1_kernel": 3, "conv1_strides": 1, "conv1_padding": "same",
    "depths": (1, 1, 1, 1), "widths": (8, 16, 32, 64), "patch_size": 4, "stem_strides": 2,
    "squeeze_channels": 2, "aux_heads": False, "bottleneck": True, "variant": "classic",
    "divisor": 8, "alpha": 0.35, "conv_per_block": 1, "blocks": 1, "dense_layers": 1,
    "pool": True, "convs": 1, "init_value": 1e-6,
    "n1x1": 4, "n3x3_reduce": 4, "n3x3": 4, "n5x5_reduce": 4, "n5x5": 4, "pool_proj": 4,
    # training, transfer, recipes
    "validation_data": None, "validation_split": 0.0, "log": False, "stratify": True,
    "up_to": "conv", "batch_norm_trainable": False, "base_training": False,
    "factory": lambda weights=None, **kwargs: _tiny_model(), "timeout": 5.0,
    "flip": True, "shift": 0.125, "rotation": 0.0, "zoom": 0.0, "fill_mode": "constant",
    "optimizer": "adam", "weight_decay": None, "run_eagerly": False,
    "augment": Once(lambda: keras.Sequential([keras.layers.RandomFlip()], name="aug")),
    "label_smoothing": 0.1, "peak": 0.01, "total_steps": 10, "warmup_steps": 2, "start": 0.001,
    "final": 0.0, "drop_remainder": False, "bn_momentum": 0.9,
    # time to accuracy: the good calls train (they are left out of the good-values check)
    "target": 0.5, "time_limit": None, "examples": None,
    "train_data": (X6, LABELS), "test": (X6, LABELS),
    "x_train": X6, "y_train": LABELS, "x_test": X6, "y_test": LABELS,
    # timing and speed
    "models": Once(lambda: [_tiny_model()]), "device": None,
    "w_shape": (3, 3, 2, 3), "loop_examples": 1, "loop_repeats": 1,
    "functions": {"nothing": lambda: None},
    # viz
    "i": 0, "j": 0, "values": np.arange(9).reshape(3, 3), "highlight": None,
    "history": {"loss": [1.0, 0.5], "accuracy": [0.5, 0.7]}, "metrics": ("loss",),
    "titles": None, "symmetric": False, "label": "value", "labels": None, "class_names": None,
    # data, env, config, release
    "return_info": False, "obj": _tiny_model, "full": 10, "quick": 2,
    "source": "x = 1\n", "where": "<code>", "dest": None, "nb": None,
    # checks
    "fn": lambda *args, **kwargs: 0, "forbidden": ("cnnlib",), "rtol": 1e-7, "atol": 1e-9,
    "expected": 1.0, "got": 1.0, "digits": None, "hint": None, "mistakes": (),
    "outputs": None, "summary": "wrong", "position": "", "case": None,
    "args": (), "kwargs": {}, "expected_hash": None, "hint_direction": False,
    "answer": None, "when": None, "output": None,
    "student_fn": lambda x: x, "reference_fn": lambda x: x,
    "cases": Once(lambda: [importlib.import_module("cnnlib.checks").Case((1,))]),
})


def _cache(forward, *args):
    reference = importlib.import_module("cnnlib.reference")
    return Once(lambda: getattr(reference, forward)(*args)[1])


def _input_tensor(shape):
    return Once(lambda: keras.Input(shape))


def _base_model():
    inputs = keras.Input((8, 8, 1))
    return keras.Model(inputs, keras.layers.Conv2D(2, 3, name="conv")(inputs), name="base")


X2D, W2D = RNG.normal(size=(2, 4)), RNG.normal(size=(4, 3))
_R, _M, _E, _V = "cnnlib.reference", "cnnlib.models", "cnnlib.explain", "cnnlib.viz"
_INCEPTION = Once(lambda: _models().InceptionConfig(8, 4, 4, 4, 4, 4, 4, 4))


def _models():
    return importlib.import_module("cnnlib.models")


GOOD_FOR = {
    (f"{_R}.backward.avg_pool_backward", "cache"): _cache("avg_pool_forward", X4),
    (f"{_R}.backward.avg_pool_backward", "dout"): np.ones((2, 2, 2, 2)),
    (f"{_R}.backward.max_pool_backward", "cache"): _cache("max_pool_forward", X4),
    (f"{_R}.backward.max_pool_backward", "dout"): np.ones((2, 2, 2, 2)),
    (f"{_R}.backward.conv_backward", "cache"): _cache("conv_forward", X4, W4, np.zeros(3)),
    (f"{_R}.fast.conv_backward_im2col", "cache"):
        _cache("conv_forward_im2col", X4, W4, np.zeros(3)),
    (f"{_R}.backward.dense_backward", "cache"): _cache("dense_forward", X2D, W2D, np.zeros(3)),
    (f"{_R}.backward.dense_backward", "dout"): np.ones((2, 3)),
    (f"{_R}.backward.relu_backward", "cache"): _cache("relu_forward", X4),
    (f"{_R}.backward.relu_backward", "dout"): np.ones(X4.shape),
    (f"{_R}.batchnorm.batchnorm_backward", "cache"):
        _cache("batchnorm_forward", X4, np.ones(2), np.zeros(2)),
    (f"{_R}.batchnorm.batchnorm_backward", "dout"): np.ones(X4.shape),
    (f"{_R}.backward.dense_forward", "x"): X2D, (f"{_R}.backward.dense_forward", "w"): W2D,
    (f"{_R}.forward.conv1x1", "w"): np.ones((2, 3)),
    (f"{_R}.forward.pad2d", "padding"): 1,
    (f"{_R}.gradcheck.numeric_gradient", "x"): np.ones(3),
    (f"{_R}.gradcheck.numeric_gradient", "dout"): None,
    (f"{_R}.gradcheck.relative_error", "b"): np.ones(3),
    (f"{_R}.fast.col2im", "cols"): Once(lambda: importlib.import_module("cnnlib.reference")
                                        .im2col(X4, 2, 2)),
    (f"{_R}.speed.compare_conv_speeds", "x_shape"): (2, 5, 5, 2),
    (f"{_R}.speed.compare_conv_speeds", "device"): "/CPU:0",
    (f"{_R}.speed.scalar_loops_conv_backward", "dout"): np.ones((2, 3, 3, 3)),
    (f"{_E}.filter_visualisation", "filters"): 0,
    (f"{_E}.filter_visualisation", "size"): None,
    (f"{_E}.occlusion", "stride"): 2,
    (f"{_M}.lenet.lenet5", "input_shape"): (32, 32, 1),
    (f"{_M}.googlenet.googlenet", "input_shape"): (64, 64, 3),
    (f"{_M}.googlenet.inception_macs", "config"): _INCEPTION,
    (f"{_M}.googlenet.inception_module", "config"): _INCEPTION,
    (f"{_M}.googlenet.inception_module", "x"): _input_tensor((8, 8, 4)),
    (f"{_M}.googlenet.auxiliary_head", "x"): _input_tensor((14, 14, 8)),
    (f"{_M}.googlenet.InceptionConfig", "size"): 28,
    (f"{_M}.mobilenet.make_divisible", "value"): 30,
    (f"{_M}.resnet.resnet", "depth"): 18,
    (f"{_M}.vgg.vgg", "depth"): 11,
    (f"{_M}.efficientnet.mbconv_block", "expansion"): 1,
    ("cnnlib.train.evaluate", "x"): X6, ("cnnlib.train.fit", "x"): X6,
    ("cnnlib.train.subset", "x"): X6, ("cnnlib.train.subset", "n"): 3,
    ("cnnlib.transfer.per_class_subset", "x"): X6, ("cnnlib.transfer.per_class_subset", "n"): 1,
    ("cnnlib.transfer.select_classes", "x"): X6, ("cnnlib.transfer.select_classes", "classes"):
        [0, 1],
    ("cnnlib.train.fit", "model"): Fresh(lambda: _tiny_model(compiled=True)),
    ("cnnlib.transfer.freeze", "model"): Fresh(lambda: _tiny_model(batch_norm=True)),
    ("cnnlib.transfer.with_new_head", "base"): Fresh(_base_model),
    ("cnnlib.transfer.with_new_head", "name"): None,
    ("cnnlib.recipes.compile_classifier", "model"): Fresh(_tiny_model),
    ("cnnlib.recipes.with_augmentation", "name"): None,
    ("cnnlib.recipes.augmentation", "seed"): None,
    ("cnnlib.data.load_dataset", "name"): "mnist", ("cnnlib.data.class_names", "name"): "mnist",
    (f"{_V}.images.show_feature_maps", "maps"): np.ones((4, 4, 3)),
    (f"{_V}.grids.show_padding", "padding"): 1,
    (f"{_V}.grids.show_kernel", "kernel"): np.ones((3, 3)),
    (f"{_V}.grids.show_conv_step", "image"): np.arange(16.).reshape(4, 4),
    ("cnnlib.release.build", "source"): Once(lambda: str(_workdir() / "notebooks")),
    ("cnnlib.release.build", "dest"): Once(lambda: str(_workdir() / "release")),
    ("cnnlib.release.student_notebook", "nb"):
        Fresh(lambda: importlib.import_module("nbformat").v4.new_notebook()),
    ("cnnlib.checks.core.check_function", "name"): None,
    ("cnnlib.checks.core.check_gradient", "name"): None,
    ("cnnlib.checks.core.check_value", "name"): "answer",
    ("cnnlib.checks.core.run_student", "name"): None,
    ("cnnlib.checks.core.answer_of", "name"): "answer",
    ("cnnlib.checks.integrity.assert_own_work", "name"): None,
    ("cnnlib.checks.core.Case", "label"): "",
    ("cnnlib.checks.core.Mistake", "hint"): "a hint",
    ("cnnlib.checks.core.Mistake", "answer"): lambda *args: 0,
    ("cnnlib.checks.core.check_value", "mistakes"): None,
    ("cnnlib.checks.core.check_value", "expected"): 0,
}


def good(qualname, parameter):
    if (qualname, parameter) in GOOD_FOR:
        return GOOD_FOR[qualname, parameter]
    return GOOD[parameter]


# --- Bad values --------------------------------------------------------------------------------

SIZE = [0, -1, 2.5, True, "3", None]  # a positive integer
COUNT = [-1, 2.5, True, "3", None]  # a non-negative integer
BOOL = ["no", 1, None]
REAL = [NAN, INF, "0.5", True, None]
RATE = [-0.1, 1.0, NAN, "0.5", True, None]
CHOICE = ["bogus", 3, None]
OPTIONAL_STR = [3, ["a"]]
STR = [3, None, ""]
OPTIONAL_NAME = [3, ["a"]]  # a Keras name: None picks one
MODEL = ["model", None, Fresh(_unbuilt_model)]
ARRAY = [None, "array", np.array(["a", "b"])]

BAD = {
    "n": SIZE, "kernel_size": SIZE, "stride": SIZE, "padding": [-1, 2.5, True, "bogus", None],
    "dilation": SIZE, "pool_size": SIZE, "in_channels": SIZE, "filters": SIZE,
    "channels": SIZE, "output_size": SIZE, "in_units": SIZE, "units": SIZE, "use_bias": BOOL,
    "shape": [None, (4, 0, 3), (4, -1), (2.5, 3), "443"], "dtype": ["bogus", 3, None],
    "layers": [None, [(3,)], [(0, 1)], [(3, -1)], [("3", 1)], 3], "classes": SIZE,
    "input_shape": [None, (32, 32), (32, 0, 3), (32.5, 32, 3), "32"],
    "dropout": RATE, "batch_norm": BOOL, "seed": COUNT, "model": MODEL,
    "x": ARRAY + [np.ones((2, 2))], "w": ARRAY + [np.ones(3)], "b": ARRAY + [np.ones((2, 2))],
    "epochs": SIZE, "batch_size": SIZE, "repeats": SIZE, "warmup": COUNT,
    "title": OPTIONAL_STR, "cmap": ["bogus_colour_map", 3], "ncols": SIZE,
    "size": [0, -1.0, NAN, "big", True], "ax": ["axes", 3], "fmt": [3, "{:q}"],
    "kernel_initializer": ["bogus", 3, None], "name": OPTIONAL_NAME, "image": ARRAY + [np.ones(4)],
    "kernel": ARRAY + [np.ones(4)], "mode": CHOICE, "learning_rate": [0, -0.1] + REAL,
    "momentum": RATE, "depth": SIZE, "width": [0, -1.0] + REAL, "strides": SIZE,
    "residual": BOOL, "relu": BOOL, "shortcut": CHOICE + ["a"], "stride_in": CHOICE,
    "expansion": SIZE, "drop_rate": RATE, "file": ["out.txt", 3],
    "images": ARRAY + [np.ones((8, 8))], "class_index": [-1, 2.5, True, "3", 99],
    "layer_name": ["bogus_layer", 3, None], "rounding": CHOICE, "noise": RATE, "samples": SIZE,
}
BAD.update({
    "dout": ARRAY + [np.ones((1, 1))], "cache": [None, "cache", (1, 2)],
    "gamma": ARRAY + [np.ones(3)], "beta": ARRAY + [np.ones(3)], "epsilon": [0, -1.0] + REAL,
    "training": BOOL, "moving_mean": ["mean", np.ones(3)], "moving_var": ["var", np.ones(3)],
    "moving": ARRAY + [np.ones(3)], "batch": ARRAY + [np.ones(3)], "kh": SIZE, "kw": SIZE,
    "cols": ARRAY + [np.ones(3)], "x_shape": [None, (2, 5, 5), (2, 0, 5, 2), "shape"],
    "value": [NAN, "0", None], "f": [None, "f"], "h": [0, -1e-5] + REAL, "a": ARRAY,
    "pad": COUNT, "logits": ARRAY + [np.ones(3)],
    "y": [None, "y", np.array([0, 1]), np.array([0, 1, 2, 0, 1, 9]), np.full(6, -1)],
    "maps": ARRAY + [np.ones(3)], "boxes": ARRAY + [np.ones((2, 3)), np.full((2, 4), NAN)],
    "maps_a": ARRAY + [np.ones(3)], "maps_b": ARRAY + [np.ones((3, 4, 4))],
    "activations": ARRAY + [np.ones(3)], "gradients": ARRAY + [np.ones((2, 3, 3, 3))],
    "layer_names": ["bogus_layer", ["bogus_layer"], 3], "patch": SIZE, "fill": ["grey", NAN],
    "upsample": BOOL, "steps": SIZE, "value_range": [None, (1.0, 0.0), (0, NAN), "01"],
    "blur_every": COUNT, "blur_sigma": [-1.0] + REAL, "decay": [-0.1] + REAL,
    "boxes_a": ARRAY + [np.ones(3), np.full((1, 4), NAN)],
    "boxes_b": ARRAY + [np.ones(3), np.full((1, 4), NAN)],
    "true_masks": ARRAY + [np.full((2, 4, 4), 9), np.ones((2, 4, 4)) * 0.5],
    "predicted_masks": ARRAY + [np.full((2, 4, 4), 9), np.ones((3, 4, 4), int)],
    "num_classes": SIZE, "max_shapes": SIZE, "shape_size": [None, (0, 4), (14, 8), 8.5, "8"],
    "dense_units": SIZE, "conv1_kernel": SIZE, "conv1_strides": SIZE,
    "conv1_padding": CHOICE, "depths": [None, (1, 1, 1), (1, 0, 1, 1), (1, 1.5, 1, 1), "1111"],
    "widths": [None, (8, 16, 32), (8, 0, 32, 64), "8"], "patch_size": SIZE,
    "stem_strides": SIZE, "squeeze_channels": SIZE, "aux_heads": BOOL, "bottleneck": BOOL,
    "variant": CHOICE, "divisor": SIZE, "alpha": [0, -1.0] + REAL, "conv_per_block": SIZE,
    "blocks": COUNT, "dense_layers": COUNT, "pool": BOOL, "convs": SIZE,
    "init_value": [NAN, "1e-6", True, None],
    "n1x1": SIZE, "n3x3_reduce": SIZE, "n3x3": SIZE, "n5x5_reduce": SIZE, "n5x5": SIZE,
    "pool_proj": SIZE,
    "validation_data": ["data", (X6,), (X6, np.array([0, 1]))],
    "validation_split": [1.0, -0.1, NAN, "0.1", True], "log": BOOL, "stratify": BOOL,
    "up_to": ["bogus_layer", 3], "batch_norm_trainable": BOOL, "base_training": BOOL,
    "factory": ["VGG16", None], "timeout": [0, -1.0] + REAL,
    "flip": BOOL, "shift": RATE, "rotation": [-0.1, NAN, "0.5", True, None],
    "zoom": [-0.1, NAN, "0.5", True, None], "fill_mode": CHOICE,
    "optimizer": ["bogus", 3, None], "weight_decay": [-0.1, NAN, "0.1", True],
    "run_eagerly": BOOL, "augment": ["flip", None, 3],
    "models": [None, "model", ["model"], []], "device": ["CPU:-1", 3, "bogus"],
    "w_shape": [None, (3, 3, 2), (3, 0, 2, 3), "shape"], "loop_examples": SIZE,
    "loop_repeats": SIZE, "functions": [None, {"f": 3}, lambda: None],
    "i": [-1, 2.5, True, "0", None, 99], "j": [-1, 2.5, True, "0", None, 99],
    "values": ARRAY + [np.ones(3)], "highlight": ["bogus", 3.5],
    "history": [None, "history", {"loss": "abc"}], "metrics": [None, "loss", ("bogus",), 3],
    "titles": [3, ["a"]], "symmetric": BOOL, "label": OPTIONAL_STR,
    "labels": ["abc", np.ones((2, 2))], "class_names": [3, "abc"],
    "return_info": BOOL, "obj": [3, None, "len"], "full": [None, "10"], "quick": [None, "2"],
    "source": [None, 3], "where": [None, 3], "dest": [3], "nb": [None, "notebook", {}],
    "fn": [None, "fn", 3], "forbidden": [None, 3, "cnnlib", [3]],
    "rtol": [-1.0] + REAL, "atol": [-1.0] + REAL, "digits": [-1, 2.5, True, "3"],
    "hint": [3, ["hint"]], "mistakes": [None, 3, ["mistake"]], "outputs": [3, "out"],
    "summary": [None, 3], "position": [None, 3], "case": ["case", 3, (1,)],
    "args": [None, 3, "args"], "kwargs": [None, 3, ["a"]],
    "expected_hash": [3, "not a hash"], "hint_direction": BOOL,
    "answer": [3, "answer"], "when": [3, "when"], "output": [3],
    "student_fn": [None, "fn", 3], "reference_fn": [None, "fn", 3],
    "cases": [None, 3, [1, 2], []],
    "expected": [None], "got": [None],
    "config": [None, (28, 256), "config",
               Once(lambda: _models().InceptionConfig(8, 4, 0, 4, 4, 4, 4, 4)),
               Once(lambda: _models().InceptionConfig(-8, 4, 4, 4, 4, 4, 4, 4)),
               Once(lambda: _models().InceptionConfig(8, 4, 4, 4, 4, 4, 4, 2.5))],
    "base": MODEL,
    "label_smoothing": RATE, "peak": [0, -0.1] + REAL, "total_steps": SIZE,
    "warmup_steps": COUNT + [10], "start": [-0.1, 1.0] + REAL, "final": [-0.1, 1.0] + REAL,
    "drop_remainder": BOOL, "bn_momentum": RATE,
    "target": [0, -0.1, 1.5, NAN, "0.5", True], "time_limit": [0, -1.0, NAN, INF, "60", True],
    "examples": [0, -1, 2.5, True, "6", 5],
    "train_data": [None, "data", (X6,), (X6, LABELS[:2])],
    "test": [None, "test", (X6,), 3, (X6, LABELS[:2]), (X6[..., 0, 0], LABELS),
             (X6, LABELS * 0.5)],
    "x_train": ARRAY + [np.ones((6, 8))], "x_test": ARRAY + [np.ones((6, 8))],
    "y_train": [None, "y", LABELS[:2], np.full(6, -1), LABELS * 0.5],
    "y_test": [None, "y", LABELS[:2], np.full(6, -1), LABELS * 0.5],
})
_POOLS = [f"{_R}.{m}" for m in ("forward.avg_pool2d", "forward.max_pool2d",
                                   "backward.avg_pool_forward", "backward.max_pool_forward")]
_STRIDE_OR_NONE = [0, -1, 2.5, True, "3"]  # None: the window size
_SEED_OR_NONE = [-1, 2.5, True, "3"]  # None: unseeded
_STUDENT = ("the student's answer (a function or a value) is what the check examines: any "
            "value is allowed, a wrong one fails with CheckFailed and a hint")
_AUGMENT = {"flip": True, "shift": 0.1}  # a pipeline's augmentation (a dict, not a layer)
_NOT_A_DICT_OF_AMOUNTS = ["flip", 3, {"shear": 0.1}, Once(lambda: keras.layers.RandomFlip())]
GOOD_FOR.update({
    **{(name, "padding"): "valid" for name in _POOLS},
    ("cnnlib.pipeline.dataset", "x"): X6, ("cnnlib.pipeline.dataset", "cache"): True,
    ("cnnlib.pipeline.dataset", "augment"): _AUGMENT,
    ("cnnlib.pipeline.random_affine", "seed"): (1, 2),
    ("cnnlib.speedrun.fast_recipe", "augment"): _AUGMENT,
    ("cnnlib.speedrun.fast_recipe", "filters"): (4,),
    ("cnnlib.speedrun.fast_recipe", "warmup"): 0.2,
    (f"{_M}.fast.fast_cnn", "filters"): (4,),
    ("cnnlib.shapes.make_shapes", "size"): 16,
    (f"{_R}.batchnorm.batchnorm_forward", "training"): False,
    (f"{_R}.batchnorm.batchnorm_forward", "moving_mean"): np.zeros(2),
    (f"{_R}.batchnorm.batchnorm_forward", "moving_var"): np.ones(2),
    (f"{_M}.efficientnet.efficientnet", "width"): 0.25,
    (f"{_M}.efficientnet.efficientnet", "depth"): 0.25,
    (f"{_M}.efficientnet.efficientnet", "input_shape"): (16, 16, 3),
})
BAD_FOR = {
    ("cnnlib.pipeline.dataset", "cache"): BOOL,
    ("cnnlib.pipeline.dataset", "augment"): _NOT_A_DICT_OF_AMOUNTS,
    ("cnnlib.pipeline.dataset", "y"): [None, "y", LABELS[:2], np.full(6, -1), LABELS * 0.5],
    ("cnnlib.pipeline.random_affine", "seed"): [None, "seed", 0, (1, 2, 3), (1.5, 2)],
    ("cnnlib.speedrun.fast_recipe", "augment"): _NOT_A_DICT_OF_AMOUNTS,
    ("cnnlib.speedrun.fast_recipe", "warmup"): RATE,
    **{(name, "filters"): [None, 4, (), (0,), (2.5,), ("4",), [4, True]]
       for name in ("cnnlib.speedrun.fast_recipe", f"{_M}.fast.fast_cnn")},
    ("cnnlib.checks.core.check_value", "name"): STR,
    ("cnnlib.checks.core.answer_of", "name"): STR,
    (f"{_M}.mobilenet.make_divisible", "value"): [0, -1, NAN, "0", None, True],
    **{(name, "stride"): _STRIDE_OR_NONE for name in _POOLS},
    ("cnnlib.arithmetic.pool_output_size", "stride"): _STRIDE_OR_NONE,
    (f"{_R}.forward.conv2d", "b"): ARRAY[1:] + [np.ones((2, 2))],
    (f"{_R}.forward.relu_forward", "x"): ARRAY,
    (f"{_R}.backward.relu_forward", "x"): ARRAY,
    (f"{_R}.gradcheck.numeric_gradient", "x"): ARRAY,
    (f"{_R}.gradcheck.numeric_gradient", "dout"): ARRAY[1:] + [np.ones(5)],
    (f"{_R}.forward.pad2d", "value"): ["0", None, True],
    (f"{_E}.filter_visualisation", "filters"): [-1, 99, 2.5, "0", None],
    (f"{_E}.smooth_saliency", "noise"): [-0.1, NAN, "0.5", True, None],
    ("cnnlib.recipes.augmentation", "seed"): _SEED_OR_NONE,
    (f"{_M}.efficientnet.efficientnet", "depth"): [0, -1.0, NAN, "1", True, None],
    ("cnnlib.train.subset", "y"): [None, "y", np.array([0, 1])],
    ("cnnlib.transfer.per_class_subset", "y"): [None, "y", np.array([0, 1])],
    ("cnnlib.transfer.select_classes", "y"): [None, "y", np.array([0, 1])],
    ("cnnlib.transfer.per_class_subset", "n"): [0, -1, 2.5, True, "3", 99],
    ("cnnlib.recipes.compile_classifier", "model"): ["model", None],
    ("cnnlib.transfer.InferenceMode", "model"): ["model", None],
    (f"{_E}.randomised_copy", "model"): ["model", None],
    (f"{_E}.receptive_fields", "model"): ["model", None],
    (f"{_V}.history.plot_history", "metrics"): [None, ("bogus",), 3, []],
    ("cnnlib.transfer.with_new_head", "name"): OPTIONAL_NAME,
    ("cnnlib.recipes.with_augmentation", "name"): OPTIONAL_NAME,
    ("cnnlib.checks.core.check_function", "name"): OPTIONAL_NAME,
    ("cnnlib.checks.core.check_gradient", "name"): OPTIONAL_NAME,
    ("cnnlib.checks.core.run_student", "name"): OPTIONAL_NAME,
    ("cnnlib.checks.integrity.assert_own_work", "name"): OPTIONAL_NAME,
    ("cnnlib.checks.core.Case", "label"): [3, ["a"]],
    ("cnnlib.checks.core.check_value", "mistakes"): [3, ["mistake"]],
    (f"{_M}.googlenet.InceptionConfig", "size"): SIZE,
    ("cnnlib.data.load_dataset", "name"): CHOICE, ("cnnlib.data.class_names", "name"): CHOICE,
    (f"{_R}.backward.dense_forward", "x"): ARRAY + [np.ones((2, 5))],
    (f"{_R}.backward.dense_forward", "w"): ARRAY + [np.ones((5, 3))],
    (f"{_R}.backward.dense_forward", "b"): ARRAY + [np.ones(4)],
    (f"{_R}.batchnorm.batchnorm_forward", "x"): ARRAY + [np.ones(3)],
    (f"{_R}.forward.convolve2d", "image"): ARRAY + [np.ones(4)],
    (f"{_R}.forward.correlate2d", "image"): ARRAY + [np.ones(4)],
    ("cnnlib.train.subset", "n"): SIZE + [99],
    (f"{_V}.output_size.plot_output_size", "n"): SIZE + [10 ** 5],  # a picture of n cells
    (f"{_V}.output_size.output_size_explorer", "n"): SIZE + [10 ** 5],
    ("cnnlib.profile.format_count", "value"): [NAN, INF, True, "3", None, -1],
    ("cnnlib.profile.format_bytes", "value"): [NAN, INF, True, "3", None, -1],
    ("cnnlib.timing.device_name", "device"): ["CPU:-1", "GPU:99", 3, "bogus", ""],
    ("cnnlib.transfer.select_classes", "classes"): [None, 3, [], [0, 0], [0, 9], ["a"]],
    ("cnnlib.reference.speed.compare_conv_speeds", "device"): ["CPU:-1", 3, None],
}
for _name in ("x",):
    for _block in ("efficientnet.squeeze_excite", "convnext.convnext_block",
                   "efficientnet.mbconv_block", "googlenet.auxiliary_head",
                   "googlenet.inception_module", "mobilenet.inverted_residual_block",
                   "resnet.basic_block", "resnet.bottleneck_block", "resnet.conv_bn",
                   "vgg.vgg_block"):
        BAD_FOR[f"{_M}.{_block}", _name] = [None, "x", np.ones((1, 8, 8, 4)),
                                            Once(lambda: keras.Input((8, 4)))]
        GOOD_FOR.setdefault((f"{_M}.{_block}", _name), _input_tensor((8, 8, 4)))

# Parameters the sweep leaves alone, each with its reason.
_RECORD = ("a result record that the library fills in and returns; no one builds it by hand, "
           "so it checks nothing")
_ANY = "takes any value by design: it describes, compares or classifies whatever it is given"
EXEMPT = {
    **{(f"cnnlib.{record}", "*"): _RECORD for record in (
        "profile.LayerProfile", "profile.ModelProfile", "profile.ProfileTotals",
        "reference.speed.ConvSpeeds", "timing.InferenceTime", "shapes.Shapes", "data.DataInfo",
        "explain.ReceptiveField", "speedrun.TimedRun")},
    **{(f"cnnlib.checks.compare.{name}", "*"): _ANY
       for name in ("describe", "short", "is_int", "is_real")},
    **{(f"cnnlib.checks.compare.{name}", argument): _ANY
       for name in ("matches", "mismatch", "brief_mismatch") for argument in ("expected", "got")},
    ("cnnlib.checks.core.check_value", "value"):
        "the student's answer: any value; a wrong one fails the check with CheckFailed",
    ("cnnlib.checks.core.check_value", "expected"):
        "the expected answer may be any value the student's answer is compared with",
    ("cnnlib.checks.core.answer_hash", "value"): "hashes any answer, whatever its type",
    (f"{_M}.googlenet.InceptionConfig", "*"): (
        "a row of GoogLeNet's Table 1, a NamedTuple that cannot check in its constructor; its "
        "fields are checked where it is used: the sweep gives inception_macs and "
        "inception_module configs with bad fields"),
    ("cnnlib.checks.core.run_student", "fn"): _STUDENT,
    ("cnnlib.checks.core.answer_of", "fn"): _STUDENT,
    ("cnnlib.checks.core.fail", "*"): ("raises CheckFailed by design, for the authors of "
                                       "checks; its arguments are the words of the message"),
    ("cnnlib.config.budget", "*"): ("returns one of its two arguments, whatever they are (a "
                                    "count, a list of sizes): there is no bad value"),
    **{(name, "fn"): _STUDENT for name in PUBLIC if name.startswith("cnnlib.checks.")
       and name.split(".")[-1].startswith("check_") and ".core." not in name},
    ("cnnlib.checks.core.Case", "kwargs"): "any mapping of keyword arguments of the exercise",
}

# The error may name the argument another way (``student_fn`` for a check's ``fn``).
ALIASES = {}


# --- Data parallelism: cnnlib.distribute and cnnlib.multiworker ----------------------------------
# One block for the two modules (their names mean something of their own there: a strategy, a
# global batch split over replicas, a TF_CONFIG), so the entries are per function.

def _one_device_strategy():
    import tensorflow as tf

    return tf.distribute.OneDeviceStrategy("/cpu:0")


def _logical_cpus():
    import tensorflow as tf

    return len(tf.config.list_logical_devices("CPU"))


_D, _MW = "cnnlib.distribute", "cnnlib.multiworker"
_STRATEGY = Once(_one_device_strategy)
_BATCH_NORM_CHOICE = ["bogus", 3, True, "per_replica"]  # None: no batch normalisation
_TF_CONFIG = {"cluster": {"worker": ["localhost:12345", "localhost:12346"]},
              "task": {"type": "worker", "index": 0}}
GOOD_FOR.update({
    # split_cpu must run before TensorFlow initialises its devices, which the test process has
    # done long before: the one call that still succeeds asks for the logical CPUs already made
    # (tests/test_argument_checks.py checks the clear error of a call asking for another number)
    (f"{_D}.split_cpu", "n"): Fresh(_logical_cpus),
    (f"{_D}.small_classifier", "batch_norm"): None,
    (f"{_D}.compare_with_one_device", "batch_norm"): None,
    (f"{_D}.max_weight_difference", "first"): [np.ones((2, 2)), np.ones(2)],
    (f"{_D}.max_weight_difference", "second"): [np.zeros((2, 2)), np.ones(2)],
    (f"{_MW}.parse_tf_config", "value"): _TF_CONFIG,
    (f"{_MW}.tf_configs", "ports"): None,
    (f"{_MW}.reference_run", "device"): "/cpu:0",
    (f"{_MW}.run_workers", "fail_worker"): None,
    **{(f"{_D}.{name}", "devices"): None for name in ("mirrored_strategy",)},
    **{(name, "strategy"): _STRATEGY
       for name in (f"{_D}.compare_with_one_device", f"{_MW}.train_loop")},
    **{(name, "global_batch"): 2
       for name in (f"{_D}.compare_with_one_device", f"{_MW}.train_loop",
                    f"{_MW}.reference_run", f"{_MW}.run_workers")},
    **{(name, "n_workers"): 2 for name in (f"{_MW}.tf_configs", f"{_MW}.run_workers")},
})
BAD_FOR.update({
    (f"{_D}.split_cpu", "n"): SIZE + [65],
    (f"{_D}.mirrored_strategy", "devices"): [
        "CPU:0", [], [3], ["GPU:99"], ["bogus"], ["CPU:0", "/cpu:0"]],
    (f"{_D}.small_classifier", "batch_norm"): _BATCH_NORM_CHOICE,
    (f"{_D}.compare_with_one_device", "batch_norm"): _BATCH_NORM_CHOICE,
    **{(f"{_D}.max_weight_difference", name): [
        None, "w", [np.ones(3)], [], [np.array(["a", "b"]), np.ones(2)]]
       for name in ("first", "second")},
    (f"{_MW}.parse_tf_config", "value"): [
        None, 3, "not json", "{}", {"cluster": {"worker": []}, "task": {"type": "worker"}},
        {**_TF_CONFIG, "cluster": {"worker": ["localhost:0"]}},
        {**_TF_CONFIG, "cluster": {"worker": ["localhost"]}},
        {**_TF_CONFIG, "task": {"type": "worker", "index": 2}},
        {**_TF_CONFIG, "task": {"type": "worker", "index": True}},
        {**_TF_CONFIG, "task": {"type": "chief", "index": 0}}],
    (f"{_MW}.tf_configs", "ports"): [3, "ab", [5000], [0, 1], [5000, 5000], [5000, True]],
    (f"{_MW}.reference_run", "device"): ["CPU:-1", 3, "bogus", None, "/gpu:7"],
    (f"{_MW}.run_workers", "fail_worker"): [-1, 2.5, True, "0", 2],
    **{(name, "strategy"): [None, "mirrored", 3]
       for name in (f"{_D}.compare_with_one_device", f"{_MW}.train_loop")},
    **{(name, "global_batch"): SIZE
       for name in (f"{_D}.compare_with_one_device", f"{_MW}.train_loop",
                    f"{_MW}.reference_run", f"{_MW}.run_workers")},
    **{(name, "n_workers"): SIZE for name in (f"{_MW}.tf_configs", f"{_MW}.run_workers")},
})
EXEMPT.update({(f"{_D}.ReplicaComparison", "*"): _RECORD, (f"{_MW}.WorkerRun", "*"): _RECORD})
ALIASES[f"{_MW}.parse_tf_config", "value"] = ("TF_CONFIG",)  # the name its errors use
# Good calls that train or start worker processes (seconds each): their bad calls are refused
# before any work starts, so the sweep above runs them; the check of good values leaves them out.
SLOW_GOOD_CALLS = {
    f"{_D}.compare_with_one_device": "trains the model twice with model.fit",
    f"{_MW}.train_loop": "traces and runs a training loop",
    f"{_MW}.reference_run": "traces and runs a training loop",
    f"{_MW}.run_workers": "starts TensorFlow in worker processes that train together",
}


def bad(qualname, parameter):
    if (qualname, parameter) in BAD_FOR:
        return BAD_FOR[qualname, parameter]
    return BAD[parameter]


def _has_good(qualname, parameter):
    return (qualname, parameter) in GOOD_FOR or parameter in GOOD


def _exempt(qualname, parameter):
    return EXEMPT.get((qualname, parameter)) or EXEMPT.get((qualname, "*"))


def _parameters(obj):
    try:
        parameters = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):  # a class without a Python signature: an exception type
        return []
    return [p for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _uncovered(qualname, obj):
    missing = []
    for parameter in _parameters(obj):
        name = parameter.name
        if _exempt(qualname, name):
            continue
        if (qualname, name) not in GOOD_FOR and name not in GOOD:
            missing.append(f"{name} (no good value)")
        if (qualname, name) not in BAD_FOR and name not in BAD:
            missing.append(f"{name} (no bad values)")
    return missing


# --- Running one call under a time limit ---------------------------------------------------------

class Hang(BaseException):
    """Raised by the alarm in a call that took too long (not an Exception: nothing catches it)."""


@contextlib.contextmanager
def time_limit(seconds):
    if (not hasattr(signal, "SIGALRM")  # Windows: no alarm, no limit
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def alarm(signum, frame):
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _call(obj, kwargs):
    with time_limit(SECONDS_PER_CALL):
        try:
            return obj(**kwargs)
        finally:
            plt.close("all")


def _names_argument(message, names):
    """Whether ``message`` names one of ``names`` as a word (``x`` is not in ``max``)."""
    return any(re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", message) for name in names)


def outcome(obj, kwargs, parameter, names):
    """``("clear" | "unclear" | "silent" | "hang", detail)`` of a call with one bad argument."""
    try:
        _call(obj, kwargs)
    except Hang as error:
        return "hang", str(error)
    except (ValueError, TypeError) as error:
        if _names_argument(str(error), names):
            return "clear", ""
        return "unclear", f"{type(error).__name__}: {error}"
    except Exception as error:  # noqa: BLE001  (any other exception is what is counted)
        return "unclear", f"{type(error).__name__}: {error}"
    return "silent", "returned without an error"


class Report:
    def __init__(self):
        self.functions = 0
        self.counts = dict.fromkeys(("clear", "unclear", "silent", "hang"), 0)

    def lines(self):
        tried = sum(self.counts.values())
        return [f"{self.functions} public functions and classes, {tried} calls with a bad "
                f"argument: {self.counts['clear']} clear errors, {self.counts['unclear']} unclear "
                f"errors, {self.counts['silent']} silent answers, {self.counts['hang']} hangs"]


REPORT = Report()


class _Summary:
    """Prints the report in pytest's terminal summary (also with -q and without -s)."""

    def pytest_terminal_summary(self, terminalreporter):
        if REPORT.functions:
            terminalreporter.write_sep("-", "fuzz report")
            for line in REPORT.lines():
                terminalreporter.write_line(line)


@pytest.fixture(scope="module", autouse=True)
def _print_report(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("cnnlib-fuzz-report"):
        manager.register(_Summary(), "cnnlib-fuzz-report")
    # load_dataset's good values read a small MNIST file of their own, with or without the
    # offline copies on this machine.
    data = _workdir() / "data"
    data.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    np.savez(data / "mnist.npz", x_train=rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
             y_train=np.arange(4, dtype=np.uint8), x_test=np.zeros((2, 28, 28), np.uint8),
             y_test=np.arange(2, dtype=np.uint8))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CNNLIB_DATA_DIR", str(data))
        yield
    if _workdir.cache_info().currsize:  # the folder release.build was given
        shutil.rmtree(_workdir())


# --- The tests -----------------------------------------------------------------------------------

def test_the_sweep_finds_the_public_api():
    assert "cnnlib.arithmetic.conv_output_size" in PUBLIC
    assert "cnnlib.models.vgg.vgg_block" in PUBLIC
    assert "cnnlib.viz.grids.show_kernel" in PUBLIC
    assert "cnnlib.train.EpochLog" in PUBLIC
    assert "cnnlib.data.load_dataset" in PUBLIC  # a module without __all__
    assert not any(". _" in name or "._" in name.split(".")[-1] for name in PUBLIC)
    assert len(PUBLIC) > 150


def test_every_parameter_is_covered():
    missing = {name: gaps for name, obj in PUBLIC.items() if (gaps := _uncovered(name, obj))}
    assert missing == {}, "add good and bad values (or an exemption with its reason)"


def test_a_new_parameter_that_no_table_covers_is_reported():
    def conv(kernel_size, stride=1, *, brand_new_option=None, **kwargs):
        """``kernel_size`` and ``stride`` are in the tables; ``**kwargs`` is not a parameter."""

    assert _uncovered("cnnlib.example.conv", conv) == [
        "brand_new_option (no good value)", "brand_new_option (no bad values)"]


def test_exemptions_name_real_parameters():
    for (qualname, parameter), reason in EXEMPT.items():
        assert qualname in PUBLIC, qualname
        names = {p.name for p in _parameters(PUBLIC[qualname])}
        assert parameter == "*" or parameter in names, (qualname, parameter)
        assert len(reason) > 20, "say why"


@pytest.mark.parametrize("qualname", list(PUBLIC))
def test_bad_arguments_get_a_clear_error(qualname):
    obj = PUBLIC[qualname]
    parameters = [p.name for p in _parameters(obj)]
    if _exempt(qualname, "*"):
        pytest.skip(_exempt(qualname, "*"))
    if _uncovered(qualname, obj):
        pytest.skip("not covered: test_every_parameter_is_covered fails for it")
    REPORT.functions += 1
    failures = []
    goods = {p: _value(good(qualname, p)) for p in parameters if _has_good(qualname, p)}
    for parameter in [p for p in parameters if not _exempt(qualname, p)]:
        names = ALIASES.get((qualname, parameter), (parameter,))
        for bad_value in bad(qualname, parameter):
            kwargs = {p: value for p, value in goods.items() if p != parameter}
            kwargs[parameter] = _value(bad_value)
            kind, detail = outcome(obj, kwargs, parameter, names)
            REPORT.counts[kind] += 1
            if kind != "clear":
                failures.append(f"{parameter}={_short(bad_value)}: {kind}: {detail[:200]}")
    assert not failures, "\n".join([f"{qualname}:"] + failures)


# Functions whose good call takes seconds (building a full-size architecture, training, timing,
# a download): their bad calls fail before that work, but a good call is left out of the check
# below. The ready-made checks are left out too: their stand-in answer is rightly rejected.
_SLOW = ("cnnlib.models.", "cnnlib.train.fit", "cnnlib.train.evaluate", "cnnlib.timing.",
         "cnnlib.reference.speed.compare_conv_speeds", "cnnlib.explain.filter_visualisation",
         "cnnlib.transfer.load_pretrained", "cnnlib.speedrun.train_to_accuracy",
         "cnnlib.speedrun.fast_recipe")
_CHECK_MACHINERY = tuple(f"cnnlib.checks.{m}." for m in ("core", "compare", "integrity", "grids"))
_CHEAP = [name for name in PUBLIC if not name.startswith(_SLOW) and not _exempt(name, "*")
          and (not name.startswith("cnnlib.checks.") or name.startswith(_CHECK_MACHINERY))]
_CHEAP = [name for name in _CHEAP if name not in SLOW_GOOD_CALLS]


@pytest.mark.parametrize("qualname", _CHEAP)
def test_the_good_values_are_accepted(qualname):
    """The tables' good values are good: with them, the function answers (so an error in the
    sweep comes from the one bad argument)."""
    obj = PUBLIC[qualname]
    _call(obj, {p.name: _value(good(qualname, p.name)) for p in _parameters(obj)
                if _has_good(qualname, p.name)})


def _short(value):
    if isinstance(value, Fresh):
        return f"<{value.make.__name__}()>"
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "..."


def test_the_sweep_tells_the_outcomes_apart(monkeypatch):
    def clear(size):
        raise ValueError(f"size must be a positive integer, got {size}")

    def names_another_argument(size):
        raise ValueError("n must be a positive integer")

    def raw(size):
        return 1 // size

    def silent(size):
        return size

    def hangs(size):
        while True:
            pass

    monkeypatch.setattr(sys.modules[__name__], "SECONDS_PER_CALL", 0.2)
    kinds = [outcome(f, {"size": 0}, "size", ("size",))[0]
             for f in (clear, names_another_argument, raw, silent, hangs)]
    assert kinds == ["clear", "unclear", "unclear", "silent", "hang"]
