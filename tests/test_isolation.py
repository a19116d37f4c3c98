"""Tenant isolation through pooled connections, under concurrency and after failures."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.districts.models import Gu
from dolbom.tenancy.operations import set_plugin
from tests.fixtures import login


def _marker(slug: str) -> None:
    with db.tenant_transaction(slug) as s:
        s.add(Gu(code="marker", name=f"marker-{slug}"))


@pytest.fixture
def small_pool(settings):  # type: ignore[no-untyped-def]
    def configure(size: int) -> None:
        db.configure(settings.database_url, pool_size=size)  # a fresh engine
        db.get_engine().pool._max_overflow = 0  # exactly `size` connections, no overflow

    yield configure
    db.configure(settings.database_url, pool_size=settings.pool_size)


def test_interleaved_requests_see_only_their_tenant(app, make_tenant, make_user, small_pool):
    slugs = [make_tenant() for _ in range(3)]
    for slug in slugs:
        _marker(slug)
    email = make_user("coordinator", tenants=slugs)
    small_pool(3)
    threads, per_thread = 8, 256  # 2,048 requests
    errors: list[str] = []
    seen = {slug: 0 for slug in slugs}
    lock = threading.Lock()

    clients = [app.test_client() for _ in range(threads)]
    for client in clients:  # one after another: parallel sign-ins count against the throttle
        assert login(client, email).status_code == 302

    def worker(n: int) -> None:
        client = clients[n]
        for i in range(per_thread):
            slug = slugs[(n + i) % 3]
            r = client.get(f"/{slug}/")
            others = [f"marker-{o}" for o in slugs if o != slug]
            if r.status_code != 200 or f"marker-{slug}" not in r.text:
                errors.append(f"{slug}: {r.status_code} without its marker")
            elif any(o in r.text for o in others):
                errors.append(f"{slug}: saw another tenant's marker")
            with lock:
                seen[slug] += 1

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, range(threads)))
    assert errors == []
    assert sum(seen.values()) == threads * per_thread >= 2000
    assert db.get_engine().pool.size() == 3


def test_failing_request_leaves_nothing_on_the_connection(
    client, make_tenant, make_user, small_pool, app
):
    a, b = make_tenant(), make_tenant()
    _marker(a)
    _marker(b)
    set_plugin(a, "testplugin", True)
    set_plugin(b, "testplugin", True)
    email = make_user("coordinator", tenants=[a, b])
    small_pool(1)  # one connection: B's request must reuse the one A's request broke
    assert login(client, email).status_code == 302
    r = client.get(f"/{a}/p/testplugin/boom")
    assert r.status_code == 500
    assert "일시적인 오류" in r.text
    r = client.get(f"/{b}/p/testplugin/")
    assert r.status_code == 200
    assert "boom" not in r.text
    assert f"marker-{b}" in client.get(f"/{b}/").text
    with db.tenant_session(a) as s:
        labels = s.scalars(sa.text("SELECT label FROM " + db.schema_for(a) + ".testplugin_item"))
        assert "boom-" + a not in list(labels)
    with db.get_engine().connect() as conn:
        # The same pooled connection: no tenant search_path, no open transaction left behind.
        assert conn.exec_driver_sql("SHOW search_path").scalar() == '"$user", public'
