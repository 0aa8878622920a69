"""cnnlib.models.fast_cnn: the fast recipe's network, layer by layer."""

import keras
import pytest

from cnnlib import arithmetic, models, profile
from cnnlib.models.fast import BN_MOMENTUM


def test_fast_cnn_is_conv_bn_relu_pool_stages_and_a_softmax():
    model = models.fast_cnn()
    assert model.name == "fast_cnn" and model.input_shape == (None, 28, 28, 1)
    names = [layer.name for layer in model.layers[1:]]
    stages = [f"stage{i}_{kind}" for i in (1, 2, 3) for kind in ("conv", "bn", "relu", "pool")]
    assert names == [*stages, "flatten", "predictions"]
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [conv.filters for conv in convs] == [16, 32, 64]
    assert all(conv.kernel_size == (3, 3) and conv.padding == "same" and not conv.use_bias
               for conv in convs)
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert BN_MOMENTUM == 0.9 and all(norm.momentum == 0.9 for norm in norms)
    assert model.get_layer("stage3_pool").output.shape[1:] == (3, 3, 64)
    assert model.get_layer("predictions").activation.__name__ == "softmax"


def test_fast_cnn_counts_by_formula():
    model = models.fast_cnn()
    convs = [arithmetic.conv_params(3, c_in, c_out, use_bias=False)
             for c_in, c_out in [(1, 16), (16, 32), (32, 64)]]
    batch_norm = 4 * (16 + 32 + 64)  # gamma, beta, moving mean and variance per channel
    dense = arithmetic.dense_params(3 * 3 * 64, 10)
    assert model.count_params() == sum(convs) + batch_norm + dense == 29_402
    macs = (arithmetic.conv_macs((28, 28), 3, 1, 16) + arithmetic.conv_macs((14, 14), 3, 16, 32)
            + arithmetic.conv_macs((7, 7), 3, 32, 64) + arithmetic.dense_macs(576, 10))
    assert profile.count_macs(model) == macs == 1_924_992


def test_fast_cnn_options():
    model = models.fast_cnn((32, 32, 3), 5, filters=(8, 16), bn_momentum=0.5, name="small")
    assert model.name == "small" and model.output_shape == (None, 5)
    assert model.get_layer("stage2_pool").output.shape[1:] == (8, 8, 16)
    assert model.get_layer("stage1_bn").momentum == 0.5


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"filters": 16}, TypeError, "filters must be a non-empty tuple"),
    ({"filters": ()}, TypeError, "filters must be a non-empty tuple"),
    ({"filters": (16, 0)}, ValueError, r"filters\[1\] must be a positive integer"),
    ({"bn_momentum": 1.0}, ValueError, "bn_momentum"),
    ({"input_shape": (4, 4, 1)}, ValueError, "too small for fast_cnn"),
    ({"input_shape": (28, 28)}, ValueError, "input_shape"),
    ({"classes": 0}, ValueError, "classes"),
    ({"name": ""}, ValueError, "name"),
])
def test_fast_cnn_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        models.fast_cnn(**kwargs)
