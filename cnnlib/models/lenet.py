"""LeNet-5 (notebook 09) and the argument checks shared by every builder of :mod:`cnnlib.models`.

LeCun, Bottou, Bengio and Haffner, "Gradient-based learning applied to document recognition",
Proceedings of the IEEE 86(11), 1998, Fig. 2 and Section II.B.  LeNet-5 is the first network of
the family, so the checks that the later builders (AlexNet, VGG, GoogLeNet, ResNet) repeat live
here: every builder validates ``input_shape`` and ``classes`` the same way.
"""

import numbers

import keras
from keras import layers

from cnnlib.arithmetic import _check_choice, _check_positive_int, _describe

__all__ = ["lenet5"]

#: variant -> (activation, pooling layer) of LeNet-5.
_VARIANTS = {
    "classic": ("tanh", layers.AveragePooling2D),
    "modern": ("relu", layers.MaxPooling2D),
}
_LENET_MIN_SIZE = 32  # C5's 5x5 kernel needs S4 to be at least 5x5


def _check_input_shape(input_shape, min_size=1, network="the network", why=""):
    """``input_shape`` as a tuple ``(height, width, channels)`` of ints, checked for ``network``.

    ``min_size`` is the smallest height and width for which no feature map of ``network`` shrinks
    below 1x1; ``why`` says where that limit comes from.
    """
    what = "a tuple (height, width, channels) of positive integers"
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError(f"input_shape must be {what}, got {_describe(input_shape)}")
    if len(input_shape) != 3:
        raise ValueError(
            f"input_shape must be {what} (channels last), got {len(input_shape)} entries: "
            f"{tuple(input_shape)!r}; a grey-scale image needs its channel axis, e.g. (32, 32, 1)"
        )
    shape = tuple(_check_positive_int(f"input_shape[{i}]", n) for i, n in enumerate(input_shape))
    if min(shape[:2]) < min_size:
        raise ValueError(
            f"input_shape={shape} is too small for {network}: its feature maps would shrink "
            f"below 1x1 ({why}); use at least {min_size}x{min_size}"
        )
    return shape


def _check_classes(classes):
    return _check_positive_int("classes", classes)


def _check_rate(name, value):
    """A dropout rate: a real number in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {_describe(value)}")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def lenet5(input_shape=(32, 32, 1), classes=10, variant="classic"):
    """LeNet-5 of LeCun et al. (1998), with the layer names of the paper's Fig. 2.

    ====== ====================== ======== ============ ==========================
    layer  type                   maps     size         kernel / stride
    ====== ====================== ======== ============ ==========================
    C1     convolution            6        28x28        5x5 / 1, valid
    S2     average (max) pooling  6        14x14        2x2 / 2
    C3     convolution            16       10x10        5x5 / 1, valid
    S4     average (max) pooling  16       5x5          2x2 / 2
    C5     convolution            120      1x1          5x5 / 1, valid
    F6     fully connected        84
    output fully connected        classes               softmax
    ====== ====================== ======== ============ ==========================

    ``variant="classic"`` uses tanh and average pooling as in the paper; ``"modern"`` uses ReLU
    and max pooling, which train faster.  With the defaults the model has 61,706 parameters:
    156 (C1) + 2,416 (C3) + 48,120 (C5) + 10,164 (F6) + 850 (output).  The paper's network has
    about 60,000, because three of its details are simplified here:

    - S2 and S4 are plain average pooling; the paper multiplies each pooled sum by a trainable
      coefficient, adds a trainable bias and squashes it (12 and 32 parameters);
    - C3 connects every map to all 6 maps of S2; the paper's Table I connects each to 3-6 of them
      (1,516 parameters instead of 2,416), to break symmetry and save computation;
    - the output is a softmax layer instead of the paper's Euclidean RBF units, and the
      activation is ``tanh`` instead of the paper's scaled ``1.7159 tanh(2a/3)``.

    The input is 32x32: the paper centres MNIST's 28x28 digits in a 32x32 field, so pad them by
    2 pixels (a 28x28 input would leave S4 at 4x4, too small for C5's 5x5 kernel).  Larger inputs
    work too (C5's maps are then larger than 1x1 and are flattened before F6).
    """
    input_shape = _check_input_shape(
        input_shape, _LENET_MIN_SIZE, "LeNet-5", "C5's 5x5 kernel needs S4 to be at least 5x5"
    )
    classes = _check_classes(classes)
    activation, pooling = _VARIANTS[_check_choice("variant", variant, tuple(_VARIANTS))]

    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(6, 5, activation=activation, name="C1")(inputs)
    x = pooling(2, name="S2")(x)
    x = layers.Conv2D(16, 5, activation=activation, name="C3")(x)
    x = pooling(2, name="S4")(x)
    x = layers.Conv2D(120, 5, activation=activation, name="C5")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(84, activation=activation, name="F6")(x)
    outputs = layers.Dense(classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name=f"lenet5_{variant}")
