"""Test fixtures on real services.

PostgreSQL and Redis are the embedded ones (under instance/test/) unless
DOLBOM_TEST_DATABASE_URL / DOLBOM_TEST_REDIS_URL name servers. Tests commit for real — tenants,
migrations, workers and many connections are what is under test — so every fixture creates
uniquely named tenants and users and removes them afterwards."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
# The test plugin: found through its entry point like any installed plugin (see its README).
sys.path.insert(0, str(ROOT / "tests" / "testplugin"))

from dolbom import db, kv  # noqa: E402
from dolbom.config import Settings, normalise_database_url  # noqa: E402
from dolbom.identity.models import Membership, User  # noqa: E402
from dolbom.identity.passwords import hash_password  # noqa: E402
from dolbom.migrate.runner import upgrade_shared  # noqa: E402
from dolbom.people import pii  # noqa: E402
from dolbom.tenancy.operations import create_tenant, drop_tenant  # noqa: E402

PASSWORD = "correct horse battery staple"
# One argon2 hash for every test user: hashing is deliberately slow.
_HASH = hash_password(PASSWORD)
_counter = itertools.count(1)


_started: list[object] = []  # embedded servers this run started, stopped at its end


def _embedded_database(instance: Path) -> str:
    from dolbom import embedded

    pg = embedded.start_postgres(instance)
    if pg.started_here:
        _started.append(pg)
    return embedded.fresh_database(pg, "dolbom_test")


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    instance = ROOT / "instance" / "test"
    instance.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DOLBOM_TEST_DATABASE_URL")
    if database_url:
        database_url = normalise_database_url(database_url)
        db.drop_our_schemas(database_url)
    else:
        database_url = _embedded_database(instance)
    redis_url = os.environ.get("DOLBOM_TEST_REDIS_URL")
    if not redis_url:
        from dolbom import embedded

        rd = embedded.start_redis(instance)
        if rd.started_here:
            _started.append(rd)
        redis_url = rd.url
    work = tmp_path_factory.mktemp("instance")
    s = replace(
        Settings(),
        instance=work,
        database_url=database_url,
        redis_url=redis_url,
        secret_key="test-secret-key-" + "x" * 32,
        pii_key="test-pii-key-" + "y" * 32,
        demo=False,
        pool_size=5,
        login_max_failures=5,
        login_lockout_minutes=15,
    )
    db.configure(database_url, pool_size=s.pool_size)
    kv.configure(redis_url)
    pii.configure(s.pii_key)
    upgrade_shared()
    log_file = _capture_logs(work)
    yield s
    _scan_for_resident_numbers(log_file)
    db.dispose()
    for handle in reversed(_started):
        handle.stop()  # type: ignore[attr-defined]


def _capture_logs(work: Path) -> Path:
    """Every log record of the run also goes to one file, scanned at the end."""
    import logging

    path = work / "suite.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    logging.getLogger().addHandler(handler)
    if logging.getLogger().level > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)
    return path


def _scan_for_resident_numbers(log_file: Path) -> None:
    """After the whole suite: no resident number in plaintext in any schema or in the logs."""
    from tests import rrn_scan

    found = rrn_scan.in_database(db.get_engine()) + [
        f"log: {m}" for m in rrn_scan.in_file(log_file)
    ]
    assert not found, f"resident numbers in plaintext: {found[:10]}"


@pytest.fixture(scope="session")
def app(settings: Settings):  # type: ignore[no-untyped-def]
    from dolbom.app import create_app

    application = create_app(settings, connect=False)
    application.config["TESTING"] = True
    return application


@pytest.fixture(autouse=True)
def _clean_redis(settings: Settings) -> Iterator[None]:
    # Throttle counters, sessions and queues start empty in every test; what the test left
    # there must hold no resident number in plaintext (sessions, job payloads, caches).
    kv.get_redis().flushdb()
    yield
    from tests import rrn_scan

    found = rrn_scan.in_redis(kv.get_redis())
    assert not found, f"resident numbers in Redis: {found[:5]}"


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


def child_env(settings: Settings, instance: Path) -> dict[str, str]:
    """Environment for a `dolbom` child process on the test's database and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOLBOM_")}
    env.update(
        DOLBOM_DATABASE_URL=settings.database_url or "",
        DOLBOM_REDIS_URL=settings.redis_url or "",
        DOLBOM_INSTANCE=str(instance),
        DOLBOM_PII_KEY=settings.pii_key,
        DOLBOM_LOG_LEVEL="WARNING",
    )
    return env


