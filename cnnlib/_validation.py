"""Argument checks shared by every public function of :mod:`cnnlib`.

Each helper takes the argument's name and value, returns the value in a normal form (a Python
``int``, a ``float``, a ``(h, w)`` tuple, a NumPy array, ...) and otherwise raises ``TypeError``
(wrong kind of value) or ``ValueError`` (right kind, invalid value) with a message that names the
argument, the value and what is valid::

    >>> check_positive_int("kernel_size", 0)
    Traceback (most recent call last):
    ValueError: kernel_size must be a positive integer, got 0

Strict on purpose, like scikit-learn's parameter validation: an integer is a real ``int`` (a NumPy
integer too), never a ``bool`` or a ``float`` such as ``3.0``; a boolean is ``True`` or ``False``,
never a truthy string such as ``"no"``; a real number is finite, never a ``bool``.

The module is private (``cnnlib._validation``), its helpers are public names: other modules import
them (``from cnnlib._validation import check_int``) and define no checks of their own.
"""

import math
import numbers
import operator

import numpy as np

__all__ = [
    "check_array",
    "check_axes",
    "check_bool",
    "check_callable",
    "check_choice",
    "check_class_labels",
    "check_classes",
    "check_colormap",
    "check_format",
    "check_images",
    "check_initializer",
    "check_input_shape",
    "check_instance",
    "check_int",
    "check_labels",
    "check_layer_name",
    "check_model",
    "check_non_negative_int",
    "check_padding",
    "check_pair",
    "check_paired_examples",
    "check_positive_int",
    "check_positive_ints",
    "check_rate",
    "check_real",
    "check_str",
    "check_tensor",
    "check_writable",
    "describe",
]

_REAL_KINDS = "biuf"  # NumPy dtype kinds of real numbers: bool, signed, unsigned, float
_MAX_LISTED = 12  # layer names listed in full in an error message


def describe(value):
    """``value`` and its type, short, for a message: ``'3' (str)``, ``an array of shape (2, 3)
    and dtype float64 (ndarray)``, ``a tuple of length 4`` (when its repr is long)."""
    kind = type(value).__name__
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is not None and dtype is not None and not isinstance(value, np.generic):
        return f"an array of shape {tuple(shape)} and dtype {dtype} ({kind})"
    text = repr(value)
    if len(text) <= 80 and "\n" not in text:
        return f"{text} ({kind})"
    try:
        return f"a {kind} of length {len(value)}"
    except TypeError:
        return f"a {kind}"


def _range_text(minimum, maximum, min_open=False, max_open=False):
    low = "(" if min_open else "["
    high = ")" if max_open else "]"
    if minimum is not None and maximum is not None:
        return f"in {low}{minimum}, {maximum}{high}"
    if minimum is not None:
        return f"> {minimum}" if min_open else f">= {minimum}"
    if maximum is not None:
        return f"< {maximum}" if max_open else f"<= {maximum}"
    return ""


def _int_text(minimum, maximum):
    if maximum is None and minimum == 1:
        return "a positive integer"
    if maximum is None and minimum == 0:
        return "a non-negative integer"
    bounds = _range_text(minimum, maximum)
    return f"an integer {bounds}" if bounds else "an integer"


def check_int(name, value, minimum=None, maximum=None):
    """``value`` as an ``int`` in ``[minimum, maximum]`` (either bound may be None).

    Accepts ``int`` and NumPy integers; refuses ``bool``, ``float`` (even ``3.0``) and strings.
    """
    what = _int_text(minimum, maximum)
    if isinstance(value, bool):
        raise TypeError(f"{name} must be {what}, got {describe(value)}")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be {what}, got {describe(value)}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {what}, got {value}")
    return value


def check_positive_int(name, value):
    """``value`` as an ``int`` >= 1 (a size, a count of filters, a stride)."""
    return check_int(name, value, minimum=1)


def check_positive_ints(name, value, what):
    """``value``, a non-empty tuple or list of positive integers, as a tuple; ``what`` says what
    each entry is ("one per stage")."""
    if not isinstance(value, tuple | list) or not value:
        raise TypeError(f"{name} must be a non-empty tuple of positive integers, {what}, got "
                        f"{describe(value)}")
    return tuple(check_positive_int(f"{name}[{i}]", entry) for i, entry in enumerate(value))


