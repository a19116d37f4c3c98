"""Benchmark 2: provisioning 229 tenants (the peer takes about 3 minutes)."""

from __future__ import annotations

import time

from bench.report import Figure, line, say
from dolbom.tenancy.operations import create_tenant

NAME = "2 provision 229"
COUNT = 229


def slugs() -> list[str]:
    return [f"city-{i:03d}" for i in range(1, COUNT + 1)]


def run() -> list[Figure]:
    say(f"[{NAME}] create_tenant × {COUNT}, one after another")
    started = time.perf_counter()
    for slug in slugs():
        create_tenant(slug, f"벤치시 {slug}")
    total = time.perf_counter() - started
    figures = [
        Figure(NAME, f"{COUNT} tenants, total", total, "s", goal=60.0),
        Figure(NAME, "per tenant", total / COUNT, "s"),
    ]
    for figure in figures:
        line(figure)
    return figures
