"""`dolbom db upgrade`: the shared schema first, then every tenant that is behind.

Tenants already at head are found with one catalogue query and skipped. The rest migrate in a
bounded process pool, each tenant in one transaction covering all its streams, so a tenant is
either fully migrated or untouched. Outcomes are recorded per tenant and stream; a failing
tenant is reported and the others go on; a rerun picks up only what is still behind."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context

import sqlalchemy as sa
from alembic import command
from sqlalchemy.dialects.postgresql import insert

from dolbom.db import SHARED_SCHEMA, get_engine, schema_for, shared_session
from dolbom.migrate.streams import Stream, core_stream, plugin_stream, shared_config
from dolbom.plugins.host import get_host
from dolbom.tenancy.models import Tenant, TenantMigration


@dataclass
class TenantOutcome:
    slug: str
    ok: bool
    revisions: dict[str, str | None] = field(default_factory=dict)
    error: str | None = None
    failed_stream: str | None = None
    seconds: float = 0.0


@dataclass
class UpgradeReport:
    tenants: int = 0
    at_head: int = 0
    outcomes: list[TenantOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[TenantOutcome]:
        return [o for o in self.outcomes if not o.ok]


def upgrade_shared(engine: sa.Engine | None = None) -> None:
    engine = engine or get_engine()
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{SHARED_SCHEMA}"')
        command.upgrade(shared_config(conn), "head")


def streams_for(enabled: Iterable[str]) -> list[Stream]:
    host = get_host()
    streams = [core_stream()]
    for name in sorted(enabled):
        plugin = host.plugins.get(name)
        stream = plugin_stream(plugin) if plugin else None
        if stream is not None:
            streams.append(stream)
    return streams


# The catalogue lists every version table of every tenant schema in one query; a second query
# reads them all at once (UNION ALL). Two round trips whatever the number of tenants.
_VERSION_TABLES_SQL = sa.text(
    """
    SELECT n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname LIKE 't\\_%' AND c.relname LIKE 'alembic\\_version%'
    """
)


def current_versions(conn: sa.Connection) -> dict[tuple[str, str], str | None]:
    tables = conn.execute(_VERSION_TABLES_SQL).all()
    if not tables:
        return {}
    parts = [
        f"SELECT '{schema}' AS s, '{table}' AS t, "
        f'(SELECT version_num FROM "{schema}"."{table}" LIMIT 1) AS v'
        for schema, table in tables
    ]
    rows = conn.exec_driver_sql(" UNION ALL ".join(parts)).all()
    return {(s, t): v for s, t, v in rows}


def behind(versions: dict[tuple[str, str], str | None], slug: str, streams: list[Stream]) -> bool:
    schema = schema_for(slug)
    return any(versions.get((schema, s.version_table)) != s.head for s in streams)


def migrate_tenant(
    slug: str, stream_names: Iterable[str], target: str = "head", *, engine: sa.Engine | None = None
) -> TenantOutcome:
    """Bring one tenant's streams to `target` in a single transaction."""
    started = time.perf_counter()
    engine = engine or get_engine()
    schema = schema_for(slug)
    outcome = TenantOutcome(slug=slug, ok=False)
    streams = streams_for(n for n in stream_names if n != "core")
    current = "core"
    try:
        with engine.begin() as conn:
            # LOCAL: gone at commit or rollback, so nothing stays on the pooled connection.
            conn.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
            bound = conn.execution_options(schema_translate_map={None: schema})
            for stream in streams:
                current = stream.name
                cfg = stream.config(connection=bound, schema=schema)
                command.upgrade(cfg, target if stream.name == "core" else "head")
            # The catalogue learns the new revisions in the same transaction: it can never
            # claim a revision the schema does not have.
            outcome.revisions = _stamp_catalogue(conn, slug, schema, streams)
        outcome.ok = True
    except Exception as exc:  # one tenant's failure is reported, the others go on
        outcome.failed_stream = current
        message = str(exc).splitlines()[0][:300] if str(exc) else ""
        outcome.error = f"{type(exc).__name__} in {current}: {message}"
    outcome.seconds = time.perf_counter() - started
    return outcome


def _stamp_catalogue(
    conn: sa.Connection, slug: str, schema: str, streams: list[Stream]
) -> dict[str, str | None]:
    revisions = {
        s.name: conn.exec_driver_sql(
            f'SELECT version_num FROM "{schema}"."{s.version_table}"'
        ).scalar()
        for s in streams
    }
    tenant_id = conn.execute(sa.select(Tenant.id).where(Tenant.slug == slug)).scalar()
    if tenant_id is None:  # a bare schema (a test, a benchmark): nothing to record
        return revisions
    conn.execute(
        _upsert(
            [
                {
                    "tenant_id": tenant_id,
                    "stream": name,
                    "revision": rev,
                    "status": "ok",
                    "error": None,
                }
                for name, rev in revisions.items()
            ]
        )
    )
    return revisions


