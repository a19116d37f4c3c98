"""State changes for tenants: create, drop, switch plugins. Each runs in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import command
from psycopg.errors import DuplicateSchema
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.orm import Session

from dolbom import audit
from dolbom.db import get_engine, schema_for, tenant_bind
from dolbom.migrate.streams import core_stream, plugin_stream
from dolbom.plugins.api import TenantContext
from dolbom.plugins.host import get_host
from dolbom.tenancy import directory
from dolbom.tenancy.models import Tenant, TenantMigration, TenantPlugin
from dolbom.tenancy.packs import Pack, load_pack
from dolbom.tenancy.provisioning import catalogue_sql, create_schema_at_head, drop_schema
from dolbom.tenancy.slugs import check_slug


class TenantError(RuntimeError):
    """A refusal with a message for the person who asked."""


class TenantExists(TenantError):
    pass


@dataclass
class Created:
    tenant_id: int
    provision_seconds: float
    pack_seconds: float


def create_tenant(
    slug: str,
    name: str,
    *,
    region: str | None = None,
    pack: Pack | None = None,
    plugins: tuple[str, ...] = (),
    user_id: int | None = None,
    load: Callable[[Session, Pack], None] = load_pack,
) -> Created:
    """`load` writes the pack inside the creating transaction (the operator console passes one
    that reports progress step by step)."""
    check_slug(slug)
    if pack is not None and pack.slug != slug:
        raise TenantError(f"팩의 slug '{pack.slug}'가 만들려는 기관 '{slug}'와 다릅니다.")
    wanted = tuple(dict.fromkeys((*plugins, *(pack.plugins if pack else ()))))
    host = get_host()
    unknown = [p for p in wanted if p not in host.plugins]
    if unknown:
        raise TenantError(f"설치되지 않은 플러그인입니다: {', '.join(unknown)}")
    started = time.perf_counter()
    try:
        with Session(bind=tenant_bind(slug), expire_on_commit=False) as session, session.begin():
            # No look-ups first: the unique slug and CREATE SCHEMA refuse a duplicate anyway,
            # in the same round trips that do the work (errors translated below).
            conn = session.connection()
            tenant = Tenant(slug=slug, name=name, region=region, status="ready")
            session.add(tenant)
            session.flush()
            streams = [core_stream()]
            for p in wanted:
                stream = plugin_stream(host.plugins[p])
                if stream is not None:
                    streams.append(stream)
                session.add(TenantPlugin(tenant_id=tenant.id, plugin=p, enabled=True))
            session.flush()
            create_schema_at_head(
                conn, slug, streams, also=catalogue_sql(tenant.id, slug, streams, user_id)
            )
            provisioned = time.perf_counter()
            if pack is not None:
                load(session, pack)
            for p in wanted:
                host.call(
                    "dolbom_tenant_enabled", frozenset({p}), tenant_slug=slug, session=session
                )
    except IntegrityError as exc:
        if "uq_tenant_slug" not in str(exc.orig):
            raise
        raise TenantExists(f"'{slug}' 기관이 이미 있습니다. 아무것도 바꾸지 않았습니다.") from exc
    except ProgrammingError as exc:
        if not isinstance(exc.orig, DuplicateSchema):
            raise
        raise TenantError(
            f"스키마 {schema_for(slug)}가 이미 있지만 기관 기록이 없습니다. "
            "운영자가 확인한 뒤 지우세요."
        ) from exc
    # No directory.changed(): a new slug was never in any process's cache (unknown slugs are
    # not cached), so there is nothing to invalidate.
    finished = time.perf_counter()
    return Created(tenant.id, provisioned - started, finished - provisioned)


def drop_tenant(slug: str, *, user_id: int | None = None) -> None:
    with Session(bind=get_engine()) as session, session.begin():
        tenant = session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            raise TenantError(f"'{slug}' 기관이 없습니다.")
        drop_schema(session.connection(), slug)
        for p in tenant.plugins:
            session.connection().exec_driver_sql(
                f'DROP SCHEMA IF EXISTS "{parked_schema(slug, p.plugin)}" CASCADE'
            )
        session.delete(tenant)
        audit.record(session, "tenant.dropped", user_id=user_id, tenant_slug=slug)
    directory.changed()


def get_tenant(session: Session, slug: str) -> Tenant | None:
    return session.scalar(sa.select(Tenant).where(Tenant.slug == slug))


def parked_schema(slug: str, plugin: str) -> str:
    """Where a switched-off plugin's tables wait, outside the tenant schema."""
    return f"parked_{slug.replace('-', '_')}__{plugin.replace('-', '_')}"


