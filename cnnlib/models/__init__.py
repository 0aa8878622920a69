"""Classic convolutional networks, one module per family (notebooks 09-14).

Every builder returns a Keras functional model whose layer names follow the paper and takes
``input_shape`` and ``classes``, so the same code builds the ImageNet-size model (to count its
parameters and multiply-adds with :mod:`cnnlib.profile`) and a small one to train on
MNIST or CIFAR-10.  No builder downloads weights.

The builders ``alexnet``, ``vgg``, ``googlenet`` and ``resnet`` share their module's name, so
``cnnlib.models.vgg`` is the function; import module-level names from the module itself
(``from cnnlib.models.resnet import ZeroPadShortcut``).

- :mod:`cnnlib.models.fast`: ``fast_cnn``, the small batch-normalised network of the course's
  fast recipe (:mod:`cnnlib.speedrun`), notebooks 08 and 20;
- :mod:`cnnlib.models.pattern`: ``pattern_cnn``, ``pattern_string``: the lecture's pattern
  INPUT -> [[CONV -> RELU]*N -> POOL?]*M -> [FC -> RELU]*K -> FC, notebook 08;
- :mod:`cnnlib.models.lenet`: ``lenet5`` (LeCun et al. 1998), notebook 09;
- :mod:`cnnlib.models.alexnet`: ``alexnet`` (Krizhevsky et al. 2012) and ``alexnet_cifar``, its
  design scaled down to 32x32 images, notebook 10;
- :mod:`cnnlib.models.vgg`: ``vgg``, ``vgg11`` ... ``vgg19``, ``VGG_CONFIGS`` (Simonyan and
  Zisserman 2015), notebook 11;
- :mod:`cnnlib.models.googlenet`: ``googlenet``, ``INCEPTION_MODULES``, ``inception_macs``
  (Szegedy et al. 2015), notebook 12;
- :mod:`cnnlib.models.resnet`: ``resnet``, ``resnet18`` ... ``resnet152``, ``cifar_resnet``,
  ``cifar_plain``, ``IMAGENET_RESNETS`` (He et al. 2016), notebooks 13-14;
- :mod:`cnnlib.models.mobilenet`: ``mobilenet_v2``, ``MOBILENET_V2_STAGES`` (Sandler et al.
  2018), notebook 19;
- :mod:`cnnlib.models.efficientnet`: ``efficientnet``, ``efficientnet_b0``,
  ``squeeze_excite``, ``EFFICIENTNET_B0_STAGES`` (Hu et al. 2018; Tan and Le 2019), notebook 19;
- :mod:`cnnlib.models.convnext`: ``convnext``, ``convnext_tiny``, ``CONVNEXT_T`` (Liu et al.
  2022), notebook 19.
"""

from cnnlib.models.alexnet import alexnet, alexnet_cifar
from cnnlib.models.convnext import CONVNEXT_T, convnext, convnext_tiny
from cnnlib.models.efficientnet import (
    EFFICIENTNET_B0_STAGES,
    efficientnet,
    efficientnet_b0,
    squeeze_excite,
)
from cnnlib.models.fast import fast_cnn
from cnnlib.models.googlenet import INCEPTION_MODULES, InceptionConfig, googlenet, inception_macs
from cnnlib.models.lenet import lenet5
from cnnlib.models.mobilenet import MOBILENET_V2_STAGES, mobilenet_v2
from cnnlib.models.pattern import pattern_cnn, pattern_string
from cnnlib.models.resnet import (
    IMAGENET_RESNETS,
    cifar_plain,
    cifar_resnet,
    resnet,
    resnet18,
    resnet34,
    resnet50,
    resnet101,
    resnet152,
)
from cnnlib.models.vgg import VGG_CONFIGS, vgg, vgg11, vgg13, vgg16, vgg19

__all__ = [
    "CONVNEXT_T",
    "EFFICIENTNET_B0_STAGES",
    "IMAGENET_RESNETS",
    "INCEPTION_MODULES",
    "InceptionConfig",
    "MOBILENET_V2_STAGES",
    "VGG_CONFIGS",
    "alexnet",
    "alexnet_cifar",
    "cifar_plain",
    "cifar_resnet",
    "convnext",
    "convnext_tiny",
    "efficientnet",
    "efficientnet_b0",
    "fast_cnn",
    "googlenet",
    "inception_macs",
    "lenet5",
    "mobilenet_v2",
    "pattern_cnn",
    "pattern_string",
    "resnet",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "squeeze_excite",
    "vgg",
    "vgg11",
    "vgg13",
    "vgg16",
    "vgg19",
]
