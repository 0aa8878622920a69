# The course's commands. `make lab` opens the course, `make test` runs every test.
# Both create .venv and install cnnlib (editable) with the notebook and test stack first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.cnnlib-installed

NBVAL_FLAGS := --nbval-lax --nbval-current-env --nbval-cell-timeout=600 \
               --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab test lint regen student bench sync-url clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Open the course in JupyterLab (serves notebooks/).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ROOT_FLAG) $(LAB_FLAGS)

## Run every test: lint, unit tests, then every notebook under nbval.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest tests notebooks $(NBVAL_FLAGS) --durations=15 $(PYTEST_FLAGS)

lint: $(STAMP)
	$(BIN)/ruff check .

## Re-execute notebooks in place to regenerate their committed outputs (NOTEBOOKS=... to pick).
NOTEBOOKS ?= notebooks/*.ipynb
regen: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

## Build the student edition (solutions removed) into release/.
student: $(STAMP)
	$(BIN)/python -m cnnlib.release --source notebooks --dest release

## Run the benchmarks; each prints ratios measured in one run.
bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

## Write the repository URL from pyproject.toml into the README and the notebooks' Colab cells.
sync-url: $(STAMP)
	$(BIN)/python tools/sync_repo_url.py

clean:
	rm -rf $(VENV) release .pytest_cache .ruff_cache .hypothesis
