"""Tenant dumps: a complete, restorable copy of one tenant.

A dump is a gzip'd tar with `manifest.json` (tenant, stream revisions, plugins, memberships by
e-mail) and one PostgreSQL COPY file per table. Import rebuilds the schema at the dump's
revisions with the real migrations, copies the rows back, then migrates to head — all in one
transaction, so a broken dump leaves nothing behind."""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from dolbom import audit
from dolbom.db import schema_for, tenant_bind
from dolbom.identity.models import Membership, User
from dolbom.identity.operations import refresh_sessions
from dolbom.jobs import JobContext, tenant_job, update_record
from dolbom.migrate.runner import current_versions, streams_for
from dolbom.tenancy import directory
from dolbom.tenancy.models import Tenant, TenantMigration, TenantPlugin
from dolbom.tenancy.operations import TenantError, TenantExists
from dolbom.tenancy.provisioning import schema_exists
from dolbom.tenancy.slugs import check_slug

FORMAT = "dolbom-tenant-dump"

Progress = Callable[[int, str], None]


def _tables(conn: sa.Connection, schema: str, stream_names: list[str]) -> list[tuple[str, str]]:
    """(stream, table) in an order that satisfies foreign keys, from the streams' metadata.

    A table in the schema that no installed stream knows would be left out silently: refuse."""
    existing = set(
        conn.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
        ).scalars()
    )
    ordered: list[tuple[str, str]] = []
    for stream in streams_for(n for n in stream_names if n != "core"):
        for table in stream.metadata.sorted_tables:
            if table.name in existing:
                ordered.append((stream.name, table.name))
    unknown = sorted(
        t for t in existing - {t for _, t in ordered} if not t.startswith("alembic_version")
    )
    if unknown:
        raise TenantError(
            f"설치된 코드가 모르는 표가 있어 내보낼 수 없습니다: {', '.join(unknown)}"
        )
    return ordered


def _columns(conn: sa.Connection, schema: str, table: str) -> list[str]:
    # By name, never by position: a schema built by fast provisioning and one built by replaying
    # migrations can order the same columns differently.
    return list(
        conn.execute(
            sa.text(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = :s AND table_name = :t ORDER BY ordinal_position"
            ),
            {"s": schema, "t": table},
        ).scalars()
    )


def _column_list(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def export_tenant(slug: str, target: Path, progress: Progress | None = None) -> dict:
    schema = schema_for(slug)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".partial")
    try:
        with Session(bind=tenant_bind(slug)) as session:
            # One snapshot for every table, so the dump is consistent.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            manifest = _write_dump(session, slug, schema, partial, progress)
        os.chmod(partial, 0o600)  # it holds personal data
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    if progress:
        progress(100, "done")
    return manifest


def _write_dump(
    session: Session, slug: str, schema: str, partial: Path, progress: Progress | None
) -> dict:
    tenant = session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise TenantError(f"'{slug}' 기관이 없습니다.")
    all_plugins = sorted(p.plugin for p in tenant.plugins)
    conn = session.connection()
    rows = session.execute(
        sa.select(User.email, Membership.role, Membership.dong_codes, Membership.provider_id)
        .join(Membership.user)
        .where(Membership.tenant_id == tenant.id)
        .order_by(User.email)
    ).all()
    manifest: dict = {
        "format": FORMAT,
        "version": 1,
        "exported_at": datetime.now(UTC).isoformat(),
        "tenant": {"slug": slug, "name": tenant.name, "region": tenant.region},
        "plugins": sorted(tenant.enabled_plugins()),
        "installed_plugins": all_plugins,
        "versions": {vt: rev for (s, vt), rev in current_versions(conn).items() if s == schema},
        "memberships": [
            {
                "email": r.email,
                "role": r.role,
                "dong_codes": list(r.dong_codes),
                "provider_id": r.provider_id,
            }
            for r in rows
        ],
        "tables": [],
    }
    tables = _tables(conn, schema, ["core", *all_plugins])
    raw = conn.connection.driver_connection
    with tarfile.open(partial, "w:gz") as tar:
        for i, (stream, table) in enumerate(tables, start=1):
            columns = _columns(conn, schema, table)
            count = 0
            # Spooled to a temporary file: a large table never sits in memory whole.
            with tempfile.TemporaryFile() as spool:
                copy_sql = f'COPY "{schema}"."{table}" ({_column_list(columns)}) TO STDOUT'
                with raw.cursor().copy(copy_sql) as copy:
                    for chunk in copy:
                        spool.write(chunk)
                        count += bytes(chunk).count(b"\n")
                info = tarfile.TarInfo(f"data/{table}.copy")
                info.size = spool.tell()
                spool.seek(0)
                tar.addfile(info, spool)
            manifest["tables"].append(
                {"stream": stream, "name": table, "columns": columns, "rows": count}
            )
            if progress:
                progress(int(95 * i / max(1, len(tables))), table)
        body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    return manifest


