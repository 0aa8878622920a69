"""Grids of cases for the exercise checks: the usual shapes and the edge cases (notebooks 02-06).

Each function returns a list of :class:`~cnnlib.checks.core.Case`; values are random with one
decimal (so printed arrays stay readable) and reproducible from ``seed``.
"""

import numpy as np

from cnnlib._validation import check_non_negative_int
from cnnlib.checks.core import Case

__all__ = ["conv_cases", "correlate_cases", "output_size_cases", "pool_cases"]


def _values(rng, shape, low=-2.0, high=2.0):
    """Random values with one decimal, so printed arrays stay readable."""
    return np.round(rng.uniform(low, high, size=shape), 1)


def correlate_cases(seed=0):
    """(image, kernel) pairs of one channel: asymmetric first, non-square, 1x1, full-size."""
    rng = np.random.default_rng(check_non_negative_int("seed", seed))
    cases = [Case((np.arange(16.0).reshape(4, 4), np.array([[1.0, 2.0], [0.0, -1.0]])),
                  label="image shape (4, 4), kernel [[1, 2], [0, -1]] (not symmetric)")]
    for image, kernel in [((5, 6), (2, 3)), ((6, 5), (3, 1)), ((7, 7), (3, 3)), ((5, 5), (1, 1)),
                          ((4, 5), (4, 5)), ((3, 8), (3, 2)), ((1, 6), (1, 3))]:
        cases.append(Case((_values(rng, image), _values(rng, kernel)),
                          label=f"image shape {image}, kernel shape {kernel}"))
    return cases


def conv_cases(seed=0):
    """(x, w) with stride and padding for a NHWC convolution layer, edge cases included."""
    rng = np.random.default_rng(check_non_negative_int("seed", seed))
    grid = [  # N, H, W, C_in, kh, kw, C_out, stride, padding
        (1, 4, 4, 1, 3, 3, 1, 1, "valid"),   # one example, one channel
        (2, 5, 5, 2, 3, 3, 3, 1, "valid"),   # overlapping windows, C_in != C_out
        (1, 6, 7, 3, 2, 3, 2, 1, "valid"),   # non-square kernel and image
        (2, 7, 7, 2, 3, 3, 4, 2, "valid"),   # stride < kernel: windows overlap
        (1, 8, 8, 1, 2, 2, 2, 3, "valid"),   # stride > kernel: pixels skipped
        (1, 9, 9, 1, 2, 2, 1, 4, "valid"),   # stride > kernel, last pixels dropped
        (1, 5, 5, 2, 3, 2, 4, 2, "valid"),
        (3, 4, 4, 2, 1, 1, 5, 1, "valid"),   # 1x1 convolution
        (1, 5, 5, 1, 5, 5, 1, 1, "valid"),   # kernel as large as the input
        (2, 5, 5, 3, 3, 3, 2, 1, "same"),
        (1, 6, 6, 2, 4, 4, 3, 1, "same"),    # even kernel: asymmetric padding
        (1, 7, 6, 1, 3, 3, 2, 2, "same"),    # strided "same": asymmetric padding
        (2, 5, 5, 2, 3, 3, 2, 1, 1),         # integer padding
        (1, 6, 5, 2, 2, 3, 1, 2, 2),
    ]
    cases = []
    for n, h, w, c_in, kh, kw, c_out, stride, padding in grid:
        x, k = _values(rng, (n, h, w, c_in)), _values(rng, (kh, kw, c_in, c_out))
        cases.append(Case((x, k), {"stride": stride, "padding": padding},
                          f"x shape {x.shape}, w shape {k.shape}, stride {stride}, "
                          f"padding {padding!r}"))
    return cases


def pool_cases(seed=0):
    """(x, pool_size[, stride]) for NHWC pooling: overlapping, stride > pool, non-square."""
    rng = np.random.default_rng(check_non_negative_int("seed", seed))
    grid = [  # N, H, W, C, pool_size, stride (None: not passed, defaults to pool_size)
        (1, 4, 4, 1, 2, None), (2, 6, 6, 3, 2, 2), (1, 5, 5, 2, 3, 1), (2, 7, 7, 1, 3, 2),
        (1, 8, 8, 2, 2, 3), (1, 6, 9, 1, (2, 3), None), (2, 7, 5, 2, (3, 2), 1),
        (3, 5, 5, 2, 2, 2), (1, 4, 4, 3, 4, None),
    ]
    cases = []
    for n, h, w, c, pool, stride in grid:
        x = _values(rng, (n, h, w, c))
        kwargs = {"pool_size": pool} if stride is None else {"pool_size": pool, "stride": stride}
        shown = "not given" if stride is None else stride
        cases.append(Case((x,), kwargs, f"x shape {x.shape}, pool_size {pool}, stride {shown}"))
    x = -_values(rng, (1, 4, 4, 2), 0.1, 2.0)
    cases.append(Case((x,), {"pool_size": 2}, f"x shape {x.shape} all negative, pool_size 2"))
    return cases


def output_size_cases():
    """(n, kernel_size, stride, padding) where the kernel fits exactly (notebook 04)."""
    grid = [(7, 3, 1, 0), (7, 3, 2, 0), (32, 3, 1, 1), (28, 5, 1, 2), (5, 5, 1, 0), (9, 3, 3, 0),
            (10, 2, 4, 0), (6, 1, 1, 0), (13, 3, 2, 1), (4, 3, 1, 2), (227, 11, 4, 0)]
    return [Case((n, k, s, p), label=f"n={n}, kernel_size={k}, stride={s}, padding={p}")
            for n, k, s, p in grid]
