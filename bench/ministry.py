"""Benchmark 9 (issue 8): the ministry's nightly rollup over 229 tenants × 2,000 cases (goal
≤ 60 s) and the comparison page (goal p95 ≤ 100 ms server time).

Setup: one tenant from Jeonju's pack with 2,000 synthetic cases and a few hundred referrals,
then 228 copies of it. A copy is a tenant at head like any other (`create_tenant`: tenant row,
stream revisions, schema) whose tables are then filled from the template's in one round trip of
INSERT … SELECT, with every date moved back by 0–119 days (so each month's counts differ and the
latest month is thin somewhere, which is where small cells and suppression come from), 40–100%
of the referrals kept, and its own profile (population aged 65+ across the three size bands,
pilot field, ordinance, unit, staff) and region (the 17 시도). Migrating 228 schemas and running
the generator 228 times would add minutes and measure nothing more. Resident numbers in the copies
stay encrypted for the template's slug: nothing here decrypts them.

Run alone (`python bench/ministry.py`, DOLBOM_BENCH_DATABASE_URL set) the setup is kept between
runs: a database already holding the 229 ready tenants with 2,000 cases each is used as it is.
`--profile` adds cProfile listings of one tenant's rollup and of the publication step. Inside
`python -m bench` other benchmarks' tenants exist too; they are set aside (status `parked`) while
the rollup runs, so it walks exactly the 229."""

from __future__ import annotations

import contextlib
import cProfile
import datetime as dt
import gc
import io
import json
import logging
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from bench.report import Figure, line, percentile, say, summary
from dolbom import db
from dolbom.cases.models import Case
from dolbom.cases.synthetic import generate
from dolbom.catalogue.models import ProviderService
from dolbom.clock import today
from dolbom.config import ROOT, Settings
from dolbom.console.settings import profile as read_profile
from dolbom.db import TenantBase
from dolbom.identity.models import Role, User
from dolbom.identity.passwords import hash_password
from dolbom.referrals.models import Referral
from dolbom.tenancy.models import Tenant
from dolbom.tenancy.operations import create_tenant
from dolbom.tenancy.packs import PILOT_FIELDS, read_pack

NAME = "9 ministry"
COUNT = 229
CASES = 2_000
REFERRALS = 400
PREFIX = "mb-"
TEMPLATE = f"{PREFIX}001"
EMAIL = "bench-analyst@bench.kr"
PASSWORD = "bench password, not a secret"
WARMUP = 10
REQUESTS = 200
MAX_SHIFT = 120  # days every date of a copy moves back
PARKED = "parked"
REGIONS = (
    "서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시",
    "울산광역시", "세종특별자치시", "경기도", "강원특별자치도", "충청북도", "충청남도",
    "전북특별자치도", "전라남도", "경상북도", "경상남도", "제주특별자치도",
)  # fmt: skip
# Rough shares of the 229 시군구 per 시도, so regions have from 1 to about 30 members.
REGION_WEIGHTS = (25, 16, 9, 10, 5, 5, 5, 1, 31, 18, 11, 15, 14, 22, 22, 18, 2)


def slugs() -> list[str]:
    return [f"{PREFIX}{i:03d}" for i in range(1, COUNT + 1)]


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


# -- setup ----------------------------------------------------------------------------------


def _cached() -> bool:
    """Whether the database already holds the 229 ready tenants with 2,000 cases each."""
    with db.shared_session() as s:
        have = s.scalars(
            sa.select(Tenant.slug).where(Tenant.slug.like(f"{PREFIX}%"), Tenant.status == "ready")
        ).all()
    if sorted(have) != slugs():
        return False
    counts = " UNION ALL ".join(
        f'SELECT count(*) AS n FROM "{db.schema_for(s)}"."case"' for s in slugs()
    )
    try:
        with db.get_engine().connect() as conn:
            got = conn.execute(sa.text(f"SELECT min(n), max(n) FROM ({counts}) c")).one()
    except sa.exc.DBAPIError:
        return False
    return tuple(got) == (CASES, CASES)