def check_non_negative_int(name, value):
    """``value`` as an ``int`` >= 0 (a padding, a seed, a number of warm-up runs)."""
    return check_int(name, value, minimum=0)


def check_real(name, value, minimum=None, maximum=None, *, min_open=False, max_open=False):
    """``value`` as a finite ``float`` in the range; ``min_open``/``max_open`` exclude a bound.

    Accepts Python and NumPy real numbers; refuses ``bool``, NaN, infinities and strings.
    """
    bounds = _range_text(minimum, maximum, min_open, max_open)
    what = f"a finite real number {bounds}".rstrip()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}, got {describe(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    too_low = minimum is not None and (value <= minimum if min_open else value < minimum)
    too_high = maximum is not None and (value >= maximum if max_open else value > maximum)
    if too_low or too_high:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return value


def check_rate(name, value):
    """A dropout (or similar) rate: a real number in ``[0, 1)``, as a ``float``."""
    return check_real(name, value, 0, 1, max_open=True)


def check_bool(name, value):
    """``value`` if it is ``True`` or ``False`` (a NumPy bool too); a truthy string is refused."""
    if isinstance(value, np.bool_):
        return bool(value)
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {describe(value)}")
    return value


def check_str(name, value, *, empty=False, none=False):
    """``value`` if it is a string (non-empty unless ``empty`` is True; ``None`` too if
    ``none`` is True, for an optional title or name)."""
    if none and value is None:
        return None
    if not isinstance(value, str):
        what = "a string or None" if none else "a string"
        raise TypeError(f"{name} must be {what}, got {describe(value)}")
    if not empty and not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def check_choice(name, value, choices):
    """``value`` if it is one of ``choices`` (compared exactly: ``"C"`` is not ``"c"``).

    A non-string where the choices are strings is a TypeError; ``True`` is not ``1``.
    """
    choices = tuple(choices)
    what = "one of " + ", ".join(repr(c) for c in choices)
    if all(isinstance(c, str) for c in choices) and not isinstance(value, str):
        raise TypeError(f"{name} must be {what}, got {describe(value)}")
    try:
        known = any(value == c and (type(value) is type(c) or isinstance(value, str))
                    for c in choices)
    except (TypeError, ValueError):  # an array compared with a string
        known = False
    if not known:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return value


def check_instance(name, value, types, what):
    """``value`` if it is an instance of ``types``; ``what`` says in words what is expected."""
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {what}, got {describe(value)}")
    return value


def check_callable(name, value):
    """``value`` if it can be called (a function, a class, a layer)."""
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {describe(value)}")
    return value


def check_writable(name, value):
    """``value`` if it is None (standard output) or a file open for writing (it has ``write``)."""
    if value is not None and not callable(getattr(value, "write", None)):
        raise TypeError(f"{name} must be a file open for writing, such as sys.stdout or "
                        f"open(path, 'w'), or None, got {describe(value)}")
    return value


def check_colormap(name, value):
    """``value`` if it is a Matplotlib colormap or the name of a registered one."""
    import matplotlib

    if isinstance(value, matplotlib.colors.Colormap):
        return value
    what = "a Matplotlib colormap or its name, such as 'gray', 'viridis' or 'RdBu_r'"
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {what}, got {describe(value)}")
    if value not in matplotlib.colormaps:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return value


def check_axes(name, value):
    """``value`` if it is None or a Matplotlib ``Axes`` (one panel of a figure)."""
    from matplotlib.axes import Axes

    if value is not None and not isinstance(value, Axes):
        raise TypeError(f"{name} must be a Matplotlib Axes, such as ax in "
                        f"fig, ax = plt.subplots(), or None, got {describe(value)}")
    return value


def check_format(name, value):
    """``value`` if it is a function of a number or a format string for one number
    (``"{:.2f}"``); the string is tried on 1.5, so a bad one fails here, not while drawing."""
    if callable(value):
        return value
    what = "a format string for one number, such as '{:.2f}', or a function of the number"
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {what}, got {describe(value)}")
    try:
        value.format(1.5)
    except (ValueError, IndexError, KeyError) as error:
        raise ValueError(f"{name} must be {what}, got {value!r} ({error})") from None
    return value


def check_pair(name, value):
    """A positive int ``k`` or a pair ``(kh, kw)`` of them -> ``(kh, kw)``."""
    what = "a positive integer or a pair (height, width) of them"
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be {what}, got {value!r}")
        return tuple(check_positive_int(f"{name}[{i}]", v) for i, v in enumerate(value))
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}, got {describe(value)}")
    value = check_int(name, value)
    if value < 1:
        raise ValueError(f"{name} must be {what}, got {value}")
    return value, value


def check_padding(name, value, modes=("valid", "same")):
    """A padding: one of Keras's ``modes`` (any case, returned lower-cased) or an int >= 0."""
    listed = ", ".join(repr(m) for m in modes)
    what = f"a non-negative integer or one of {listed}"
    if isinstance(value, str):
        if value.lower() not in modes:
            raise ValueError(f"{name} must be {what}, got {value!r}")
        return value.lower()
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}, got {describe(value)}")
    if value < 0:
        raise ValueError(f"{name} must be {what}, got {value}")
    return int(value)


