"""Ready-made checks of notebooks 09 (LeNet-5) and 10 (AlexNet): counting a network's cost.

Like the checks of notebooks 00-06, each check is one call in the notebook,
``checks.check_partial_conv_params(partial_conv_params)``; the reference, the cases and the
hints live here.  The parameter counts are read from the models that :func:`cnnlib.models.lenet5`
and :func:`cnnlib.models.alexnet` build (Keras' ``count_params``), so they are the library's
models' counts by construction; the feature-map sizes are computed with :mod:`cnnlib.arithmetic`
and the tests compare them with the models.
Single-number answers are compared with hashes (:func:`~cnnlib.checks.core.answer_hash`), and
so are the known wrong answers that get a specific hint, so reading this module does not give
the answers away.
"""

import functools

import numpy as np

from cnnlib.checks.compare import is_int, is_real
from cnnlib.checks.core import Case, check_function, check_value

__all__ = [
    "check_alexnet_feature_sizes",
    "check_alexnet_param_split",
    "check_lenet5_connections",
    "check_lenet5_params",
    "check_partial_conv_params",
    "check_two_tower_conv_macs",
]


# Notebook 09, exercise 1: a partially connected convolution --------------------------------


def _c3_connection_table():
    """LeCun et al. (1998), Table I: which of S2's 6 maps (rows) feed each of C3's 16 maps
    (columns). Maps 0-5 see 3 neighbouring maps, 6-11 four neighbours, 12-14 four maps in two
    pairs, 15 all six."""
    inputs = ([[j, j + 1, j + 2] for j in range(6)] + [[j, j + 1, j + 2, j + 3] for j in range(6)]
              + [[j, j + 1, j + 3, j + 4] for j in range(3)] + [list(range(6))])
    table = np.zeros((6, 16), dtype=bool)
    for column, rows in enumerate(inputs):
        table[np.array(rows) % 6, column] = True
    return table


def _partial_conv_params(connection_table, kernel_size):
    """Weights and biases of a convolution whose output map ``j`` sees only the input maps
    ``i`` with ``connection_table[i, j]``: one k×k kernel per connection, one bias per map."""
    table = np.asarray(connection_table, dtype=bool)
    return int(kernel_size * kernel_size * table.sum() + table.shape[1])


def _partial_conv_hint(case, expected, got):
    table, kernel_size = case.args
    kernels = kernel_size * kernel_size * int(np.sum(table))
    n_in, n_out = table.shape
    if not is_real(got):
        return "return one number, the count of weights and biases."
    if got == kernels:
        return "every output map has a bias too: add one per output map."
    if got == kernels + n_in:
        return "the biases belong to the output maps, the columns of the table, not the rows."
    if got == kernel_size * kernel_size * n_in * n_out + n_out:
        return "count the kernels of the connected pairs only (the True entries of the table)."
    return ("output map j has one kernel_size×kernel_size kernel for every input map that column "
            "j of the table connects to it, plus one bias.")


def _partial_conv_cases():
    rng = np.random.default_rng(9)
    no_input = np.array([[True, False], [True, False], [False, False]])
    return [
        Case((_c3_connection_table(), 5), label="LeNet-5's C3: the paper's Table I, 5×5 kernels"),
        Case((np.ones((6, 16), dtype=bool), 5), label="C3 fully connected, as in cnnlib's lenet5"),
        Case((np.ones((1, 6), dtype=bool), 5), label="C1: one input map, six output maps"),
        Case((np.ones((16, 120), dtype=bool), 5), label="C5: 16 maps into 120, fully connected"),
        Case((np.eye(4, dtype=bool), 3), label="each output map sees one input map only"),
        Case((no_input, 3), label="an output map connected to no input keeps its bias"),
        Case((rng.random((5, 7)) < 0.5, 3), label="a random 5×7 table, 3×3 kernels"),
        Case((rng.random((8, 3)) < 0.5, 1), label="a random 8×3 table, 1×1 kernels"),
    ]


