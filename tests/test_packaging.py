"""Dependency ranges admit Colab's stack, the version matrix's constraints match the declared
ranges, and the install routes (pip, conda, Binder, Docker) install what they say."""

import re
import tomllib

import pytest
from conftest import REPO
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

with open(REPO / "pyproject.toml", "rb") as file:
    PROJECT = tomllib.load(file)["project"]
REQUIREMENTS = {canonicalize_name(Requirement(r).name): Requirement(r)
                for r in PROJECT["dependencies"]}

EXTRAS = {canonicalize_name(Requirement(r).name): Requirement(r)
          for group in PROJECT["optional-dependencies"].values() for r in group
          if not r.startswith("cnnlib")}


def pins(job):
    """{package: version} of constraints/JOB.txt (the version matrix's jobs)."""
    text = (REPO / "constraints" / f"{job}.txt").read_text()
    found = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", text, flags=re.MULTILINE)
    return {canonicalize_name(name): version for name, version in found}


# What Google Colab has installed today (the course must install into it without replacing it):
# the Colab job's constraints, and Colab's Python.
COLAB = {"python": "3.13.5", **pins("colab")}


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


def floor(requirement):
    """The lowest version a ``>=`` range admits, as written (``2.16``)."""
    lows = [spec.version for spec in requirement.specifier if spec.operator == ">="]
    assert len(lows) == 1, f"{requirement}: one >= floor expected"
    return lows[0]


# What the floor job installs: cnnlib's dependencies and its test stack (`-e .[test]`).
TESTED = {**REQUIREMENTS, **{canonicalize_name(Requirement(r).name): Requirement(r)
                             for r in PROJECT["optional-dependencies"]["test"]}}


@pytest.mark.parametrize("package", sorted(TESTED))
def test_floor_job_pins_the_floor_of_every_declared_range(package):
    """constraints/floor.txt installs the lowest release each range admits (2.16 -> 2.16.1 where
    no 2.16.0 exists); a floor raised in pyproject.toml must be raised there too."""
    requirement = TESTED[package]
    pinned = pins("floor").get(package)
    assert pinned is not None, f"constraints/floor.txt does not pin {package}"
    assert requirement.specifier.contains(pinned), f"{package}=={pinned} is outside {requirement}"
    low = [int(part) for part in floor(requirement).split(".")]
    assert [int(part) for part in pinned.split(".")][:len(low)] == low, (
        f"constraints/floor.txt pins {package}=={pinned}, the floor is {floor(requirement)}")


@pytest.mark.parametrize("job", ["colab", "newest"])
def test_other_jobs_lie_inside_the_ranges(job):
    declared = {**REQUIREMENTS, **EXTRAS}
    for package, version in pins(job).items():
        if package in declared:
            assert declared[package].specifier.contains(version), (
                f"constraints/{job}.txt: {package}=={version} is outside {declared[package]}")


def test_the_newest_job_is_newer_than_the_floor():
    newest, low = pins("newest"), pins("floor")
    for package in ("tensorflow", "keras", "numpy"):
        assert Version(newest[package]) > Version(low[package])


def test_requirements_txt_installs_the_notebook_stack_without_test_tools():
    lines = [line.strip() for line in (REPO / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == ["-e .[notebooks]"]
    assert {"jupyterlab", "ipykernel"} <= set(EXTRAS) and "pytest" not in str(
        PROJECT["optional-dependencies"]["notebooks"])


def test_binder_and_docker_run_the_same_set_up_script():
    setup = REPO / "tools" / "container_setup.sh"
    assert "requirements.txt" in setup.read_text()
    assert "tools/container_setup.sh" in (REPO / "binder" / "postBuild").read_text()
    assert "tools/container_setup.sh" in (REPO / "Dockerfile").read_text()
    runtime = (REPO / "binder" / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", runtime)
    assert SpecifierSet(PROJECT["requires-python"]).contains(runtime.removeprefix("python-") + ".0")
