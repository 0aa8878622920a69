"""Checks of notebook 04 (stride, padding, output size)."""

from cnnlib.checks.compare import is_int, is_real
from cnnlib.checks.core import Case, Mistake, check_function
from cnnlib.checks.grids import output_size_cases

__all__ = ["check_conv_output_size", "check_same_padding_split"]

_OUTPUT_SIZE_MISTAKES = [
    Mistake("an output size is a whole number: use integer division // (or int()).",
            when=lambda case, expected, got: is_real(got) and not is_int(got)),
    Mistake("off by one: count the first window position too (the + 1).",
            answer=lambda n, k, s=1, p=0: (n + 2 * p - k) // s),
    Mistake("padding goes on both sides of the axis: the padded length is n + 2·padding, "
            "not n + padding.",
            answer=lambda n, k, s=1, p=0: (n + p - k) // s + 1),
    Mistake("the input is padded first: slide the kernel over n + 2·padding pixels.",
            answer=lambda n, k, s=1, p=0: (n - k) // s + 1),
    Mistake("windows start every `stride` pixels: divide the distance the kernel travels "
            "by the stride.",
            answer=lambda n, k, s=1, p=0: n + 2 * p - k + 1),
    Mistake("divide only the distance the kernel travels, n + 2·padding − kernel_size, by the "
            "stride, then add 1.",
            answer=lambda n, k, s=1, p=0: (n + 2 * p) // s - k + 1),
]


def check_conv_output_size(fn):
    """Check ``conv_output_size(n, kernel_size, stride, padding)`` (notebook 04)."""
    __tracebackhide__ = True
    from cnnlib.arithmetic import conv_output_size

    check_function(fn, conv_output_size, output_size_cases(), name="conv_output_size",
                   mistakes=_OUTPUT_SIZE_MISTAKES,
                   hint="count the positions where the kernel fits: the first at 0, then one "
                        "every `stride` pixels, in the input padded by `padding` on both sides.")


def _same_padding_mistakes(same_padding):
    def swapped(n, kernel_size, stride):
        before, after = same_padding(n, kernel_size, stride)
        return after, before

    def negative(n, kernel_size, stride):
        total = (-(-n // stride) - 1) * stride + kernel_size - n
        return total // 2, total - total // 2

    return [Mistake("TensorFlow puts the odd extra row at the end (bottom/right), not the start.",
                    answer=swapped),
            Mistake("padding is never negative: when the windows need no extra pixels it is 0.",
                    answer=negative)]


def check_same_padding_split(fn):
    """Check ``same_padding_split(n, kernel_size, stride)`` -> (before, after), the zeros that
    ``padding="same"`` adds on each end of an axis, for sizes 5-8, kernels 1-5 and strides 1-3
    (notebook 04)."""
    __tracebackhide__ = True
    from cnnlib.arithmetic import same_padding

    cases = [Case((n, kernel_size, stride),
                  label=f"n={n}, kernel_size={kernel_size}, stride={stride}")
             for n in (5, 6, 7, 8) for kernel_size in (1, 2, 3, 4, 5) for stride in (1, 2, 3)]
    check_function(fn, same_padding, cases, name="same_padding_split",
                   mistakes=_same_padding_mistakes(same_padding),
                   hint="the last of the ceil(n / stride) windows must end inside the padded "
                        "input; split that total as evenly as possible.")
