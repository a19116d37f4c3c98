"""Benchmark 7 (issue 6): the monthly settlement for 96 providers, 5,000 active referrals and
60,000 service records, as a job through a real RQ worker; and the provider's inbox under 16
concurrent clients."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from rq import Worker

from bench import servers
from bench.latency import COOKIE, PASSWORD, _login, _report
from bench.load import CLIENTS, hammer
from bench.report import Figure, line, say
from dolbom import db, kv
from dolbom.config import ROOT
from dolbom.identity.models import Membership, User
from dolbom.identity.passwords import hash_password
from dolbom.jobs import enqueue, job_id
from dolbom.jobs.models import JobRecord
from dolbom.referrals.settlement import produce, settlement_job
from dolbom.tenancy.operations import create_tenant
from dolbom.tenancy.packs import read_pack

NAME = "7 referrals"
SLUG = "refbench"
REFERRALS = 5_000
RECORDS_EACH = 12  # 60,000 records
EMAIL = "bench-provider@bench.kr"
MONTH = dt.date(2026, 10, 1)


def _prepare() -> tuple[int, int]:
    """People, cases in service, referrals spread over every offer, records over the month.
    Plain INSERT … SELECT: the data, not the generator, is what is measured. Returns the
    number of providers and the id of the provider with the most referrals."""
    pack = read_pack(ROOT / "tenants" / "jeonju")
    pack.slug = SLUG
    create_tenant(SLUG, "벤치시", region=pack.region, pack=pack)
    with db.tenant_transaction(SLUG) as s:
        # Raw SQL is not translated by the schema map: name the tenant's schema for it.
        s.execute(sa.text(f'SET LOCAL search_path TO "{db.schema_for(SLUG)}"'))
        s.execute(sa.text(
            "INSERT INTO person (name, dong_code, address, phone, created_at, updated_at, lock_version) "
            "SELECT '벤치 ' || n, 'pyeonghwa1', '전주시 완산구 평화로 ' || n, '010-0000-0000', now(), now(), 1 "
            "FROM generate_series(1, :n) n"), {"n": REFERRALS})  # fmt: skip
        s.execute(sa.text(
            "INSERT INTO \"case\" (person_id, dong_code, stage, opened_on, lock_version, stage_since, created_at) "
            "SELECT id, dong_code, 'provision', DATE '2026-01-05', 1, DATE '2026-02-01', now() FROM person"))  # fmt: skip
        s.execute(sa.text("""
            WITH offers AS (SELECT provider_id, programme_id,
                                   row_number() OVER (ORDER BY provider_id, programme_id) - 1 AS i,
                                   count(*) OVER () AS n FROM provider_service),
                 cases AS (SELECT id, person_id, row_number() OVER (ORDER BY id) - 1 AS j FROM "case")
            INSERT INTO referral (case_id, person_id, programme_id, provider_id, status, frequency,
                                  period_from, period_until, sent_at, created_by, created_at, lock_version)
            SELECT c.id, c.person_id, o.programme_id, o.provider_id, 'in_service', '주 3회',
                   DATE '2026-01-01', DATE '2026-12-31', now(), 0, now(), 1
            FROM cases c JOIN offers o ON o.i = c.j % o.n"""))  # fmt: skip
        s.execute(sa.text(
            "INSERT INTO service_record (referral_id, served_on, quantity, recorded_by, recorded_at) "
            "SELECT r.id, :first + ((k * 7 + r.id) % 28), 1 + (k % 3) * 0.5, 0, now() "
            "FROM referral r CROSS JOIN generate_series(0, :each - 1) k"),
            {"first": MONTH, "each": RECORDS_EACH})  # fmt: skip
        providers = s.scalar(sa.text("SELECT count(*) FROM provider"))
        busiest = s.scalar(sa.text(
            "SELECT provider_id FROM referral GROUP BY provider_id ORDER BY count(*) DESC LIMIT 1"))  # fmt: skip
        records = s.scalar(sa.text("SELECT count(*) FROM service_record"))
    with db.get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    say(
        f"  {providers} providers, {REFERRALS:,} referrals in service, {records:,} records in {MONTH:%Y-%m}"
    )
    with db.shared_session() as s, s.begin():
        user = User(email=EMAIL, name="벤치 제공기관", password_hash=hash_password(PASSWORD))
        s.add(user)
        s.flush()
        tenant_id = s.scalar(sa.text("SELECT id FROM dolbom.tenant WHERE slug = :s"), {"s": SLUG})
        s.add(Membership(user_id=user.id, tenant_id=tenant_id, role="provider_staff",
                         dong_codes=[], provider_id=busiest))  # fmt: skip
    return int(providers), int(busiest)


def run(database_url: str, redis_url: str) -> list[Figure]:
    say(f"[{NAME}] settlement job and provider inbox")
    _prepare()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="dolbom-bench-") as tmp:
        started = time.perf_counter()
        _stem, result = produce(SLUG, MONTH, Path(tmp) / "inline")
        inline = time.perf_counter() - started
        say(f"  in process: {inline:.2f} s, {result['lines']} lines, ₩{result['amount']:,}")
        started = time.perf_counter()
        jid = enqueue(settlement_job, SLUG, f"{MONTH:%Y-%m}", MONTH.isoformat(), str(Path(tmp) / "job"),
                      queue="default", timeout=1800)  # fmt: skip
        Worker(["default"], connection=kv.get_redis()).work(burst=True, logging_level="WARNING")
        as_job = time.perf_counter() - started
        with db.shared_session() as s:
            status = s.get(JobRecord, job_id(SLUG, "settlement", f"{MONTH:%Y-%m}")).status
        say(f"  as a job (enqueue → worker → files): {as_job:.2f} s, {status} ({jid})")
        figures += [
            Figure(NAME, "settlement, 96 providers × 5,000 referrals × 60,000 records, as a job",
                   as_job, "s", goal=10.0),
            Figure(NAME, "settlement computed and written in process", inline, "s"),
        ]  # fmt: skip
        env = {"DOLBOM_DATABASE_URL": database_url, "DOLBOM_REDIS_URL": redis_url,
               "DOLBOM_INSTANCE": tmp, "DOLBOM_LOG_LEVEL": "WARNING"}  # fmt: skip
        app = servers.start("dolbom.wsgi:app", env, Path(tmp) / "app.log")
        try:
            servers.wait_ready(app, "/healthz")
            cookie = _login(app.port, EMAIL, SLUG, marker="벤치시")
            load = hammer(
                app.port, f"/{SLUG}/provider/?box=service", {"Cookie": f"{COOKIE}={cookie}"}
            )
            _report(f"provider inbox GET /{SLUG}/provider/?box=service ({CLIENTS} clients)", load)
        finally:
            app.stop()
        figures += [
            Figure(NAME, "provider inbox p50", load.p50 * 1000, "ms"),
            Figure(NAME, "provider inbox p95", load.p95 * 1000, "ms"),
        ]
    for figure in figures:
        line(figure)
    return figures
