"""Start JupyterLab the way the Dockerfile does, on 127.0.0.1, and check that it serves the course.

    python tools/container_check.py            # with the python of the environment to check

Starts ``jupyter lab`` on a free local port with ``notebooks/`` as its root, waits (at most 120 s)
until its REST API answers, checks that the notebook list holds every notebook of notebooks/ and
that 00-getting-started.ipynb opens as a notebook, then stops the server. Exits 1 with the reason
otherwise. No browser, no Docker: what a `docker run -p 8888:8888` user would reach first.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def main():
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={REPO / 'notebooks'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                version = get(f"{base}/api", token)["version"]
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    sys.exit(f"JupyterLab did not start:\n{server.communicate()[1][-2000:]}")
                time.sleep(1)
        listed = {item["name"] for item in get(f"{base}/api/contents", token)["content"]}
        wanted = {path.name for path in (REPO / "notebooks").glob("*.ipynb")}
        if not wanted or not wanted <= listed:
            sys.exit(f"JupyterLab does not list {sorted(wanted - listed)}")
        first = get(f"{base}/api/contents/00-getting-started.ipynb", token)
        if first["type"] != "notebook" or not first["content"]["cells"]:
            sys.exit("00-getting-started.ipynb does not open as a notebook")
        lab = urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10)
        if lab.status != 200:
            sys.exit(f"/lab answered {lab.status}")
        print(f"JupyterLab server {version} serves {len(wanted)} notebooks and /lab")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
