"""Ready-made checks of notebook 12's exercises (GoogLeNet and 1×1 convolutions).

Like the checks of notebooks 00-06, each check is one call in the notebook,
``checks.check_reduced_conv_macs(reduced_conv_macs)``; the reference, the cases and the hints live
here.  The references count with :mod:`cnnlib.arithmetic`; the tests compare them with the
modules that :func:`cnnlib.models.googlenet.inception_module` builds.
"""

from cnnlib.checks.compare import is_int
from cnnlib.checks.core import Case, check_function

__all__ = ["check_inception_module_size", "check_reduced_conv_macs"]


# Exercise 1: the multiply-adds of a convolution with or without a 1x1 bottleneck --------------


def _reduced_conv_macs(size, in_channels, kernel_size, filters, reduce_channels=None):
    """Multiply-adds of a ``kernel_size`` convolution ("same", stride 1) with ``filters`` filters
    on a ``size × size × in_channels`` input, after a 1×1 reduction to ``reduce_channels``
    channels when that is not None."""
    from cnnlib import arithmetic

    if reduce_channels is None:
        return arithmetic.conv_macs(size, kernel_size, in_channels, filters)
    return (arithmetic.conv_macs(size, 1, in_channels, reduce_channels)
            + arithmetic.conv_macs(size, kernel_size, reduce_channels, filters))


def _reduced_conv_macs_hint(case, expected, got):
    size, in_channels, kernel_size, filters, *rest = case.args
    reduce_channels = case.kwargs.get("reduce_channels", rest[0] if rest else None)
    if not is_int(got):
        return "return one whole number of multiply-adds (an int)."
    pixels = size * size
    if got == pixels * kernel_size * in_channels * filters:
        return "a k×k kernel has k·k weights per input channel, not k."
    if reduce_channels is not None:
        reduction = pixels * in_channels * reduce_channels
        if got == expected - reduction:
            return ("the 1×1 reduction costs multiply-adds too: one per input channel for each "
                    "of its filters, at every pixel.")
        if got == pixels * kernel_size**2 * in_channels * filters:
            return ("with a bottleneck the k×k convolution no longer sees in_channels channels: "
                    "it runs on the output of the 1×1 reduction.")
        if got == reduction + pixels * kernel_size**2 * in_channels * filters:
            return ("after the 1×1 reduction the k×k convolution sees reduce_channels channels, "
                    "not in_channels.")
    return ("one multiply-add per kernel weight for every output value: "
            "size·size·filters outputs, each with k·k·(input channels) weights; with a "
            "bottleneck, add the 1×1 layer and the k×k layer that follows it.")


def check_reduced_conv_macs(fn):
    """Check ``reduced_conv_macs(size, in_channels, kernel_size, filters, reduce_channels=None)``:
    the multiply-adds, for one example, of a ``kernel_size``×``kernel_size`` convolution with
    ``filters`` filters, "same" padding and stride 1 on a ``size × size × in_channels`` input,
    preceded (when ``reduce_channels`` is given) by a 1×1 convolution to ``reduce_channels``
    channels; no biases (notebook 12).  The cases: L1's naive and bottleneck branches on
    28×28×256, the 5×5 branch of inception (3a), a 7×7 map, and ``reduce_channels`` passed by
    keyword."""
    __tracebackhide__ = True
    cases = [
        Case((28, 256, 3, 192), label="L1's naive 3×3 branch: 28×28×256 → 3×3·192"),
        Case((28, 256, 5, 96), label="L1's naive 5×5 branch: 28×28×256 → 5×5·96"),
        Case((28, 256, 3, 192, 64), label="L1's 3×3 branch with a 1×1·64 bottleneck"),
        Case((28, 256, 5, 96, 64), label="L1's 5×5 branch with a 1×1·64 bottleneck"),
        Case((28, 256, 1, 128), label="L1's 1×1·128 branch, no bottleneck"),
        Case((28, 192, 5, 32), label="inception (3a)'s 5×5 branch without its bottleneck"),
        Case((28, 192, 5, 32, 16), label="inception (3a)'s 5×5 branch, 1×1·16 bottleneck"),
        Case((7, 832, 5, 128), {"reduce_channels": 32},
             label="inception (5a)'s 5×5 branch on 7×7×832, reduce_channels=32 by keyword"),
        Case((3, 2, 3, 5, 4), label="a 3×3×2 input widened by its 'bottleneck' to 4 channels"),
    ]
    check_function(fn, _reduced_conv_macs, cases, name="reduced_conv_macs",
                   hint=_reduced_conv_macs_hint)