def _upsert(rows: list[dict]) -> sa.Insert:
    stmt = insert(TenantMigration).values(rows)
    return stmt.on_conflict_do_update(
        index_elements=["tenant_id", "stream"],
        set_={
            "revision": sa.func.coalesce(stmt.excluded.revision, TenantMigration.revision),
            "status": stmt.excluded.status,
            "error": stmt.excluded.error,
            "updated_at": sa.func.now(),
        },
    )


def _correct_catalogue(
    real: dict[tuple[str, str], str | None], catalogue: list[sa.Row], migrated: set[str]
) -> None:
    """After --verify: the catalogue says what the schemas that were not migrated really have."""
    rows = [
        {
            "tenant_id": row.id,
            "stream": s.name,
            "status": "ok",
            "error": None,
            "revision": real.get((schema_for(row.slug), s.version_table)),
        }
        for row in catalogue
        if row.slug not in migrated
        for s in streams_for(row.plugins)
    ]
    if rows:
        with shared_session() as session, session.begin():
            session.execute(_upsert(rows))


def _record(outcomes: list[TenantOutcome], ids: dict[str, int]) -> None:
    """Failures, after their rollback (successes stamped themselves)."""
    rows = []
    for o in outcomes:
        if o.ok:
            continue
        # The revision stays as it was (coalesce) and the stream is marked failed.
        for stream, revision in {o.failed_stream or "core": None}.items():
            rows.append(
                {
                    "tenant_id": ids[o.slug],
                    "stream": stream,
                    "revision": revision,
                    "status": "ok" if o.ok else "failed",
                    "error": o.error,
                }
            )
    if rows:
        with shared_session() as s, s.begin():
            s.execute(_upsert(rows))


def _child_migrate(slug: str, streams: tuple[str, ...]) -> TenantOutcome:
    return migrate_tenant(slug, streams)


# Two `dolbom db upgrade` runs at once would race on the same tenants: the second waits.
_LOCK_ID = 0x646F6C626F6D  # "dolbom"


def upgrade_all(
    processes: int | None = None,
    progress: Callable[[TenantOutcome], None] | None = None,
    *,
    verify: bool = False,
) -> UpgradeReport:
    """`verify`: read every tenant schema's own version tables instead of the catalogue (after
    someone changed schemas by hand); the catalogue is corrected from what is found."""
    engine = get_engine()
    with engine.connect() as lock:
        lock.exec_driver_sql(f"SELECT pg_advisory_lock({_LOCK_ID})")
        lock.commit()
        try:
            return _upgrade_all(engine, processes, progress, verify)
        finally:
            lock.exec_driver_sql(f"SELECT pg_advisory_unlock({_LOCK_ID})")
            lock.commit()


# The catalogue in one query: every tenant, the plugins it has on and the revisions its
# streams were last migrated to (failed streams count as not migrated).
_CATALOGUE_SQL = sa.text(
    """
    SELECT t.id, t.slug,
           ARRAY(SELECT p.plugin FROM dolbom.tenant_plugin p
                 WHERE p.tenant_id = t.id AND p.enabled ORDER BY p.plugin) AS plugins,
           (SELECT json_object_agg(m.stream, m.revision) FROM dolbom.tenant_migration m
             WHERE m.tenant_id = t.id AND m.status = 'ok') AS revisions
    FROM dolbom.tenant t ORDER BY t.slug
    """
)


def _upgrade_all(
    engine: sa.Engine,
    processes: int | None,
    progress: Callable[[TenantOutcome], None] | None,
    verify: bool,
) -> UpgradeReport:
    started = time.perf_counter()
    upgrade_shared(engine)
    with engine.connect() as conn:
        catalogue = conn.execute(_CATALOGUE_SQL).all()
        real = current_versions(conn) if verify else None
    enabled = {row.slug: ("core", *row.plugins) for row in catalogue}
    ids = {row.slug: row.id for row in catalogue}
    pending = []
    for row in catalogue:
        streams = streams_for(row.plugins)
        if real is not None:
            late = behind(real, row.slug, streams)
        else:
            recorded = row.revisions or {}
            late = any(recorded.get(s.name) != s.head for s in streams)
        if late:
            pending.append(row.slug)
    report = UpgradeReport(tenants=len(enabled), at_head=len(enabled) - len(pending))
    workers = max(1, min(processes or os.cpu_count() or 2, len(pending), 8))
    if workers == 1:
        for slug in pending:
            outcome = migrate_tenant(slug, enabled[slug])
            report.outcomes.append(outcome)
            if progress:
                progress(outcome)
    elif pending:
        # fork: children inherit the loaded code; dolbom.db makes each child its own engine.
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            futures = {pool.submit(_child_migrate, slug, enabled[slug]): slug for slug in pending}
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as exc:  # the child itself died (killed, out of memory)
                    outcome = TenantOutcome(
                        futures[future],
                        ok=False,
                        error=f"{type(exc).__name__}: migration process died",
                    )
                report.outcomes.append(outcome)
                if progress:
                    progress(outcome)
    _record(report.outcomes, ids)
    if real is not None:
        _correct_catalogue(real, catalogue, set(pending))
    report.outcomes.sort(key=lambda o: o.slug)
    report.seconds = time.perf_counter() - started
    return report
