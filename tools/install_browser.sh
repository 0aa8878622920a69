#!/usr/bin/env bash
# Install the headless browser that tests/test_site.py drives: Chromium from the system's package
# manager (Debian/Ubuntu), when no Chromium is on the PATH yet. Playwright (a Python package of the
# `site` extra) drives it; its own browser download (`playwright install`) is not used.
#
#     tools/install_browser.sh          as root, or with sudo available
#
# Prints the browser it found or installed; exits 0 without installing anything on other systems
# (the browser test then skips and says why).
set -euo pipefail
for name in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
    if [ -n "$name" ] && command -v "$name" >/dev/null; then
        echo "browser: $(command -v "$name") ($("$name" --version 2>/dev/null || echo "version unknown"))"
        exit 0
    fi
done
if ! command -v apt-get >/dev/null; then
    echo "no apt-get here: install Chromium yourself, or the browser test skips" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: installing Chromium needs root or sudo" >&2; exit 2; }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian names the package chromium; Ubuntu's chromium-browser is a snap stub, so Debian's name
# comes first and Ubuntu falls back to it.
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null \
    || $SUDO apt-get install -y -qq --no-install-recommends chromium-browser >/dev/null
for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null; then
        echo "browser: $(command -v "$name") ($("$name" --version 2>/dev/null))"
        exit 0
    fi
done
echo "error: Chromium did not install" >&2
exit 2
