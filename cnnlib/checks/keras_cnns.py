"""Ready-made checks of notebook 08's exercises: CNNs in Keras.

Like the checks of notebooks 00-06, each check is one call in the notebook,
``checks.check_example2_model(example2_model)``; the reference, the cases and the hints live
here.  The references are what Keras itself builds and reports: the expected model of exercise
1 comes from :func:`cnnlib.models.pattern.pattern_cnn`, the expected shapes and parameter counts
of exercise 2 from ``keras.layers.Conv2D``.  Keras is imported only when a check runs, so
``import cnnlib.checks`` stays light for the notebooks that do not use TensorFlow.
"""

import math

from cnnlib.checks.compare import is_int, short
from cnnlib.checks.core import Case, check_function, fail, run_student

__all__ = ["check_conv2d_shape_and_params", "check_example2_model"]


# Exercise 1: L3's example 2, layer by layer ----------------------------------------------------

_EXAMPLE2_INPUT = (28, 28, 1)
_EXAMPLE2_CLASSES = 10
_EXAMPLE2 = {"conv_per_block": 1, "blocks": 2, "dense_layers": 1, "filters": (32, 64),
             "dense_units": 128}
# Layers that only apply an activation: folded into the layer before them, so that
# Conv2D(..., activation="relu") and Conv2D(...) followed by ReLU() compare equal.
_ACTIVATION_LAYERS = ("Activation", "ReLU", "Softmax")
_EXPECTED_KINDS = ("Conv2D", "MaxPooling2D", "Flatten", "Dense")


def _expected_example2():
    from cnnlib.models.pattern import pattern_cnn

    return pattern_cnn(_EXAMPLE2_INPUT, _EXAMPLE2_CLASSES, **_EXAMPLE2, name="example2")


