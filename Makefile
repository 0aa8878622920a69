# The course's commands. `make lab` opens the course, `make test` runs every test, `make unit`
# the tests that execute no notebook. All create .venv and install cnnlib (editable) with the
# notebook and test stack first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.cnnlib-installed

NOTEBOOKS ?= notebooks/*.ipynb

NBVAL_FLAGS := --nbval-lax --nbval-current-env --nbval-cell-timeout=600 \
               --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab test unit lint regen student nbgrader-metadata bench sync-url site clean \
        test-min test-colab test-newest test-constraints test-full

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" $(PIP_EXTRA)
	touch $(STAMP)

## Open the course in JupyterLab (serves notebooks/).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ROOT_FLAG) $(LAB_FLAGS)

## Run every test: lint, unit tests, every notebook under nbval (once), the student edition
## (once, as nbgrader autogrades it) and the nbgrader round trip; prints the slowest notebooks.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest tests notebooks $(NBVAL_FLAGS) --durations=15 $(PYTEST_FLAGS)

## Run the tests that execute no notebook and build no site (45–55 s): lint, unit tests.
unit: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest tests -m "not notebooks and not site" --durations=5 $(PYTEST_FLAGS)

## The version matrix (.github/workflows/versions.yml), one job at a time: each creates its own
## environment .venv-JOB with `pip install -c constraints/JOB.txt -e .[test]` and runs the unit tests
## and every notebook in quick mode. `make test-min` is the floor of every declared range,
## `make test-colab` Colab's stack, `make test-newest` the newest releases. PART=unit or
## PART=notebooks runs one half, NOTEBOOKS=... picks notebooks, PYTHON=... the interpreter.
test-min:
	$(MAKE) test-constraints JOB=floor
test-colab:
	$(MAKE) test-constraints JOB=colab
test-newest:
	$(MAKE) test-constraints JOB=newest
JOB  ?= floor
PART ?= all
test-constraints:
	PYTHON="$(PYTHON)" NOTEBOOKS="$(NOTEBOOKS)" tools/test_constraints.sh $(JOB) $(PART)

## Run every notebook in FULL mode under nbval and keep the executed notebooks in _executed/
## (the GPU job; NOTEBOOKS=... to pick). On a GPU runner, `PIP_EXTRA='tensorflow[and-cuda]'`
## installs TensorFlow's CUDA libraries with the rest.
test-full: $(STAMP)
	PYTHON="$(BIN)/python" NOTEBOOKS="$(NOTEBOOKS)" tools/test_full.sh

lint: $(STAMP)
	$(BIN)/ruff check .

## Re-execute notebooks in place to regenerate their committed outputs (NOTEBOOKS=... to pick).
regen: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

## Build the student edition for self-study (solutions removed) into release/: the same cells
## as nbgrader's generate_assignment gives (README, "For instructors").
student: $(STAMP)
	$(BIN)/python -m cnnlib.release --source notebooks --dest release

## Rewrite the notebooks' nbgrader metadata from their solution markers (after adding an exercise).
nbgrader-metadata: $(STAMP)
	$(BIN)/python tools/nbgrader_metadata.py --readme README.md notebooks/*.ipynb

## Run the benchmarks; each prints ratios measured in one run.
bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

## Write the repository URL from pyproject.toml into the README and the notebooks' Colab cells.
sync-url: $(STAMP)
	$(BIN)/python tools/sync_repo_url.py

## Build the course website from the committed notebooks (no execution, offline) into _build/html.
site: $(STAMP)
	$(BIN)/python tools/build_site.py

clean:
	rm -rf $(VENV) .venv-floor .venv-colab .venv-newest _build _executed release .pytest_cache \
	       .ruff_cache .hypothesis
