"""Blocks and builders of cnnlib.models refuse what would build a silently wrong network.

Every case here used to build (or to fail only at predict time); each must now raise at build
time with a message that names the argument and the value.
"""

import keras
import numpy as np
import pytest

from cnnlib import models
from cnnlib.models.googlenet import InceptionConfig, auxiliary_head, inception_module
from cnnlib.models.resnet import ZeroPadShortcut, basic_block, bottleneck_block, conv_bn
from cnnlib.models.vgg import vgg_block


def image(size=8, channels=16):
    return keras.Input((size, size, channels))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: vgg_block(image(), 64, 0), ValueError, "convs must be a positive integer, got 0"),
        (lambda: vgg_block(image(), 64, 2.0), TypeError, r"convs must be a positive integer, "
                                                          r"got 2.0 \(float\)"),
        (lambda: vgg_block(image(), 0, 2), ValueError, "filters must be a positive integer, got 0"),
        (lambda: vgg_block(image(), 8, 1, batch_norm="no"), TypeError,
         r"batch_norm must be True or False, got 'no' \(str\)"),
        (lambda: vgg_block(image(1), 8, 1), ValueError, "x is 1x1: the block's 2x2/2 max pooling"),
        (lambda: vgg_block(np.zeros((1, 8, 8, 3)), 8, 1), TypeError, "x must be a Keras tensor"),
        (lambda: vgg_block(image(), 8, 1, name=""), ValueError, "name must be a non-empty string"),
        (lambda: conv_bn(image(), 8, 3, relu="no"), TypeError,
         r"relu must be True or False, got 'no' \(str\)"),
        (lambda: conv_bn(image(), 8, 3, batch_norm="no"), TypeError, "batch_norm must be True"),
        (lambda: conv_bn(image(), 8, 3, use_bias=1), TypeError, "use_bias must be True or False"),
        (lambda: conv_bn(image(), 8, 0), ValueError, "kernel_size must be a positive integer"),
        (lambda: conv_bn(image(), 8, 3, strides=0), ValueError, "strides must be a positive"),
        (lambda: conv_bn(image(), 8, 3, kernel_initializer="he_norml"), ValueError,
         "kernel_initializer must be a Keras initializer or its name"),
        (lambda: conv_bn(keras.Input((8,)), 8, 3), ValueError, "x must be a 4-D tensor"),
        (lambda: basic_block(image(), 16, shortcut="C"), ValueError,
         "shortcut must be one of 'A', 'B', got 'C'"),
        (lambda: basic_block(image(), 16, residual="no"), TypeError,
         r"residual must be True or False, got 'no' \(str\)"),
        (lambda: basic_block(image(channels=32), 16, 2, shortcut="A"), ValueError,
         "shortcut 'A' pads the input's 32 channels with zeros, so filters must be at least 32, "
         "got 16"),
        (lambda: bottleneck_block(image(), 16, 2, stride_in="bogus"), ValueError,
         "stride_in must be one of '1x1', '3x3', got 'bogus'"),
        (lambda: ZeroPadShortcut(16, 2)(image(channels=32)), ValueError,
         "filters=16 is fewer than the 32 channels of the input"),
        (lambda: ZeroPadShortcut(0), ValueError, "filters must be a positive integer, got 0"),
        (lambda: models.cifar_resnet(20, shortcut="C"), ValueError, "shortcut must be one of"),
        (lambda: models.cifar_resnet(20, residual="no"), TypeError, "residual must be True"),
        (lambda: models.cifar_resnet(2), ValueError, "depth must be 6n\\+2"),
        (lambda: models.cifar_resnet(-4), ValueError, "depth must be 6n\\+2"),
        (lambda: models.resnet50(stride_in="bogus"), ValueError, "stride_in must be one of"),
        (lambda: models.vgg16(batch_norm="no"), TypeError, "batch_norm must be True or False"),
        (lambda: models.vgg(16.0), TypeError, "depth must be an integer"),
        (lambda: inception_module(image(), (1, 2)), TypeError, "config must be an InceptionConfig"),
        (lambda: inception_module(image(), InceptionConfig(8, 16, 8, 0, 8, 4, 4, 4)), ValueError,
         "config.n3x3_reduce must be a positive integer, got 0"),
        (lambda: auxiliary_head(image(4), 10), ValueError, "x is 4x4: the head's 5x5/3 average"),
        (lambda: auxiliary_head(image(8), 0), ValueError, "classes must be a positive integer"),
    ],
)
def test_silently_wrong_networks_are_refused_at_build_time(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [("size", -28, ValueError), ("size", 2.5, TypeError), ("in_channels", 0, ValueError),
     ("n5x5", True, TypeError), ("pool_proj", "32", TypeError)],
)
def test_inception_macs_wants_positive_integer_sizes(field, value, error):
    config = models.INCEPTION_MODULES["3a"]._replace(**{field: value})
    with pytest.raises(error, match=f"config.{field} must be a positive integer, got"):
        models.inception_macs(config)


def test_good_blocks_still_build():
    x = image(8, 16)
    assert vgg_block(x, 8, 2).shape == (None, 4, 4, 8)
    assert basic_block(x, 32, 2, shortcut="A").shape == (None, 4, 4, 32)
    assert basic_block(x, 16, shortcut="A").shape == (None, 8, 8, 16)
    assert bottleneck_block(x, 8, 2, stride_in="3x3").shape == (None, 4, 4, 32)
    assert ZeroPadShortcut(32, 2)(x).shape == (None, 4, 4, 32)
    assert auxiliary_head(image(5), 3).shape == (None, 3)
    config = InceptionConfig(8, 16, 8, 4, 8, 4, 4, 4)
    assert inception_module(x, config).shape == (None, 8, 8, 24)
