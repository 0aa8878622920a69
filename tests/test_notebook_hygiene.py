"""Committed notebooks: executed, free of machine noise, built like the course's other notebooks."""

import json
import re
import sys

import pytest
from conftest import NOTEBOOKS, REPO

sys.path.insert(0, str(REPO / "tools"))
import nbformat  # noqa: E402
import sync_repo_url  # noqa: E402
from execute_notebooks import noise_in  # noqa: E402

PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
SETUP_CELL = re.compile(r'COURSE_REPO = "[^"]+"\nif "google\.colab" in sys\.modules:')


def test_there_are_notebooks():
    assert PATHS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_is_executed_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]
    unexecuted = [i for i, cell in enumerate(code) if cell.execution_count is None]
    assert not unexecuted, f"code cells {unexecuted} have no committed outputs: run `make regen`"
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), "cells were not run once, top to bottom"
    assert noise_in(nb) == [], "outputs hold machine noise (TensorFlow logs, progress bars, ...)"
    assert not any(o.output_type == "error" for c in code for o in c.outputs)
    assert "widgets" not in nb.metadata, "widget state must not be committed"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_structure(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "Learning goals" in markdown and "Summary" in markdown
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert SETUP_CELL.search(code[0]), "the first code cell must be the Colab set-up cell"
    assert code[1].lstrip().startswith("import cnnlib"), "the second code cell imports cnnlib first"


def test_repository_url_has_one_source(capsys):
    assert sync_repo_url.main(["--check"]) == 0, f"run `make sync-url`:\n{capsys.readouterr().out}"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_json_is_canonical(path):
    """Written by nbformat (one-space indent, sorted keys), so diffs stay small."""
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
