"""Benchmark 4: an authenticated tenant page against a bare one-query endpoint, 16 clients."""

from __future__ import annotations

import http.client
import re
import tempfile
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import sqlalchemy as sa

from bench import servers
from bench.bare import QUERY
from bench.load import CLIENTS, REQUESTS, WARMUP, Load, hammer
from bench.report import Figure, line, say
from dolbom import db
from dolbom.cases.models import Case
from dolbom.cases.synthetic import generate
from dolbom.config import ROOT
from dolbom.identity.models import Membership, User
from dolbom.identity.passwords import hash_password
from dolbom.tenancy.operations import create_tenant
from dolbom.tenancy.packs import read_pack

NAME = "4 page latency"
CASES = 20_000  # issue 5: the caseload and the case page with 20,000 cases in the tenant
SLUG = "jeonju"
EMAIL = "bench-coordinator@bench.kr"
PASSWORD = "bench password, not a secret"
COOKIE = "dolbom_session"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _prepare() -> int:
    """The Jeonju tenant with 20,000 synthetic cases; the id of a case in service to open."""
    pack = read_pack(ROOT / "tenants" / SLUG)
    create_tenant(SLUG, pack.name, region=pack.region, pack=pack)
    with db.tenant_transaction(SLUG) as s:
        generate(s, SLUG, CASES, seed=20_000)
        case_id = s.scalar(
            sa.select(Case.id).where(Case.stage == "provision").order_by(Case.id).limit(1)
        )
    with db.shared_session() as s, s.begin():
        user = User(email=EMAIL, name="벤치 코디네이터", password_hash=hash_password(PASSWORD))
        s.add(user)
        s.flush()
        tenant_id = s.scalar(sa.text("SELECT id FROM dolbom.tenant WHERE slug = :s"), {"s": SLUG})
        s.add(Membership(user_id=user.id, tenant_id=tenant_id, role="coordinator", dong_codes=[]))
    # A running tenant's tables are vacuumed and analysed by autovacuum; straight after the
    # generator they hold two dead row versions per case and no statistics, and whether
    # autovacuum has caught up by the time the clients start is luck (it moved p50 by ~10%).
    with db.get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    return int(case_id)


def _plan() -> str:
    with db.get_engine().connect() as conn:
        rows = conn.execute(sa.text(f"EXPLAIN {QUERY.text}"), {"slug": SLUG}).scalars().all()
    return rows[0].strip() if rows else "?"


def _cookie(response: http.client.HTTPResponse) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None


