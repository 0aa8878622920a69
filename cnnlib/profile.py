"""Per-layer cost of a built Keras model: activations, their memory, parameters, multiply-adds.

Notebooks 11-14 use it to print the lecture's VGG-16 table (L1: "memory: 224*224*64=3.2M,
params: (3*3*3)*64 = 1,728") for any model and to compare architectures.

Conventions:

- **activations** of a layer: the number of values in its output for one example (batch
  excluded); **memory**: those values times the bytes of ``dtype`` (float32 by default).  The
  input is a row of its own, as in the lecture's table.
- **params**: ``layer.count_params()``, so non-trainable weights (batch normalisation moving
  means and variances) are included and the total equals ``model.count_params()``.
- **MACs** (multiply-adds) for one example, one multiply-add counted once (a "FLOP" in the
  ResNet paper, half a FLOP in tools that count a multiplication and an addition separately).
  Counted: convolutions (``Conv1D/2D/3D``, any strides, dilation and ``groups``:
  out_h*out_w*out_c*kh*kw*in_c/groups), depthwise, separable and transposed convolutions, and
  ``Dense`` (in*out for every position of any leading dimensions).  Excluded (0): biases, batch
  normalisation, pooling, activations, additions, concatenations, dropout and all other layers.
- A nested model is expanded into its layers (named ``outer/inner``); a layer called several
  times is counted for its first call only.
"""

import dataclasses
import html
import math
import textwrap

import keras

from cnnlib._validation import check_model, check_real
from cnnlib.arithmetic import activation_memory

__all__ = [
    "LayerProfile",
    "ModelProfile",
    "ProfileTotals",
    "count_macs",
    "count_params",
    "format_bytes",
    "format_count",
    "profile_model",
]

_CONVS = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D,
          keras.layers.DepthwiseConv1D, keras.layers.DepthwiseConv2D)
_SEPARABLE = (keras.layers.SeparableConv1D, keras.layers.SeparableConv2D)
_TRANSPOSED = (keras.layers.Conv1DTranspose, keras.layers.Conv2DTranspose,
               keras.layers.Conv3DTranspose)
_COLUMNS = ("layer", "type", "output shape", "activations", "memory", "params", "MACs")
_CONVENTION = ("MACs: multiply-adds per example, one multiply-add counted once; convolution and "
               "dense layers only (batch norm, pooling, activations and additions count 0)")


@dataclasses.dataclass(frozen=True)
class LayerProfile:
    """One row of the table: exact integers; ``memory`` in bytes."""

    name: str
    kind: str
    output_shape: tuple
    activations: int
    memory: int
    params: int
    macs: int


@dataclasses.dataclass(frozen=True)
class ProfileTotals:
    """Sums over all rows (``memory`` in bytes)."""

    activations: int
    memory: int
    params: int
    macs: int


def format_count(value):
    """A count with 3 significant digits and K, M, G or T (powers of 1000): 3211264 -> '3.21M'."""
    check_real("value", value, 0)
    if abs(value) < 1000:
        return str(value)
    exponent = 1
    while exponent < 4 and abs(value) >= 1000 ** (exponent + 1):
        exponent += 1
    text = f"{value / 1000**exponent:.3g}"
    if exponent < 4 and abs(float(text)) >= 1000:  # 999,999 rounds to 1M, not 1e+03K
        exponent += 1
        text = f"{value / 1000**exponent:.3g}"
    if "e" in text:  # beyond 999T
        text = f"{value / 1000**exponent:,.0f}"
    return text + "KMGT"[exponent - 1]


def format_bytes(value):
    """Bytes in B, KB, MB, GB (powers of 1000): 12845056 -> '12.8 MB'."""
    text = format_count(value)
    return f"{text} B" if text[-1].isdigit() else f"{text[:-1]} {text[-1]}B"


