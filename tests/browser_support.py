"""Start the dashboard in a subprocess and drive it with Playwright and Debian's chromium.

Shared by the browser test and bench/dashboard_render.py (which times first renders).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppUrl(str):
    """The app's base URL, knowing the server's process id (for its memory)."""

    pid: int


@contextmanager
def running_app(home: Path, log_path: Path, store: str = "embedded", env: dict | None = None):
    """The app on a free local port, reading the store (embedded at `home`, or the NEO4J_* one); yields its URL
    (an `AppUrl`).
    `env`: more variables for it (KG_JUDGEMENTS, KG_PRODUCT_RULES)."""
    port = free_port()
    env = {**os.environ, **(env or {}), "KG_HOME": str(home), "KG_STORE": store}
    command = [
        sys.executable,
        "-m",
        "dashboard.serve",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = AppUrl(f"http://127.0.0.1:{port}")
            base.pid = process.pid
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                        if answer.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log_path}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def launch(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
    )


def guard_requests(context) -> list[str]:
    """Record every request; let only local ones through (anything else is aborted and stays in the list)."""
    seen: list[str] = []

    def handle(route):
        url = route.request.url
        seen.append(url)
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in LOCAL_HOSTS:
            route.abort()
        else:
            route.continue_()

    context.route("**/*", handle)
    context.on("request", lambda request: seen.append(request.url))
    return seen


def remote(urls: list[str]) -> list[str]:
    return sorted(
        {
            u
            for u in urls
            if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).hostname not in LOCAL_HOSTS
        }
    )


def wait_ready(page, timeout: float = 120) -> None:
    """Streamlit is done: connected, script not running, no skeleton left."""
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
                && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stSkeleton"]');
        }""",
        timeout=timeout * 1000,
        polling=100,
    )


def network_frame(page, timeout: float = 120):
    """The pyvis iframe, once its canvas was drawn."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame is page.main_frame:
                continue
            try:
                if frame.evaluate("() => typeof network !== 'undefined' && Boolean(window.drawnAt)"):
                    return frame
            except Exception:  # frame navigating or detached: look again
                pass
        page.wait_for_timeout(50)  # not time.sleep: Playwright's sync API only learns of new frames while it waits
    raise TimeoutError("the network was not drawn")


def node_ids(frame) -> list[str]:
    return frame.evaluate("() => nodes.getIds()")
