"""Tenant dumps: a complete, restorable copy of one tenant.

A dump is a gzip'd tar with `manifest.json` (tenant, stream revisions, plugins, memberships by
e-mail) and one PostgreSQL COPY file per table. Import rebuilds the schema at the dump's
revisions with the real migrations, copies the rows back, then migrates to head — all in one
transaction, so a broken dump leaves nothing behind."""

from __future__ import annotations

import io
import json
import tarfile
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
from dolbom.jobs import JobContext, tenant_job, update_record
from dolbom.migrate.runner import current_versions, streams_for
from dolbom.tenancy.models import Tenant, TenantMigration, TenantPlugin
from dolbom.tenancy.operations import TenantError, TenantExists
from dolbom.tenancy.slugs import check_slug

FORMAT = "dolbom-tenant-dump"

Progress = Callable[[int, str], None]


def _tables(conn: sa.Connection, schema: str, stream_names: list[str]) -> list[tuple[str, str]]:
    """(stream, table) in an order that satisfies foreign keys, from the streams' metadata."""
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
    return ordered


def export_tenant(slug: str, target: Path, progress: Progress | None = None) -> dict:
    schema = schema_for(slug)
    with Session(bind=tenant_bind(slug)) as session:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        tenant = session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            raise TenantError(f"'{slug}' 기관이 없습니다.")
        plugins = sorted(tenant.enabled_plugins())
        all_plugins = sorted(p.plugin for p in tenant.plugins)
        conn = session.connection()
        versions = {vt: rev for (s, vt), rev in current_versions(conn).items() if s == schema}
        rows = session.execute(
            sa.select(User.email, Membership.role, Membership.dong_codes, Membership.provider_id)
            .join(Membership.user)
            .where(Membership.tenant_id == tenant.id)
            .order_by(User.email)
        ).all()
        tables = _tables(conn, schema, ["core", *all_plugins])
        manifest = {
            "format": FORMAT,
            "version": 1,
            "exported_at": datetime.now(UTC).isoformat(),
            "tenant": {"slug": slug, "name": tenant.name, "region": tenant.region},
            "plugins": plugins,
            "installed_plugins": all_plugins,
            "versions": versions,
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
        raw = conn.connection.driver_connection
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            for i, (stream, table) in enumerate(tables, start=1):
                buffer = io.BytesIO()
                with raw.cursor().copy(f'COPY "{schema}"."{table}" TO STDOUT') as copy:
                    for chunk in copy:
                        buffer.write(chunk)
                data = buffer.getvalue()
                info = tarfile.TarInfo(f"data/{table}.copy")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                manifest["tables"].append(
                    {"stream": stream, "name": table, "rows": data.count(b"\n")}
                )
                if progress:
                    progress(int(90 * i / max(1, len(tables))), table)
            body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        partial.replace(target)
    if progress:
        progress(100, "done")
    return manifest


def _read_dump(path: Path) -> tuple[dict, dict[str, bytes]]:
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = tar.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest = json.loads(member.read())
            data = {}
            for entry in manifest.get("tables", []):
                f = tar.extractfile(f"data/{entry['name']}.copy")
                if f is None:
                    raise KeyError(entry["name"])
                data[entry["name"]] = f.read()
    except FileNotFoundError as exc:
        raise TenantError(f"{path}: 파일이 없습니다") from exc
    except (tarfile.TarError, OSError, KeyError, ValueError, EOFError) as exc:
        raise TenantError(f"{path}: 테넌트 덤프가 아니거나 손상되었습니다 ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise TenantError(f"{path}: 테넌트 덤프 형식이 아닙니다")
    return manifest, data


def import_tenant(path: Path, *, user_id: int | None = None) -> str:
    manifest, data = _read_dump(path)
    info = manifest["tenant"]
    slug = check_slug(info["slug"])
    schema = schema_for(slug)
    names = ["core", *manifest.get("installed_plugins", [])]
    streams = streams_for(n for n in names if n != "core")
    missing = sorted(set(names) - {s.name for s in streams} - {"core"})
    if missing:
        raise TenantError(f"덤프에 필요한 플러그인이 설치되어 있지 않습니다: {', '.join(missing)}")
    with Session(bind=tenant_bind(slug)) as session, session.begin():
        if session.scalar(sa.select(Tenant.id).where(Tenant.slug == slug)) is not None:
            raise TenantExists(f"'{slug}' 기관이 이미 있습니다. 아무것도 바꾸지 않았습니다.")
        tenant = Tenant(slug=slug, name=info["name"], region=info.get("region"), status="ready")
        session.add(tenant)
        session.flush()
        conn = session.connection()
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"; SET LOCAL search_path TO "{schema}"')
        for stream in streams:
            revision = manifest["versions"].get(stream.version_table)
            if revision:
                command.upgrade(stream.config(connection=conn, schema=schema), revision)
        raw = conn.connection.driver_connection
        for entry in manifest["tables"]:
            with raw.cursor().copy(f'COPY "{schema}"."{entry["name"]}" FROM STDIN') as copy:
                copy.write(data[entry["name"]])
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