# Exercise 2: an Inception module's output channels and parameters ----------------------------


def _inception_module_size(config, *, biases=True, reductions=True, pool_proj=True):
    """(output channels, parameters) of ``inception_module(x, config)``; the keywords give the
    known-wrong variants that the hints recognise."""
    from cnnlib import arithmetic

    c = config

    def conv(kernel_size, in_channels, filters):
        return arithmetic.conv_params(kernel_size, in_channels, filters, use_bias=biases)

    params = conv(1, c.in_channels, c.n1x1)
    if reductions:
        params += conv(1, c.in_channels, c.n3x3_reduce) + conv(3, c.n3x3_reduce, c.n3x3)
        params += conv(1, c.in_channels, c.n5x5_reduce) + conv(5, c.n5x5_reduce, c.n5x5)
    else:
        params += conv(3, c.in_channels, c.n3x3) + conv(5, c.in_channels, c.n5x5)
    if pool_proj:
        params += conv(1, c.in_channels, c.pool_proj)
    out_channels = c.n1x1 + c.n3x3 + c.n5x5 + (c.pool_proj if pool_proj else c.in_channels)
    return out_channels, params


def _inception_module_size_hint(case, expected, got):
    config = case.args[0]
    if not (isinstance(got, tuple | list) and len(got) == 2 and all(is_int(v) for v in got)):
        return "return a pair of whole numbers (output channels, parameters)."
    out_channels, params = got
    naive_channels = config.n1x1 + config.n3x3 + config.n5x5 + config.in_channels
    if out_channels == naive_channels and out_channels != expected[0]:
        return ("the pool branch ends with its 1×1 projection: pool_proj channels, not the "
                "input's, go into the concatenation.")
    if out_channels != expected[0]:
        return "the output concatenates the last layer of each of the four branches."
    variants = [
        ({"biases": False}, "count one bias per filter, as Keras does."),
        ({"reductions": False}, "the 3×3 and 5×5 convolutions see the reduced channels "
                                "(n3x3_reduce, n5x5_reduce), and the reductions have weights."),
        ({"pool_proj": False}, "the pool branch's 1×1 projection has weights (the max pooling "
                               "has none)."),
    ]
    for keywords, hint in variants:
        if params == _inception_module_size(config, **keywords)[1]:
            return hint
    return ("six convolutions have weights: the 1×1 branch, the two 1×1 reductions, the 3×3, "
            "the 5×5 and the pool projection; each has k·k·(its input channels)·filters "
            "weights plus one bias per filter.")


def check_inception_module_size(fn):
    """Check ``inception_module_size(config)`` -> (output channels, parameters with biases) of
    the Inception module that ``cnnlib.models.googlenet.inception_module(x, config)`` builds
    from an :class:`~cnnlib.models.googlenet.InceptionConfig` (notebook 12).  The cases: L1's
    module on 28×28×256, the nine modules of GoogLeNet's Table 1, and a module of one-channel
    branches."""
    __tracebackhide__ = True
    from cnnlib.models.googlenet import INCEPTION_MODULES, InceptionConfig

    cases = [Case((InceptionConfig(28, 256, 128, 64, 192, 64, 96, 64),),
                  label="L1's module on 28×28×256 with 1×1·64 bottlenecks")]
    cases += [Case((config,), label=f"Table 1: inception ({name}), {config}")
              for name, config in INCEPTION_MODULES.items()]
    cases.append(Case((InceptionConfig(5, 1, 1, 1, 1, 1, 1, 1),),
                      label="one input channel, one filter per convolution"))
    check_function(fn, _inception_module_size, cases, name="inception_module_size",
                   hint=_inception_module_size_hint)