def check_partial_conv_params(fn):
    """Check ``partial_conv_params(connection_table, kernel_size)``: the trainable parameters of
    a convolution layer with square kernels whose output map ``j`` is connected to the input
    maps ``i`` where the boolean ``connection_table[i, j]`` is True (rows: input maps, columns:
    output maps, as in the LeNet-5 paper's Table I) (notebook 09)."""
    __tracebackhide__ = True
    check_function(fn, _partial_conv_params, _partial_conv_cases(), name="partial_conv_params",
                   hint=_partial_conv_hint)


# Notebook 09, exercise 2: the library's LeNet-5 for other inputs ----------------------------

_LENET_LAYERS = ("C1", "C3", "C5", "F6", "output")


def _lenet5_params(input_shape, classes):
    """Parameters of the layers of ``cnnlib.models.lenet5(input_shape, classes)`` that have
    any, as Keras counts them in the built model."""
    from cnnlib.models import lenet5

    model = lenet5(tuple(input_shape), classes)
    return {layer.name: layer.count_params() for layer in model.layers if layer.count_params()}


_LENET_HINTS = {
    "C1": "C1 has 6 filters, each 5×5×(input channels), plus one bias per filter.",
    "C3": "cnnlib's C3 sees all 6 maps of S2 (no connection table): 16 filters of 5×5×6 + biases.",
    "C5": "C5 has 120 filters of 5×5×16, plus one bias each.",
    "F6": ("F6 sees every value of C5's output: 120 maps × their height × width (1×1 only for a "
           "32×32 input; follow the sizes through C1, S2, C3, S4, C5), plus one bias per unit."),
    "output": "the output layer has one unit per class, each with 84 weights and a bias.",
}


def _lenet5_params_hint(case, expected, got):
    if not isinstance(got, dict):
        return f"return a dict with the keys {', '.join(map(repr, _LENET_LAYERS))}."
    missing = [name for name in _LENET_LAYERS if name not in got]
    if missing or len(got) != len(_LENET_LAYERS):
        return (f"the dict needs exactly the keys {', '.join(map(repr, _LENET_LAYERS))}"
                + (f" (missing: {', '.join(map(repr, missing))})." if missing else "."))
    for name in _LENET_LAYERS:
        if got[name] != expected[name]:
            return f"{name} is {got[name]!r}, expected {expected[name]}: {_LENET_HINTS[name]}"
    return None


def check_lenet5_params(fn):
    """Check ``lenet5_params(input_shape, classes)`` -> ``{"C1": ..., "C3": ..., "C5": ...,
    "F6": ..., "output": ...}``, the parameters of each layer of
    ``cnnlib.models.lenet5(input_shape, classes)`` that has any, for input sizes where C5's
    maps are larger than 1×1 too (notebook 09)."""
    __tracebackhide__ = True
    cases = [
        Case(((32, 32, 1), 10), label="the lecture's LeNet-5: 32×32×1, 10 classes"),
        Case(((32, 32, 3), 10), label="CIFAR-10 size: 32×32×3, 10 classes"),
        Case(((33, 33, 1), 10), label="33×33×1: pooling drops the odd row and column"),
        Case(((36, 36, 1), 10), label="36×36×1: C5's maps are 2×2"),
        Case(((40, 32, 1), 26), label="non-square 40×32×1, 26 letters"),
        Case(((64, 64, 3), 100), label="64×64×3, 100 classes"),
    ]
    check_function(fn, _lenet5_params, cases, name="lenet5_params", hint=_lenet5_params_hint)


# Notebook 09, exercise 3: the paper's connection count --------------------------------------

_LENET5_CONNECTIONS_HASH = "6bc322fb6e4021d76dd74c54e51fc288e1222844b18640abbd33906dc04e7830"
_LENET5_CONNECTION_MISTAKES = {  # answer_hash(wrong answer) prefix -> hint
    "1db4b1287b09e3b5": "count the output layer too: each of its 10 RBF units is connected to "
                        "all 84 units of F6 (and has no bias).",
    "0f8a5f1dc7a9ca5c": "every unit of C1-F6 also has one connection from its bias (the paper "
                        "counts it), and so does every unit of S2 and S4.",
    "d994cadbebfcb8d6": "use the paper's C3: its connection table leaves out 36 of the 96 "
                        "(S2 map, C3 map) pairs.",
    "72dea06b1d751be7": "that is the number of parameters; a connection is counted at every "
                        "position where a shared weight is used.",
    "2a32e21187eaed5d": "that is the number of parameters; a connection is counted at every "
                        "position where a shared weight is used.",
    "28e072a6537ce609": "that is the parameter count of cnnlib's LeNet-5; count the paper's "
                        "connections instead.",
}


