"""Argument checks live in one place: cnnlib._validation.

Read with ``ast`` (nothing is imported), one test per module of ``cnnlib/``, so a failure names
the module to fix:

- no module imports another module's private names (``from cnnlib.x import _name``): what
  several modules share is a public name, in a private module if it is not for students;
- no module but ``cnnlib/_validation.py`` defines a ``_check_*`` helper of its own.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted((ROOT / "cnnlib").rglob("*.py"))



def _params():
    return [pytest.param(path, id=path.relative_to(ROOT).as_posix()) for path in MODULES]


def private_imports(tree):
    """``module._name`` for every private name imported from a cnnlib module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level or module == "cnnlib" or module.startswith("cnnlib."):
                found += [f"{module}.{alias.name}" for alias in node.names
                          if alias.name.startswith("_")]
    return found


def own_checks(tree):
    return [node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("_check")]


@pytest.mark.parametrize("path", _params())
def test_no_private_names_cross_modules_and_no_private_checks(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert private_imports(tree) == [], "import the public name instead"
    if path.name != "_validation.py":
        assert own_checks(tree) == [], "use (or add) a helper of cnnlib._validation"


def test_the_scanner_finds_what_it_must():
    tree = ast.parse("from cnnlib.arithmetic import _describe, conv_params\n"
                     "from .forward import _as_float\n"
                     "from cnnlib import _tf\n"
                     "from numpy import _private\n"
                     "def _check_size(n): pass\n"
                     "def check_size(n): pass\n")
    assert private_imports(tree) == ["cnnlib.arithmetic._describe", "forward._as_float",
                                     "cnnlib._tf"]
    assert own_checks(tree) == ["_check_size"]
