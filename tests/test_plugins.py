"""Plugins: discovered by entry point, switched per tenant, routes, hooks and tables follow."""

from __future__ import annotations

import sqlalchemy as sa

from dolbom import db
from dolbom.migrate.runner import upgrade_all
from dolbom.migrate.streams import core_stream
from dolbom.plugins.api import setting
from dolbom.plugins.host import get_host
from dolbom.tenancy.operations import parked_schema, set_plugin
from dolbom.tenant_settings import set_value
from dolbom_testplugin import CALLS


def table_exists(slug: str, table: str) -> bool:
    with db.get_engine().connect() as conn:
        return (
            conn.execute(
                sa.text("SELECT to_regclass(:t)"), {"t": f"{db.schema_for(slug)}.{table}"}
            ).scalar()
            is not None
        )


def test_discovered_through_the_entry_point(make_tenant):
    plugin = get_host().plugins["testplugin"]
    assert plugin.title == "시험용 플러그인"
    slug = make_tenant()
    (greeting,) = plugin.settings
    with db.tenant_transaction(slug) as s:
        assert setting(s, greeting) == "안녕하세요"  # the default until the tenant sets one
        set_value(s, greeting.key, "반갑습니다")
    with db.tenant_session(slug) as s:
        assert setting(s, greeting) == "반갑습니다"


def test_switched_off_plugin_is_absent_for_that_tenant(signed_in, make_tenant):
    on, off = make_tenant(), make_tenant()
    client = signed_in("coordinator", tenants=[on, off])
    CALLS.clear()
    # Never switched on: no routes, no hooks, no tables.
    assert not table_exists(off, "testplugin_item")
    assert client.get(f"/{off}/p/testplugin/").status_code == 404
    landing = client.get(f"/{off}/")
    assert "시험 플러그인" not in landing.text
    assert CALLS == []

    set_plugin(on, "testplugin", True)
    assert ("enabled", on) in CALLS
    assert table_exists(on, "testplugin_item")
    page = client.get(f"/{on}/p/testplugin/")
    assert page.status_code == 200 and "seeded" in page.text
    landing = client.get(f"/{on}/")
    assert "시험 플러그인 패널" in landing.text and "항목 1개" in landing.text
    assert f'href="/{on}/p/testplugin/"' in landing.text  # its navigation entry
    assert ("landing", on) in CALLS

    CALLS.clear()
    assert client.get(f"/{off}/p/testplugin/").status_code == 404
    assert "시험 플러그인" not in client.get(f"/{off}/").text
    assert [c for c in CALLS if c[1] == off] == []  # its hooks never ran for the other tenant
    assert not table_exists(off, "testplugin_item")


def test_switched_off_tables_leave_the_schema_and_come_back(signed_in, make_tenant):
    slug = make_tenant()
    client = signed_in("coordinator", slug)
    set_plugin(slug, "testplugin", True)
    set_plugin(slug, "testplugin", False)
    CALLS.clear()
    assert client.get(f"/{slug}/p/testplugin/").status_code == 404
    assert "시험 플러그인" not in client.get(f"/{slug}/").text
    assert CALLS == []
    assert not table_exists(slug, "testplugin_item")  # off: not in the tenant's schema
    parked = parked_schema(slug, "testplugin")
    with db.get_engine().connect() as conn:  # ...but kept aside, data and all
        assert conn.exec_driver_sql(f'SELECT label FROM "{parked}".testplugin_item').all() == [
            ("seeded",)
        ]
    set_plugin(slug, "testplugin", True)
    assert client.get(f"/{slug}/p/testplugin/").text.count("seeded") == 1  # back, seeded once
    assert ("enabled", slug) not in CALLS  # not a first installation
    set_plugin(slug, "testplugin", False, purge=True)
    assert not table_exists(slug, "testplugin_item")
    assert not table_exists(slug, "alembic_version_testplugin")
    with db.get_engine().connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :n"), {"n": parked}
            ).scalar()
            is None
        )


def test_upgrade_covers_plugin_branches(make_tenant):
    slug = make_tenant()
    set_plugin(slug, "testplugin", True)
    with db.get_engine().begin() as conn:  # as if the plugin's branch were one revision behind
        conn.exec_driver_sql(f'DROP TABLE "{db.schema_for(slug)}".testplugin_item')
        conn.exec_driver_sql(f'DELETE FROM "{db.schema_for(slug)}".alembic_version_testplugin')
    report = upgrade_all(processes=1, verify=True)  # changed behind the catalogue's back
    assert [o.slug for o in report.outcomes] == [slug]
    assert report.outcomes[0].revisions == {"core": core_stream().head, "testplugin": "tp0001"}
    assert table_exists(slug, "testplugin_item")
