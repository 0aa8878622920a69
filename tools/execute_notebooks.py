"""Re-execute course notebooks in place, always the same way, to regenerate committed outputs.

    python tools/execute_notebooks.py notebooks/*.ipynb      (or: make regen)
    python tools/execute_notebooks.py --metadata-only notebooks/*.ipynb

Each notebook runs top to bottom in a fresh ``python3`` kernel of this environment, with its own
folder as working directory and ``PYTHONHASHSEED=0``. The mode (full unless ``CNNLIB_QUICK=1``)
is recorded in the notebook metadata, next to the ``kernelspec`` and the full ``language_info``
that the kernel reports: JupyterLab writes exactly these when it opens a notebook, so a notebook
opened and saved without edits stays byte for byte the same (apart from the Python version, where
a student's differs). Other machine-specific metadata (timings, widget state) is dropped, outputs
are checked for machine noise, and a notebook is written only when it ran without error and clean
(to a temporary file first, so nothing is half-written). ``--metadata-only`` executes nothing: it
writes the kernel's ``kernelspec`` and ``language_info`` into notebooks executed elsewhere.
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
KERNEL = "python3"
KERNELSPEC = {"name": KERNEL, "display_name": "Python 3 (ipykernel)", "language": "python"}
# The keys of the language_info in a kernel_info_reply of ipykernel (nbclient stores it in the
# notebook metadata, JupyterLab writes it on save).
LANGUAGE_INFO_KEYS = frozenset({"codemirror_mode", "file_extension", "mimetype", "name",
                                "nbconvert_exporter", "pygments_lexer", "version"})


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


def kernel_language_info():
    """The ``language_info`` of the kernel_info_reply of a fresh ``python3`` kernel."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name=KERNEL)
    try:
        return client.kernel_info(reply=True, timeout=60)["content"]["language_info"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def checked_language_info(language_info):
    missing = LANGUAGE_INFO_KEYS - set(language_info)
    if missing:
        raise RuntimeError(f"the kernel's language_info lacks {sorted(missing)}: JupyterLab "
                           "would rewrite the notebook on save")
    return dict(language_info)


def clean_metadata(nb, mode):
    """Keep the kernelspec, the kernel's full language_info (as nbclient stored it) and the mode;
    drop timings, collapsed states and widget views."""
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": checked_language_info(nb.metadata.get("language_info", {})),
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
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    clean_metadata(nb, mode)
    noise = noise_in(nb)
    if noise:
        raise RuntimeError(f"{path}: outputs hold machine noise: {noise}")
    write(nb, path)
    return mode


def write(nb, path):
    """Write ``nb`` to ``path`` through a temporary file, so nothing is half-written."""
    handle, temporary = tempfile.mkstemp(suffix=".ipynb", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        nbformat.write(nb, file)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
    os.replace(temporary, path)


def write_kernel_metadata(paths):
    """Give notebooks the kernelspec and language_info of this environment's kernel, nothing else
    changed."""
    language_info = checked_language_info(kernel_language_info())
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        nb.metadata["language_info"] = dict(language_info)
        write(nb, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=7200, help="seconds per cell")
    parser.add_argument("--metadata-only", action="store_true",
                        help="execute nothing; write the kernel's kernelspec and language_info")
    args = parser.parse_args(argv)
    if args.metadata_only:
        write_kernel_metadata([path.resolve() for path in args.notebooks])
        for path in args.notebooks:
            print(f"{path}: kernel metadata written")
        return 0
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.pop("MPLBACKEND", None)
    for path in args.notebooks:
        start = time.perf_counter()
        mode = execute(path.resolve(), args.timeout)
        print(f"{path}: executed in {mode} mode in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
