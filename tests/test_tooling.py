"""The contributor's tools agree with each other: one ruff version, one test command."""

import re
import tomllib

from conftest import REPO
from packaging.requirements import Requirement


def test_pre_commit_runs_the_ruff_that_the_test_extra_installs():
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["test"]
    ruff = next(Requirement(r) for r in extra if Requirement(r).name == "ruff")
    hook = re.search(r"ruff-pre-commit\n\s+rev: v([\d.]+)",
                     (REPO / ".pre-commit-config.yaml").read_text())
    assert hook and ruff.specifier.contains(hook.group(1)), (str(ruff), hook)
    assert not ruff.specifier.contains("0.8.6") and not ruff.specifier.contains("0.18.0")


def test_ci_runs_the_readme_test_command():
    assert re.search(r"^make test\b", (REPO / ".ci" / "run").read_text(), re.MULTILINE)
    assert "make test" in (REPO / "README.md").read_text()
    assert "run: make test" in (REPO / ".github" / "workflows" / "ci.yml").read_text()


def test_the_release_tool_needs_no_test_dependency():
    """cnnlib.release is a runtime module: it must not import nbformat (a test dependency)."""
    source = (REPO / "cnnlib" / "release.py").read_text()
    assert not re.search(r"^\s*(import|from) nbformat", source, re.MULTILINE)


def test_sync_url_rewrites_colab_binder_site_and_clone_addresses():
    sync = load_tool("sync_repo_url")
    text = ("[b](https://mybinder.org/v2/gh/old/course/HEAD?urlpath=lab) "
            "[c](https://colab.research.google.com/github/old/course/blob/main/x.ipynb)\n"
            "<https://old.github.io/course/>\n"
            "git clone https://github.com/old/course\n")
    assert sync.synced_readme(text, "https://github.com/Me/fork") == (
        "[b](https://mybinder.org/v2/gh/Me/fork/HEAD?urlpath=lab) "
        "[c](https://colab.research.google.com/github/Me/fork/blob/main/x.ipynb)\n"
        "<https://me.github.io/fork/>\n"
        "git clone https://github.com/Me/fork\n")


def load_tool(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nbval_save_writes_this_runs_outputs_and_clears_cells_that_did_not_run():
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    save = load_tool("nbval_save")
    old = [new_output("stream", name="stdout", text="committed\n")]
    notebook = new_notebook(cells=[new_code_cell("print(1)", outputs=old, execution_count=7),
                                   new_markdown_cell("text"),
                                   new_code_cell("2", outputs=old, execution_count=8),
                                   new_code_cell("print(3)", outputs=old, execution_count=9)])
    ran = {id(notebook.cells[0]): [new_output("stream", name="stdout", text="1\n")],
           id(notebook.cells[2]): [new_output("execute_result", data={"text/plain": "2"},
                                              execution_count=99)]}
    executed = save.executed_notebook(notebook, ran)
    nbformat.validate(executed)
    first, _, second, third = executed.cells
    assert (first.execution_count, first.outputs[0].text) == (1, "1\n")
    assert (second.execution_count, second.outputs[0].execution_count) == (2, 2)
    assert (third.execution_count, third.outputs) == (None, [])
    assert notebook.cells[0].outputs[0].text == "committed\n"  # the original is left alone


def test_site_home_page_turns_launch_badges_into_plain_links():
    """Badge images come from other hosts: the website (which requests nothing from another
    host) shows the links as text instead."""
    site = load_tool("build_site")
    readme = ("[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
              "(https://colab.research.google.com/github/o/n/blob/main/x.ipynb)\n"
              "[![Binder](https://mybinder.org/badge_logo.svg)]"
              "(https://mybinder.org/v2/gh/o/n/HEAD?urlpath=lab)\n")
    assert site.home_page(readme, "https://github.com/o/n") == (
        "[Open in Colab](https://colab.research.google.com/github/o/n/blob/main/x.ipynb)\n"
        "[Open in Binder](https://mybinder.org/v2/gh/o/n/HEAD?urlpath=lab)\n")