def _profile_for(rng: random.Random, base: dict[str, Any]) -> dict[str, Any]:
    """A tenant's own profile: size band, pilot field and readiness facts differ."""
    p = dict(base)
    p["population_65"] = int(rng.lognormvariate(10.7, 0.75))  # median ≈ 44,000; 5k–250k
    p["population"] = p["population_65"] * rng.randint(4, 7)
    p["pilot_field"] = rng.choice(list(PILOT_FIELDS))
    since = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(7 * 365))
    if rng.random() < 0.8:
        p["ordinance"] = {"title": "통합돌봄 지원 조례", "promulgated": since.isoformat()}
    else:
        p.pop("ordinance", None)
    if rng.random() < 0.6:
        later = since + dt.timedelta(days=rng.randrange(400))
        p["unit"] = {"name": "통합돌봄과", "established": later.isoformat()}
    if rng.random() < 0.7:
        later = since + dt.timedelta(days=rng.randrange(600))
        p["staff"] = {"count": rng.randint(2, 40), "as_of": later.isoformat()}
    return p


def _set_profile(conn: sa.Connection, slug: str, value: dict[str, Any]) -> None:
    conn.execute(
        sa.text(
            f'INSERT INTO "{db.schema_for(slug)}".tenant_setting (key, value, updated_at) '
            "VALUES ('profile', CAST(:v AS jsonb), now()) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
        ),
        {"v": json.dumps(value, ensure_ascii=False)},
    )


def _template(rng: random.Random) -> dict[str, Any]:
    """Jeonju's pack, 2,000 synthetic cases and referrals over the last year; its profile."""
    pack = read_pack(ROOT / "tenants" / "jeonju")
    pack.slug = TEMPLATE
    create_tenant(TEMPLATE, "벤치시 001", region=REGIONS[0], pack=pack)
    with db.tenant_transaction(TEMPLATE) as s:
        generate(s, TEMPLATE, CASES, seed=CASES)
        offers = s.execute(
            sa.select(ProviderService.provider_id, ProviderService.programme_id).order_by(
                ProviderService.provider_id, ProviderService.programme_id
            )
        ).all()
        cases = s.execute(
            sa.select(Case.id, Case.person_id)
            .where(Case.stage.in_(("plan", "meeting", "provision", "monitoring", "closed")))
            .order_by(Case.id)
        ).all()
        day = today()
        rows = []
        for i, (case_id, person_id) in enumerate(rng.sample(cases, min(REFERRALS, len(cases)))):
            provider_id, programme_id = offers[i % len(offers)]
            sent = dt.datetime.combine(
                day - dt.timedelta(days=rng.randrange(1, 365)), dt.time(1), tzinfo=dt.UTC
            )
            status = rng.choice(("accepted", "in_service", "declined", "sent", "completed"))
            answered = None if status == "sent" else sent + dt.timedelta(days=rng.randrange(1, 7))
            rows.append({
                "case_id": case_id, "person_id": person_id, "programme_id": programme_id,
                "provider_id": provider_id, "status": status, "period_from": sent.date(),
                "period_until": sent.date() + dt.timedelta(days=90), "created_by": 1,
                "sent_at": sent, "due_on": sent.date() + dt.timedelta(days=3),
                "responded_at": answered,
            })  # fmt: skip
        s.execute(sa.insert(Referral), rows)
        base = read_profile(s)
    return base


def _copy_plan(conn: sa.Connection) -> tuple[list[tuple[str, list[tuple[str, str]]]], list[Any]]:
    """The template's tables in foreign-key order with their columns and types; its sequences
    with the column each numbers."""
    schema = db.schema_for(TEMPLATE)
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in conn.execute(
        sa.text(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = :s AND is_generated = 'NEVER' ORDER BY table_name, "
            "ordinal_position"
        ),
        {"s": schema},
    ):
        columns.setdefault(table, []).append((column, kind))
    ordered = [t.name for t in TenantBase.metadata.sorted_tables if t.name in columns]
    # Tables outside the metadata (version tables) are written by create_tenant already.
    tables = [(t, columns[t]) for t in ordered]
    sequences = conn.execute(
        sa.text(
            "SELECT s.relname, t.relname, a.attname FROM pg_class s "
            "JOIN pg_namespace n ON n.oid = s.relnamespace "
            "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
            "WHERE s.relkind = 'S' AND n.nspname = :s"
        ),
        {"s": schema},
    ).all()
    return tables, list(sequences)


