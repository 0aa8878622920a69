"""Write the repository URL from pyproject.toml into the README and the notebooks' Colab cells.

    python tools/sync_repo_url.py          (or: make sync-url)  rewrite the copies
    python tools/sync_repo_url.py --check  exit 1 if a copy differs (the tests run this)

The one place to change the URL, for a fork say, is ``[project.urls] Repository`` in
pyproject.toml; every copy (Colab and Binder badges, ``git clone`` lines, ``COURSE_REPO`` in the
set-up cell of each notebook) is derived from it.
"""

import argparse
import re
import sys
import tomllib
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]


def repository_url():
    with open(REPO / "pyproject.toml", "rb") as file:
        url = tomllib.load(file)["project"]["urls"]["Repository"]
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(
            f"[project.urls] Repository must be https://github.com/OWNER/NAME, got {url}")
    return url


def synced_readme(text, url):
    slug = url.removeprefix("https://github.com/")
    text = re.sub(r"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/",
                  f"https://colab.research.google.com/github/{slug}/", text)
    text = re.sub(r"https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/",
                  f"https://mybinder.org/v2/gh/{slug}/", text)
    owner, name = slug.split("/")
    text = re.sub(r"https://[\w-]+\.github\.io/[\w.-]+/",
                  f"https://{owner.lower()}.github.io/{name}/", text)
    return re.sub(r"git clone https://github\.com/[\w.-]+/[\w.-]+", f"git clone {url}", text)


def synced_source(source, url):
    return re.sub(r'COURSE_REPO = "[^"]*"', f'COURSE_REPO = "{url}"', source)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report copies that differ")
    args = parser.parse_args(argv)
    url = repository_url()
    stale = []
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    if synced_readme(text, url) != text:
        stale.append(readme)
        if not args.check:
            readme.write_text(synced_readme(text, url), encoding="utf-8")
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        changed = False
        for cell in nb.cells:
            new = synced_source(cell.source, url)
            changed |= new != cell.source
            cell.source = new
        if changed:
            stale.append(path)
            if not args.check:
                nbformat.write(nb, path)
    for path in stale:
        print(f"{'differs from' if args.check else 'synced with'} {url}: {path.relative_to(REPO)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
