"""`dolbom run`: the web server and a worker as child processes, stopped together.

Children run in their own sessions, so Ctrl-C reaches only this process, which then asks each
child once to stop gracefully (gunicorn finishes its requests, the RQ worker its current job)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable

STOP_GRACE_SECONDS = 30


class ChildFailed(RuntimeError):
    pass


class Supervisor:
    def __init__(self) -> None:
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = False
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)

    def _stop(self, *_: object) -> None:
        self.stopping = True

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        if not self.stopping:
            self.procs[name] = subprocess.Popen(argv, env=env, start_new_session=True)

    def dead(self) -> list[str]:
        return [name for name, p in self.procs.items() if p.poll() is not None]

    def wait_until(self, ready: Callable[[], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not self.stopping:
            if self.dead():
                raise ChildFailed(", ".join(self.dead()))
            if ready():
                return
            if time.monotonic() > deadline:
                raise ChildFailed("web (no answer within a minute)")
            time.sleep(0.2)

    def watch(self) -> None:
        """Until Ctrl-C or SIGTERM; a child that dies on its own stops the rest."""
        while not self.stopping:
            if self.dead():
                raise ChildFailed(", ".join(self.dead()))
            time.sleep(0.5)

    def stop_all(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for p in self.procs.values():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def answers(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    return check


def web_command(host: str, port: int, debug: bool) -> list[str]:
    if debug:
        return [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "dolbom.wsgi:app",
            "run",
            "--debug",
            "--host",
            host,
            "--port",
            str(port),
        ]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--threads",
        "8",
        "--bind",
        f"{host}:{port}",
        "--graceful-timeout",
        "20",
        "--log-level",
        "warning",
        "dolbom.wsgi:app",
    ]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "dolbom", "worker"]


def cron_command() -> list[str]:
    return [sys.executable, "-m", "dolbom", "cron"]