def check_lenet5_connections(fn):
    """Check ``lenet5_connections(input_size=32)``, the number of connections of the paper's
    LeNet-5 (its C3 connection table, trainable S2/S4, the RBF output), as the paper counts
    them: every unit's inputs plus one for its bias, for the paper's 32×32 input (notebook 09;
    the hidden tests of a graded copy try other input sizes)."""
    __tracebackhide__ = True
    check_value(fn, name="lenet5_connections", expected_hash=_LENET5_CONNECTIONS_HASH,
                mistakes=_LENET5_CONNECTION_MISTAKES,
                hint="add up, layer by layer, (number of units) × (inputs per unit + 1 for the "
                     "bias); the paper gives C1's count, 122,304 = 28·28·6·(5·5 + 1).")


# Notebook 10, exercise 1: AlexNet's feature-map sizes ----------------------------------------

_ALEXNET_LAYERS = ("conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5")


def _alexnet_feature_sizes(input_size):
    """Height (= width) of the output of each layer of ``cnnlib.models.alexnet`` for a square
    input of ``input_size`` pixels, as Keras computes it."""
    from cnnlib import arithmetic

    conv1 = arithmetic.conv_output_size(input_size, 11, 4, "valid")
    pool1 = arithmetic.pool_output_size(conv1, 3, 2)
    conv2 = arithmetic.conv_output_size(pool1, 5, 1, "same")
    pool2 = arithmetic.pool_output_size(conv2, 3, 2)
    conv3 = conv4 = conv5 = arithmetic.conv_output_size(pool2, 3, 1, "same")
    pool5 = arithmetic.pool_output_size(conv5, 3, 2)
    return conv1, pool1, conv2, pool2, conv3, conv4, conv5, pool5


def _alexnet_sizes_hint(case, expected, got):
    if not isinstance(got, tuple | list | np.ndarray) or len(got) != len(_ALEXNET_LAYERS):
        return f"return 8 sizes, one per layer: {', '.join(_ALEXNET_LAYERS)}."
    for name, have in zip(_ALEXNET_LAYERS, got, strict=True):
        if not is_int(have):
            return (f"{name} is {have!r}: a size is a whole number (an int); Keras drops the "
                    "last rows/columns that a window does not fit: integer division //.")
    for name, want, have in zip(_ALEXNET_LAYERS, expected, got, strict=True):
        if have == want:
            continue
        if name in ("conv2", "conv3", "conv4", "conv5"):
            return f"{name} uses padding='same' and stride 1: it keeps the size of its input."
        if name == "conv1":
            return "conv1: 11×11 kernel, stride 4, no padding: (n − 11)//4 + 1."
        return f"{name}: 3×3 windows with stride 2, no padding: (n − 3)//2 + 1."
    return None


def check_alexnet_feature_sizes(fn):
    """Check ``alexnet_feature_sizes(input_size)`` -> the height (= width) of the output of
    conv1, pool1, conv2, pool2, conv3, conv4, conv5 and pool5 of ``cnnlib.models.alexnet`` for
    a square input, as Keras computes them (notebook 10)."""
    __tracebackhide__ = True
    cases = [Case((227,), label="input 227×227 (the lecture's table)"),
             Case((224,), label="input 224×224 (the size printed in the paper)"),
             Case((67,), label="input 67×67, the smallest that AlexNet accepts"),
             Case((256,), label="input 256×256"),
             Case((100,), label="input 100×100"),
             Case((231,), label="input 231×231"),
             Case((300,), label="input 300×300")]
    check_function(fn, _alexnet_feature_sizes, cases, name="alexnet_feature_sizes",
                   hint=_alexnet_sizes_hint)


