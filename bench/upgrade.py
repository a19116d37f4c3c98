"""Benchmark 3: `dolbom db upgrade` when every tenant is already at head."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import Figure, line, median, say
from dolbom.migrate.runner import upgrade_all

NAME = "3 no-op upgrade"
RUNS = 3


def _in_process(expected: int) -> float:
    report = upgrade_all()
    if report.tenants != expected or report.at_head != expected or report.outcomes:
        raise RuntimeError(
            f"expected {expected} tenants at head and nothing to do; got {report.tenants} "
            f"tenants, {report.at_head} at head, {len(report.outcomes)} migrated"
        )
    return report.seconds


def _command(database_url: str, redis_url: str, instance: Path) -> float:
    env = dict(
        os.environ,
        DOLBOM_DATABASE_URL=database_url,
        DOLBOM_REDIS_URL=redis_url,
        DOLBOM_INSTANCE=str(instance),
        DOLBOM_LOG_LEVEL="WARNING",
    )
    dolbom = Path(sys.executable).parent / "dolbom"
    started = time.perf_counter()
    done = subprocess.run(
        [str(dolbom), "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"dolbom db upgrade failed ({done.returncode}): {done.stderr[-2000:]}")
    say(f"    {done.stdout.strip().splitlines()[-1]}")
    return seconds


def run(database_url: str, redis_url: str, expected: int) -> list[Figure]:
    say(f"[{NAME}] {expected} tenants at head, {RUNS} runs each")
    in_process = [_in_process(expected) for _ in range(RUNS)]
    say("  in process: " + ", ".join(f"{s:.3f} s" for s in in_process))
    with tempfile.TemporaryDirectory(prefix="dolbom-bench-") as tmp:
        commands = [_command(database_url, redis_url, Path(tmp)) for _ in range(RUNS)]
    say("  whole command: " + ", ".join(f"{s:.3f} s" for s in commands))
    figures = [
        Figure(NAME, "upgrade_all() in process, median", median(in_process), "s", goal=2.0),
        Figure(NAME, "`dolbom db upgrade` wall, median", median(commands), "s", goal=2.0),
    ]
    for figure in figures:
        line(figure)
    return figures
