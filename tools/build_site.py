"""Build the course website from the committed notebooks (no re-execution), offline.

    python tools/build_site.py            (or: make site)  writes _build/html

The README becomes the home page: its links to ``notebooks/*.ipynb`` point at the notebook pages,
its links to other files of the repository at GitHub, and the launch badges (Colab's and
Binder's, images served by other hosts) become plain links, so that a page requests nothing from
another host. Every notebook in ``notebooks/`` gets a page with a download link and an
open-in-Colab link (the repository address comes from ``[project.urls] Repository`` in
pyproject.toml). Mathematics is typeset by a copy of
MathJax taken from an installed package (``site/_ext/course_site.py``); nothing is fetched from
a CDN at build or view time. Jupyter Book 1.x does the rendering (``pip install -e ".[site]"``).
"""

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

from sync_repo_url import repository_url  # noqa: E402

SOURCE = REPO / "_build" / "site-source"  # the staged book (generated, never edited by hand)
BRANCH = "main"

_BADGE = re.compile(r"\[!\[(Open in Colab|Binder)\]\(https://[^)]*\)\]\((https://[^)]*)\)")
_LOCAL_LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)\s]+)\)")


def home_page(readme, url):
    """The README as the site's home page (Markdown for MyST)."""
    text = _BADGE.sub(lambda m: f"[{'Open in Binder' if m[1] == 'Binder' else m[1]}]({m[2]})",
                      readme)

    def relink(match):
        target = match.group(1)
        if re.fullmatch(r"notebooks/[\w.-]+\.ipynb", target):
            return match.group(0)  # a page of the site: MyST turns it into an internal link
        kind = "tree" if target.endswith("/") else "blob"
        return f"]({url}/{kind}/{BRANCH}/{target})"

    return _LOCAL_LINK.sub(relink, text)


def config(url, title):
    return f"""\
title: "{title}"
author: The course's authors
only_build_toc_files: true
execute:
  execute_notebooks: "off"
repository:
  url: {url}
  branch: {BRANCH}
  path_to_book: ""
launch_buttons:
  colab_url: https://colab.research.google.com
  notebook_interface: classic
html:
  use_repository_button: true
  use_issues_button: false
  use_edit_page_button: false
  use_download_button: true
  home_page_in_navbar: true
  extra_footer: ""
  comments:
    hypothesis: false
    utterances: false
sphinx:
  local_extensions:
    course_site: _ext
  config:
    html_static_path: [_static]
    html_css_files: [course.css]
    html_show_copyright: false
    nb_ipywidgets_js: {{}}
    myst_heading_anchors: 3
    myst_dmath_double_inline: true  # $$...$$ inside a paragraph or list item, as Jupyter shows it
    suppress_warnings: [mystnb.unknown_mime_type, myst.header]
    html_context:
      default_mode: light
    html_theme_options:
      use_download_button: true
      use_repository_button: true
      repository_url: {url}
      repository_branch: {BRANCH}
      path_to_docs: ""
      launch_buttons:
        colab_url: https://colab.research.google.com
        notebook_interface: classic
"""


def stage(notebooks):
    url = repository_url()
    if SOURCE.exists():
        shutil.rmtree(SOURCE)
    (SOURCE / "notebooks").mkdir(parents=True)
    shutil.copytree(REPO / "site" / "_static", SOURCE / "_static")
    shutil.copytree(REPO / "site" / "_ext", SOURCE / "_ext")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    title = readme.splitlines()[0].lstrip("# ").strip()
    (SOURCE / "index.md").write_text(home_page(readme, url), encoding="utf-8")
    for path in notebooks:
        shutil.copy2(path, SOURCE / "notebooks" / path.name)
    toc = ["format: jb-book", "root: index", "chapters:"]
    toc += [f"- file: notebooks/{path.stem}" for path in notebooks]
    (SOURCE / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
    (SOURCE / "_config.yml").write_text(config(url, title), encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    notebooks = sorted((REPO / "notebooks").glob("*.ipynb"))
    stage(notebooks)
    html = REPO / "_build" / "html"
    if html.exists():
        shutil.rmtree(html)
    # Jupyter Book's command line, run by this Python (whatever its bin folder is called).
    command = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
               "build", str(SOURCE), "--path-output", str(REPO), "--builder", "html",
               "--warningiserror", "--keep-going", "--quiet"]
    result = subprocess.run(command, cwd=REPO)
    if result.returncode:
        return result.returncode
    print(f"site: {len(notebooks) + 1} pages in {html.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