def _login(port: int, email: str = EMAIL, slug: str = SLUG, marker: str = "완산구") -> str:
    """Sign in over HTTP like a browser; the session cookie's value."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/login")
        page = conn.getresponse()
        html = page.read().decode()
        cookie = _cookie(page)
        token = CSRF_RE.search(html)
        if page.status != 200 or cookie is None or token is None:
            raise RuntimeError(f"GET /login: {page.status}, no session cookie or CSRF token")
        body = urllib.parse.urlencode(
            {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{COOKIE}={cookie}",
        }
        conn.request("POST", "/login", body=body, headers=headers)
        answer = conn.getresponse()
        answer.read()
        signed_in = _cookie(answer)
        if answer.status != 302 or signed_in is None:
            raise RuntimeError(f"POST /login answered {answer.status}")
        conn.request("GET", f"/{slug}/", headers={"Cookie": f"{COOKIE}={signed_in}"})
        landing = conn.getresponse()
        text = landing.read().decode()
        if landing.status != 200 or marker not in text:
            raise RuntimeError(f"GET /{slug}/ answered {landing.status} without the pack's data")
        return signed_in
    finally:
        conn.close()


def _report(label: str, load: Load) -> None:
    say(
        f"  {label}: p50 {load.p50 * 1000:.1f} ms, p95 {load.p95 * 1000:.1f} ms, "
        f"{load.throughput:.0f} req/s, {len(load.latencies)} requests, {load.errors} errors, "
        f"{load.dropped} dropped connections"
    )


def run(database_url: str, redis_url: str) -> list[Figure]:
    say(
        f"[{NAME}] gunicorn {servers.WORKERS}×{servers.THREADS} threads; {CLIENTS} keep-alive "
        f"clients × ({WARMUP} warm-up + {REQUESTS}) requests"
    )
    started_at = time.perf_counter()
    case_id = _prepare()
    say(f"  {CASES:,} synthetic cases made in {time.perf_counter() - started_at:.1f} s")
    say(f"  bare query plan: {_plan()}")
    started: list[servers.Server] = []
    with tempfile.TemporaryDirectory(prefix="dolbom-bench-") as tmp:
        env = {
            "DOLBOM_DATABASE_URL": database_url,
            "DOLBOM_REDIS_URL": redis_url,
            "DOLBOM_INSTANCE": tmp,
            "DOLBOM_LOG_LEVEL": "WARNING",
            "BENCH_BARE_SLUG": SLUG,
        }
        try:
            app = servers.start("dolbom.wsgi:app", env, Path(tmp) / "app.log")
            started.append(app)
            bare = servers.start("bench.bare:create_app()", env, Path(tmp) / "bare.log")
            started.append(bare)
            servers.wait_ready(app, "/healthz")
            servers.wait_ready(bare, "/tenant-id")
            cookie = _login(app.port)
            bare_load = hammer(bare.port, "/tenant-id")
            _report("bare endpoint  GET /tenant-id", bare_load)
            auth = {"Cookie": f"{COOKIE}={cookie}"}
            page_load = hammer(app.port, f"/{SLUG}/", auth)
            _report(f"tenant page    GET /{SLUG}/", page_load)
            caseload = f"/{SLUG}/cases/?stage=provision&dong=pyeonghwa1&sort=name"
            list_load = hammer(
                app.port, caseload, {**auth, "HX-Request": "true", "HX-Request-Type": "partial"}
            )
            _report(f"caseload       GET {caseload} (htmx)", list_load)
            case_load = hammer(app.port, f"/{SLUG}/cases/{case_id}", auth)
            _report(f"case page      GET /{SLUG}/cases/{case_id}", case_load)
        finally:
            for server in started:
                server.stop()
    figures = [
        Figure(NAME, "tenant page p50", page_load.p50 * 1000, "ms"),
        Figure(NAME, "tenant page p95", page_load.p95 * 1000, "ms"),
        Figure(NAME, "tenant page throughput", page_load.throughput, "req/s"),
        Figure(NAME, "bare query p50", bare_load.p50 * 1000, "ms"),
        Figure(NAME, "bare query p95", bare_load.p95 * 1000, "ms"),
        Figure(NAME, "bare query throughput", bare_load.throughput, "req/s"),
        Figure(NAME, "page / bare, p50", page_load.p50 / bare_load.p50, "x", goal=3.0),
        Figure(NAME, "page / bare, p95", page_load.p95 / bare_load.p95, "x", goal=3.0),
        Figure(
            NAME, f"caseload ({CASES:,} cases, filtered, 50 rows) p50", list_load.p50 * 1000, "ms"
        ),
        Figure(NAME, "caseload p95", list_load.p95 * 1000, "ms"),
        Figure(NAME, "caseload / bare, p50", list_load.p50 / bare_load.p50, "x", goal=3.0),
        Figure(NAME, "caseload / bare, p95", list_load.p95 / bare_load.p95, "x", goal=3.0),
        Figure(NAME, "case page p50", case_load.p50 * 1000, "ms"),
        Figure(NAME, "case page p95", case_load.p95 * 1000, "ms"),
        Figure(NAME, "case page / bare, p50", case_load.p50 / bare_load.p50, "x", goal=3.0),
        Figure(NAME, "case page / bare, p95", case_load.p95 / bare_load.p95, "x", goal=3.0),
    ]
    for figure in figures:
        line(figure)
    return figures