def _fill(conn: sa.Connection, slug: str, rng: random.Random, plan: Any) -> None:
    """The copy's rows from the template's, dates moved back, part of the referrals dropped."""
    tables, sequences = plan
    src, dst = db.schema_for(TEMPLATE), db.schema_for(slug)
    shift = rng.randrange(MAX_SHIFT)
    keep = rng.uniform(0.4, 1.0)
    filtered = {"referral"}  # and, below, whatever hangs off a filtered table
    fks = {t.name: t.foreign_keys for t in TenantBase.metadata.sorted_tables}
    script = []
    for table, cols in tables:
        out = ", ".join(f'"{c}"' for c, _k in cols)
        picks = []
        for c, kind in cols:
            if kind == "date":
                picks.append(f'"{c}" - {shift}')
            elif kind.startswith("timestamp"):
                picks.append(f"\"{c}\" - interval '{shift} days'")
            else:
                picks.append(f'"{c}"')
        where = []
        if table == "referral":
            where.append(f"mod(abs(hashtext(id::text || '{slug}')), 1000) < {int(keep * 1000)}")
        for fk in fks.get(table, ()):
            ref = fk.column.table.name
            if ref in filtered:
                filtered.add(table)
                where.append(
                    f'(src."{fk.parent.name}" IS NULL OR EXISTS (SELECT 1 FROM "{dst}"."{ref}" r '
                    f'WHERE r."{fk.column.name}" = src."{fk.parent.name}"))'
                )
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        script.append(
            f'INSERT INTO "{dst}"."{table}" ({out}) SELECT {", ".join(picks)} '
            f'FROM "{src}"."{table}" src{clause};'
        )
    for seq, table, column in sequences:
        script.append(
            f'SELECT setval(\'"{dst}"."{seq}"\', COALESCE(max("{column}"), 1), '
            f'max("{column}") IS NOT NULL) FROM "{dst}"."{table}";'
        )
    conn.exec_driver_sql("\n".join(script))


def _prepare() -> float:
    """Make the 229 tenants; the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(COUNT)
    say(f"  setup: template tenant {TEMPLATE} (Jeonju's pack, {CASES:,} cases, referrals)…")
    base = _template(rng)
    regions = rng.choices(REGIONS, REGION_WEIGHTS, k=COUNT)
    regions[: len(REGIONS)] = REGIONS  # every region has at least one city
    with db.get_engine().begin() as conn:
        _set_profile(conn, TEMPLATE, _profile_for(rng, base))
        plan = _copy_plan(conn)
    made = time.perf_counter()
    say(f"    template made in {made - started:.1f} s; {COUNT - 1} copies…")
    for i, slug in enumerate(slugs()[1:], 2):
        create_tenant(slug, f"벤치시 {i:03d}", region=regions[i - 1])
        with db.get_engine().begin() as conn:
            _fill(conn, slug, rng, plan)
            _set_profile(conn, slug, _profile_for(rng, base))
        if i % 50 == 0:
            say(f"    {i}/{COUNT} ({time.perf_counter() - made:.0f} s)")
    copied = time.perf_counter()
    # As autovacuum would have by the night (the copies' tables only, not other benchmarks').
    tables = [f'"{db.schema_for(s)}"."{t}"' for s in slugs() for t, _c in plan[0]]
    with db.get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for i in range(0, len(tables), 500):
            conn.exec_driver_sql("VACUUM ANALYZE " + ", ".join(tables[i : i + 500]))
    say(
        f"    copies in {copied - made:.1f} s, VACUUM ANALYZE in "
        f"{time.perf_counter() - copied:.1f} s"
    )
    with db.shared_session() as s, s.begin():
        if s.scalar(sa.select(User.id).where(User.email == EMAIL)) is None:
            s.add(User(email=EMAIL, name="벤치 분석관", password_hash=hash_password(PASSWORD),
                       platform_role=Role.MINISTRY_ANALYST, active=True))  # fmt: skip
    return time.perf_counter() - started


@contextlib.contextmanager
def _others_parked() -> Iterator[int]:
    """Other benchmarks' ready tenants set aside while the rollup walks the 229."""
    with db.shared_session() as s, s.begin():
        parked = s.scalars(
            sa.update(Tenant)
            .where(Tenant.status == "ready", Tenant.slug.not_like(f"{PREFIX}%"))
            .values(status=PARKED)
            .returning(Tenant.id)
        ).all()
    try:
        yield len(parked)
    finally:
        if parked:
            with db.shared_session() as s, s.begin():
                s.execute(sa.update(Tenant).where(Tenant.id.in_(parked)).values(status="ready"))


