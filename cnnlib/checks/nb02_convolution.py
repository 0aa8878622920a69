"""Checks of notebook 02 (the convolution operation): correlation and convolution."""

from cnnlib.checks.core import Mistake, check_function
from cnnlib.checks.grids import correlate_cases

__all__ = ["check_convolve2d", "check_correlate2d"]


def check_correlate2d(fn):
    """Check ``correlate2d(image, kernel)``, valid mode (notebook 02)."""
    __tracebackhide__ = True
    from cnnlib.reference import convolve2d, correlate2d

    mistakes = [Mistake("you flipped the kernel: that is a convolution; a cross-correlation "
                        "slides the kernel as it is.", answer=convolve2d)]
    check_function(fn, correlate2d, correlate_cases(), name="correlate2d", rtol=1e-6, atol=1e-9,
                   mistakes=mistakes,
                   hint="slide the kernel over the image without flipping it; the output has "
                        "one row (column) per position where the kernel fits entirely.")


def check_convolve2d(fn):
    """Check a true convolution ``convolve2d(image, kernel)``, valid mode (notebook 02)."""
    __tracebackhide__ = True
    from cnnlib.reference import convolve2d, correlate2d

    one_axis = ("your result is a cross-correlation: you flipped the kernel along one axis only. "
                "Convolution slides the kernel rotated by 180° (both axes flipped).")
    mistakes = [
        Mistake("your result is a cross-correlation: you did not flip the kernel. Convolution "
                "slides the kernel rotated by 180°.", answer=correlate2d),
        Mistake(one_axis, answer=lambda image, kernel: correlate2d(image, kernel[::-1])),
        Mistake(one_axis, answer=lambda image, kernel: correlate2d(image, kernel[:, ::-1])),
    ]
    check_function(fn, convolve2d, correlate_cases(), name="convolve2d", rtol=1e-6, atol=1e-9,
                   mistakes=mistakes,
                   hint="convolution is a cross-correlation with the kernel rotated by 180°.")
