"""Read models for the operator pages."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy.orm import Session

from dolbom.cases.models import Case
from dolbom.catalogue.models import Provider
from dolbom.db import schema_for, tenant_session
from dolbom.identity.models import Membership, User
from dolbom.jobs import QUEUES
from dolbom.jobs.models import JobRecord
from dolbom.kv import get_redis
from dolbom.migrate.streams import core_stream, plugin_stream
from dolbom.people.models import Person
from dolbom.plugins.host import get_host
from dolbom.tenancy.models import Tenant, TenantMigration

log = logging.getLogger(__name__)


@dataclass
class StreamVersion:
    """One migration stream of one tenant: its revision and whether that is the code's head."""

    name: str
    revision: str | None
    status: str
    head: str | None

    @property
    def at_head(self) -> bool:
        return self.status == "off" or (self.revision is not None and self.revision == self.head)


@dataclass
class Figures:
    people: int | None = None
    open_cases: int | None = None
    staff: int = 0
    providers: int | None = None
    size: int | None = None  # bytes, tables with their indexes and TOAST


@dataclass
class TenantRow:
    tenant: Tenant
    revision: str | None
    migration_status: str | None
    last_job: JobRecord | None
    streams: list[StreamVersion] = field(default_factory=list)
    figures: Figures = field(default_factory=Figures)

    @property
    def at_head(self) -> bool:
        return bool(self.streams) and all(s.at_head for s in self.streams)


def _heads() -> dict[str, str | None]:
    heads = {"core": core_stream().head}
    for name, plugin in get_host().plugins.items():
        stream = plugin_stream(plugin)
        if stream is not None:
            heads[name] = stream.head
    return heads


def tenant_rows(session: Session) -> list[TenantRow]:
    """Every tenant with its streams' versions and its last export: three shared-schema
    queries whatever the number of tenants. Figures are separate (`add_figures`)."""
    tenants = session.scalars(sa.select(Tenant).order_by(Tenant.name, Tenant.slug)).all()
    heads = _heads()
    streams: dict[int, list[StreamVersion]] = {}
    for m in session.scalars(
        sa.select(TenantMigration).order_by(TenantMigration.tenant_id, TenantMigration.stream)
    ):
        streams.setdefault(m.tenant_id, []).append(
            StreamVersion(m.stream, m.revision, m.status, heads.get(m.stream))
        )
    for versions in streams.values():
        versions.sort(key=lambda s: (s.name != "core", s.name))
    latest = (
        sa.select(
            JobRecord,
            sa.func.row_number()
            .over(partition_by=JobRecord.tenant_slug, order_by=JobRecord.created_at.desc())
            .label("n"),
        )
        .where(JobRecord.kind == "export")
        .subquery()
    )
    jobs = {
        j.tenant_slug: j
        for j in session.scalars(
            sa.select(sa.orm.aliased(JobRecord, latest)).where(latest.c.n == 1)
        )
    }
    rows = []
    for t in tenants:
        versions = streams.get(t.id, [])
        core = next((s for s in versions if s.name == "core"), None)
        rows.append(
            TenantRow(
                t,
                core.revision if core else None,
                core.status if core else None,
                jobs.get(t.slug),
                versions,
            )
        )
    return rows


# The size of every tenant schema in one catalogue query: metadata, no tenant's rows.
_SIZES = sa.text(
    """
    SELECT n.nspname, sum(pg_total_relation_size(c.oid))::bigint
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'm') AND n.nspname = ANY(:schemas)
    GROUP BY n.nspname
    """
)

# One statement per tenant for its own counts (three scalar subqueries, one round trip).
_COUNTS = sa.select(
    sa.select(sa.func.count()).select_from(Person).scalar_subquery(),
    sa.select(sa.func.count()).select_from(Case).where(Case.stage != "closed").scalar_subquery(),
    sa.select(sa.func.count())
    .select_from(Provider)
    .where(Provider.active.is_(True))
    .scalar_subquery(),
)


def add_figures(session: Session, rows: list[TenantRow]) -> None:
    """Fill in each row's counts and schema size.

    Staff (memberships of active users) and sizes are shared facts: one query each for all
    tenants. People, open cases and providers live in each tenant's schema, and no request may
    run SQL across tenants, so each tenant is counted on its own tenant-bound session in a
    short transaction of its own: one round trip per tenant, ~1 ms each, about 20-40 ms for
    20 tenants. That is the right trade-off for tens of tenants; with hundreds, these counts
    should become a rollup job per tenant cached in Redis, like the ministry's figures."""
    if not rows:
        return
    ids = [r.tenant.id for r in rows]
    staff = dict(
        session.execute(
            sa.select(Membership.tenant_id, sa.func.count())
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id.in_(ids), User.active.is_(True))
            .group_by(Membership.tenant_id)
        ).all()
    )
    sizes = dict(
        session.execute(_SIZES, {"schemas": [schema_for(r.tenant.slug) for r in rows]}).all()
    )
    for row in rows:
        figures = row.figures
        figures.staff = staff.get(row.tenant.id, 0)
        figures.size = sizes.get(schema_for(row.tenant.slug))
        if row.tenant.status != "ready" or figures.size is None:
            continue  # half-made or without a schema: nothing to count
        try:
            with tenant_session(row.tenant.slug) as s:
                figures.people, figures.open_cases, figures.providers = s.execute(_COUNTS).one()
        except sa.exc.DBAPIError as exc:
            # One broken tenant (a failed migration) must not take the operators' page down.
            log.warning("counting tenant %s failed: %s", row.tenant.slug, type(exc.orig).__name__)


@dataclass
class FailedJob:
    id: str
    queue: str
    function: str
    error: str
    ended_at: datetime | None


def _error_line(exc_string: str | None) -> str:
    """The traceback's last line: the exception and its message (ours never name a person;
    database errors hide their parameters)."""
    lines = [ln.strip() for ln in (exc_string or "").strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


def failed_jobs(limit: int = 100) -> list[FailedJob]:
    """Failed RQ jobs: id, function and the error line — never their arguments."""
    from rq.job import Job

    conn = get_redis()
    result: list[FailedJob] = []
    for name in QUEUES:
        registry = FailedJobRegistry(queue=Queue(name, connection=conn))
        ids = registry.get_job_ids(0, limit - 1)
        for job in Job.fetch_many(ids, connection=conn):
            if job is None:
                continue
            latest = job.latest_result()
            error = _error_line(latest.exc_string if latest else None)
            result.append(FailedJob(job.id, name, job.func_name or "", error, job.ended_at))
    return result


def failed_queue(job_id: str) -> Queue | None:
    """The queue whose failed-job registry holds `job_id`, if any."""
    conn = get_redis()
    for name in QUEUES:
        queue = Queue(name, connection=conn)
        if job_id in FailedJobRegistry(queue=queue):
            return queue
    return None


def recent_jobs(session: Session, limit: int = 50) -> list[JobRecord]:
    return list(
        session.scalars(sa.select(JobRecord).order_by(JobRecord.created_at.desc()).limit(limit))
    )