# -- measurements ---------------------------------------------------------------------------


def _rollup(label: str) -> tuple[list[Figure], dict[str, Any]]:
    """rollup_all() in process, with each tenant's rollup and the publication timed inside it."""
    from dolbom.ministry import jobs, publish

    per_tenant: list[float] = []
    published: list[float] = []
    tenant_fn, publish_fn = jobs.rollup_tenant, publish.publish_all

    def timed_tenant(*args: Any) -> bool:
        seconds, ok = _timed(lambda: tenant_fn(*args))
        per_tenant.append(seconds)
        return bool(ok)

    def timed_publish() -> int:
        seconds, rows = _timed(publish_fn)
        published.append(seconds)
        return int(rows)

    jobs.rollup_tenant, publish.publish_all = timed_tenant, timed_publish  # type: ignore[assignment]
    try:
        total, outcome = _timed(jobs.rollup_all)
    finally:
        jobs.rollup_tenant, publish.publish_all = tenant_fn, publish_fn  # type: ignore[assignment]
    n = outcome["tenants"]
    figures = [
        Figure(NAME, f"rollup, {n} tenants × {CASES:,} cases ({label})", total, "s", goal=60.0),
        Figure(NAME, f"  one tenant's rollup, mean ({label})", statistics.mean(per_tenant), "s"),
        Figure(NAME, f"  one tenant's rollup, max ({label})", max(per_tenant), "s"),
        Figure(NAME, f"  publication with suppression ({label})", published[0], "s"),
    ]
    return figures, outcome


def _failure_detail() -> str:
    """Why a tenant's rollup failed (rollup_tenant keeps only the exception's class)."""
    import traceback

    from dolbom.ministry.models import MinistryRollup
    from dolbom.ministry.rollup import compute

    with db.shared_session() as s:
        row = s.execute(
            sa.select(Tenant.slug, MinistryRollup.error)
            .join(MinistryRollup, MinistryRollup.tenant_id == Tenant.id)
            .where(MinistryRollup.status == "failed")
            .limit(1)
        ).first()
    if row is None:
        return "no failed tenant recorded"
    try:
        with db.tenant_session(row.slug) as session:
            compute(session, read_profile(session), today())
    except Exception:
        return f"{row.slug}: {traceback.format_exc(limit=6)}"
    return f"{row.slug}: {row.error} (compute alone succeeded: the write failed)"


def _published_marks() -> dict[str, int]:
    from dolbom.ministry.models import MinistryPublished

    with db.shared_session() as s:
        rows = s.execute(
            sa.select(MinistryPublished.mark, sa.func.count()).group_by(MinistryPublished.mark)
        ).all()
    return {str(mark): int(n) for mark, n in rows}


def _client() -> Any:
    from dolbom.app import create_app

    # Request logs at WARNING when this is the process's first app (see also _pages).
    app = create_app(replace(Settings.from_env(), log_level="WARNING"), connect=False)
    client = app.test_client()
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    if answer.status_code != 302:
        raise RuntimeError(f"analyst sign-in answered {answer.status_code}")
    return client


def _page(client: Any, url: str) -> list[float]:
    first = client.get(url)
    if first.status_code != 200 or "벤치시" not in first.text:
        raise RuntimeError(f"GET {url} answered {first.status_code}: {first.text[:300]}")
    for _ in range(WARMUP):
        client.get(url)
    out = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    return out


