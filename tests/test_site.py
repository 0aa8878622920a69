"""The course website, as a reader's browser shows it.

A session fixture builds the site once (``tools/build_site.py``, what ``make site`` runs), serves
``_build/html`` on 127.0.0.1 and loads every page in headless Chromium (the system's package,
driven by Playwright; ``tools/install_browser.sh`` installs it on Debian/Ubuntu). Each page must
load without a console error or a failed request and without asking another host for anything;
every image must be loaded and carry alt text; tables in cell outputs (the layer profiles)
must have padded cells; the mathematics must be typeset (no raw ``$...$``
or ``\\frac`` left in the text); every link inside the site must resolve; every notebook page must
offer its download and open-in-Colab links; the home page's table must link every notebook, and
each page (its HTML and its own images) must stay under the weight budget.

Skipped, with the reason shown, when Jupyter Book, Playwright or Chromium is missing.
"""

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
HTML = REPO / "_build" / "html"
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

# What one page may weigh: its HTML plus the images it shows (the theme, the fonts and MathJax are
# shared by every page and cached after the first). The heaviest page today, notebook 08, is
# about 0.9 MB.
PAGE_BUDGET = 1_500_000

pytestmark = pytest.mark.site

RAW_MATH = re.compile(r"\$[^$\s][^$]*\$|\\(frac|sum|times|cdot|left|right|mathbf|begin|\(|\[)")


def unavailable(reason):
    """Skip with the reason outside CI; in CI (CI=true, where .ci/run installs everything) a
    missing piece fails the run instead of hiding the browser test."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}, but CI must run the browser test", pytrace=False)
    pytest.skip(reason)


def chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="session")
def site():
    """Build the site once per session; skip when Jupyter Book is not installed."""
    try:
        import jupyter_book  # noqa: F401
    except ImportError:
        unavailable('Jupyter Book is not installed (pip install -e ".[site]")')
    result = subprocess.run([sys.executable, str(REPO / "tools" / "build_site.py")],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return HTML


@pytest.fixture(scope="session")
def server(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable('Playwright is not installed (pip install -e ".[site]")')
    executable = chromium()
    if executable is None:
        unavailable("no Chromium on this machine (tools/install_browser.sh installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=["--no-sandbox"])
        yield browser
        browser.close()


def pages(site):
    """Every page a reader reaches: the home page, the notebooks, search and the index."""
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html")
                  if not path.relative_to(site).parts[0].startswith("_"))


def visit(context, url):
    """Load one page; return what it did (requests, errors) and what it shows."""
    origin = urlsplit(url).netloc
    seen = {"errors": [], "failed": [], "foreign": []}
    page = context.new_page()

    def route(route):
        request_url = route.request.url
        if urlsplit(request_url).netloc != origin and not request_url.startswith("data:"):
            seen["foreign"].append(request_url)
            return route.abort()
        return route.continue_()

    def response(response):
        if response.status >= 400:
            seen["failed"].append(f"{response.status} {response.url}")

    page.route("**/*", route)
    page.on("console", lambda message: message.type == "error"
            and seen["errors"].append(message.text))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("requestfailed", lambda request: seen["failed"].append(
        f"{request.failure} {request.url}"))
    page.on("response", response)
    page.goto(url, wait_until="load")
    # MathJax typesets after the load event and then fetches its fonts.
    page.evaluate("""async () => {
        if (window.MathJax) {
            while (!(MathJax.startup && MathJax.startup.promise)) {
                await new Promise(resolve => setTimeout(resolve, 20));
            }
            await MathJax.startup.promise;
        }
        await document.fonts.ready;
    }""")
    seen["images"] = page.eval_on_selector_all(
        "article img, .bd-article img",
        "els => els.map(e => ({src: e.currentSrc, alt: e.getAttribute('alt') || '',"
        " width: e.naturalWidth, complete: e.complete}))")
    seen["links"] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    seen["article_links"] = page.eval_on_selector_all(
        ".bd-article a[href]", "els => els.map(e => e.href)")
    seen["text"] = page.evaluate("""() => {
        const article = document.querySelector('.bd-article') || document.body;
        const copy = article.cloneNode(true);
        copy.querySelectorAll('pre, code, script, mjx-container, .highlight, style')
            .forEach(e => e.remove());
        return copy.innerText;
    }""")
    seen["cell_padding"] = page.eval_on_selector_all(
        ".cell_output table td, .cell_output table th",
        "els => els.map(e => parseFloat(getComputedStyle(e).paddingLeft)"
        " + parseFloat(getComputedStyle(e).paddingRight))")
    seen["typeset"] = page.evaluate("() => document.querySelectorAll('mjx-container').length")
    seen["table_links"] = page.eval_on_selector_all("table a[href]",
                                                    "els => els.map(e => e.href)")
    page.close()
    return seen


def resolves(site, base, href):
    """Whether a link of the site names a file that exists and, with a fragment, an id in it."""
    parts = urlsplit(href)
    path = site / unquote(parts.path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    if not path.is_file():
        return False
    if parts.fragment and path.suffix == ".html":
        return f'id="{unquote(parts.fragment)}"' in path.read_text(encoding="utf-8")
    return True


def weight(site, page, images):
    own = (site / page).stat().st_size
    for src in {image["src"] for image in images}:
        path = site / unquote(urlsplit(src).path).lstrip("/")
        if path.is_file() and "_images" in path.parts:
            own += path.stat().st_size
    return own


def page_problems(site, server, page, seen):
    """What is wrong with one visited page, as readable lines."""
    problems = [f"{page}: console error: {error}" for error in seen["errors"]]
    problems += [f"{page}: failed request: {failed}" for failed in seen["failed"]]
    problems += [f"{page}: request to another host: {url}" for url in seen["foreign"]]
    for image in seen["images"]:
        if not image["complete"] or image["width"] == 0:
            problems.append(f"{page}: image not loaded: {image['src']}")
        alt = image["alt"].strip()
        if not alt or re.search(r"\.(png|jpe?g|svg|gif)$", alt):
            problems.append(f"{page}: image without alt text: {image['src']}")
    if seen["cell_padding"] and min(seen["cell_padding"]) < 8:
        problems.append(f"{page}: a table in a cell output has cells without padding")
    if match := RAW_MATH.search(seen["text"]):
        around = seen["text"][max(0, match.start() - 40):match.end() + 40]
        problems.append(f"{page}: math left untypeset: ...{around!r}...")
    for href in seen["links"]:
        if urlsplit(href).netloc == urlsplit(server).netloc:
            local = href[len(server):]
            if not resolves(site, page, local):
                problems.append(f"{page}: broken link: {local}")
    own = weight(site, page, seen["images"])
    if own > PAGE_BUDGET:
        problems.append(f"{page}: weighs {own:,} bytes, over the budget of {PAGE_BUDGET:,}")
    return problems


def test_every_page_in_the_browser(browser, site, server, capsys):
    problems, weights, images_checked, links_checked = [], {}, 0, set()
    visited = {}
    context = browser.new_context()
    for page in pages(site):
        seen = visit(context, urljoin(server, page))
        visited[page] = seen
        problems += page_problems(site, server, page, seen)
        images_checked += len(seen["images"])
        links_checked.update(href for href in seen["links"]
                             if urlsplit(href).netloc == urlsplit(server).netloc)
        weights[page] = weight(site, page, seen["images"])
    context.close()

    for notebook in NOTEBOOKS:
        page = f"notebooks/{notebook.stem}.html"
        assert page in visited, f"no page for {notebook.name}"
        links = visited[page]["article_links"]  # in the page's text, not only in a menu
        download = urljoin(server, f"_sources/notebooks/{notebook.name}")
        if download not in links:
            problems.append(f"{page}: no download link for {notebook.name}")
        elif (site / "_sources/notebooks" / notebook.name).read_bytes() != notebook.read_bytes():
            problems.append(f"{page}: the download is not the committed notebook")
        if not any(re.fullmatch(rf"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+"
                                rf"/blob/\w+/notebooks/{re.escape(notebook.name)}", link)
                   for link in links):
            problems.append(f"{page}: no open-in-Colab link")
        if visited[page]["typeset"] == 0:
            problems.append(f"{page}: no typeset mathematics on a notebook page")

    linked = {Path(urlsplit(href).path).stem for href in visited["index.html"]["table_links"]
              if urlsplit(href).path.startswith("/notebooks/")}
    missing = sorted({notebook.stem for notebook in NOTEBOOKS} - linked)
    problems += [f"index.html: the notebook table does not link {stem}" for stem in missing]

    heaviest = max(weights, key=weights.get)
    with capsys.disabled():
        print(f"\nsite: {len(visited)} pages, heaviest {heaviest} ({weights[heaviest]:,} bytes of "
              f"HTML and images, budget {PAGE_BUDGET:,}), {images_checked} images checked, "
              f"{len(links_checked)} internal links checked")
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_broken_page(tmp_path, browser):
    """The same checks on a page with every fault that the site must not have."""
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "fine.png").write_bytes(PNG)
    (tmp_path / "index.html").write_text("""<!DOCTYPE html><html><head><meta charset="utf-8">
