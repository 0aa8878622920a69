"""Every figure of every notebook has alternative text (myst-nb writes it into the website's
``alt`` attribute; tools/figure_alt.py lists the figures without it and writes it)."""

import re
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

import figure_alt  # noqa: E402

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_figure_has_alt_text(path):
    nb = nbformat.read(path, as_version=4)
    figures = [cell for cell in nb.cells if figure_alt.has_image(cell)]
    for cell in figures:
        alt = figure_alt.alt_text(cell)
        assert isinstance(alt, str) and len(alt.split()) >= 5, (
            f"{path.name} cell {cell.id}: a figure needs alt text that says what it shows "
            f"(tools/figure_alt.py --set), got {alt!r}")
        assert not re.search(r"\.(png|jpe?g|svg)\b", alt), f"{path.name} cell {cell.id}: {alt!r}"
    if path.name.startswith("00"):
        assert figures, "notebook 00 shows a figure; has_image no longer finds it"


def test_missing_alt_text_is_found(tmp_path):
    nb = nbformat.v4.new_notebook()
    figure = nbformat.v4.new_code_cell("plt.show()", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})])
    text = nbformat.v4.new_code_cell("print(1)", outputs=[nbformat.v4.new_output(
        "stream", name="stdout", text="1\n")])
    nb.cells = [figure, text]
    path = tmp_path / "figure.ipynb"
    nbformat.write(nb, path)
    assert figure_alt.missing([path]) == [(path, figure.id)]
    figure_alt.set_alt(path, {figure.id: "A test figure with five words"})
    assert figure_alt.missing([path]) == []
    assert figure_alt.alt_text(nbformat.read(path, as_version=4).cells[0]) == (
        "A test figure with five words")
    with pytest.raises(ValueError, match="not a cell with a figure"):
        figure_alt.set_alt(path, {text.id: "a cell that prints"})
