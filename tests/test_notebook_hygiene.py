"""Committed notebooks: executed, free of machine noise and of machine paths, built like the
course's other notebooks, and unchanged when JupyterLab opens and saves them."""

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import NOTEBOOKS, REPO

sys.path.insert(0, str(REPO / "tools"))
import nbformat  # noqa: E402
import sync_repo_url  # noqa: E402
from execute_notebooks import (  # noqa: E402
    KERNEL,
    KERNELSPEC,
    LANGUAGE_INFO_KEYS,
    clean_metadata,
    noise_in,
)

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
def test_nbval_markers_are_cell_tags(path):
    """Cells whose output nbval compares carry the tag nbval-check-output; no `# NBVAL_...` line
    at the top of a cell that students read."""
    nb = nbformat.read(path, as_version=4)
    comments = [index for index, cell in enumerate(nb.cells) if cell.cell_type == "code"
                and re.search(r"^[ \t]*#+[ \t]*(NBVAL|PYTEST_VALIDATE)_", cell.source, re.M)]
    assert not comments, f"cells {comments} hold nbval comment markers: run " \
        "`make nbgrader-metadata`, which moves them into cell tags"
    compared = [cell for cell in nb.cells if "nbval-check-output" in cell.metadata.get("tags", [])]
    assert compared and all(cell.cell_type == "code" for cell in compared)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_json_is_canonical(path):
    """Written by nbformat (one-space indent, sorted keys), so diffs stay small."""
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# --- Notebooks open clean: JupyterLab's save leaves no diff ------------------------------------

def kernel_language_info():
    """The language_info that ipykernel sends in its kernel_info_reply (JupyterLab writes it)."""
    from ipykernel.ipkernel import IPythonKernel

    return dict(IPythonKernel.language_info)


def installed_kernelspec():
    """The kernelspec JupyterLab writes for the python3 kernel of this environment."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(KERNEL)
    return {"display_name": spec.display_name, "language": spec.language, "name": KERNEL}


def without_version(language_info):
    return {key: value for key, value in language_info.items() if key != "version"}


def test_execution_tool_keeps_what_the_kernel_reports():
    info = kernel_language_info()
    assert set(info) == LANGUAGE_INFO_KEYS
    assert KERNELSPEC == installed_kernelspec()
    nb = nbformat.v4.new_notebook(metadata={"language_info": info, "widgets": {"state": {}},
                                            "kernelspec": {"name": "other", "display_name": "x"}})
    clean_metadata(nb, "full")
    assert nb.metadata == {"kernelspec": KERNELSPEC, "language_info": info,
                           "cnnlib": {"mode": "full"}}
    nb.metadata = {"language_info": without_version(info)}
    with pytest.raises(RuntimeError, match="version"):
        clean_metadata(nb, "full")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_metadata_is_what_the_kernel_writes(path):
    """kernelspec and the full language_info, as JupyterLab writes them when a kernel starts;
    only the Python version may differ from this environment's (a student's Python may too)."""
    metadata = nbformat.read(path, as_version=4).metadata
    assert metadata["kernelspec"] == installed_kernelspec()
    info = metadata["language_info"]
    assert set(info) == set(kernel_language_info()), \
        "language_info lacks keys that the kernel writes: run tools/execute_notebooks.py " \
        "--metadata-only on it"
    assert without_version(info) == without_version(kernel_language_info())
    assert re.fullmatch(r"3\.\d+\.\d+", info["version"]), info["version"]


@pytest.fixture(scope="module")
def contents_manager():
    """jupyter_server's FileContentsManager, what JupyterLab reads and saves notebooks with."""
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from nbformat.sign import NotebookNotary

    with tempfile.TemporaryDirectory() as root:
        manager = FileContentsManager(root_dir=root)
        manager.notary = NotebookNotary(db_file=":memory:", secret=b"test")  # no signature db
        yield manager


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_opens_and_saves_unchanged(path, contents_manager):
    """Open in JupyterLab (jupyter_server reads it with nbformat and sends JSON), start the kernel
    (JupyterLab writes its kernelspec and language_info), save: not a byte changes."""
    copy = Path(contents_manager.root_dir) / path.name
    shutil.copyfile(path, copy)
    content = json.loads(json.dumps(contents_manager.get(path.name)["content"]))
    version = content["metadata"].get("language_info", {}).get("version")
    content["metadata"]["kernelspec"] = installed_kernelspec()
    content["metadata"]["language_info"] = {**kernel_language_info(), "version": version}
    contents_manager.save({"type": "notebook", "format": "json", "content": content}, path.name)
    assert copy.read_bytes() == path.read_bytes(), \
        "JupyterLab would rewrite this notebook on save: write it with nbformat, and its " \
        "metadata with tools/execute_notebooks.py --metadata-only"


# --- No machine paths in committed outputs -----------------------------------------------------

MACHINE_PATH = re.compile(
    r"(?<![\w.~])/(?:work|home|tmp|usr|Users|root|opt|var|mnt|content|private|srv|scratch)/"
    r"|site-packages|dist-packages|(?<![\w])[A-Za-z]:\\[\w\\]")


def output_texts(nb):
    """(cell index, text) of every text an output shows: streams, text and HTML representations,
    tracebacks (not images, whose base64 could hold anything)."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            texts = [output.get("text", ""), *output.get("traceback", [])]
            texts += [value if isinstance(value, str) else json.dumps(value)
                      for kind, value in output.get("data", {}).items()
                      if not kind.startswith("image/") or kind == "image/svg+xml"]
            yield from ((index, text) for text in texts if text)


def machine_paths(nb):
    """(cell index, line) of every output line that shows an absolute path of some machine."""
    here = {str(Path.home()), str(REPO), sys.prefix, tempfile.gettempdir(),
            os.environ.get("CNNLIB_DATA_DIR", "")} - {"", "/"}
    return [(index, line.strip()) for index, text in output_texts(nb)
            for line in text.splitlines()
            if MACHINE_PATH.search(line) or any(folder in line for folder in here)]


@pytest.mark.parametrize("line", [
    "mnist: 14 training images from the offline directory (/work/shared/data/mnist.npz)",
    "Data:       offline directory /home/ana/data (mnist)",
    '  File "/usr/lib/python3.13/site-packages/keras/src/x.py", line 3',
    r"C:\Users\ana\course\data",
    f"saved in {tempfile.gettempdir()}/model.keras",
])
def test_machine_paths_are_found(line):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("stream", text=f"fine\n{line}\n")])])
    assert machine_paths(nb) == [(0, line.strip())]


def test_relative_paths_and_urls_are_not_machine_paths():
    text = ("mnist.npz in CNNLIB_DATA_DIR\n~/.keras/datasets/mnist.npz\nhttps://example.org/"
            "home/index.html\ninput/output 1/4 of the positions\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("stream", text=text)])])
    assert machine_paths(nb) == []


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_outputs_show_no_machine_path(path):
    found = machine_paths(nbformat.read(path, as_version=4))
    assert not found, f"outputs show absolute paths of the machine that ran them: {found}"
