"""Ready-made checks of notebook 14's exercises (comparing architectures).

Like the checks of notebooks 00-06, each check is one call in the notebook,
``checks.check_conv_macs_per_weight(conv_macs_per_weight)``; the reference, the cases and the
hints live here.
"""

import math

from cnnlib.checks.compare import is_real
from cnnlib.checks.core import Case, check_function

__all__ = ["check_conv_macs_per_weight", "check_pareto_front"]


# Exercise 1: how often a convolution uses each of its weights ----------------------------------


def _conv_macs_per_weight(input_size, kernel_size, in_channels, filters, stride=1,
                          padding="same"):
    """Multiply-adds per weight (biases excluded) of a square convolution on a square input,
    counted with :mod:`cnnlib.arithmetic`; Keras's rounding for "valid" strides that do not
    fit."""
    from cnnlib import arithmetic

    output_size = arithmetic.conv_output_size(input_size, kernel_size, stride, padding,
                                              rounding="floor")
    macs = arithmetic.conv_macs(output_size, kernel_size, in_channels, filters)
    return macs / arithmetic.conv_params(kernel_size, in_channels, filters, use_bias=False)


def _conv_macs_per_weight_hint(case, expected, got):
    input_size, kernel_size, in_channels, filters, stride, padding = case.args
    if not is_real(got):
        return "return one number: the multiply-adds divided by the weights."
    with_biases = expected * kernel_size**2 * in_channels / (kernel_size**2 * in_channels + 1)
    if math.isclose(got, with_biases):
        return "count the weights only, without the biases."
    if math.isclose(got, expected * in_channels * filters) or math.isclose(got, expected *
                                                                           filters):
        return ("divide by all the weights of the layer, k·k·C_in·F: the channels and filters "
                "then cancel out.")
    if stride > 1 and math.isclose(got, expected * stride**2):
        return "a stride of s leaves about 1/s of the output rows and columns."
    if padding == "valid" and math.isclose(got, math.ceil(input_size / stride) ** 2):
        return ("\"valid\" adds no padding: the output has (n - k)//s + 1 rows and columns, "
                "fewer than the input.")
    if padding == "same" and stride > 1 and math.isclose(
            got, ((input_size - kernel_size) // stride + 1) ** 2):
        return "\"same\" pads the input: at stride s the output has ceil(n/s) rows and columns."
    return ("each weight is used once at every output position: multiply-adds / weights = "
            "output height · output width.")


def check_conv_macs_per_weight(fn):
    """Check ``conv_macs_per_weight(input_size, kernel_size, in_channels, filters, stride=1,
    padding="same")``: the multiply-adds of one square convolution on a square input for one
    image, divided by its weights (biases excluded), with Keras's "same" or "valid" padding
    (notebook 14).  The cases: first and last convolutions of VGG-16, the 7×7/2 stem of ResNet,
    AlexNet's 11×11/4 conv1, a 1×1 convolution, VGG's fc1 written as a 7×7 convolution, and
    strides that do not fit."""
    __tracebackhide__ = True
    cases = [
        Case((224, 3, 3, 64, 1, "same"), label="VGG-16 block1_conv1: 224×224×3, 64 3×3 filters"),
        Case((14, 3, 512, 512, 1, "same"), label="VGG-16 block5_conv3: 14×14×512, 512 3×3 filters"),
        Case((224, 7, 3, 64, 2, "same"), label="ResNet conv1: 224×224×3, 64 7×7 filters, stride 2"),
        Case((227, 11, 3, 96, 4, "valid"), label="AlexNet conv1: 227×227×3, 96 11×11, stride 4"),
        Case((56, 1, 256, 64, 1, "same"), label="a 1×1 bottleneck: 56×56×256 → 64"),
        Case((7, 7, 512, 4096, 1, "valid"),
             label="VGG-16 fc1 as a convolution: a 7×7 kernel on the 7×7×512 map"),
        Case((7, 3, 8, 16, 2, "same"), label="7×7×8, 3×3, stride 2, same (ceil(7/2) = 4)"),
        Case((8, 3, 1, 1, 2, "valid"), label="8×8×1, 3×3, stride 2, valid ((8 - 3)//2 + 1 = 3)"),
    ]
    check_function(fn, _conv_macs_per_weight, cases, name="conv_macs_per_weight",
                   hint=_conv_macs_per_weight_hint)


# Exercise 2: the models that no other model beats on both cost and error -----------------------


def _dominates(a, b):
    """(cost, error) ``a`` is at least as good as ``b`` on both, and better on one."""
    return a[0] <= b[0] and a[1] <= b[1] and (a[0] < b[0] or a[1] < b[1])


def _pareto_front(models):
    """Names of the models of ``{name: (cost, error)}`` that no other model dominates, by
    increasing cost, then error, then name."""
    front = [name for name, point in models.items()
             if not any(_dominates(other, point) for other in models.values())]
    return sorted(front, key=lambda name: (*models[name], name))


def _pareto_front_hint(case, expected, got):
    (models,) = case.args
    if not isinstance(got, list):
        return "return a list of names (sorted by cost), not a set or a dict."
    if set(got) == set(expected):
        return "sort the names by increasing cost (then error, then name)."
    if any(name not in models for name in got):
        return "return the models' names, the keys of the dict."
    dominated = [name for name in got if name not in expected]
    if dominated:
        return ("a model is dominated, and off the front, when another model costs no more "
                "and errs no more, and is strictly better on one of the two.")
    return ("a model that nothing dominates belongs to the front: two models with the same "
            "cost and error do not dominate each other.")


#: Our multiply-adds (billions) and torchvision's single-crop top-1 error (%), notebook 14.
_NOTEBOOK_MODELS = {
    "AlexNet": (1.135, 43.478), "VGG-16": (15.470, 28.408), "VGG-19": (19.632, 27.624),
    "GoogLeNet": (1.583, 30.222), "ResNet-18": (1.814, 30.242), "ResNet-34": (3.664, 26.686),
    "ResNet-50": (3.858, 23.870), "ResNet-101": (7.570, 22.626), "ResNet-152": (11.282, 21.688),
}


def check_pareto_front(fn):
    """Check ``pareto_front(models)``: ``models`` maps names to ``(cost, error)``; return the
    names of the models that no other model dominates (no other costs no more *and* errs no
    more while being strictly better on one), sorted by increasing cost, then error, then name
    (notebook 14).  The cases: the notebook's nine networks, a single model, ties in cost or
    error, identical models and a chain where every model is a trade-off."""
    __tracebackhide__ = True
    cases = [
        Case((dict(_NOTEBOOK_MODELS),), label="the notebook's nine networks (GMACs, top-1 %)"),
        Case(({"only": (1.0, 10.0)},), label="a single model"),
        Case(({"a": (1, 30), "b": (2, 20), "c": (3, 10)},),
             label="three trade-offs: cheaper but worse, dearer but better"),
        Case(({"cheap": (1, 20), "same cost, worse": (1, 25), "dear": (5, 20)},),
             label="ties: same cost with a higher error, same error at a higher cost"),
        Case(({"twin b": (2, 15), "twin a": (2, 15), "worse": (3, 16)},),
             label="two identical models (neither dominates the other)"),
        Case(({"d": (4, 5), "c": (3, 6), "b": (2, 7), "a": (1, 8), "z": (2.5, 9)},),
             label="names not in cost order, one model dominated by a cheaper one"),
    ]
    check_function(fn, _pareto_front, cases, name="pareto_front", hint=_pareto_front_hint)