# Notebook 10, exercise 2: where AlexNet's parameters are ------------------------------------


@functools.cache
def _alexnet_param_split(input_size, classes):
    """(parameters of the convolutions, parameters of the dense layers) of
    ``cnnlib.models.alexnet((input_size, input_size, 3), classes)``, as Keras counts them in
    the built model (cached: building AlexNet allocates its 60 million weights)."""
    import keras

    from cnnlib.models import alexnet

    model = alexnet((input_size, input_size, 3), classes)
    return tuple(sum(layer.count_params() for layer in model.layers if isinstance(layer, kind))
                 for kind in (keras.layers.Conv2D, keras.layers.Dense))


_TWO_TOWER_CONV_PARAMS = 2_334_080  # conv2, conv4 and conv5 see half the maps (two GPUs)


def _param_split_hint(case, expected, got):
    if not isinstance(got, tuple | list) or len(got) != 2:
        return "return a pair (convolution parameters, dense parameters)."
    conv, dense = got
    if conv == _TWO_TOWER_CONV_PARAMS:
        return ("that is the two-tower count; cnnlib's AlexNet is one tower: every convolution "
                "sees all the maps of the layer before it.")
    if conv != expected[0]:
        return ("each convolution has filters·(k·k·C_in + 1) parameters, C_in being the number "
                "of maps of the layer before (the input has 3 channels).")
    if dense == expected[1] - sum(u for u in (4096, 4096, case.args[1])):
        return "count the biases of the dense layers too."
    return ("fc6 sees pool5's output flattened, size·size·256 values (6·6·256 for a 227-pixel "
            "input only); fc8 has one unit per class.")


def check_alexnet_param_split(fn):
    """Check ``alexnet_param_split(input_size, classes)`` -> (parameters of the convolutions,
    parameters of the dense layers) of ``cnnlib.models.alexnet((input_size, input_size, 3),
    classes)``, biases included (notebook 10)."""
    __tracebackhide__ = True
    cases = [Case((227, 1000), label="the lecture's AlexNet: 227×227×3, 1000 classes"),
             Case((224, 1000), label="224×224×3 (pool5 is then 5×5), 1000 classes"),
             Case((227, 10), label="227×227×3, 10 classes"),
             Case((67, 10), label="67×67×3 (pool5 is 1×1), 10 classes"),
             Case((256, 200), label="256×256×3, 200 classes")]
    check_function(fn, _alexnet_param_split, cases, name="alexnet_param_split",
                   hint=_param_split_hint)


# Notebook 10, exercise 3: the two towers' multiply-adds -------------------------------------

_TWO_TOWER_MACS_HASH = "d43a62a2535cd483faf682a20c3e2b4113870f07eb1ac03fd6204d99be8153d1"
_TWO_TOWER_MACS_MISTAKES = {  # answer_hash(wrong answer) prefix -> hint
    "253b064b1ba81c30": "that is the single tower; in the paper's network the kernels of conv2, "
                        "conv4 and conv5 see only the maps on their own GPU.",
    "5d8390271260a685": "that is the single tower, dense layers included; count the two-tower "
                        "convolutions only.",
    "72a12aaf2a2f7d5f": "that is one GPU's share; count both towers.",
    "d7ea10a0bb118a5f": "conv1 sees the whole image and conv3 sees the maps of both GPUs: only "
                        "conv2, conv4 and conv5 are split.",
}


def check_two_tower_conv_macs(fn):
    """Check ``two_tower_conv_macs(input_size=227)``: the multiply-adds per 227×227 image of the
    five convolutions of the paper's two-GPU AlexNet, where conv2, conv4 and conv5 are grouped
    convolutions with 2 groups (notebook 10; the hidden tests of a graded copy try other input
    sizes)."""
    __tracebackhide__ = True
    check_value(fn, name="two_tower_conv_macs", expected_hash=_TWO_TOWER_MACS_HASH,
                mistakes=_TWO_TOWER_MACS_MISTAKES,
                hint="every output value of a convolution needs one multiply-add per weight of "
                     "its kernel, kh·kw·(input maps it sees); a grouped kernel sees C/2 maps.")