def _read_manifest(tar: tarfile.TarFile, path: Path) -> dict:
    member = tar.extractfile("manifest.json")
    if member is None:
        raise KeyError("manifest.json")
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise TenantError(f"{path}: 테넌트 덤프 형식이 아닙니다")
    return manifest


def import_tenant(path: Path, *, user_id: int | None = None) -> str:
    try:
        with tarfile.open(path, "r:gz") as tar:
            return _import(tar, path, user_id)
    except FileNotFoundError as exc:
        raise TenantError(f"{path}: 파일이 없습니다") from exc
    except (tarfile.TarError, OSError, KeyError, ValueError, EOFError) as exc:
        raise TenantError(f"{path}: 테넌트 덤프가 아니거나 손상되었습니다 ({exc})") from exc


def _import(tar: tarfile.TarFile, path: Path, user_id: int | None) -> str:
    manifest = _read_manifest(tar, path)
    info = manifest["tenant"]
    slug = check_slug(info["slug"])
    schema = schema_for(slug)
    # Switched-off plugins have no tables in the tenant schema, so none in the dump either.
    names = ["core", *manifest.get("plugins", [])]
    streams = streams_for(n for n in names if n != "core")
    missing = sorted(set(names) - {s.name for s in streams} - {"core"})
    if missing:
        raise TenantError(f"덤프에 필요한 플러그인이 설치되어 있지 않습니다: {', '.join(missing)}")
    with Session(bind=tenant_bind(slug)) as session, session.begin():
        if session.scalar(sa.select(Tenant.id).where(Tenant.slug == slug)) is not None:
            raise TenantExists(f"'{slug}' 기관이 이미 있습니다. 아무것도 바꾸지 않았습니다.")
        conn = session.connection()
        if schema_exists(conn, slug):
            raise TenantError(f"스키마 {schema}가 이미 있습니다. 운영자가 확인한 뒤 지우세요.")
        tenant = Tenant(slug=slug, name=info["name"], region=info.get("region"), status="ready")
        session.add(tenant)
        session.flush()
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"; SET LOCAL search_path TO "{schema}"')
        # The schema as it was when exported (the real migrations), then the rows, then head.
        for stream in streams:
            revision = manifest["versions"].get(stream.version_table)
            if revision:
                command.upgrade(stream.config(connection=conn, schema=schema), revision)
        raw = conn.connection.driver_connection
        for entry in manifest["tables"]:
            data = tar.extractfile(f"data/{entry['name']}.copy")
            if data is None:
                raise KeyError(entry["name"])
            columns = _column_list(entry["columns"])
            with raw.cursor().copy(
                f'COPY "{schema}"."{entry["name"]}" ({columns}) FROM STDIN'
            ) as copy:
                while chunk := data.read(1 << 20):
                    copy.write(chunk)
        conn.exec_driver_sql(_reset_sequences_sql(conn, schema))
        for stream in streams:
            command.upgrade(stream.config(connection=conn, schema=schema), "head")
            session.add(
                TenantMigration(
                    tenant_id=tenant.id, stream=stream.name, revision=stream.head, status="ok"
                )
            )
        enabled = set(manifest.get("plugins", []))
        for name in manifest.get("installed_plugins", []):
            session.add(TenantPlugin(tenant_id=tenant.id, plugin=name, enabled=name in enabled))
        users = dict(session.execute(sa.select(User.email, User.id)).all())
        restored = [
            users[m["email"]] for m in manifest.get("memberships", []) if m["email"] in users
        ]
        for m in manifest.get("memberships", []):
            if m["email"] in users:
                session.add(
                    Membership(
                        user_id=users[m["email"]],
                        tenant_id=tenant.id,
                        role=m["role"],
                        dong_codes=m["dong_codes"],
                        provider_id=m["provider_id"],
                    )
                )
        audit.record(session, "tenant.imported", user_id=user_id, tenant_slug=slug)
    with Session(bind=tenant_bind(slug)) as session:
        refresh_sessions(session, restored)  # after commit: live sessions gain the tenant
    directory.changed()
    return slug


def _reset_sequences_sql(conn: sa.Connection, schema: str) -> str:
    rows = conn.execute(
        sa.text(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "WHERE c.table_schema = :s AND c.column_default LIKE 'nextval(%'"
        ),
        {"s": schema},
    ).all()
    return (
        "".join(
            f"SELECT setval(pg_get_serial_sequence('\"{schema}\".\"{t}\"', '{c}'), "
            f'COALESCE((SELECT MAX("{c}") FROM "{schema}"."{t}"), 1), '
            f'(SELECT MAX("{c}") FROM "{schema}"."{t}") IS NOT NULL);'
            for t, c in rows
        )
        or "SELECT 1"
    )


@tenant_job("export")
def export_job(ctx: JobContext, export_dir: str) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = Path(export_dir) / f"{ctx.tenant}-{stamp}.tar.gz"
    export_tenant(ctx.tenant, target, progress=lambda pct, _msg: ctx.progress(pct))
    if ctx.job_id:
        update_record(ctx.job_id, result_file=target.name)
    return target.name
