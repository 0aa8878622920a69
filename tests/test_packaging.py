"""Dependency ranges admit Colab's stack, and the three install routes name the same stack."""

import tomllib

import pytest
from conftest import REPO
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

with open(REPO / "pyproject.toml", "rb") as file:
    PROJECT = tomllib.load(file)["project"]
REQUIREMENTS = {canonicalize_name(Requirement(r).name): Requirement(r)
                for r in PROJECT["dependencies"]}

# What Google Colab has installed today (the course must install into it without replacing it).
COLAB = {"python": "3.13.5", "tensorflow": "2.20.0", "keras": "3.13.0", "numpy": "2.0.2"}


@pytest.mark.parametrize("package", ["tensorflow", "keras", "numpy"])
def test_ranges_admit_colab(package):
    assert REQUIREMENTS[package].specifier.contains(COLAB[package]), (
        f"{REQUIREMENTS[package]} would replace Colab's {package} {COLAB[package]}")


def test_python_range_admits_colab_and_311():
    python = SpecifierSet(PROJECT["requires-python"])
    assert python.contains(COLAB["python"]) and python.contains("3.11.0")


def test_no_exact_pins():
    extras = [r for group in PROJECT["optional-dependencies"].values() for r in group]
    for text in PROJECT["dependencies"] + extras:
        assert "==" not in text, f"{text}: use a range, not a pin"


def test_tensorflow_is_at_least_216_and_below_3():
    spec = REQUIREMENTS["tensorflow"].specifier
    assert not spec.contains("2.15.1") and spec.contains("2.16.1") and not spec.contains("3.0.0")


def test_conda_environment_names_the_same_stack():
    environment = (REPO / "environment.yml").read_text()
    for name in list(REQUIREMENTS) + ["jupyterlab", "pytest", "nbval", "hypothesis", "ruff"]:
        assert name in environment, f"environment.yml does not mention {name}"
    assert "-e .[dev]" in environment
    assert "-e .[dev]" in (REPO / "requirements.txt").read_text()
