#!/usr/bin/env bash
# Every notebook in FULL mode under nbval (the GPU job of .github/workflows/versions.yml; also runs
# on a CPU, slowly), keeping the executed notebooks:
#   tools/test_full.sh                       # all notebooks
#   NOTEBOOKS="notebooks/02-*.ipynb" tools/test_full.sh
# PYTHON (default python3) is the interpreter of an environment with cnnlib and its test stack;
# OUT (default _executed) receives the executed notebooks, written even when a cell fails.
# Prints the devices TensorFlow sees first, so the log shows whether a GPU was used.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
out="${OUT:-_executed}"
export CNNLIB_QUICK=0
mkdir -p "$out"
"$PYTHON" -c "import cnnlib; cnnlib.report()"
start=$SECONDS
status=0
# shellcheck disable=SC2086  # NOTEBOOKS is a list of paths or globs
PYTHONPATH="$PWD/tools${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -m pytest ${NOTEBOOKS:-notebooks/*.ipynb} \
    -p nbval_save --nbval-save-dir "$out" -p no:cacheprovider -q --durations=20 \
    --nbval-lax --nbval-current-env --nbval-cell-timeout="${CELL_TIMEOUT:-3600}" \
    --nbval-sanitize-with tests/nbval_sanitize.cfg ${PYTEST_FLAGS:-} || status=$?
echo "full mode: $(find "$out" -maxdepth 1 -name '*.ipynb' | wc -l) executed notebooks in $out," \
     "$((SECONDS - start)) s (exit $status)"
exit "$status"
