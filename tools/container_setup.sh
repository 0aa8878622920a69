#!/usr/bin/env bash
# Installs the course for a container or a Binder session, into the Python environment of $PYTHON
# (default: python3 on PATH): what a student needs (requirements.txt: cnnlib with TensorFlow, Keras
# and JupyterLab), no test tools. The Dockerfile and binder/postBuild run it; CI runs it without
# Docker in a fresh virtual environment, then tools/container_check.py starts JupyterLab on it.
#   PYTHON=/path/to/venv/bin/python tools/container_setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -m pip install --no-cache-dir --quiet --upgrade pip
"$PYTHON" -m pip install --no-cache-dir --quiet -r requirements.txt
# The installed stack must import, and JupyterLab must have the widgets' front end (notebook 04).
"$PYTHON" -c "import cnnlib, ipywidgets, jupyterlab; cnnlib.report()"
"$PYTHON" -m jupyter labextension list 2>&1 | grep -q "@jupyter-widgets/jupyterlab-manager" || {
    echo "error: JupyterLab has no widgets extension (@jupyter-widgets/jupyterlab-manager)" >&2
    exit 1
}
echo "container set-up: done ($("$PYTHON" -m jupyter lab --version | tail -1), $SECONDS s)"
