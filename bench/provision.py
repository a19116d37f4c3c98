"""Benchmark 1: provisioning one tenant at head, against the bare DDL and the migration replay."""

from __future__ import annotations

import time

from bench.report import Figure, line, median, say
from dolbom.config import ROOT
from dolbom.db import get_engine, schema_for
from dolbom.migrate.runner import migrate_tenant
from dolbom.migrate.streams import core_stream
from dolbom.tenancy.operations import create_tenant, drop_tenant
from dolbom.tenancy.packs import read_pack
from dolbom.tenancy.provisioning import head_ddl

NAME = "1 provision"
RUNS = 15
PACK_RUNS = 5
REPLAY_RUNS = 5
PACK = ROOT / "tenants" / "jeonju"


def _timed_create(slug: str) -> float:
    started = time.perf_counter()
    create_tenant(slug, f"벤치시 {slug}")
    return time.perf_counter() - started


def _timed_baseline(schema: str, ddl: str) -> float:
    script = f'CREATE SCHEMA "{schema}";\nSET LOCAL search_path TO "{schema}";\n' + ddl
    started = time.perf_counter()
    with get_engine().begin() as conn:
        conn.exec_driver_sql(script)
    return time.perf_counter() - started


def _timed_replay(slug: str) -> float:
    started = time.perf_counter()
    with get_engine().begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema_for(slug)}"')
    outcome = migrate_tenant(slug, ["core"])
    seconds = time.perf_counter() - started
    if not outcome.ok:
        raise RuntimeError(f"migration replay failed for {slug}: {outcome.error}")
    return seconds


def _drop_schemas(names: list[str]) -> None:
    with get_engine().begin() as conn:
        for name in names:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def run() -> list[Figure]:
    say(f"[{NAME}] create_tenant without a pack, {RUNS} runs (after one warm-up)")
    ddl = head_ddl(core_stream())
    tenants: list[str] = []
    schemas: list[str] = []
    try:
        # Warm-up: the first call in a process compiles the DDL and reads the migration heads.
        tenants.append("bp-warm")
        first = _timed_create("bp-warm")
        schemas.append("bench_ddl_warm")
        _timed_baseline("bench_ddl_warm", ddl)
        # Interleaved, so any drift (a growing catalogue, a busy disk) hits both alike.
        creates: list[float] = []
        baselines: list[float] = []
        for i in range(RUNS):
            tenants.append(f"bp-{i:02d}")
            creates.append(_timed_create(tenants[-1]))
            schemas.append(f"bench_ddl_{i:02d}")
            baselines.append(_timed_baseline(schemas[-1], ddl))
        packs: list[tuple[float, float]] = []
        for i in range(PACK_RUNS):
            slug = f"bpk-{i:02d}"
            pack = read_pack(PACK)
            pack.slug = slug
            tenants.append(slug)
            created = create_tenant(slug, pack.name, region=pack.region, pack=pack)
            packs.append((created.provision_seconds, created.pack_seconds))
        replays: list[float] = []
        for i in range(REPLAY_RUNS):
            slug = f"br-{i:02d}"
            schemas.append(schema_for(slug))
            replays.append(_timed_replay(slug))
    finally:
        for slug in tenants:
            try:
                drop_tenant(slug)
            except Exception as exc:  # a failed create leaves nothing to drop
                say(f"  (could not drop {slug}: {exc})")
        _drop_schemas(schemas)

    create_med, base_med = median(creates), median(baselines)
    say(f"  first call in the process: {first:.3f} s")
    say(f"  create_tenant min {min(creates):.3f} s, median {create_med:.3f} s")
    say(f"  head DDL alone (one transaction) min {min(baselines):.3f} s, median {base_med:.3f} s")
    figures = [
        Figure(NAME, "create_tenant, median", create_med, "s", goal=0.25),
        Figure(NAME, "create_tenant, min", min(creates), "s"),
        Figure(NAME, "head DDL alone, median", base_med, "s"),
        Figure(NAME, "create_tenant / head DDL", create_med / base_med, "x", goal=1.5),
        Figure(NAME, "jeonju pack load, median", median([p for _, p in packs]), "s"),
        Figure(NAME, "provision part of a pack run", median([p for p, _ in packs]), "s"),
        Figure(NAME, "replay migrations, median", median(replays), "s"),
        Figure(NAME, "replay / create_tenant", median(replays) / create_med, "x"),
    ]
    for figure in figures:
        line(figure)
    return figures