def unique(prefix: str = "t") -> str:
    return f"{prefix}{next(_counter)}-{uuid.uuid4().hex[:6]}"


@pytest.fixture
def make_tenant(settings: Settings) -> Iterator[Callable[..., str]]:
    created: list[str] = []

    def factory(slug: str | None = None, name: str | None = None, **kwargs: object) -> str:
        slug = slug or unique("t")
        create_tenant(slug, name or f"시험시 {slug}", **kwargs)  # type: ignore[arg-type]
        created.append(slug)
        return slug

    yield factory
    from dolbom.tenancy.operations import TenantError

    for slug in created:
        with contextlib.suppress(TenantError):  # the test may have dropped it itself
            drop_tenant(slug)


@pytest.fixture
def pack_tenant(make_tenant) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """A new tenant with a shipped pack loaded (districts, profile, forms) under a unique slug."""
    from dolbom.tenancy.packs import load_pack, read_pack

    def factory(pack_slug: str = "jeonju", plugins: tuple[str, ...] | None = None) -> str:
        """`plugins`: the ones to switch on instead of those the pack names (`()`: none)."""
        pack = read_pack(ROOT / "tenants" / pack_slug)
        wanted = tuple(pack.plugins) if plugins is None else plugins
        slug = make_tenant(name=pack.name, region=pack.region, plugins=wanted)
        pack.slug = slug
        with db.tenant_transaction(slug) as s:
            load_pack(s, pack)
        return slug

    return factory


@pytest.fixture
def make_user(settings: Settings) -> Iterator[Callable[..., str]]:
    ids: list[int] = []

    def factory(
        role: str | None = None,
        tenant: str | None = None,
        *,
        platform_role: str | None = None,
        dongs: list[str] | None = None,
        email: str | None = None,
        tenants: list[str] | None = None,
        name: str | None = None,
    ) -> str:
        from dolbom.tenancy.models import Tenant

        email = email or f"{unique('u')}@test.kr"
        with db.shared_session() as s, s.begin():
            user = User(
                email=email,
                name=name or f"시험 {email.split('@')[0]}",
                password_hash=_HASH,
                platform_role=platform_role,
                active=True,
            )
            s.add(user)
            s.flush()
            for slug in tenants or ([tenant] if tenant else []):
                tid = s.scalar(sa.select(Tenant.id).where(Tenant.slug == slug))
                s.add(
                    Membership(
                        user_id=user.id,
                        tenant_id=tid,
                        role=role or "coordinator",
                        dong_codes=dongs or [],
                    )
                )
            ids.append(user.id)
        return email

    yield factory
    with db.shared_session() as s, s.begin():
        s.execute(sa.delete(User).where(User.id.in_(ids)))


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html) or re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    token = csrf_from(page.text)
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


@pytest.fixture
def signed_in(app, make_user):  # type: ignore[no-untyped-def]
    """A client signed in with a new user: signed_in(role, tenant, ...) -> client."""

    def factory(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        email = make_user(*args, **kwargs)
        c = app.test_client()
        response = login(c, email)
        assert response.status_code == 302, response.text
        c.email = email  # type: ignore[attr-defined]
        return c

    return factory


def add_consent(session, person_id: int, purpose: str = "linkage") -> None:  # type: ignore[no-untyped-def]
    """The person agreed to service linkage (a case cannot start services without it)."""
    import datetime as _dt

    from dolbom.people.models import Consent

    session.add(Consent(person_id=person_id, purpose=purpose, all_providers=True, providers=[],
                        given_on=_dt.date(2026, 1, 2), given_by="본인", recorded_by=0))  # fmt: skip
