"""Checks of notebook 05 (channels, filters, cost): a convolution layer and its cost."""

from cnnlib.checks.core import Case, Mistake, check_function
from cnnlib.checks.grids import conv_cases

__all__ = ["check_conv2d", "check_conv_layer_cost"]


def _conv2d_mistakes(conv2d, pad2d):
    """Known wrong versions of the layer, from the library's forward pass."""
    def extra_row_first(x, w, stride=1, padding="valid"):
        if padding != "same":
            return conv2d(x, w, stride=stride, padding=padding)
        pads = []
        for n, k in zip(x.shape[1:3], w.shape[:2], strict=True):
            total = max((-(-n // stride) - 1) * stride + k - n, 0)
            pads.append((total - total // 2, total // 2))
        return conv2d(pad2d(x, tuple(pads)), w, stride=stride)

    def padding_ignored(x, w, stride=1, padding="valid"):
        return conv2d(x, w, stride=stride, padding="valid")

    def stride_ignored(x, w, stride=1, padding="valid"):
        return conv2d(x, w, stride=1, padding=padding)[:, ::stride, ::stride]

    def flipped(x, w, stride=1, padding="valid"):
        return conv2d(x, w[::-1, ::-1], stride=stride, padding=padding)

    def first_channel_only(x, w, stride=1, padding="valid"):
        return conv2d(x[..., :1], w[:, :, :1], stride=stride, padding=padding)

    return [
        Mistake("with 'same' and an odd total padding, TensorFlow puts the extra row/column at "
                "the bottom/right, not the top/left.", answer=extra_row_first),
        Mistake("the padding was not applied: pad 'same' to keep ceil(n / stride) rows and "
                "columns, an integer `padding` with that many zeros on each side.",
                answer=padding_ignored),
        Mistake("windows start every `stride` pixels and must fit entirely inside the (padded) "
                "input: do not compute the stride-1 output and subsample it.",
                answer=stride_ignored),
        Mistake("you flipped the kernel: that is a true convolution; tf.nn.conv2d (and this "
                "exercise) computes a cross-correlation.", answer=flipped),
        Mistake("each output channel sums over all input channels (the third axis of w), not "
                "the first one only.", answer=first_channel_only),
    ]


def check_conv2d(fn):
    """Check ``conv2d(x, w, stride=..., padding=...)``, NHWC like ``tf.nn.conv2d`` (notebook 05)."""
    __tracebackhide__ = True
    from cnnlib.reference import conv2d, pad2d

    check_function(fn, conv2d, conv_cases(), name="conv2d", rtol=1e-5, atol=1e-6,
                   mistakes=_conv2d_mistakes(conv2d, pad2d),
                   hint="out[n, i, j, f] sums x's window at (i·stride, j·stride) of the padded "
                        "input times w[..., f], over the kernel and all input channels.")


def _library_conv_layer_cost(input_shape, kernel_size, filters, stride=1, padding="same"):
    from cnnlib import arithmetic

    height, width, depth = input_shape
    out_h = arithmetic.conv_output_size(height, kernel_size, stride, padding)
    out_w = arithmetic.conv_output_size(width, kernel_size, stride, padding)
    return (arithmetic.conv_params(kernel_size, depth, filters),
            arithmetic.conv_macs((out_h, out_w), kernel_size, depth, filters),
            arithmetic.activation_memory((out_h, out_w, filters), "float32"))


def check_conv_layer_cost(fn):
    """Check ``conv_layer_cost(input_shape, kernel_size, filters, stride=1, padding="same")`` ->
    (parameters, multiply-adds, output bytes) of a Conv2D layer, on the lectures' layers and
    edge cases (notebook 05)."""
    __tracebackhide__ = True
    cases = [
        Case(((150, 100, 3), 5, 200), label="L3: 150×100×3, 200 filters 5×5, same"),
        Case(((32, 32, 3), 5, 6), {"padding": "valid"}, label="L5: 32×32×3, 6 filters 5×5"),
        Case(((5, 5, 3), 2, 2), {"padding": "valid"}, label="L3: 2 filters 2×2 on depth 3"),
        Case(((227, 227, 3), 11, 96), {"stride": 4, "padding": "valid"},
             label="AlexNet C1: 227×227×3, 96 filters 11×11, stride 4"),
        Case(((28, 28, 256), 1, 64), label="1×1 bottleneck: 28×28×256 → 64 channels"),
        Case(((7, 7, 512), 3, 512), {"stride": 2}, label="7×7×512, 3×3, stride 2, same"),
        Case(((9, 6, 4), 3, 5), {"stride": 2, "padding": "valid"},
             label="9×6×4, 3×3, stride 2, valid (non-square input)"),
        Case(((5, 5, 1), 5, 1), {"padding": "valid"}, label="kernel as large as the input"),
    ]
    def changed(parameters=0, macs=0, scale=1):
        def wrong(input_shape, kernel_size, filters, stride=1, padding="same"):
            p, m, b = _library_conv_layer_cost(input_shape, kernel_size, filters, stride, padding)
            return p + parameters * filters, m + macs * (b // 4), b * scale // 4
        return wrong

    mistakes = [
        Mistake("parameters: filters·(k·k·depth + 1): every filter has one bias too.",
                answer=changed(parameters=-1, scale=4)),
        Mistake("a multiply-add is one per filter weight per output value; the bias is an "
                "addition only, not a multiply-add.", answer=changed(macs=1, scale=4)),
        Mistake("output bytes: 4 bytes per float32 value, not 1.", answer=changed(scale=1)),
    ]
    check_function(fn, _library_conv_layer_cost, cases, name="conv_layer_cost",
                   mistakes=mistakes,
                   hint="parameters: filters·(k·k·depth + 1); output size ceil(n/stride) for "
                        "'same', (n − k)//stride + 1 for 'valid'; one multiply-add per filter "
                        "weight per output value (no bias); 4 bytes per float32 output value.")