def _flat_layers(model):
    """The layers of ``model`` after its inputs, nested models expanded."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _flat_layers(layer)
        elif not isinstance(layer, keras.layers.InputLayer):
            yield layer


def _activation_name(layer):
    activation = getattr(layer, "activation", None)
    if type(layer).__name__ == "ReLU":
        return "relu"
    if type(layer).__name__ == "Softmax":
        return "softmax"
    return getattr(activation, "__name__", None)


def _describe_layer(layer):
    """A row of the comparison: kind, output shape, parameters, activation, description."""
    import keras

    kind = type(layer).__name__
    shape = tuple(int(n) for n in layer.output.shape[1:])
    activation = _activation_name(layer)
    if isinstance(layer, keras.layers.Conv2D):
        kernel = "×".join(map(str, layer.kernel_size))
        text = (f"Conv2D({layer.filters}, {kernel}, padding={layer.padding!r}, "
                f"activation={activation!r})")
    elif isinstance(layer, keras.layers.Dense):
        text = f"Dense({layer.units}, activation={activation!r})"
    elif isinstance(layer, keras.layers.MaxPooling2D):
        text = f"MaxPool2D({'×'.join(map(str, layer.pool_size))})"
    else:
        text = f"{kind}()"
    return {"kind": kind, "shape": shape, "params": layer.count_params(),
            "activation": activation, "text": text, "layer": layer}


def _rows(model):
    """One row per layer after the input; activation layers folded into the layer before."""
    rows = []
    for layer in _flat_layers(model):
        row = _describe_layer(layer)
        if (row["kind"] in _ACTIVATION_LAYERS and rows and rows[-1]["activation"] == "linear"
                and row["activation"] in ("relu", "softmax")):
            rows[-1]["activation"] = row["activation"]
            rows[-1]["shape"] = row["shape"]
            continue
        rows.append(row)
    return rows


def _shape_text(shape):
    return "×".join(map(str, shape))


def _row_text(row):
    activation = f", activation {row['activation']!r}" if row["kind"] in ("Conv2D", "Dense") \
        else ""
    return (f"{row['kind']}, output {_shape_text(row['shape'])}, "
            f"{row['params']:,} parameters{activation}")


def _brief_row(row):
    return "no layer" if row is None else f"{row['kind']} {_shape_text(row['shape'])}"


def _layer_difference(position, expected, got):
    """(message, hint) for the first layer where ``got`` differs from ``expected``, or None."""
    where = f"layer {position} after the input"
    if expected is None:
        return (f"your model has an extra {where}, {_row_text(got)}; the expected model has "
                f"{position - 1} layers and ends with the 10-way softmax.",
                "remove the layers the exercise does not ask for.")
    if got is None:
        return (f"your model ends after {position - 1} layers; {where} should be "
                f"{_row_text(expected)}.", _missing_hint(expected))
    message = f"{where} should be {_row_text(expected)}; yours is {_row_text(got)}."
    if got["kind"] != expected["kind"]:
        if got["kind"] not in _EXPECTED_KINDS:
            return message, f"example 2 has no {got['kind']} layer: remove it."
        return message, _missing_hint(expected)
    if got["shape"] != expected["shape"]:
        return message, _shape_hint(expected, got)
    if got["params"] != expected["params"]:
        return message, _params_hint(expected, got)
    if got["activation"] != expected["activation"]:
        if expected["activation"] == "softmax":
            return message, ("the last layer turns the 10 scores into probabilities: "
                             "activation=\"softmax\".")
        return message, "every convolution and the hidden dense layer use activation=\"relu\"."
    return None


def _missing_hint(expected):
    if expected["kind"] == "MaxPooling2D":
        return ("a pooling layer is missing (or misplaced): each block is a convolution "
                "followed by MaxPool2D(2), which halves the height and the width.")
    if expected["kind"] == "Flatten":
        return "Dense layers need a vector: put a Flatten() between the last pooling and fc1."
    return f"the expected layer here is {expected['text']}."


def _shape_hint(expected, got):
    kind = expected["kind"]
    if kind == "Conv2D":
        if got["shape"][:2] != expected["shape"][:2]:
            return ("padding=\"valid\" (the default) loses kernel_size − 1 rows and columns; "
                    "pass padding=\"same\" so that only the poolings shrink the maps.")
        return f"{expected['text']}: the number of filters is the number of output channels."
    if kind == "MaxPooling2D":
        return "MaxPool2D(2) halves the height and the width (pool_size 2, strides 2)."
    if kind == "Dense":
        return f"{expected['text']}: the first argument is the number of units."
    return f"the expected layer here is {expected['text']}."


def _params_hint(expected, got):
    layer = expected["layer"]
    units = getattr(layer, "filters", None) or getattr(layer, "units", None)
    if units and got["params"] == expected["params"] - units:
        return ("a bias is missing: keep use_bias=True (the default), one bias per "
                f"{'filter' if expected['kind'] == 'Conv2D' else 'unit'}.")
    if expected["kind"] == "Conv2D":
        return "the convolutions use 3×3 kernels: kernel_size=3."
    return f"the expected layer here is {expected['text']}."


def _input_shape(model):
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return None
    if not inputs or len(inputs) != 1:
        return None
    return tuple(inputs[0].shape[1:])


def check_example2_model(fn):
    """Check ``example2_model()``, L3's example 2 INPUT → [CONV → RELU → POOL]·2 → FC → RELU → FC
    for 28×28×1 digits and 10 classes, written with ``keras.layers`` (notebook 08).

    The expected model is ``pattern_cnn((28, 28, 1), 10, conv_per_block=1, blocks=2,
    dense_layers=1, filters=(32, 64), dense_units=128)``: 3×3 "same" ReLU convolutions with 32
    then 64 filters, each followed by a 2×2 max pooling, Flatten, Dense(128, ReLU) and a
    softmax.  Every layer's type, output shape, parameter count and activation is compared (a
    separate ``ReLU``/``Activation`` layer counts as the activation of the layer before it);
    the first layer that differs is reported with a hint.
    """
    __tracebackhide__ = True
    import keras

    name = "example2_model"
    model = run_student(fn, name=name)
    if not isinstance(model, keras.Model):
        missing = " (did you forget to `return` it?)" if model is None else ""
        fail(name, f"expected a Keras model, got {short(model)}"[:60],
             f"return a Keras model (keras.Sequential([...])){missing}.")
    shape = _input_shape(model)
    if shape != _EXAMPLE2_INPUT:
        got = "no input" if shape is None else f"input {_shape_text(shape)}"
        fail(name, f"expected input 28×28×1, got {got}", "the model must take 28×28×1 digits.",
             hint="start the list of layers with keras.Input((28, 28, 1)).")
    try:
        got_rows = _rows(model)
    except (AttributeError, ValueError) as err:
        fail(name, "Keras cannot list the layers of your model", str(err),
             hint="build it with keras.Sequential([keras.Input((28, 28, 1)), ...]).")
    expected_rows = _rows(_expected_example2())
    for position in range(1, max(len(expected_rows), len(got_rows)) + 1):
        expected = expected_rows[position - 1] if position <= len(expected_rows) else None
        got = got_rows[position - 1] if position <= len(got_rows) else None
        difference = _layer_difference(position, expected, got)
        if difference:
            message, hint = difference
            fail(name, f"layer {position}: expected {_brief_row(expected)}, got {_brief_row(got)}",
                 message, hint=hint)
    print(f"✔ {name}: all {len(expected_rows)} layers have the expected type, output shape, "
          f"parameters and activation ({model.count_params():,} parameters)")


# Exercise 2: the output shape and parameter count of a Conv2D layer ----------------------------


def _keras_conv2d(input_shape, filters, kernel_size, strides=1, padding="valid", use_bias=True):
    """((out_height, out_width, filters), params) as Keras reports them for the layer."""
    import keras

    layer = keras.layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                                use_bias=use_bias)
    layer.build((None, *input_shape))
    shape = layer.compute_output_shape((None, *input_shape))[1:]
    return tuple(int(n) for n in shape), int(layer.count_params())


def _pair(value):
    return (int(value), int(value)) if is_int(value) else tuple(int(v) for v in value)


def _conv2d_hint(case, expected, got):
    input_shape, filters, kernel_size = case.args
    strides = _pair(case.kwargs.get("strides", 1))
    padding = case.kwargs.get("padding", "valid")
    use_bias = case.kwargs.get("use_bias", True)
    (out_h, out_w, _), params = expected
    kh, kw = _pair(kernel_size)
    if not (isinstance(got, tuple | list) and len(got) == 2
            and isinstance(got[0], tuple | list) and len(got[0]) == 3):
        return "return a pair ((out_height, out_width, filters), params)."
    shape, got_params = tuple(got[0]), got[1]
    if shape != expected[0]:
        if shape[2] != filters:
            return "the output has one channel per filter: its last axis is `filters`."
        if shape[:2] == (out_w, out_h) != (out_h, out_w):
            return "rows use kernel_size[0] and strides[0], columns kernel_size[1] and strides[1]."
        if padding == "same":
            return "'same' pads so that the output has ceil(n / stride) rows and columns."
        sizes = list(zip(input_shape[:2], (kh, kw), strides, strict=True))
        if shape[:2] == tuple(math.ceil(n / s) for n, _, s in sizes):
            return ("that is the 'same' size; 'valid' does not pad, so a k-wide window fits at "
                    "(n − k) // stride + 1 positions.")
        if shape[:2] == tuple(math.ceil((n - k) / s) + 1 for n, k, s in sizes):
            return ("'valid' drops the windows that do not fit: (n − k) // stride + 1 positions, "
                    "rounding down.")
        return "'valid': (n − k) // stride + 1 positions per axis; 'same': ceil(n / stride)."
    if use_bias and got_params == params - filters:
        return "one bias per filter is missing: use_bias=True adds `filters` parameters."
    if not use_bias and got_params == params + filters:
        return "use_bias=False: the layer has no biases, only kernel weights."
    if got_params == filters * (kh * kw + use_bias):
        return "every kernel spans all input channels: k_h·k_w·channels weights per filter."
    return ("parameters: one k_h×k_w×channels kernel per filter, plus one bias per filter if "
            "use_bias.")


def check_conv2d_shape_and_params(fn):
    """Check ``conv2d_shape_and_params(input_shape, filters, kernel_size, strides=1,
    padding="valid", use_bias=True)`` -> ((out_height, out_width, filters), params) against what
    ``keras.layers.Conv2D`` reports (notebook 08).  The cases: the lectures' layers, a window
    that does not fit, "same" on an odd size, non-square inputs, kernels and strides, a 1×1
    convolution without bias, a kernel as large as the input (and, with "same", larger), a
    stride larger than the kernel."""
    __tracebackhide__ = True
    cases = [
        Case(((28, 28, 1), 16, 3), {"padding": "same"}, "L3's layer on MNIST"),
        Case(((28, 28, 16), 16, 3), {"padding": "same"}, "the lecture's second convolution"),
        Case(((32, 32, 3), 6, 5), label="L5: 6 filters 5×5 on 32×32×3"),
        Case(((227, 227, 3), 96, 11), {"strides": 4}, "AlexNet C1"),
        Case(((28, 28, 1), 16, 5), {"strides": 2}, "a window that does not fit: 12.5"),
        Case(((27, 27, 8), 4, 3), {"strides": 2, "padding": "same"}, "'same', odd size"),
        Case(((20, 30, 4), 8, (5, 3)), {"strides": (2, 1)}, "non-square input, kernel, stride"),
        Case(((14, 14, 64), 32, 1), {"use_bias": False}, "1×1 convolution without bias"),
        Case(((7, 7, 2), 3, 7), label="a kernel as large as the input"),
        Case(((5, 5, 3), 2, 7), {"padding": "same"}, "'same' with a kernel larger than the input"),
        Case(((10, 10, 3), 4, 2), {"strides": 3}, "a stride larger than the kernel"),
    ]
    check_function(fn, _keras_conv2d, cases, name="conv2d_shape_and_params", hint=_conv2d_hint)