<script>console.error("broken script")</script></head><body><article class="bd-article">
<p>A formula left raw: $\\frac{a}{b}$.</p>
<img src="_images/fine.png" alt="A red dot on white">
<img src="_images/fine.png" alt="_images/fine.png">
<img src="_images/missing.png" alt="A picture that is not there">
<img src="https://example.org/remote.png" alt="A picture from another host">
<a href="notebooks/absent.html">a page that does not exist</a>
<a href="index.html#nowhere">an anchor that does not exist</a>
<a href="index.html">this page</a>
<div class="cell_output"><table><tr><td style="padding: 0">cramped</td></tr></table></div>
</article></body></html>""", encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        server = f"http://127.0.0.1:{httpd.server_address[1]}/"
        context = browser.new_context()
        seen = visit(context, server + "index.html")
        context.close()
    finally:
        httpd.shutdown()
    found = "\n".join(page_problems(tmp_path, server, "index.html", seen))
    for fault in ["console error: broken script", "failed request: 404",
                  "request to another host: https://example.org/remote.png",
                  "image not loaded: " + server + "_images/missing.png",
                  "image without alt text: " + server + "_images/fine.png",
                  "math left untypeset", "broken link: notebooks/absent.html",
                  "broken link: index.html#nowhere", "cells without padding"]:
        assert fault in found, f"not caught: {fault}\n{found}"
    assert "broken link: index.html\n" not in found + "\n"
    assert found.count("image without alt text") == 1


# A 1×1 red PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63"
    "f8cfc0000003010100c9fe92ef0000000049454e44ae426082")
