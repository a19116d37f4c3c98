"""The servers the bench runs on: the configured ones or fresh embedded ones.

With no DOLBOM_BENCH_DATABASE_URL an embedded PostgreSQL under instance/bench gets a fresh
`dolbom_bench` database; with the variable, that database loses schema `dolbom` and every
`t_%` schema first. Redis likewise (DOLBOM_BENCH_REDIS_URL or an embedded one)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Protocol

from dolbom import db, embedded, kv
from dolbom.config import ROOT, normalise_database_url
from dolbom.migrate.runner import upgrade_shared
from dolbom.people import pii

INSTANCE = ROOT / "instance" / "bench"
DATABASE = "dolbom_bench"
POOL_SIZE = 5


class Handle(Protocol):
    started_here: bool

    def stop(self) -> None: ...


@dataclass
class BenchEnv:
    database_url: str
    redis_url: str
    started: list[Handle] = field(default_factory=list)

    def close(self) -> None:
        db.dispose()
        for handle in reversed(self.started):
            if handle.started_here:
                handle.stop()


def open_env() -> BenchEnv:
    started: list[Handle] = []
    try:
        database_url = os.environ.get("DOLBOM_BENCH_DATABASE_URL")
        if database_url:
            database_url = normalise_database_url(database_url)
            db.drop_our_schemas(database_url)
        else:
            pg = embedded.start_postgres(INSTANCE)
            started.append(pg)
            database_url = embedded.fresh_database(pg, DATABASE)
        redis_url = os.environ.get("DOLBOM_BENCH_REDIS_URL")
        if not redis_url:
            rd = embedded.start_redis(INSTANCE)
            started.append(rd)
            redis_url = rd.url
        db.configure(database_url, pool_size=POOL_SIZE)
        kv.configure(redis_url)
        pii.configure("bench-only PII key, never used for real data")  # synthetic people
        upgrade_shared()
    except BaseException:
        db.dispose()
        for handle in reversed(started):
            if handle.started_here:
                handle.stop()
        raise
    return BenchEnv(database_url, redis_url, started)
