"""Tests of cnnlib.viz: each helper returns a Figure that shows the right things."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnlib import viz

# L1/L5 "Convolved Feature" example.
L1_IMAGE = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
L1_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def all_texts(fig):
    """Every string drawn on the figure: axes texts, titles, suptitle, supxlabel."""
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [t.get_text() for t in ax.texts] + [ax.get_title()]
    for label in (fig._suptitle, fig._supxlabel):
        if label is not None:
            texts.append(label.get_text())
    return texts


def grid_axes(fig, prefix):
    (ax,) = [ax for ax in fig.axes if ax.get_title().startswith(prefix)]
    return ax


def text_at(ax, x, y):
    """The text centred on cell (row y, column x) of a grid drawn by viz."""
    return [t.get_text() for t in ax.texts if t.get_position() == (x, y)]


def test_show_images_grid_and_labels():
    images = np.zeros((10, 28, 28, 1), dtype=np.uint8)
    fig = viz.show_images(images, labels=[0, 1] * 5, class_names=["cat", "dog"], ncols=4,
                          title="Pets")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 12  # 3 rows of 4, two left empty
    assert sum(len(ax.images) for ax in fig.axes) == 10
    assert [ax.get_title() for ax in fig.axes[:3]] == ["cat", "dog", "cat"]
    assert not any(ax.axison for ax in fig.axes)


def test_show_images_accepts_float_rgb():
    fig = viz.show_images(np.random.default_rng(0).random((3, 8, 8, 3)))
    assert sum(len(ax.images) for ax in fig.axes) == 3


def test_show_kernel_writes_values_and_has_colour_bar():
    fig = viz.show_kernel(np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16)
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # the heat map and its colour bar
    assert text_at(ax, 1, 1) == ["0.25"] and text_at(ax, 0, 0) == ["0.0625"]
    vmin, vmax = ax.images[0].get_clim()
    assert vmin == -vmax == -0.25


def test_show_kernel_writes_integers_without_decimals():
    fig = viz.show_kernel([[-1, 0, 1]] * 3)
    assert sorted({t.get_text() for t in fig.axes[0].texts}) == ["-1", "0", "1"]


def test_show_kernel_draws_on_given_axes():
    fig, ax = plt.subplots()
    assert viz.show_kernel(np.eye(2), ax=ax) is fig


def test_show_feature_maps_from_channels_and_list():
    fig = viz.show_feature_maps(np.zeros((1, 6, 6, 8)), ncols=4)
    assert sum(len(ax.images) for ax in fig.axes) == 8
    assert sum(ax.get_label() == "<colorbar>" for ax in fig.axes) == 8
    fig = viz.show_feature_maps([np.zeros((4, 4)), np.ones((2, 2))], titles=["a", "b"])
    assert [ax.get_title() for ax in fig.axes if ax.images] == ["a", "b"]


def colour_bars(fig):
    return [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]


def test_show_feature_maps_labels_its_colour_bars():
    fig = viz.show_feature_maps([np.arange(4.0).reshape(2, 2)] * 2)
    assert [bar.get_ylabel() for bar in colour_bars(fig)] == ["value", "value"]
    fig = viz.show_feature_maps([np.ones((2, 2))], label="response")
    assert colour_bars(fig)[0].get_ylabel() == "response"


def test_show_feature_maps_symmetric_scale_centres_zero():
    signed = np.array([[-1.0, 0.5], [2.0, 0.0]])
    fig = viz.show_feature_maps([signed, signed / 4], cmap="RdBu_r", symmetric=True)
    limits = [ax.images[0].get_clim() for ax in fig.axes if ax.images]
    assert limits == [(-2.0, 2.0), (-0.5, 0.5)]
    fig = viz.show_feature_maps([signed])
    assert [ax.images[0].get_clim() for ax in fig.axes if ax.images] == [(-1.0, 2.0)]


@pytest.mark.parametrize(("value", "symmetric", "limits"), [
    (0.0, False, (0.0, 1.0)), (0.0, True, (-1.0, 1.0)), (3.0, False, (0.0, 3.0)),
    (-3.0, False, (-3.0, 0.0)), (-3.0, True, (-3.0, 3.0))])
def test_show_feature_maps_constant_map_gets_a_real_scale(value, symmetric, limits):
    fig = viz.show_feature_maps([np.full((3, 3), value)], symmetric=symmetric)
    assert fig.axes[0].images[0].get_clim() == limits


def test_show_grid_writes_every_value():
    fig = viz.show_grid([[1, 0.0625], [2.5, -3]], title="Values")
    ax = fig.axes[0]
    assert ax.get_title() == "Values" and len(fig.axes) == 1
    assert [text_at(ax, c, r)[0] for r in range(2) for c in range(2)] == ["1", "0.0625", "2.5",
                                                                          "-3"]
    assert "2×2" in viz.show_grid(np.eye(2)).axes[0].get_title()
    fig = viz.show_grid(np.full((2, 3), 1 / 3), fmt="{:.2f}")
    assert {t.get_text() for t in fig.axes[0].texts} == {"0.33"}
    fig = viz.show_grid([[1.5]], fmt=lambda value: f"<{value:g}>")
    assert fig.axes[0].texts[0].get_text() == "<1.5>"


def test_show_grid_highlights_regions_in_colours():
    from matplotlib.colors import to_rgb

    fig = viz.show_grid(np.zeros((3, 3)), highlight=(1, 2))
    cells = fig.axes[0].images[0].get_array()
    assert tuple(cells[1, 2]) == to_rgb(viz.grids.HIGHLIGHT) and tuple(cells[0, 0]) == (1, 1, 1)
    fig, ax = plt.subplots()
    assert viz.show_grid(np.zeros((4, 4)), ax=ax, highlight={
        "pink": np.s_[0:2, 0:2], "lightgreen": np.eye(4, dtype=bool)}) is fig
    cells = ax.images[0].get_array()
    assert tuple(cells[0, 1]) == to_rgb("pink") and tuple(cells[3, 3]) == to_rgb("lightgreen")
    assert tuple(cells[0, 0]) == to_rgb("lightgreen"), "later regions paint over earlier ones"
    assert tuple(cells[3, 0]) == (1, 1, 1)


def test_show_conv_step_l1_example():
    fig = viz.show_conv_step(L1_IMAGE, L1_KERNEL, 0, 0)
    output = grid_axes(fig, "output")
    assert text_at(output, 0, 0) == ["4"]
    assert len(output.texts) == 9  # all 3×3 outputs are shown
    expected = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert [[text_at(output, c, r)[0] for c in range(3)] for r in range(3)] == [
        [str(v) for v in row] for row in expected]
    image = grid_axes(fig, "input")
    assert len(image.texts) == 25 + 9  # every value, plus "×w" in each window cell
    assert sum(t.get_text().startswith("×") for t in image.texts) == 9
    assert len(grid_axes(fig, "kernel").texts) == 9
    assert any(t.endswith("= 4") for t in all_texts(fig))


def test_show_conv_step_stride_two_l2_example():
    image = [[3, 2, 1, 0, 5], [5, 1, 2, 3, 1], [1, 2, 3, 2, 0], [0, 2, 1, 1, 2], [1, 3, 2, 0, 4]]
    kernel = [[2, 0, 1], [1, 1, 0], [0, 2, 1]]
    fig = viz.show_conv_step(image, kernel, 1, 1, stride=2)
    output = grid_axes(fig, "output")
    assert [t.get_text() for t in output.texts] == ["20", "16", "15", "12"]
    window = [t for t in grid_axes(fig, "input").texts if t.get_text().startswith("×")]
    assert min(t.get_position()[0] for t in window) > 1.5  # the window starts at column 2


def test_show_conv_step_parenthesises_every_negative_factor():
    fig = viz.show_conv_step([[-1, 2], [3, 4]], [[2, -1], [1, 1]], 0, 0)
    (footer,) = {t for t in all_texts(fig) if t.startswith("output[0, 0]")}
    assert footer == "output[0, 0] = (-1)×2 + 2×(-1) + 3×1 + 4×1 = 3"


def test_show_padding_symmetric_and_asymmetric():
    fig = viz.show_padding(np.arange(1, 10).reshape(3, 3), 1)
    ax = fig.axes[0]
    assert len(ax.texts) == 25
    assert text_at(ax, 0, 0) == ["0"] and text_at(ax, 1, 1) == ["1"]
    assert "5×5" in ax.get_title()
    fig = viz.show_padding(np.ones((4, 4)), ((0, 1), (0, 1)))
    ax = fig.axes[0]
    assert len(ax.texts) == 25 and text_at(ax, 0, 0) == ["1"] and text_at(ax, 4, 4) == ["0"]


def test_plot_output_size_doesnt_fit():
    texts = " ".join(all_texts(viz.plot_output_size(7, 3, 3, 0)))
    assert "doesn't fit" in texts and "2.33" in texts


@pytest.mark.parametrize(("stride", "padding", "size"), [(1, 0, 5), (2, 0, 3), (1, 1, 7)])
def test_plot_output_size_fits(stride, padding, size):
    fig = viz.plot_output_size(7, 3, stride, padding)
    texts = " ".join(all_texts(fig))
    assert f"= {size} →" in texts and "doesn't fit" not in texts
    numbered = [t for t in fig.axes[0].texts if t.get_text().isdigit() and t.get_text() != "0"]
    assert len(numbered) == size  # one numbered bar per filter window


def test_output_size_explorer_returns_widget_and_redraws(monkeypatch):
    import IPython.display
    import ipywidgets

    shown = []  # (display id, update?, title) of every figure the explorer displays

    def display(figure, display_id):
        shown.append((display_id, False, figure._suptitle.get_text()))

    def update_display(figure, display_id):
        shown.append((display_id, True, figure._suptitle.get_text()))

    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(IPython.display, "update_display", update_display)
    box = viz.output_size_explorer(7, 3, 3, 0)
    assert isinstance(box, ipywidgets.VBox)
    assert "run the notebook" in repr(box)  # what a static rendering shows instead of sliders
    sliders = [w for w in box.children if isinstance(w, ipywidgets.IntSlider)]
    assert [s.value for s in sliders] == [7, 3, 3, 0]
    # The static figure shows exactly the sliders' starting state ...
    assert shown == [(shown[0][0], False, "Output size for N = 7, F = 3, S = 3, P = 0")]
    sliders[2].value = 2  # the redraw callback must run without a kernel too
    # ... and a slider redraws that same figure in place, so it is never stale.
    assert shown[1:] == [(shown[0][0], True, "Output size for N = 7, F = 3, S = 2, P = 0")]
    assert plt.get_fignums() == []  # figures are closed after being displayed
    assert len(box.children) == len(sliders) + 1  # the sliders and a hint, no second figure


def test_output_size_explorer_labels_line_up():
    import ipywidgets

    box = viz.output_size_explorer(3, 3, 2, 1)
    sliders = [w for w in box.children if isinstance(w, ipywidgets.IntSlider)]
    assert [s.description for s in sliders] == ["N (input)", "F (filter)", "S (stride)",
                                                "P (padding)"]
    widths = {s.style.description_width for s in sliders}
    assert len(widths) == 1 and widths != {"initial"} and widths != {""}
    assert len({s.layout.width for s in sliders}) == 1 and sliders[0].layout.width
    assert not any(s.continuous_update for s in sliders)


def test_plot_history_from_dict():
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6],
               "accuracy": [0.5, 0.8, 0.9], "val_accuracy": [0.4, 0.7, 0.8]}
    fig = viz.plot_history(history, title="Run 1")
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert ax.get_xlabel() == "epoch" and len(ax.lines) == 2
    assert list(fig.axes[0].lines[0].get_xdata()) == [1, 2, 3]
    assert len(viz.plot_history({"loss": [1, 2]}, metrics="loss").axes[0].lines) == 1


def test_plot_history_from_history_object():
    class History:  # what keras.callbacks.History exposes
        history = {"loss": [1.0, 0.5]}

    assert isinstance(viz.plot_history(History(), metrics=("loss",)), Figure)


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: viz.show_kernel([1, 2, 3]), ValueError, ["kernel", "(3,)"]),
    (lambda: viz.show_kernel("abc"), TypeError, ["kernel"]),
    (lambda: viz.show_conv_step(L1_IMAGE, L1_KERNEL, 5, 0), ValueError, ["i", "[0, 3)", "5"]),
    (lambda: viz.show_conv_step(L1_IMAGE, L1_KERNEL, 0, -1), ValueError, ["j", "-1"]),
    (lambda: viz.show_conv_step(L1_IMAGE, L1_KERNEL, 0, 0, stride=0), ValueError, ["stride"]),
    (lambda: viz.show_conv_step(L1_IMAGE, L1_KERNEL, 0.5, 0), TypeError, ["i", "0.5"]),
    (lambda: viz.show_conv_step([[1, 2]], L1_KERNEL, 0, 0), ValueError, ["kernel", "1×2"]),
    (lambda: viz.show_padding(np.ones((2, 2)), -1), ValueError, ["padding", "-1"]),
    (lambda: viz.show_padding(np.ones((2, 2)), (1, 2, 3)), ValueError, ["padding", "(1, 2, 3)"]),
    (lambda: viz.show_images(np.zeros((28, 28))), ValueError, ["images", "(28, 28)"]),
    (lambda: viz.show_images(np.zeros((2, 4, 4)), labels=[0]), ValueError, ["labels", "1"]),
    (lambda: viz.show_images(np.zeros((1, 4, 4)), labels=[3], class_names=["a"]), ValueError,
     ["labels[0]", "class_names"]),
    (lambda: viz.show_feature_maps(np.zeros((4, 4))), ValueError, ["maps", "(4, 4)"]),
    (lambda: viz.show_feature_maps(np.zeros((4, 4, 2)), titles=["a"]), ValueError, ["titles"]),
    (lambda: viz.show_feature_maps(np.zeros((4, 4, 2)), symmetric="yes"), TypeError,
     ["symmetric", "'yes'"]),
    (lambda: viz.show_feature_maps(np.zeros((4, 4, 2)), label=3), TypeError, ["label", "3"]),
    (lambda: viz.show_grid([1, 2]), ValueError, ["values", "(2,)"]),
    (lambda: viz.show_grid(np.eye(2), highlight=(5, 0)), ValueError, ["highlight", "2×2"]),
    (lambda: viz.show_grid(np.eye(2), highlight={"no-such-colour": (0, 0)}), ValueError,
     ["highlight", "no-such-colour"]),
    (lambda: viz.show_grid(np.eye(2), fmt="{:q}"), ValueError, ["fmt", "{:q}"]),
    (lambda: viz.show_grid(np.eye(2), fmt=3), TypeError, ["fmt", "3"]),
    (lambda: viz.plot_output_size(0, 3, 1, 0), ValueError, ["n", "in [1, 64]", "0"]),
    (lambda: viz.plot_output_size(10**5, 3, 1, 0), ValueError,
     ["n must be an integer in [1, 64], got 100000"]),
    (lambda: viz.plot_output_size(7, 3, 1, 33), ValueError,
     ["padding must be an integer in [0, 32], got 33"]),
    (lambda: viz.show_padding(np.ones((2, 2)), 10**4), ValueError,
     ["padding must be an integer in [0, 16], got 10000"]),
    (lambda: viz.show_grid([[1, float("nan")]]), ValueError, ["values", "NaN"]),
    (lambda: viz.plot_output_size(7, 3, 1, True), TypeError, ["padding", "True"]),
    (lambda: viz.output_size_explorer(7, 0, 1, 0), ValueError, ["kernel_size", "0"]),
    (lambda: viz.plot_history([1, 2]), TypeError, ["history", "list"]),
    (lambda: viz.plot_history({"loss": [1]}), ValueError, ["metrics", "accuracy", "loss"]),
])
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)
