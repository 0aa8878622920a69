"""Checks of notebook 06 (pooling): max and average pooling."""

from cnnlib.checks.core import Mistake, check_function
from cnnlib.checks.grids import pool_cases

__all__ = ["check_avg_pool2d", "check_max_pool2d"]


def _pool_mistakes(pool, extra=()):
    """Known wrong versions of a pooling, from the library's forward pass ``pool``."""
    def stride_is_pool_size(x, pool_size=2, stride=None):
        return pool(x, pool_size)

    def default_stride_one(x, pool_size=2, stride=None):
        return pool(x, pool_size, 1 if stride is None else stride)

    def square_window(x, pool_size=2, stride=None):
        size = pool_size if isinstance(pool_size, int) else pool_size[0]
        return pool(x, size, stride)

    return [
        Mistake("windows start every `stride` pixels, not every `pool_size` pixels.",
                answer=stride_is_pool_size),
        Mistake("when stride is not given it defaults to pool_size (windows do not overlap), "
                "not to 1.", answer=default_stride_one),
        Mistake("a pool_size pair (rows, columns) gives a non-square window: use both.",
                answer=square_window),
        *extra,
    ]


_POOL_HINT = "a window covers pool_size pixels (rows, columns when it is a pair) of every channel."


def check_max_pool2d(fn):
    """Check ``max_pool2d(x, pool_size=..., stride=None)``, NHWC (notebook 06)."""
    __tracebackhide__ = True
    import numpy as np

    from cnnlib.reference import max_pool2d

    from_zero = Mistake("all inputs are negative here: start the maximum from the window's "
                        "values, not from 0.",
                        answer=lambda x, **kwargs: np.maximum(max_pool2d(x, **kwargs), 0))
    check_function(fn, max_pool2d, pool_cases(), name="max_pool2d", rtol=1e-6, atol=0,
                   mistakes=_pool_mistakes(max_pool2d, [from_zero]), hint=_POOL_HINT)


def check_avg_pool2d(fn):
    """Check ``avg_pool2d(x, pool_size=..., stride=None)``, NHWC (notebook 06)."""
    __tracebackhide__ = True
    from cnnlib.reference import avg_pool2d

    check_function(fn, avg_pool2d, pool_cases(), name="avg_pool2d", rtol=1e-6, atol=1e-9,
                   mistakes=_pool_mistakes(avg_pool2d), hint=_POOL_HINT)
