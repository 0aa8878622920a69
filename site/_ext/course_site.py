"""Sphinx extension of the course website: it works offline and loads nothing from another host.

MathJax 3 is served from the site itself instead of a CDN, and the scripts of Thebe (live code
from a Binder server, which Jupyter Book always adds) are left out: they point at a CDN and
declare their globals twice, an error in the browser console. Each notebook's page gets a
download link and an open-in-Colab link under its title.

The MathJax files come from the installed ``sphinx-mathjax-offline`` distribution (a plain copy of
MathJax 3); only what the pages use is copied: the TeX-to-CHTML bundle, the TeX extensions it
loads on demand and the CHTML fonts.
"""

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util.fileutil import copy_asset

PARTS = ["tex-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2", "a11y", "ui"]


def mathjax_root():
    try:
        files = distribution("sphinx-mathjax-offline").files or []
    except PackageNotFoundError:
        files = []
    for file in files:
        if file.name == "tex-chtml.js" and file.parent.name == "mathjax":
            return Path(file.locate()).parent
    raise ExtensionError("MathJax not found: pip install sphinx-mathjax-offline "
                         '(or pip install -e ".[site]")')


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    root = mathjax_root()
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        source = root / part
        if source.is_dir():
            copy_asset(str(source), str(target / part))
        else:
            target.mkdir(parents=True, exist_ok=True)
            copy_asset(str(source), str(target))


def drop_thebe(app, pagename, templatename, context, doctree):
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if files is None:
            continue
        context[key] = [file for file in files
                        if "thebe" not in (getattr(file, "filename", None) or str(file))
                        and "THEBE" not in (getattr(file, "attributes", {}) or {}).get("body", "")]


def notebook_links(app, pagename, templatename, context, doctree):
    """Under the title of a notebook's page: download the notebook, open it in Colab."""
    if not pagename.startswith("notebooks/") or "body" not in context:
        return
    options = app.config.html_theme_options
    repository = options["repository_url"].rstrip("/").removeprefix("https://github.com/")
    name = pagename.removeprefix("notebooks/") + ".ipynb"
    colab = (f"https://colab.research.google.com/github/{repository}/blob/"
             f"{options.get('repository_branch', 'main')}/notebooks/{name}")
    links = (f'<p class="course-notebook-links">'
             f'<a class="reference download" href="../_sources/notebooks/{name}" download>'
             f"Download the notebook ({name})</a> · "
             f'<a class="reference external" href="{colab}">Open in Colab</a></p>\n')
    body = context["body"]
    end = body.find("</h1>")
    if end >= 0:
        end = body.find("\n", end) + 1 or len(body)
        context["body"] = body[:end] + links + body[end:]


def setup(app):
    mathjax_root()  # fail early, before the build, when MathJax is missing
    app.config.mathjax_path = "mathjax/tex-chtml.js"
    app.connect("build-finished", copy_mathjax)
    app.connect("html-page-context", drop_thebe)
    app.connect("html-page-context", notebook_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