def set_plugin(
    slug: str, plugin: str, enabled: bool, *, purge: bool = False, user_id: int | None = None
) -> None:
    """Switch a plugin on (migrating its branch in the tenant schema) or off.

    Off: its routes 404, its hooks are silent and its tables leave the tenant schema — they are
    parked in a schema of their own, so switching it on again brings the data back. `purge`
    drops them for good. `dolbom_tenant_enabled` runs only when the branch is first installed."""
    with Session(bind=tenant_bind(slug)) as session, session.begin():
        switch_plugin(session, slug, plugin, enabled, purge=purge, user_id=user_id)
    directory.changed()


def switch_plugin(
    session: Session,
    slug: str,
    plugin: str,
    enabled: bool,
    *,
    purge: bool = False,
    user_id: int | None = None,
) -> None:
    """`set_plugin` inside the caller's transaction (a pack applies plugins with the rest of
    its changes, all or nothing). The caller calls `directory.changed()` after committing."""
    host = get_host()
    if plugin not in host.plugins:
        raise TenantError(f"설치되지 않은 플러그인입니다: {plugin}")
    stream = plugin_stream(host.plugins[plugin])
    schema, parked = schema_for(slug), parked_schema(slug, plugin)
    tenant = session.scalar(sa.select(Tenant).where(Tenant.slug == slug).with_for_update())
    if tenant is None:
        raise TenantError(f"'{slug}' 기관이 없습니다.")
    row = session.get(TenantPlugin, (tenant.id, plugin))
    conn = session.connection()
    first_time = row is None
    if row is None:
        row = TenantPlugin(tenant_id=tenant.id, plugin=plugin, enabled=enabled)
        session.add(row)
    row.enabled = enabled
    if stream is not None:
        tables = [*stream.metadata.tables, stream.version_table]
        if enabled:
            _move_tables(conn, parked, schema, tables)
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{parked}"')
            first_time = not _table_exists(conn, schema, stream.version_table)
            conn.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
            command.upgrade(stream.config(connection=conn, schema=schema), "head")
        elif purge:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{parked}" CASCADE')
            for table in tables:
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{schema}"."{table}" CASCADE')
        else:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{parked}"')
            _move_tables(conn, schema, parked, tables)
        status = session.get(TenantMigration, (tenant.id, plugin))
        if status is None:
            status = TenantMigration(tenant_id=tenant.id, stream=plugin, status="ok")
            session.add(status)
        status.revision = stream.head if enabled else None
        status.status = "ok" if enabled else "off"
    if enabled and first_time:
        host.call("dolbom_tenant_enabled", frozenset({plugin}), tenant_slug=slug, session=session)
    if purge and not enabled:
        session.delete(row)
    audit.record(
        session,
        "plugin.enabled" if enabled else "plugin.disabled",
        user_id=user_id,
        tenant_slug=slug,
        plugin=plugin,
        purge=purge,
    )


def _move_tables(conn: sa.Connection, source: str, target: str, tables: list[str]) -> None:
    for table in tables:
        if _table_exists(conn, source, table):
            conn.exec_driver_sql(f'ALTER TABLE "{source}"."{table}" SET SCHEMA "{target}"')


def _table_exists(conn: sa.Connection, schema: str, table: str) -> bool:
    found = conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": f'"{schema}"."{table}"'})
    return found.scalar() is not None


def tenant_context(tenant: Tenant, role: str | None, user_id: int | None) -> TenantContext:
    return TenantContext(slug=tenant.slug, name=tenant.name, role=role, user_id=user_id)
