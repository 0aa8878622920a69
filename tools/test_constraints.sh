#!/usr/bin/env bash
# One job of the version matrix (.github/workflows/versions.yml), run the same way here and in CI:
#   tools/test_constraints.sh JOB [unit|notebooks|all]
# JOB names constraints/JOB.txt (floor, colab, newest). The script creates the virtual environment
# .venv-JOB with $PYTHON (default python3), installs cnnlib with its test stack under those
# constraints (`pip install -c constraints/JOB.txt -e .[test]`), prints the versions it got, then runs
# the unit tests and/or every notebook under nbval in quick mode (NOTEBOOKS=... to pick some).
set -euo pipefail
cd "$(dirname "$0")/.."
job="${1:?usage: tools/test_constraints.sh JOB [unit|notebooks|all]  (JOB: floor, colab, newest)}"
part="${2:-all}"
constraints="constraints/$job.txt"
[ -f "$constraints" ] || { echo "error: $constraints does not exist" >&2; exit 2; }
case "$part" in unit|notebooks|all) ;; *) echo "error: part must be unit, notebooks or all" >&2; exit 2;; esac
PYTHON="${PYTHON:-python3}"
venv=".venv-$job"
stamp="$venv/.installed"
export CNNLIB_QUICK=1
if [ -z "${CNNLIB_DATA_DIR:-}" ] && [ -d ../shared/data ]; then  # the offline data, as .ci/run finds it
    CNNLIB_DATA_DIR="$(cd ../shared/data && pwd)"
    export CNNLIB_DATA_DIR
fi

if [ ! -f "$stamp" ] || [ "$constraints" -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    start=$SECONDS
    [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -c "$constraints" -e ".[test]"
    # What the constraints pin must be what was installed (a pin on a package that nothing
    # requires is ignored by pip, which would make the job test something else than it says).
    "$venv/bin/python" tools/check_constraints.py "$constraints"
    touch "$stamp"
    echo "$job: installed in $((SECONDS - start)) s"
fi
"$venv/bin/python" -c "import cnnlib; cnnlib.report()"

status=0
if [ "$part" != notebooks ]; then
    start=$SECONDS
    "$venv/bin/python" -m pytest tests -m "not notebooks and not site" -q -p no:cacheprovider \
        ${PYTEST_FLAGS:-} || status=$?
    echo "$job: unit tests took $((SECONDS - start)) s (exit $status)"
fi
if [ "$part" != unit ]; then
    start=$SECONDS
    nb_status=0
    # shellcheck disable=SC2086  # NOTEBOOKS is a list of paths or globs
    "$venv/bin/python" -m pytest ${NOTEBOOKS:-notebooks/*.ipynb} -q -p no:cacheprovider \
        --nbval-lax --nbval-current-env --nbval-cell-timeout=600 \
        --nbval-sanitize-with tests/nbval_sanitize.cfg ${PYTEST_FLAGS:-} || nb_status=$?
    echo "$job: notebooks took $((SECONDS - start)) s (exit $nb_status)"
    [ "$nb_status" = 0 ] || status=$nb_status
fi
exit "$status"
