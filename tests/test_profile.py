"""cnnlib.profile: hand-computed rows of tiny models, totals, rendering, bad input."""

import keras
import pytest

from cnnlib import models
from cnnlib.profile import (
    LayerProfile,
    ModelProfile,
    count_macs,
    count_params,
    format_bytes,
    format_count,
    profile_model,
)


@pytest.fixture(scope="module")
def tiny():
    """Every counted layer kind once, with shapes small enough to count by hand."""
    layers = keras.layers
    inputs = keras.Input((8, 8, 3), name="image")
    x = layers.Conv2D(4, 3, name="conv")(inputs)  # valid: 6x6x4
    y = layers.Conv2D(4, 3, padding="same", groups=2, dilation_rate=2, name="grouped")(x)
    x = layers.Add(name="add")([x, y])
    x = layers.Conv2D(8, 3, strides=2, padding="same", name="strided")(x)  # 3x3x8
    x = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", name="depthwise")(x)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Reshape((9, 16), name="reshape")(x)
    x = layers.Dense(5, name="per_position")(x)  # a dense layer on each of 9 positions
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(3, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="tiny")


# name, output shape, activations, params, MACs: counted by hand.
TINY_ROWS = [
    ("image", (8, 8, 3), 192, 0, 0),
    ("conv", (6, 6, 4), 144, 3 * 3 * 3 * 4 + 4, 6 * 6 * 4 * 3 * 3 * 3),
    ("grouped", (6, 6, 4), 144, 3 * 3 * 2 * 4 + 4, 6 * 6 * 4 * 3 * 3 * 4 // 2),
    ("add", (6, 6, 4), 144, 0, 0),
    ("strided", (3, 3, 8), 72, 3 * 3 * 4 * 8 + 8, 3 * 3 * 8 * 3 * 3 * 4),
    ("depthwise", (3, 3, 16), 144, 3 * 3 * 8 * 2 + 16, 3 * 3 * 16 * 3 * 3),
    ("bn", (3, 3, 16), 144, 4 * 16, 0),
    ("reshape", (9, 16), 144, 0, 0),
    ("per_position", (9, 5), 45, 16 * 5 + 5, 9 * 16 * 5),
    ("flatten", (45,), 45, 0, 0),
    ("output", (3,), 3, 45 * 3 + 3, 45 * 3),
]


def test_tiny_model_rows_match_hand_counts(tiny):
    profile = profile_model(tiny)
    got = [(r.name, r.output_shape, r.activations, r.params, r.macs) for r in profile.rows]
    assert got == TINY_ROWS
    assert all(row.memory == 4 * row.activations for row in profile.rows)
    assert [row.kind for row in profile.rows][:3] == ["InputLayer", "Conv2D", "Conv2D"]


def test_totals_are_exact_sums_and_params_equal_count_params(tiny):
    totals = profile_model(tiny).totals
    assert totals.activations == sum(row[2] for row in TINY_ROWS)
    assert totals.memory == 4 * totals.activations
    assert totals.macs == sum(row[4] for row in TINY_ROWS) == count_macs(tiny)
    assert totals.params == tiny.count_params() == count_params(tiny)


def test_resnet_with_batch_norm_statistics():
    model = models.cifar_resnet(8)
    assert profile_model(model).totals.params == model.count_params() == count_params(model)


def test_dtype_sets_the_bytes_per_activation(tiny):
    half = profile_model(tiny, dtype="float16")
    assert half.dtype == "float16"
    assert half.totals.memory == 2 * half.totals.activations
    assert profile_model(tiny, dtype="float64").totals.memory == 8 * half.totals.activations


def test_sequential_model_gets_an_input_row():
    model = keras.Sequential([keras.layers.Conv1D(4, 3), keras.layers.Flatten(),
                              keras.layers.Dense(2)])
    model.build((None, 10, 2))
    rows = profile_model(model).rows
    assert [(r.name, r.output_shape, r.macs) for r in rows] == [
        ("input", (10, 2), 0), (model.layers[0].name, (8, 4), 8 * 4 * 3 * 2),
        (model.layers[1].name, (32,), 0), (model.layers[2].name, (2,), 32 * 2)]
    assert sum(r.params for r in rows) == model.count_params()


def test_separable_transposed_and_nested_layers():
    inner_input = keras.Input((4, 4, 2))
    inner = keras.Model(
        inner_input, keras.layers.SeparableConv2D(3, 3, padding="same", name="sep")(inner_input),
        name="inner")
    outer_input = keras.Input((4, 4, 2))
    x = inner(outer_input)
    x = keras.layers.Conv2DTranspose(5, 2, strides=2, name="up")(x)  # 8x8x5
    model = keras.Model(outer_input, x)
    rows = {r.name: r for r in profile_model(model).rows}
    assert "inner/sep" in rows
    assert rows["inner/sep"].macs == 4 * 4 * (3 * 3 * 2 + 2 * 3)
    assert rows["up"].output_shape == (8, 8, 5)
    assert rows["up"].macs == 4 * 4 * (2 * 2 * 5 * 3)  # each input value times a 2x2x5 slice
    assert sum(r.params for r in rows.values()) == model.count_params()


def test_human_readable_units():
    assert [format_count(n) for n in (0, 999, 1_000, 150_528, 999_999, 3_211_264, 138_357_544,
                                      15_470_264_320)] == [
        "0", "999", "1K", "151K", "1M", "3.21M", "138M", "15.5G"]
    assert format_count(2.5) == "2.5"
    assert [format_bytes(n) for n in (768, 12_845_056, 553_430_176)] == [
        "768 B", "12.8 MB", "553 MB"]


def test_text_and_html_tables():
    inputs = keras.Input((224, 224, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(64, 3, padding="same", name="c<1>")(inputs),
                        name="first_vgg_layer")
    profile = profile_model(model)
    row = profile.rows[1]
    assert (row.activations, row.memory, row.params, row.macs) == (
        3_211_264, 12_845_056, 1_792, 86_704_128)  # exact integers in the data
    text = profile.to_text()
    assert str(profile) == text
    for cell in ("activations", "memory", "MACs", "3.21M", "12.8 MB", "1.79K", "86.7M",
                 "(224, 224, 64)", "total", "multiply-add"):
        assert cell in text
    html = profile._repr_html_()
    assert html.startswith("<table>") and html.endswith("</table>")
    assert html.count("<tr>") == len(profile.rows) + 2  # header, rows, totals
    assert "c&lt;1&gt;" in html and "c<1>" not in html
    assert "first_vgg_layer" in repr(profile)


def test_to_dataframe_is_optional(tiny):
    profile = profile_model(tiny)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pandas"):
            profile.to_dataframe()
    else:
        frame = profile.to_dataframe()
        assert list(frame["macs"]) == [row.macs for row in profile.rows]


def test_rows_are_dataclasses():
    row = LayerProfile("x", "Dense", (3,), 3, 12, 4, 3)
    assert ModelProfile("m", "float32", (row, row)).totals.params == 8


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (float("nan"), ValueError, "value must be a finite real number >= 0, got nan"),
        (float("inf"), ValueError, "value must be a finite real number >= 0, got inf"),
        (-5, ValueError, "value must be a finite real number >= 0, got -5.0"),
        (True, TypeError, r"value must be a finite real number >= 0, got True \(bool\)"),
        ("12", TypeError, r"value must be a finite real number >= 0, got '12' \(str\)"),
    ],
)
def test_format_count_refuses_what_is_not_a_count(value, error, message):
    with pytest.raises(error, match=message):
        format_count(value)
    with pytest.raises(error, match=message):
        format_bytes(value)


def test_bad_input_is_named():
    with pytest.raises(TypeError, match=r"model must be a Keras model, got .* \(str\)"):
        profile_model("vgg16")
    with pytest.raises(TypeError, match="model"):
        count_params(models.vgg16)
    unbuilt = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="no known inputs"):
        profile_model(unbuilt)
    inputs = keras.Input((None, None, 3))
    variable = keras.Model(inputs, keras.layers.Conv2D(2, 3)(inputs))
    with pytest.raises(ValueError, match="fixed input_shape"):
        profile_model(variable)
    small = models.lenet5()
    with pytest.raises(ValueError, match="dtype"):
        profile_model(small, dtype="float13")
    with pytest.raises(TypeError, match="dtype"):
        profile_model(small, dtype=4)
