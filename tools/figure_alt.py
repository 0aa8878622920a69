"""The alternative text of the notebooks' figures (what a screen reader says for a figure on the
course website, where myst-nb writes it into the image's ``alt`` attribute).

A code cell whose output holds an image carries its alt text in its metadata:
``{"mystnb": {"image": {"alt": "..."}}}``; all images of that cell share it.

    python tools/figure_alt.py                                   list figure cells without alt text
    python tools/figure_alt.py --set NOTEBOOK CELL_ID "text"     write one cell's alt text
    python tools/figure_alt.py --from-json FILE                  write many: {notebook: {id: text}}

Write what the figure shows (kind of plot, axes, what is compared), not its file name.
"""

import argparse
import json
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]


def has_image(cell):
    return cell.cell_type == "code" and any(
        mime.startswith("image/") for output in cell.get("outputs", [])
        for mime in output.get("data", {}))


def alt_text(cell):
    return cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")


def missing(paths):
    """(notebook, cell id) of every figure cell without alt text."""
    result = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        result += [(path, cell.id) for cell in nb.cells
                   if has_image(cell) and not str(alt_text(cell)).strip()]
    return result


def set_alt(path, texts):
    """Write {cell id: alt text} into one notebook; every id must be a figure cell."""
    nb = nbformat.read(path, as_version=4)
    cells = {cell.id: cell for cell in nb.cells}
    for cell_id, text in texts.items():
        if cell_id not in cells or not has_image(cells[cell_id]):
            raise ValueError(f"{path.name}: cell {cell_id!r} is not a cell with a figure")
        if not text.strip():
            raise ValueError(f"{path.name}: empty alt text for cell {cell_id!r}")
        image = cells[cell_id].metadata.setdefault("mystnb", {}).setdefault("image", {})
        image["alt"] = text.strip()
    nbformat.write(nb, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", nargs=3, metavar=("NOTEBOOK", "CELL_ID", "TEXT"))
    parser.add_argument("--from-json", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    if args.set:
        notebook, cell_id, text = args.set
        set_alt(Path(notebook), {cell_id: text})
    if args.from_json:
        for notebook, texts in json.loads(args.from_json.read_text(encoding="utf-8")).items():
            set_alt(REPO / "notebooks" / notebook, texts)
    if args.set or args.from_json:
        return 0
    lacking = missing(sorted((REPO / "notebooks").glob("*.ipynb")))
    for path, cell_id in lacking:
        print(f"no alt text: {path.relative_to(REPO)} cell {cell_id}")
    return 1 if lacking else 0


if __name__ == "__main__":
    sys.exit(main())
