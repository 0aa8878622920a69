"""Models that tests only read (parameter counts, layer shapes and names, wiring, multiply-adds):
built without initial weights, and those that several tests read built once per test run.

Most of a large model's build time is drawing its initial weights (VGG-16's 138 million values
take most of a second), which a count, a shape, a name or a wiring never reads. Inside
:func:`weightless` Keras creates each variable with its shape and initializer but draws no value
(a ``keras.StatelessScope`` that does not initialise them afterwards). Such a model must never be
called, trained or re-weighted: a test that does any of that builds its own model outside.

``built(models.alexnet)`` and ``built(models.alexnet, (227, 227, 3), 1000)`` are the same model:
the arguments are matched to the builder's signature, defaults included, before they are looked
up.
"""

import contextlib
import inspect

import keras

try:  # where Keras lists the variables it has not initialised yet (not a public API)
    from keras.src.backend.common import global_state
except ImportError:  # pragma: no cover - another Keras: build with weights, only slower
    global_state = None

_BUILT = {}


def _frozen(value):
    """``value`` as a hashable key: lists become tuples, dictionaries sorted tuples of pairs."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    return value


@contextlib.contextmanager
def weightless():
    """Build models without drawing their initial weights, for tests that only read their
    structure. Keras keeps a list of the variables to initialise when the next stateless scope
    ends; the list is restored afterwards, so that no later build initialises these ones."""
    if global_state is None:  # pragma: no cover
        yield
        return
    pending = list(global_state.get_global_attribute("uninitialized_variables", None) or [])
    try:
        with keras.StatelessScope(initialize_variables=False):
            yield
    finally:
        global_state.set_global_attribute("uninitialized_variables", pending)


def built(builder, *args, **kwargs):
    """``builder(*args, **kwargs)`` built :func:`weightless` the first time it is asked for;
    only read it."""
    bound = inspect.signature(builder).bind(*args, **kwargs)
    bound.apply_defaults()
    key = (builder, _frozen(bound.arguments))
    if key not in _BUILT:
        with weightless():
            _BUILT[key] = builder(*args, **kwargs)
    return _BUILT[key]