def check_input_shape(input_shape, min_size=1, network="the network", why="",
                      name="input_shape"):
    """``input_shape`` as a tuple ``(height, width, channels)`` of positive ints.

    ``min_size`` is the smallest height and width for which no feature map of ``network`` shrinks
    below 1x1; ``why`` says where that limit comes from.
    """
    what = "a tuple (height, width, channels) of positive integers"
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError(f"{name} must be {what}, got {describe(input_shape)}")
    if len(input_shape) != 3:
        raise ValueError(
            f"{name} must be {what} (channels last), got {len(input_shape)} entries: "
            f"{tuple(input_shape)!r}; a grey-scale image needs its channel axis, e.g. (32, 32, 1)"
        )
    shape = tuple(check_positive_int(f"{name}[{i}]", n) for i, n in enumerate(input_shape))
    if min(shape[:2]) < min_size:
        because = f" ({why})" if why else ""
        raise ValueError(
            f"{name}={shape} is too small for {network}: its feature maps would shrink "
            f"below 1x1{because}; use at least {min_size}x{min_size}"
        )
    return shape


def check_classes(classes, name="classes"):
    """The number of classes of a classifier: an integer >= 1."""
    return check_positive_int(name, classes)


def check_array(name, value, ndim=None, *, layout="", kinds=_REAL_KINDS, finite=False,
                empty=True):
    """``np.asarray(value)`` after checking its rank, dtype and contents.

    - ``ndim``: the rank required (an int, a tuple of allowed ranks, or None for any);
    - ``layout``: the axes in words, e.g. ``"(N, H, W, C)"``, quoted in the message;
    - ``kinds``: the allowed NumPy dtype kinds (default real numbers: ``"biuf"``);
    - ``finite``: refuse NaN and infinities; ``empty``: allow an array with no elements.
    """
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:  # ragged nested lists
        raise TypeError(f"{name} must be an array {layout}, got {type(value).__name__}: "
                        f"{error}".replace("  ", " ")) from None
    if array.dtype.kind not in kinds:
        what = "real numbers" if kinds == _REAL_KINDS else f"dtype kind in {kinds!r}"
        raise TypeError(f"{name} must be an array of {what}, got dtype {array.dtype}")
    if ndim is not None:
        ranks = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in ranks:
            rank = " or ".join(str(r) for r in ranks)
            raise ValueError(f"{name} must be a {rank}-D array {layout}".rstrip()
                             + f", got shape {array.shape}")
    if not empty and array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if finite and array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers, got NaN or infinity")
    return array


def check_model(model, name="model", *, compiled=False, needs_inputs=False, built=False):
    """``model`` if it is a ``keras.Model``.

    - ``built``: its weights must exist (a model whose input shape is not yet known has none,
      so counting them would give 0);
    - ``compiled``: it must have been compiled (``model.compile(...)``);
    - ``needs_inputs``: its inputs must be known (a functional model, or a Sequential model that
      starts with ``keras.Input`` or was built) -- profiling and timing need them.
    """
    import keras  # imported here so that the pure-Python modules do not load Keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"{name} must be a Keras model, got {describe(model)}")
    if built and not model.built:
        raise ValueError(f"{name} {model.name!r} is not built: it has no weights until it "
                         "knows its input shape; start it with keras.Input(shape) or call "
                         "model.build((None, *shape)) first")
    if compiled and not model.compiled:
        raise ValueError(f"{name} {model.name!r} is not compiled: call "
                         "model.compile(optimizer=..., loss=..., metrics=[...]) first")
    if needs_inputs:
        try:
            inputs = model.inputs
        except (AttributeError, ValueError):
            inputs = None
        if not inputs:
            raise ValueError(
                f"{name} {model.name!r} has no known inputs: use a functional model, or a "
                "Sequential model that starts with keras.Input or was built with "
                "model.build(shape) (subclassed models are not supported)"
            )
    return model


