"""Checks of notebook 00 (getting started): the two practice exercises."""

from cnnlib.checks.core import Case, Mistake, check_function

__all__ = ["check_dense_params", "check_values_per_image"]


def check_dense_params(fn):
    """Check ``dense_params(n_inputs, n_units)``: the weights and biases of a dense layer."""
    __tracebackhide__ = True
    from cnnlib.arithmetic import dense_params

    cases = [Case((784, 10)), Case((1, 1)), Case((3072, 100)),
             Case((100 * 100, 100), label="a 100×100 image into 100 units")]
    mistakes = [Mistake("every unit has one bias too: add n_units.",
                        answer=lambda n_inputs, n_units: n_inputs * n_units),
                Mistake("there is one bias per unit, not per input.",
                        answer=lambda n_inputs, n_units: n_inputs * n_units + n_inputs)]
    check_function(fn, dense_params, cases, name="dense_params", mistakes=mistakes,
                   hint="every unit has one weight per input, plus one bias.")


def _values_per_image(height, width, channels):
    return height * width * channels


def check_values_per_image(fn):
    """Check ``values_per_image(height, width, channels)``: the numbers that describe one
    image, on the datasets of the course and a few other sizes."""
    __tracebackhide__ = True
    cases = [Case((28, 28, 1), label="an MNIST digit: 28×28, 1 channel"),
             Case((32, 32, 3), label="a CIFAR-10 image: 32×32, RGB"),
             Case((224, 224, 3), label="an ImageNet crop: 224×224, RGB"),
             Case((1, 1, 1)), Case((480, 640, 3), label="a VGA photograph: 480×640, RGB")]
    mistakes = [Mistake("every pixel has one value per channel: multiply by `channels` too.",
                        answer=lambda height, width, channels: height * width),
                Mistake("the values multiply (every pixel × every channel), they do not add.",
                        answer=lambda height, width, channels: height * width + channels)]
    check_function(fn, _values_per_image, cases, name="values_per_image", mistakes=mistakes,
                   hint="multiply height, width and the number of colour channels.")
