"""Models that several tests only read (parameter counts, layer shapes and names, wiring,
multiply-adds), built once per test run: an ImageNet-size network takes about a second to build.

``built(models.alexnet)`` and ``built(models.alexnet, (227, 227, 3), 1000)`` are the same model:
the arguments are matched to the builder's signature, defaults included, before they are looked
up. A test that trains, compiles, freezes, re-weights or otherwise changes a model builds its own.
"""

import inspect

_BUILT = {}


def _frozen(value):
    """``value`` as a hashable key: lists become tuples, dictionaries sorted tuples of pairs."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    return value


def built(builder, *args, **kwargs):
    """``builder(*args, **kwargs)``, built the first time it is asked for; never change it."""
    bound = inspect.signature(builder).bind(*args, **kwargs)
    bound.apply_defaults()
    key = (builder, _frozen(bound.arguments))
    if key not in _BUILT:
        _BUILT[key] = builder(*args, **kwargs)
    return _BUILT[key]