def check_layer_name(model, layer, name="layer"):
    """The layer of ``model`` called ``layer``; an unknown name lists the valid ones."""
    check_str(name, layer)
    names = [each.name for each in model.layers]
    if layer not in names:
        shown = ", ".join(repr(n) for n in names[:_MAX_LISTED])
        more = f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else ""
        raise ValueError(f"{name} must be the name of a layer of model {model.name!r} "
                         f"({shown}{more}), got {layer!r}")
    return model.get_layer(layer)


def check_tensor(name, value, ndim=4, layout="(batch, height, width, channels)"):
    """``value`` if it is a Keras or TensorFlow tensor of rank ``ndim`` (a block's input)."""
    import keras

    if not (isinstance(value, keras.KerasTensor) or keras.ops.is_tensor(value)):
        raise TypeError(f"{name} must be a Keras tensor {layout}, such as keras.Input(...) or "
                        f"a layer's output, got {describe(value)}")
    if len(value.shape) != ndim:
        raise ValueError(f"{name} must be a {ndim}-D tensor {layout}, got shape {value.shape}")
    return value


def check_initializer(name, value):
    """``value`` if it is a Keras initializer or the name of one (``"he_normal"``)."""
    import keras

    try:
        known = keras.initializers.get(value) is not None
    except (ValueError, TypeError):
        known = False
    if not known or isinstance(value, bool):
        raise ValueError(f"{name} must be a Keras initializer or its name, such as "
                         f"'glorot_uniform' or 'he_normal', got {value!r}")
    return value


def check_paired_examples(x, y, x_name="x", y_name="y"):
    """The number of examples of ``x`` and ``y``: both must have one entry per example, at least
    one, and as many each."""
    lengths = []
    for name, value in ((x_name, x), (y_name, y)):
        try:
            lengths.append(len(value))
        except TypeError:
            raise TypeError(f"{name} must be an array with one entry per example, got "
                            f"{describe(value)}") from None
    if lengths[0] != lengths[1]:
        raise ValueError(f"{x_name} and {y_name} must have the same number of examples, got "
                         f"{lengths[0]} and {lengths[1]}")
    if lengths[0] == 0:
        raise ValueError(f"{x_name} must hold at least one example, got none")
    return lengths[0]


def check_images(name, value):
    """``value`` as an array of images, ``(N, H, W)`` or ``(N, H, W, C)`` integers or floats
    (``uint8`` pixels or floats; the dtype is kept, booleans are refused)."""
    images = check_array(name, value, (3, 4),
                         layout="(N, height, width) or (N, height, width, channels)")
    if images.dtype.kind == "b":
        raise TypeError(f"{name} must hold images (integers or floats), got dtype {images.dtype}")
    return images


def check_class_labels(name, labels):
    """``labels`` as an array of integer class labels 0, 1, 2, ... of shape ``(N,)`` or
    ``(N, 1)`` (CIFAR-10's), when the number of classes is not known yet."""
    array = np.asarray(labels)
    if not (array.ndim == 1 or (array.ndim == 2 and array.shape[1] == 1)) \
            or array.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer class labels of shape (N,) or (N, 1), got "
                         f"{describe(labels)}")
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must hold class labels 0, 1, 2, ..., got {array.min()}")
    return array


def check_labels(name, labels, classes):
    """``labels`` as an array after checking that every one is a class number in
    ``[0, classes)``; only integer labels of shape ``(N,)`` or ``(N, 1)`` are checked (one-hot
    labels and other targets come back unchanged)."""
    array = np.asarray(labels)
    sparse = array.ndim == 1 or (array.ndim == 2 and array.shape[1] == 1)
    if not sparse or array.size == 0 or array.dtype.kind not in "iuf":
        return array
    what = f"class numbers from 0 to {classes - 1} (the model has {classes} outputs)"
    if array.dtype.kind == "f" and not np.all(np.mod(array, 1) == 0):
        raise ValueError(f"{name} must hold {what}, got labels that are not whole numbers")
    low, high = array.min(), array.max()
    if low < 0 or high >= classes:
        raise ValueError(f"{name} must hold {what}, got labels from {low:g} to {high:g}")
    return array
