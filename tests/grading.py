"""Test students for the nbgrader round trip: what each hands in (tests/test_nbgrader.py).

- ``blank``: every released notebook unchanged (made in conftest.py's ``autograded``);
- ``instructor``: the instructor notebooks 00, 07 and 09 (a training notebook) as they are;
- ``mistake``: the same three with one typical mistake each (``MISTAKES``);
- ``library``: notebook 07 whose ``conv_backward`` hands the work to the library's reference.
"""

import json
import re

from conftest import NOTEBOOKS

GRADED = ["00-getting-started.ipynb", "07-backpropagation.ipynb", "09-lenet5.ipynb"]

# notebook -> (exercise function, solution line, the same line with the mistake)
MISTAKES = {
    "00-getting-started.ipynb": (
        "dense_params", "return n_inputs * n_units + n_units",
        "return n_inputs * n_units"),  # the bias forgotten
    "07-backpropagation.ipynb": (
        "conv_backward", "dw += np.einsum(",
        "dw = np.einsum("),  # = instead of +=: only the last window's gradient survives
    "09-lenet5.ipynb": (
        "partial_conv_params", "return kernel_size * kernel_size * kernels + output_maps",
        "return kernel_size * kernel_size * kernels"),  # the biases forgotten
}

LIBRARY_CALLER = '''    from cnnlib.reference.backward import conv_backward as ref
    from cnnlib.reference.backward import conv_forward
    _, cache = conv_forward(x, w, np.zeros(w.shape[-1]), stride)
    return ref(dout, cache)
'''

_BODY = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*$",
                   re.MULTILINE | re.DOTALL)


def source_of(cell):
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def read(name):
    return json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))


def exercise_cell(nb, function):
    cells = [cell for cell in nb["cells"] if cell["cell_type"] == "code"
             and source_of(cell).lstrip().startswith(f"def {function}(")]
    assert len(cells) == 1, f"no single exercise cell defines {function}"
    return cells[0]


def with_mistake(name):
    nb = read(name)
    function, right, wrong = MISTAKES[name]
    cell = exercise_cell(nb, function)
    assert source_of(cell).count(right) == 1, f"{name}: the solution of {function} changed"
    cell["source"] = source_of(cell).replace(right, wrong)
    return nb


def with_library_caller():
    nb = read("07-backpropagation.ipynb")
    cell = exercise_cell(nb, "conv_backward")
    cell["source"] = _BODY.sub(lambda m: LIBRARY_CALLER.rstrip("\n"), source_of(cell), count=1)
    return nb


def submissions():
    """{student: {notebook path: notebook dict}} (besides ``blank``)."""
    return {
        "instructor": {NOTEBOOKS / name: read(name) for name in GRADED},
        "mistake": {NOTEBOOKS / name: with_mistake(name) for name in GRADED},
        "library": {NOTEBOOKS / "07-backpropagation.ipynb": with_library_caller()},
    }
