"""LeNet-5 (notebook 09).

LeCun, Bottou, Bengio and Haffner, "Gradient-based learning applied to document recognition",
Proceedings of the IEEE 86(11), 1998, Fig. 2 and Section II.B.
"""

import keras
from keras import layers

from cnnlib._validation import check_choice, check_classes, check_input_shape

__all__ = ["lenet5"]

#: variant -> (activation, pooling layer) of LeNet-5.
_VARIANTS = {
    "classic": ("tanh", layers.AveragePooling2D),
    "modern": ("relu", layers.MaxPooling2D),
}
_LENET_MIN_SIZE = 32  # C5's 5x5 kernel needs S4 to be at least 5x5


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
    input_shape = check_input_shape(
        input_shape, _LENET_MIN_SIZE, "LeNet-5", "C5's 5x5 kernel needs S4 to be at least 5x5"
    )
    classes = check_classes(classes)
    activation, pooling = _VARIANTS[check_choice("variant", variant, tuple(_VARIANTS))]

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
