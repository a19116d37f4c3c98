"""Benchmark 10 (issue 9, plugin blindspots): importing a 20,000-row blind-spot list with 1% bad
rows — every row checked, resident numbers sealed and indexed, matched against a registry of
50,000 people, scored with the rules engine's parameters, outreach tasks written in one
transaction — as a job through a real RQ worker. Goal ≤ 30 s. Once as UTF-8 CSV, once as XLSX.

Setup: a tenant from Jeonju's pack with the plugin on, and 50,000 registry people written with
one INSERT (their resident numbers sealed and indexed like `register` does, without opening a
case each), a quarter of the list's people among them. Run alone with `python bench/blindspots.py`."""

from __future__ import annotations

import datetime as dt
import random
import time

import sqlalchemy as sa
from rq import Worker

from bench.report import Figure, line, say
from dolbom import db, kv
from dolbom.config import ROOT
from dolbom.jobs.models import JobRecord
from dolbom.people import pii
from dolbom.people.models import Person
from dolbom.plugins.api import job_id, set_setting
from dolbom.tenancy.operations import create_tenant, set_plugin
from dolbom.tenancy.packs import read_pack

NAME = "10 blindspots"
SLUG = "bsbench"
REGISTRY = 50_000
ROWS = 20_000
BAD_EVERY = 100  # 1%
KNOWN = 5_000  # list rows whose person is in the registry
GOAL_S = 30.0


def _prepare() -> list[str]:
    """The tenant, the plugin, and the registry; returns the registry's resident numbers."""
    from dolbom_blindspots import synthetic

    pack = read_pack(ROOT / "tenants" / "jeonju")
    pack.slug = SLUG
    create_tenant(SLUG, "발굴 벤치시", region=pack.region, pack=pack)
    set_plugin(SLUG, "blindspots", True)
    rnd = random.Random(10)
    rrns = [synthetic.rrn_for(500_000 + i, rnd) for i in range(REGISTRY)]
    cipher, now = pii.cipher(), dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with db.tenant_transaction(SLUG) as s:
        set_setting(s, "blindspots.rule_set", "jeonju-blindspot-risk")
        rows = [{"name": f"대장 {i}", "rrn_cipher": cipher.encrypt(SLUG, r),
                 "rrn_index": cipher.blind_index(SLUG, r), "rrn_masked": r[:8] + "******",
                 "dong_code": "pyeonghwa1", "created_at": now, "updated_at": now, "lock_version": 1}
                for i, r in enumerate(rrns)]  # fmt: skip
        s.execute(sa.insert(Person), rows)
    say(f"  registry: {REGISTRY:,} people written in {time.perf_counter() - started:.1f} s")
    with db.get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'ANALYZE "{db.schema_for(SLUG)}".person'))
    return rrns


def _list(rrns: list[str], kind: str, seed: int) -> bytes:
    from dolbom_blindspots import synthetic
    from dolbom_blindspots.validate import DongResolver  # noqa: F401  (imported before timing)

    dongs = [d.code for d in _dongs()]
    known = random.Random(seed).sample(rrns, KNOWN)
    rows = synthetic.make_rows(ROWS, dongs, seed=seed, rrns=known, start=seed * 100_000)
    # Good registry rows first, then spread: shuffle so matches are not all in one chunk.
    random.Random(seed).shuffle(rows)
    synthetic.spoil(rows, range(BAD_EVERY // 2, ROWS, BAD_EVERY))
    return synthetic.to_bytes(rows, kind)


def _dongs():  # type: ignore[no-untyped-def]
    from dolbom.plugins.api import current_dongs

    with db.tenant_session(SLUG) as s:
        return current_dongs(s)


def _import(data: bytes, kind: str, name: str) -> tuple[float, float, dict]:
    """Upload check + store (as the web form does), then the job through a real worker."""
    from dolbom_blindspots.importing import import_job
    from dolbom_blindspots.models import Batch
    from dolbom_blindspots.operations import create_batch, rerun

    started = time.perf_counter()
    with db.tenant_transaction(SLUG) as s:
        batch = create_batch(s, SLUG, file_name=f"list.{kind}", data=data, label=name,
                             user_id=0, queue=False)  # fmt: skip
        batch_id = batch.id
    upload = time.perf_counter() - started
    started = time.perf_counter()
    with db.tenant_session(SLUG) as s:
        rerun(SLUG, s.get(Batch, batch_id), user_id=0)
    Worker(["default"], connection=kv.get_redis()).work(burst=True, logging_level="WARNING")
    job = time.perf_counter() - started
    with db.tenant_session(SLUG) as s:
        b = s.get(Batch, batch_id)
        figures = {"status": b.status, "rows": b.row_count, "imported": b.imported_count,
                   "bad": b.bad_count, "matched": b.matched_count}  # fmt: skip
    with db.shared_session() as s:
        record = s.get(JobRecord, job_id(SLUG, import_job.kind, str(batch_id)))
        figures["job"] = record.status if record else None
    return upload, job, figures


def run() -> list[Figure]:
    say(f"[{NAME}] import of {ROWS:,} rows (1% bad) against {REGISTRY:,} registry people")
    rrns = _prepare()
    figures: list[Figure] = []
    for seed, kind in ((1, "utf-8"), (2, "xlsx")):
        data = _list(rrns, kind, seed)
        upload, job, got = _import(data, kind, f"bench {kind}")
        say(f"  {kind}: {len(data) / 1048576:.1f} MB; upload check + store {upload:.2f} s; job {job:.2f} s "
            f"({got['status']}, job {got['job']}): {got['rows']:,} rows, {got['imported']:,} imported, "
            f"{got['bad']:,} bad, {got['matched']:,} matched")  # fmt: skip
        assert got["imported"] == ROWS - ROWS // BAD_EVERY and got["bad"] == ROWS // BAD_EVERY
        figures += [
            Figure(NAME, f"import {ROWS:,} rows ({kind.upper()}) with matching and scoring, as a job", job, "s", GOAL_S),
            Figure(NAME, f"upload check and store ({kind.upper()})", upload, "s"),
        ]  # fmt: skip
    for f in figures:
        line(f)
    return figures


def main() -> None:
    from bench.env import open_env
    from bench.report import summary

    started = time.perf_counter()
    env = open_env()
    figures: list[Figure] = []
    try:
        figures = run()
    finally:
        env.close()
        summary(figures, time.perf_counter() - started)


if __name__ == "__main__":
    main()
