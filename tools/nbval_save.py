"""pytest plugin: save every notebook as nbval executed it, outputs of this run included.

    PYTHONPATH=tools python -m pytest -p nbval_save --nbval-save-dir DIR --nbval-lax notebooks/...

nbval compares a fresh run with the committed outputs but keeps the fresh outputs to itself. This
plugin collects them cell by cell and, when the session ends, writes each notebook to DIR under its
own name: the committed cells with this run's outputs and execution counts (cells that did not run,
e.g. after a timeout, have no outputs). ``make test-full`` (tools/test_full.sh) uses it to keep the
executed notebooks of the GPU job.
"""

import copy
from pathlib import Path

import nbformat

_runs = {}  # notebook path -> (the notebook nbval read, {id(cell): outputs of this run})


def pytest_addoption(parser):
    parser.getgroup("nbval").addoption(
        "--nbval-save-dir", default=None, metavar="DIR",
        help="write each notebook, as executed in this run, to DIR")


def pytest_runtest_makereport(item, call):
    if call.when != "call" or not item.config.getoption("nbval_save_dir"):
        return
    cell, outputs = getattr(item, "cell", None), getattr(item, "test_outputs", None)
    notebook = getattr(item.parent, "nb", None)
    if cell is None or notebook is None or outputs is None:
        return
    path = str(item.parent.fspath)
    _runs.setdefault(path, (notebook, {}))[1][id(cell)] = list(outputs)


def executed_notebook(notebook, outputs_by_cell):
    """A copy of ``notebook`` with the outputs of this run and counts 1, 2, ... in run order."""
    executed = copy.deepcopy(notebook)
    count = 0
    for original, cell in zip(notebook.cells, executed.cells, strict=True):
        if cell.cell_type != "code":
            continue
        outputs = outputs_by_cell.get(id(original))
        if outputs is None:
            cell.outputs, cell.execution_count = [], None
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = []
        for output in copy.deepcopy(outputs):
            if output.get("output_type") == "execute_result":
                output["execution_count"] = count
            cell.outputs.append(output)
    return executed


def pytest_sessionfinish(session):
    folder = session.config.getoption("nbval_save_dir")
    if not folder or not _runs:
        return
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for path, (notebook, outputs_by_cell) in sorted(_runs.items()):
        executed = executed_notebook(notebook, outputs_by_cell)
        nbformat.validate(executed)
        with open(folder / Path(path).name, "w", encoding="utf-8") as file:
            nbformat.write(executed, file)
