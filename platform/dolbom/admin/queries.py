"""Read models for the operator pages."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy.orm import Session

from dolbom.jobs import QUEUES
from dolbom.jobs.models import JobRecord
from dolbom.kv import get_redis
from dolbom.tenancy.models import Tenant, TenantMigration


@dataclass
class TenantRow:
    tenant: Tenant
    revision: str | None
    migration_status: str | None
    last_job: JobRecord | None


def tenant_rows(session: Session) -> list[TenantRow]:
    tenants = session.scalars(sa.select(Tenant).order_by(Tenant.name)).all()
    core = {
        m.tenant_id: m
        for m in session.scalars(sa.select(TenantMigration).where(TenantMigration.stream == "core"))
    }
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
    return [
        TenantRow(
            t,
            core[t.id].revision if t.id in core else None,
            core[t.id].status if t.id in core else None,
            jobs.get(t.slug),
        )
        for t in tenants
    ]


@dataclass
class FailedJob:
    id: str
    queue: str
    function: str
    error: str
    ended_at: object


def failed_jobs(limit: int = 100) -> list[FailedJob]:
    """Failed RQ jobs: id, function and the exception's type — never its arguments."""
    from rq.job import Job

    conn = get_redis()
    result: list[FailedJob] = []
    for name in QUEUES:
        registry = FailedJobRegistry(queue=Queue(name, connection=conn))
        ids = registry.get_job_ids(0, limit - 1)
        for job in Job.fetch_many(ids, connection=conn):
            if job is None:
                continue
            result_ = job.latest_result()
            exc = ((result_.exc_string if result_ else None) or "").strip().splitlines()
            last = exc[-1] if exc else ""
            result.append(
                FailedJob(job.id, name, job.func_name or "", last.split(":")[0][:120], job.ended_at)
            )
    return result


def recent_jobs(session: Session, limit: int = 50) -> list[JobRecord]:
    return list(
        session.scalars(sa.select(JobRecord).order_by(JobRecord.created_at.desc()).limit(limit))
    )