@dataclasses.dataclass(frozen=True)
class ModelProfile:
    """The per-layer table of a model; in a notebook it shows as an HTML table."""

    model_name: str
    dtype: str
    rows: tuple

    @property
    def totals(self):
        """:class:`ProfileTotals` of all rows."""
        return ProfileTotals(*(sum(getattr(row, field) for row in self.rows)
                               for field in ("activations", "memory", "params", "macs")))

    def _cells(self, row):
        return (row.name, row.kind, str(row.output_shape), format_count(row.activations),
                format_bytes(row.memory), format_count(row.params), format_count(row.macs))

    def _total_cells(self):
        t = self.totals
        return ("total", "", "", format_count(t.activations), format_bytes(t.memory),
                format_count(t.params), format_count(t.macs))

    def to_text(self):
        """The table as fixed-width text, with a totals line and the counting convention."""
        lines = [_COLUMNS, *(self._cells(row) for row in self.rows), self._total_cells()]
        widths = [max(len(line[i]) for line in lines) for i in range(len(_COLUMNS))]

        def render(cells):
            left = [cell.ljust(width) for cell, width in zip(cells[:3], widths, strict=False)]
            right = [cell.rjust(width) for cell, width in zip(cells[3:], widths[3:], strict=True)]
            return "  ".join(left + right).rstrip()

        rule = "-" * len(render(["-" * w for w in widths]))
        body = [render(cells) for cells in lines[1:-1]]
        header = f"{self.model_name} ({self.dtype} activations)"
        return "\n".join([header, render(lines[0]), rule, *body, rule, render(lines[-1]),
                          *textwrap.wrap(_CONVENTION, max(len(rule), 60))])

    def __str__(self):
        return self.to_text()

    def __repr__(self):
        t = self.totals
        return (f"<ModelProfile {self.model_name}: {len(self.rows)} layers, "
                f"{format_count(t.params)} params, {format_count(t.macs)} MACs, "
                f"{format_bytes(t.memory)} of {self.dtype} activations>")

    def _repr_html_(self):
        def row_html(cells, tag="td"):
            items = [f"<{tag} style='text-align:{'left' if i < 3 else 'right'}'>"
                     f"{html.escape(cell)}</{tag}>" for i, cell in enumerate(cells)]
            return "<tr>" + "".join(items) + "</tr>"

        body = "".join(row_html(self._cells(row)) for row in self.rows)
        return (f"<table><caption>{html.escape(self.model_name)} ({self.dtype} activations). "
                f"{html.escape(_CONVENTION)}</caption>"
                f"<thead>{row_html(_COLUMNS, 'th')}</thead><tbody>{body}</tbody>"
                f"<tfoot>{row_html(self._total_cells(), 'th')}</tfoot></table>")

    def to_dataframe(self):
        """The rows as a pandas DataFrame (needs pandas, which cnnlib does not require)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_dataframe() needs pandas: pip install pandas") from None
        return pd.DataFrame([dataclasses.asdict(row) for row in self.rows])


def _output_shape(layer, name):
    """The output shape of one example (a tuple, or a tuple of tuples for several outputs)."""
    try:
        tensors = layer.output
    except (AttributeError, ValueError):
        raise ValueError(
            f"layer {name!r} has no recorded output: profile_model needs a functional or "
            "Sequential model (a subclassed model does not record its layers' outputs)"
        ) from None
    return _shape(tensors, name)


def _shape(tensors, name):
    shapes = [tuple(t.shape[1:]) for t in keras.tree.flatten(tensors)]
    if any(n is None for shape in shapes for n in shape):
        raise ValueError(
            f"layer {name!r} has an unknown output size {shapes[0]}: profile a model built "
            "with a fixed input_shape"
        )
    return shapes[0] if len(shapes) == 1 else tuple(shapes)


def _spatial_positions(layer, shape):
    """Positions of a per-example shape, i.e. its product without the channel axis."""
    spatial = shape[1:] if layer.data_format == "channels_first" else shape[:-1]
    return math.prod(spatial)


def _size(variable):
    return math.prod(variable.shape)


def _macs(layer, output_shape):
    """Multiply-adds of one call for one example; the kernel holds out_c*kh*kw*in_c/groups."""
    if isinstance(layer, _CONVS):
        return _spatial_positions(layer, output_shape) * _size(layer.kernel)
    if isinstance(layer, _SEPARABLE):
        kernels = _size(layer.depthwise_kernel) + _size(layer.pointwise_kernel)
        return _spatial_positions(layer, output_shape) * kernels
    if isinstance(layer, _TRANSPOSED):  # every input value is multiplied by a whole kernel slice
        input_shape = tuple(layer.input.shape[1:])
        return _spatial_positions(layer, input_shape) * _size(layer.kernel)
    if isinstance(layer, keras.layers.Dense):
        return math.prod(output_shape[:-1]) * _size(layer.kernel)
    return 0


def _rows(model, bytes_per_value, prefix=""):
    layers = model.layers
    if not any(isinstance(layer, keras.layers.InputLayer) for layer in layers) and not prefix:
        # Sequential models hide their InputLayer: add the input row from model.inputs.
        for tensor in model.inputs:
            shape = _shape(tensor, "input")
            yield LayerProfile("input", "InputLayer", shape, math.prod(shape),
                               math.prod(shape) * bytes_per_value, 0, 0)
    for layer in layers:
        if isinstance(layer, keras.layers.InputLayer) and prefix:
            continue  # a nested model's input is the output of the layer before it
        if isinstance(layer, keras.Model):
            yield from _rows(layer, bytes_per_value, f"{prefix}{layer.name}/")
            continue
        name = prefix + layer.name
        shape = _output_shape(layer, name)
        shapes = shape if shape and isinstance(shape[0], tuple) else (shape,)
        activations = sum(math.prod(s) for s in shapes)
        yield LayerProfile(name, type(layer).__name__, shape, activations,
                           activations * bytes_per_value, layer.count_params(),
                           _macs(layer, shapes[0]))


def profile_model(model, dtype="float32"):
    """Profile every layer of a built functional or Sequential Keras model.

    ``dtype`` sets the bytes per activation in the memory column (``"float32"``: 4,
    ``"float16"``/``"bfloat16"``: 2, ...).  See the module docstring for what is counted.

    >>> prof = profile_model(cnnlib.models.vgg16())            # doctest: +SKIP
    >>> prof.totals.params, prof.totals.macs                    # doctest: +SKIP
    (138357544, 15470264320)
    """
    check_model(model, needs_inputs=True)
    bytes_per_value = activation_memory((1,), dtype)  # checks dtype, naming it in errors
    dtype_name = dtype if isinstance(dtype, str) else getattr(dtype, "name", str(dtype))
    rows = tuple(_rows(model, bytes_per_value))
    return ModelProfile(model.name, dtype_name, rows)


def count_macs(model):
    """Total multiply-adds of ``model`` for one example (see :func:`profile_model`)."""
    return profile_model(model).totals.macs


def count_params(model):
    """Total parameters of ``model``, non-trainable ones included (``model.count_params()``)."""
    check_model(model, needs_inputs=True)
    return model.count_params()

