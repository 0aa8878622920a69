"""cnnlib.models: published parameter and multiply-add counts, layer names, small inputs, bad input.

The models these tests only read are built without drawing their initial weights, each once per
run, and shared with the other test modules (tests/built_models.py); none is run on data here but
the small ones.
"""

import keras
import numpy as np
import pytest
from built_models import built, weightless

from cnnlib import models
from cnnlib.models.googlenet import inception_module
from cnnlib.models.resnet import ZeroPadShortcut
from cnnlib.profile import profile_model


def relative_difference(ours, published):
    return abs(ours - published) / published


def trainable_params(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def names(model):
    return [layer.name for layer in model.layers]


def rows_by_name(model):
    return {row.name: row for row in profile_model(model).rows}


def _inputs_of(value):
    """The names of the layers whose outputs appear in a layer's serialised ``inbound_nodes``."""
    if isinstance(value, dict):
        if "keras_history" in value.get("config", {}):
            yield value["config"]["keras_history"][0]
        else:
            for item in value.values():
                yield from _inputs_of(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _inputs_of(item)


def wiring(model):
    """{layer name: [names of the layers it takes its inputs from]}, the input layer called
    ``input`` (Keras numbers its own ``input_layer_N``)."""
    rename = {model.layers[0].name: "input"}
    return {rename.get(layer["name"], layer["name"]):
            [rename.get(name, name) for name in _inputs_of(layer["inbound_nodes"])]
            for layer in model.get_config()["layers"]}


def assert_basic_blocks_add_their_input(model, first_input):
    """Every basic block's ``_add`` takes its input (or the shortcut made from it) and its
    second convolution's output, and the block's two branches both start at its input."""
    wires = wiring(model)
    block_input = first_input
    for block in [name[:-len("_add")] for name in wires if name.endswith("_add")]:
        shortcut = block_input
        for start, end in (("_0_shortcut", "_0_shortcut"), ("_0_conv", "_0_bn")):
            if f"{block}{start}" in wires:
                assert wires[f"{block}{start}"] == [block_input], block
                shortcut = f"{block}{end}"
        first = f"{block}_1_pad" if f"{block}_1_pad" in wires else f"{block}_1_conv"
        assert wires[first] == [block_input], block
        assert wires[f"{block}_add"] == [shortcut, f"{block}_2_bn"], block
        assert wires[f"{block}_out"] == [f"{block}_add"], block
        block_input = f"{block}_out"
    assert wires["avg_pool"] == [block_input]


@pytest.fixture
def vgg16_model():
    return built(models.vgg16)


@pytest.fixture
def vgg19_model():
    return built(models.vgg19)


@pytest.fixture
def resnet50_model():
    return built(models.resnet50)


# --- LeNet-5 (notebook 09) --------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["classic", "modern"])
def test_lenet5_has_61706_parameters_and_the_papers_layer_names(variant):
    model = built(models.lenet5, variant=variant)
    assert model.count_params() == 61_706 == 156 + 2_416 + 48_120 + 10_164 + 850
    assert names(model) == ["input", "C1", "S2", "C3", "S4", "C5", "flatten", "F6", "output"]
    rows = rows_by_name(model)
    assert [rows[n].params for n in ("C1", "C3", "C5", "F6", "output")] == [
        156, 2_416, 48_120, 10_164, 850]
    assert [rows[n].output_shape for n in ("C1", "S2", "C3", "S4", "C5")] == [
        (28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (1, 1, 120)]
    pooling = keras.layers.AveragePooling2D if variant == "classic" else keras.layers.MaxPooling2D
    assert isinstance(model.get_layer("S2"), pooling)
    activation = "tanh" if variant == "classic" else "relu"
    assert model.get_layer("C1").activation.__name__ == activation


def test_lenet5_refuses_unpadded_mnist_digits():
    with pytest.raises(ValueError, match=r"input_shape=\(28, 28, 1\) is too small for LeNet-5"):
        models.lenet5(input_shape=(28, 28, 1))


# --- AlexNet (notebook 10) --------------------------------------------------------------------


def test_alexnet_single_tower_parameters_and_neurons():
    model = built(models.alexnet)
    assert model.count_params() == 62_378_344
    assert round(model.count_params() / 1e6, 1) == 62.4
    rows = rows_by_name(model)
    conv = sum(rows[f"conv{i}"].params for i in range(1, 6))
    assert conv == 3_747_200
    # The lecture's (L2) neurons per layer: conv4 has as many as conv3.
    layers = ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]
    assert [rows[n].activations for n in layers] == [
        290_400, 186_624, 64_896, 64_896, 43_264, 4_096, 4_096, 1_000]
    assert rows["conv1"].output_shape == (55, 55, 96)
    assert rows["pool5"].output_shape == (6, 6, 256)


# --- VGG (notebook 11) ------------------------------------------------------------------------


def test_vgg16_parameters_equal_keras_applications(vgg16_model):
    assert vgg16_model.count_params() == 138_357_544  # keras.applications.VGG16(weights=None)


def test_vgg19_parameters_equal_keras_applications(vgg19_model):
    assert vgg19_model.count_params() == 143_667_240  # keras.applications.VGG19(weights=None)


@pytest.mark.parametrize(("fixture", "application"), [
    ("vgg16_model", keras.applications.VGG16), ("vgg19_model", keras.applications.VGG19)])
def test_vgg_layer_names_match_keras_applications(request, fixture, application):
    ours = names(request.getfixturevalue(fixture))
    # The convolutional part of keras's model at a small size (cheap), and its documented head.
    with weightless():
        theirs = names(application(weights=None, include_top=False, input_shape=(32, 32, 3)))[1:]
    theirs += ["flatten", "fc1", "fc2", "predictions"]
    assert [n for n in ours[1:] if not n.endswith("_dropout")] == theirs


@pytest.mark.parametrize(("fixture", "published"), [("vgg16_model", 15.5e9),
                                                    ("vgg19_model", 19.6e9)])
def test_vgg_multiply_adds_match_the_papers(request, fixture, published):
    macs = profile_model(request.getfixturevalue(fixture)).totals.macs
    assert relative_difference(macs, published) < 0.02


def test_vgg16_profile_reproduces_the_lecture_table(vgg16_model):  # L1
    rows = profile_model(vgg16_model).rows
    assert rows[0].activations == 224 * 224 * 3
    convs = [row for row in rows if row.kind == "Conv2D"]
    lecture_weights = [1_728, 36_864, 73_728, 147_456, 294_912, 589_824, 589_824, 1_179_648,
                       *[2_359_296] * 5]
    biases = [row.output_shape[-1] for row in convs]
    assert [row.params - b for row, b in zip(convs, biases, strict=True)] == lecture_weights
    assert [row.activations for row in convs][:3] == [224 * 224 * 64, 224 * 224 * 64,
                                                      112 * 112 * 128]
    dense = [row.params - row.output_shape[-1] for row in rows if row.kind == "Dense"]
    assert dense == [102_760_448, 16_777_216, 4_096_000]


def test_vgg_on_cifar_and_with_batch_norm():
    model = built(models.vgg11, input_shape=(32, 32, 3), classes=10, batch_norm=True,
                  dense_units=64)
    assert model.output_shape == (None, 10)
    assert model.get_layer("block5_pool").output.shape[1:] == (1, 1, 512)
    assert isinstance(model.get_layer("block1_conv1_bn"), keras.layers.BatchNormalization)
    assert [models.VGG_CONFIGS[d] for d in (11, 19)] == [(1, 1, 2, 2, 2), (2, 2, 4, 4, 4)]
    with pytest.raises(ValueError, match=r"input_shape=\(16, 16, 3\) is too small for VGG-16"):
        models.vgg16(input_shape=(16, 16, 3))


# --- GoogLeNet (notebook 12) ------------------------------------------------------------------


def test_googlenet_parameters_and_table_1_sizes():
    model = built(models.googlenet)
    assert model.count_params() == 6_998_552
    previous = model.get_layer("pool2").output.shape[-1]
    for name, config in models.INCEPTION_MODULES.items():
        output = model.get_layer(f"inception_{name}").output.shape
        assert config.in_channels == previous
        assert output[1:] == (config.size, config.size, config.out_channels)
        previous = config.out_channels
    assert model.get_layer("predictions").output.shape == (None, 1000)


def test_googlenet_auxiliary_heads():
    model = built(models.googlenet, aux_heads=True)
    assert model.count_params() == 13_378_280
    assert [tuple(o.shape) for o in model.outputs] == [(None, 1000)] * 3
    assert names(model).count("aux1_predictions") == 1
    with pytest.raises(ValueError, match="input_shape"):
        models.googlenet(input_shape=(32, 32, 3), aux_heads=True)


def test_inception_macs_lecture_example_and_module_3a():
    lecture = models.InceptionConfig(28, 256, 128, 64, 192, 64, 96, 64)  # L1
    assert models.inception_macs(lecture, bottleneck=False) == 854_196_224  # "854M ops"
    assert models.inception_macs(lecture) == 271_351_808  # the lecture's terms; it says 353M
    x = keras.Input((28, 28, 192))
    module_3a = keras.Model(x, inception_module(x, models.INCEPTION_MODULES["3a"]))
    assert profile_model(module_3a).totals.macs == models.inception_macs(
        models.INCEPTION_MODULES["3a"])


def test_inception_module_is_figure_2b():
    x = keras.Input((28, 28, 192))
    module = keras.Model(x, inception_module(x, models.INCEPTION_MODULES["3a"]))
    expected = {  # layer: type, window, inputs; all with stride 1 and "same" padding
        "1x1": ("Conv2D", (1, 1), ["input"]),
        "3x3_reduce": ("Conv2D", (1, 1), ["input"]),
        "3x3": ("Conv2D", (3, 3), ["inception_3a_3x3_reduce"]),
        "5x5_reduce": ("Conv2D", (1, 1), ["input"]),
        "5x5": ("Conv2D", (5, 5), ["inception_3a_5x5_reduce"]),
        "pool": ("MaxPooling2D", (3, 3), ["input"]),
        "pool_proj": ("Conv2D", (1, 1), ["inception_3a_pool"]),
    }
    wires = wiring(module)
    for suffix, (kind, window, inputs) in expected.items():
        layer = module.get_layer(f"inception_3a_{suffix}")
        size = layer.pool_size if kind == "MaxPooling2D" else layer.kernel_size
        assert (type(layer).__name__, size, layer.strides, layer.padding, wires[layer.name]) == (
            kind, window, (1, 1), "same", inputs), suffix
    assert wires["inception_3a"] == [f"inception_3a_{suffix}"
                                     for suffix in ("1x1", "3x3", "5x5", "pool_proj")]


# --- ResNet (notebooks 13-14) -----------------------------------------------------------------


def test_resnet50_equals_keras_applications(resnet50_model):
    assert resnet50_model.count_params() == 25_636_712
    with weightless():
        theirs = keras.applications.ResNet50(weights=None)
    assert names(resnet50_model)[1:] == names(theirs)[1:]
    assert wiring(resnet50_model) == wiring(theirs)  # every layer takes the same inputs


def test_resnet50_multiply_adds_for_both_stride_placements(resnet50_model):
    assert relative_difference(profile_model(resnet50_model).totals.macs, 3.9e9) < 0.02
    with weightless():
        torchvision_like = models.resnet50(stride_in="3x3")
    assert torchvision_like.count_params() == resnet50_model.count_params()
    assert relative_difference(profile_model(torchvision_like).totals.macs, 4.1e9) < 0.02


@pytest.mark.parametrize(("builder", "params", "published_macs"), [
    (models.resnet18, 11_703_912, 1.8e9),
    (models.resnet34, 21_823_208, 3.6e9),
    (models.resnet101, 44_707_176, 7.6e9),  # params: keras.applications.ResNet101
    (models.resnet152, 60_419_944, 11.3e9),  # params: keras.applications.ResNet152
])
def test_resnet_table_1(builder, params, published_macs):
    with weightless():
        model = builder()
    assert model.count_params() == params
    assert relative_difference(profile_model(model).totals.macs, published_macs) < 0.02


def test_resnet18_basic_block_names():
    model = built(models.resnet18, input_shape=(32, 32, 3), classes=10)
    layer_names = set(names(model))
    assert {"conv1_conv", "pool1_pool", "conv2_block1_1_conv", "conv2_block1_2_conv",
            "conv2_block2_out", "conv3_block1_0_conv", "conv5_block2_add", "avg_pool",
            "predictions"} <= layer_names
    assert "conv2_block1_0_conv" not in layer_names  # 64 -> 64 channels: identity shortcut
    assert model.get_layer("conv5_block2_out").output.shape[1:] == (1, 1, 512)
    assert_basic_blocks_add_their_input(model, "pool1_pool")


# --- CIFAR-10 ResNets and plain networks (He et al., Section 4.2) -----------------------------

CIFAR = {20: (271_098, 269_722, "0.27"), 32: (466_426, 464_154, "0.46"),
         44: (661_754, 658_586, "0.66"), 56: (857_082, 853_018, "0.85"),
         110: (1_736_058, 1_727_962, "1.7")}


def paper_rounding(count, published):
    return f"{count / 1e6:.{len(published.split('.')[1])}f}"


@pytest.mark.parametrize("depth", sorted(CIFAR))
def test_cifar_resnet_option_a_reproduces_table_6(depth):
    total, trainable, published = CIFAR[depth]
    model = built(models.cifar_resnet, depth)
    assert (model.count_params(), trainable_params(model)) == (total, trainable)
    assert paper_rounding(trainable, published) == published
    assert model.get_layer("conv4_block1_out").output.shape[1:] == (8, 8, 64)
    assert sum(isinstance(layer, keras.layers.Conv2D) for layer in model.layers) == depth - 1
    assert_basic_blocks_add_their_input(model, "conv1_relu")


def test_option_b_does_not_give_the_papers_counts():
    option_b = built(models.cifar_resnet, 20, shortcut="B")
    assert_basic_blocks_add_their_input(option_b, "conv1_relu")
    extra = trainable_params(option_b) - CIFAR[20][1]
    assert extra == (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64)  # 1x1 projections and their BN
    assert [paper_rounding(CIFAR[d][1] + extra, CIFAR[d][2]) for d in (32, 56)] == ["0.47",
                                                                                   "0.86"]


@pytest.mark.parametrize("depth", [20, 56])
def test_plain_network_has_the_same_parameters_without_shortcuts(depth):
    plain = built(models.cifar_plain, depth)
    assert plain.count_params() == CIFAR[depth][0]
    assert plain.name == f"cifar_plain{depth}"
    assert not any(isinstance(layer, (keras.layers.Add, ZeroPadShortcut))
                   for layer in plain.layers)


def test_zero_pad_shortcut_subsamples_and_pads_channels():
    x = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    layer = ZeroPadShortcut(5, strides=2)
    y = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_array_equal(y[..., :3], x[:, ::2, ::2, :])
    np.testing.assert_array_equal(y[..., 3:], 0)
    assert ZeroPadShortcut.from_config(layer.get_config()).get_config() == layer.get_config()


def test_small_models_run():
    model = models.cifar_resnet(8, input_shape=(28, 28, 1), classes=3)
    probabilities = keras.ops.convert_to_numpy(model(np.zeros((2, 28, 28, 1), "float32")))
    assert probabilities.shape == (2, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize(("builder", "input_shape"), [
    (models.lenet5, (32, 32, 1)), (models.alexnet, (67, 67, 3)), (models.vgg13, (32, 32, 3)),
    (models.googlenet, (32, 32, 3)), (models.resnet50, (32, 32, 3)),
    (models.cifar_plain, (32, 32, 3))])
def test_every_builder_takes_input_shape_and_classes(builder, input_shape):
    kwargs = {"dense_units": 16} if builder is models.vgg13 else {}
    model = built(builder, input_shape=input_shape, classes=7, **kwargs)
    assert model.input_shape == (None, *input_shape)
    assert model.output_shape == (None, 7)


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "error", "pattern"), [
    (lambda: models.cifar_resnet(21), ValueError, r"depth must be 6n\+2.*got 21"),
    (lambda: models.cifar_resnet(2), ValueError, "depth must be 6n"),
    (lambda: models.cifar_resnet("20"), TypeError, "depth"),
    (lambda: models.cifar_resnet(20, shortcut="C"), ValueError, "shortcut"),
    (lambda: models.cifar_resnet(20, residual=1), TypeError, "residual"),
    (lambda: models.resnet(20), ValueError, "depth must be one of 18, 34, 50, 101, 152, got 20"),
    (lambda: models.resnet50(stride_in="2x2"), ValueError, "stride_in"),
    (lambda: models.vgg(15), ValueError, "depth"),
    (lambda: models.vgg16(depth=19), TypeError, "depth"),
    (lambda: models.vgg16(dropout=1.5), ValueError, "dropout"),
    (lambda: models.vgg16(dense_units=0), ValueError, "dense_units"),
    (lambda: models.vgg16(batch_norm="yes"), TypeError, "batch_norm"),
    (lambda: models.lenet5(variant="lenet4"), ValueError, "variant"),
    (lambda: models.lenet5(classes=-1), ValueError, "classes"),
    (lambda: models.alexnet(classes=2.5), TypeError, "classes"),
    (lambda: models.alexnet(input_shape=(64, 64, 3)), ValueError, "input_shape"),
    (lambda: models.resnet18(input_shape=(32, 32)), ValueError, "input_shape"),
    (lambda: models.resnet18(input_shape=(1, 32, 32, 3)), ValueError, "input_shape"),
    (lambda: models.googlenet(input_shape=224), TypeError, "input_shape"),
    (lambda: models.googlenet(input_shape=(224, 224, 0)), ValueError, r"input_shape\[2\]"),
    (lambda: models.googlenet(aux_heads=None), TypeError, "aux_heads"),
    (lambda: models.inception_macs((28, 256)), TypeError, "config"),
])
def test_bad_arguments_are_named(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
