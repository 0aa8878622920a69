"""Shared test set-up: quieten TensorFlow the way notebooks do, and find the offline data."""

import os
from pathlib import Path

import pytest

import cnnlib  # noqa: F401  (imports TensorFlow without its start-up lines)

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"


@pytest.fixture
def shared_data_dir():
    """The offline data directory given by CNNLIB_DATA_DIR; skip when it is not available."""
    value = os.environ.get("CNNLIB_DATA_DIR")
    if not value or not (Path(value) / "mnist.npz").is_file():
        pytest.skip("CNNLIB_DATA_DIR does not point at the offline dataset copies")
    return Path(value)
