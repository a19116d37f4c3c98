"""Benchmark 8 (issue 7): Jeonju's pack (34 dongs, 7 forms, 2 rule sets, 47 programmes, 96
providers) read, compared with a tenant and applied; goals: apply ≤ 2 s, diff ≤ 0.5 s."""

from __future__ import annotations

import statistics
import time

from bench.report import Figure, line, say
from dolbom.config import ROOT
from dolbom.packs.apply import apply_pack, preview
from dolbom.tenancy.operations import create_tenant, drop_tenant
from dolbom.tenancy.packs import read_pack

NAME = "8 packs"
SLUG = "packbench"


def _timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def run() -> list[Figure]:
    say(f"\n== {NAME}: Jeonju's pack against a tenant ==")
    folder = ROOT / "tenants" / "jeonju"
    reads = [_timed(lambda: read_pack(folder))[0] for _ in range(3)]
    pack = read_pack(folder)
    pack.slug = SLUG
    create_tenant(SLUG, "팩벤치시")
    try:
        diff_empty, changes = _timed(lambda: preview(SLUG, pack))
        applied, _ = _timed(lambda: apply_pack(SLUG, pack, user_id=None))
        same = [_timed(lambda: preview(SLUG, pack))[0] for _ in range(5)]
    finally:
        drop_tenant(SLUG)
    figures = [
        Figure(NAME, "read and check the pack (YAML, forms, rules with examples)",
               statistics.median(reads), "s"),
        Figure(NAME, f"diff against an empty tenant ({len(changes)} items)", diff_empty, "s",
               goal=0.5),
        Figure(NAME, "diff against a tenant holding the pack (median of 5)",
               statistics.median(same), "s", goal=0.5),
        Figure(NAME, f"apply to an empty tenant, all or nothing ({len(changes)} items)", applied,
               "s", goal=2.0),
    ]  # fmt: skip
    for figure in figures:
        line(figure)
    return figures
