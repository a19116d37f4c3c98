"""Migrations: fast provisioning equals the migrated schema; resume after a failure; no-op runs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dolbom import db
from dolbom.migrate.runner import current_versions, migrate_tenant, upgrade_all
from dolbom.migrate.streams import Stream, core_stream, plugin_stream
from dolbom.plugins.host import get_host
from dolbom.tenancy.models import Tenant, TenantMigration

CATALOG = {
    "columns": """
        SELECT table_name, column_name, data_type, character_maximum_length, is_nullable,
               column_default
        FROM information_schema.columns WHERE table_schema = :s""",
    "constraints": """
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = :s""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = :s",
    "sequences": "SELECT sequence_name, data_type FROM information_schema.sequences "
    "WHERE sequence_schema = :s",
    "triggers": """
        SELECT c.relname, t.tgname, t.tgtype, p.proname
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE n.nspname = :s AND NOT t.tgisinternal""",
    "functions": "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = :s",
}


def describe(schema: str) -> dict[str, set[tuple]]:
    """The schema as the catalogue sees it, with its own name taken out for comparison."""
    with db.get_engine().connect() as conn:
        return {
            kind: {
                tuple(str(v).replace(f"{schema}.", "S.") if v is not None else None for v in row)
                for row in conn.execute(sa.text(sql), {"s": schema})
            }
            for kind, sql in CATALOG.items()
        }


def test_provisioned_schema_equals_the_migrated_one(make_tenant):
    fast = make_tenant()
    slow = "replay-" + fast[:20]
    with db.get_engine().begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{db.schema_for(slow)}"')
    try:
        outcome = migrate_tenant(slow, ["core"])
        assert outcome.ok, outcome.error
        provisioned, migrated = describe(db.schema_for(fast)), describe(db.schema_for(slow))
        assert provisioned["columns"]  # not two empty schemas
        for kind in provisioned:
            assert provisioned[kind] ^ migrated[kind] == set(), kind
    finally:
        with db.get_engine().begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{db.schema_for(slow)}" CASCADE')


def test_creation_records_catalogue_and_audit(make_tenant, make_user):
    from dolbom.audit.models import PlatformEvent

    slug = make_tenant()
    with db.shared_session() as s:
        tenant_id = s.scalar(sa.select(Tenant.id).where(Tenant.slug == slug))
        rows = s.execute(
            sa.select(
                TenantMigration.stream, TenantMigration.revision, TenantMigration.status
            ).where(TenantMigration.tenant_id == tenant_id)
        ).all()
        assert rows == [("core", core_stream().head, "ok")]
        event = s.scalar(sa.select(PlatformEvent).where(PlatformEvent.tenant_slug == slug))
        assert event.action == "tenant.created" and event.detail == {}


def _streams() -> list[tuple[str, Stream]]:
    out = [("core", core_stream())]
    for name, plugin in sorted(get_host().plugins.items()):
        stream = plugin_stream(plugin)
        if stream is not None:
            out.append((name, stream))
    return out


@pytest.mark.parametrize(("name", "stream"), _streams(), ids=[n for n, _ in _streams()])
def test_autogenerate_finds_no_difference(make_tenant, name: str, stream: Stream):
    """The core's and every installed plugin's migrations build exactly their models."""
    slug = make_tenant(plugins=() if name == "core" else (name,))
    with db.get_engine().begin() as conn:
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{db.schema_for(slug)}"')
        context = MigrationContext.configure(
            conn,
            opts={
                "include_name": lambda name, type_, parent: (
                    type_ != "table" or name in stream.metadata.tables
                )
            },
        )
        assert compare_metadata(context, stream.metadata) == []


def _downgrade_to(slug: str, revision: str) -> None:
    stream = core_stream()
    schema = db.schema_for(slug)
    with db.get_engine().begin() as conn:
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
        bound = conn.execution_options(schema_translate_map={None: schema})
        command.downgrade(stream.config(connection=bound, schema=schema), revision)


def test_failed_tenant_is_reported_others_migrate_and_a_rerun_resumes(make_tenant):
    slugs = [make_tenant() for _ in range(5)]
    for slug in slugs:
        _downgrade_to(slug, "t0001")
    broken = slugs[2]
    with db.get_engine().begin() as conn:  # t0002 creates tenant_setting: make it collide
        conn.exec_driver_sql(f'CREATE TABLE "{db.schema_for(broken)}".tenant_setting (x int)')

    # The schemas were changed behind the catalogue's back: --verify reads them.
    report = upgrade_all(processes=2, verify=True)
    by_slug = {o.slug: o for o in report.outcomes}
    assert set(slugs) <= set(by_slug)
    assert not by_slug[broken].ok and "DuplicateTable" in (by_slug[broken].error or "")
    assert all(by_slug[s].ok for s in slugs if s != broken)
    head = core_stream().head
    with db.get_engine().connect() as conn:
        versions = current_versions(conn)
    for slug in slugs:
        expected = "t0001" if slug == broken else head
        assert versions[(db.schema_for(slug), "alembic_version")] == expected
    with db.shared_session() as s:
        status = s.scalar(
            sa.select(TenantMigration.status)
            .join(Tenant, Tenant.id == TenantMigration.tenant_id)
            .where(Tenant.slug == broken, TenantMigration.stream == "core")
        )
        assert status == "failed"

    with db.get_engine().begin() as conn:
        conn.exec_driver_sql(f'DROP TABLE "{db.schema_for(broken)}".tenant_setting')
    rerun = upgrade_all(processes=2)
    assert [o.slug for o in rerun.outcomes] == [broken]  # only what was left behind
    assert rerun.outcomes[0].ok

    noop = upgrade_all(processes=2)
    assert noop.outcomes == [] and noop.at_head == noop.tenants >= 5
    assert upgrade_all(verify=True).outcomes == []  # the catalogue tells the truth


def test_the_catalogue_alone_finds_who_is_behind(make_tenant):
    slugs = [make_tenant() for _ in range(3)]
    _downgrade_to(slugs[1], "t0001")
    with db.shared_session() as s, s.begin():  # as a run that stopped before t0002 would leave it
        s.execute(
            sa.update(TenantMigration)
            .where(
                TenantMigration.tenant_id
                == sa.select(Tenant.id).where(Tenant.slug == slugs[1]).scalar_subquery()
            )
            .values(revision="t0001")
        )
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(db.get_engine(), "before_cursor_execute", seen)
    try:
        report = upgrade_all(processes=1)
    finally:
        sa.event.remove(db.get_engine(), "before_cursor_execute", seen)
    assert [o.slug for o in report.outcomes] == [slugs[1]]
    # Whatever the number of tenants, one query over the catalogue decides who is behind.
    assert sum("tenant_migration m" in sql for sql in statements) == 1