def _pages() -> list[Figure]:
    with db.shared_session() as s:
        region = s.scalar(
            sa.select(Tenant.region)
            .where(Tenant.slug.like(f"{PREFIX}%"))
            .group_by(Tenant.region)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
    client = _client()
    gc.freeze()  # as dolbom.wsgi does after start-up
    # One JSON line per request on stderr would bury the figures (inside `python -m bench` the
    # root logger is at INFO already, from the forms benchmark's app).
    requests_log = logging.getLogger("dolbom.request")
    level = requests_log.level
    requests_log.setLevel(logging.WARNING)
    figures = []
    try:
        for label, url in (
            ("default month", "/ministry/"),
            (f"sorted, one region ({region})",
             f"/ministry/?sort=in_service&dir=desc&region={region}"),
        ):  # fmt: skip
            times = _page(client, url)
            figures += [
                Figure(NAME, f"comparison page p50, {label}", statistics.median(times), "ms"),
                Figure(NAME, f"comparison page p95, {label}", percentile(times, 95), "ms",
                       goal=100.0),
            ]  # fmt: skip
    finally:
        gc.unfreeze()
        requests_log.setLevel(level)
    return figures


def _profile() -> None:
    """cProfile listings of one tenant's rollup and of the publication step."""
    from dolbom.ministry.jobs import rollup_tenant
    from dolbom.ministry.publish import publish_all

    with db.shared_session() as s:
        tid = s.scalar(sa.select(Tenant.id).where(Tenant.slug == TEMPLATE))
    for label, fn in (
        (f"rollup_tenant({TEMPLATE})", lambda: rollup_tenant(tid, TEMPLATE, today())),
        ("publish_all()", publish_all),
    ):
        prof = cProfile.Profile()
        prof.runcall(fn)
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
        say(f"\n-- profile: {label} (cumulative) --\n{out.getvalue()}")
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(15)
        say(f"-- profile: {label} (own time) --\n{out.getvalue()}")


def run(*, profile: bool = False) -> list[Figure]:
    say(
        f"\n== {NAME}: rollup of {COUNT} tenants × {CASES:,} cases, comparison page "
        f"({os.cpu_count()} cores, shared with other work) =="
    )
    if _cached():
        say(f"  setup: {COUNT} tenants × {CASES:,} cases already in the database, kept")
        figures: list[Figure] = []
    else:
        figures = [Figure(NAME, f"setup, {COUNT} tenants × {CASES:,} cases", _prepare(), "s")]
    with _others_parked() as parked:
        if parked:
            say(f"  {parked} other tenants set aside during the rollup")
        first, outcome = _rollup("first, into empty tables" if figures else "replacing figures")
        again, _ = _rollup("again, replacing figures")
        if outcome["failed"]:
            say(f"  !! {outcome['failed']} tenant rollups failed: {_failure_detail()}")
        figures += first + again
        say(f"  published cells by mark: {_published_marks()}")
        figures += _pages()
        if profile:
            _profile()
    for figure in figures:
        line(figure)
    return figures


def main() -> None:
    """Alone: keep a database that already holds the setup, otherwise start as `bench` does."""
    from bench.env import open_env

    started = time.perf_counter()
    url = os.environ.get("DOLBOM_BENCH_DATABASE_URL")
    redis_url = os.environ.get("DOLBOM_BENCH_REDIS_URL")
    env = None
    if url and redis_url:
        from dolbom import kv
        from dolbom.config import normalise_database_url
        from dolbom.migrate.runner import upgrade_shared
        from dolbom.people import pii

        db.configure(normalise_database_url(url), pool_size=5)
        kv.configure(redis_url)
        pii.configure("bench-only PII key, never used for real data")
        try:
            upgrade_shared()
            keep = _cached()
        except sa.exc.DBAPIError:
            keep = False
        if not keep:
            db.dispose()
            env = open_env()
    else:
        env = open_env()
    figures: list[Figure] = []
    try:
        figures = run(profile="--profile" in sys.argv)
    finally:
        if env is not None:
            env.close()
        else:
            db.dispose()
        summary(figures, time.perf_counter() - started)


if __name__ == "__main__":
    main()
