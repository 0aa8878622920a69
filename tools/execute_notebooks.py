"""Re-execute course notebooks in place, always the same way, to regenerate committed outputs.

    python tools/execute_notebooks.py notebooks/*.ipynb      (or: make regen)

Each notebook runs top to bottom in a fresh ``python3`` kernel of this environment, with its own
folder as working directory and ``PYTHONHASHSEED=0``. The mode (full unless ``CNNLIB_QUICK=1``)
is recorded in the notebook metadata. Machine-specific metadata (timings, Python patch version,
widget state) is dropped, outputs are checked for machine noise, and a notebook is written only
when it ran without error and clean (to a temporary file first, so nothing is half-written).
"""

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOISE = re.compile(
    r"I0000 |W0000 |E0000 |absl::|oneDNN custom operations|cuda_platform|cudart_stub|"
    r"\d+/\d+ ━|ETA: |\d+ms/step|\d+s/step|at 0x[0-9a-f]{6,}|<Figure size"
)
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def noise_in(nb):
    """(cell index, matched text) for every code cell output holding machine noise."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", "")) + "".join(
                output.get("data", {}).get("text/plain", ""))
            if output.get("output_type") == "error":
                text += "\n".join(output.get("traceback", []))
            match = NOISE.search(text)
            if match:
                found.append((index, match.group(0)))
    return found


def clean_metadata(nb, mode):
    nb.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python", "pygments_lexer": "ipython3"},
        "cnnlib": {"mode": mode},
    }
    for cell in nb.cells:
        for key in ("execution", "collapsed", "scrolled", "jp-MarkdownHeadingCollapsed"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            for output in cell.outputs:
                output.get("metadata", {}).pop("needs_background", None)
                data = output.get("data", {})
                data.pop("application/vnd.jupyter.widget-view+json", None)
                # A figure's text fallback ("<Figure size 640x480 with 1 Axes>") is noise.
                if "image/png" in data and data.get("text/plain", "").startswith("<Figure size"):
                    data.pop("text/plain")


def execute(path, timeout):
    nb = nbformat.read(path, as_version=4)
    mode = "quick" if os.environ.get("CNNLIB_QUICK", "").lower() in {"1", "true", "yes", "on"} \
        else "full"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    clean_metadata(nb, mode)
    noise = noise_in(nb)
    if noise:
        raise RuntimeError(f"{path}: outputs hold machine noise: {noise}")
    handle, temporary = tempfile.mkstemp(suffix=".ipynb", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        nbformat.write(nb, file)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
    os.replace(temporary, path)
    return mode


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=7200, help="seconds per cell")
    args = parser.parse_args(argv)
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.pop("MPLBACKEND", None)
    for path in args.notebooks:
        start = time.perf_counter()
        mode = execute(path.resolve(), args.timeout)
        print(f"{path}: executed in {mode} mode in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
