"""Browser journeys: the app served over HTTP in a thread, a real RQ worker process, Debian's
Chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from werkzeug.serving import make_server

from tests.fixtures import ROOT, child_env

ARTIFACTS = ROOT / "test-artifacts" / "e2e"


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    return {
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        # The machine has no network but loopback: keep Chromium from phoning home.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "locale": "ko-KR",
        "timezone_id": "Asia/Seoul",
        "viewport": {"width": 1280, "height": 860},
    }


@pytest.fixture
def start_worker(settings, tmp_path) -> Iterator[Callable[[], None]]:  # type: ignore[no-untyped-def]
    """Start a real `dolbom worker` process when the test says so."""
    procs: list[subprocess.Popen[bytes]] = []
    env = child_env(settings, tmp_path)

    def start() -> None:
        procs.append(subprocess.Popen([sys.executable, "-m", "dolbom", "worker"], env=env))

    yield start
    for p in procs:
        p.terminate()
        p.wait(timeout=30)


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:  # type: ignore[no-untyped-def]
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name).strip("-")
        path = ARTIFACTS / f"{stem}-{name}.png"
        # A screenshot taken while a navigation is still under way was seen to hang once.
        page.wait_for_load_state("load")
        try:
            page.screenshot(path=str(path), full_page=True, animations="disabled")
        except (PlaywrightTimeoutError, PlaywrightError):
            # Seen on a loaded machine: the capture hung after the fonts had loaded, or Chromium
            # answered "Unable to capture screenshot" while a redirect was under way. A
            # screenshot is a record of the screen, not an assertion: take it again once.
            page.wait_for_load_state("load")
            page.screenshot(path=str(path), full_page=True, animations="disabled", timeout=60_000)
        return path

    return take
