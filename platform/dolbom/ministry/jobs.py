"""Rollups as jobs: nightly on a schedule and on demand with a progress bar.

One job walks the ready tenants: for each it computes the figures inside the tenant's schema
(`rollup.compute`) and replaces that tenant's rows in the shared schema, in its own transaction,
so one tenant's failure flags that tenant (keeping its last good figures) and the others go
on. Then the publication step suppresses small cells. The job's payload is a key, never data."""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from rq import get_current_job
from sqlalchemy.dialects.postgresql import insert

from dolbom.clock import today
from dolbom.db import shared_session, tenant_session, utcnow
from dolbom.jobs import get_queue, rq_status, update_record
from dolbom.jobs.models import JobRecord
from dolbom.ministry.models import MinistryFigure, MinistryRollup
from dolbom.ministry.rollup import compute
from dolbom.tenancy.models import Tenant

log = logging.getLogger(__name__)
KIND = "ministry_rollup"
PLATFORM = "*"  # the job record's tenant: this job belongs to no single tenant
# 02:00 in Korea (17:00 UTC): after the day's work, before the analysts' morning.
NIGHTLY_CRON = "0 17 * * *"


def job_id(key: str) -> str:
    return f"p__ministry__rollup__{key}"


def rollup_tenant(tenant_id: int, slug: str, day: dt.date) -> bool:
    """Replace one tenant's figures; on failure keep the old ones and flag the tenant."""
    from dolbom.console.settings import profile

    started = utcnow()
    try:
        with tenant_session(slug) as session:
            p = profile(session)
            figures = compute(session, p, day)
        pop = next((f.value for f in reversed(figures) if f.metric == "population_65"), None)
        attrs = {"pilot_field": p.get("pilot_field"), "population_65": int(pop) if pop else None}
        with shared_session() as s, s.begin():
            s.execute(sa.delete(MinistryFigure).where(MinistryFigure.tenant_id == tenant_id))
            if figures:
                # Core insert: every row has every key, so it goes in a few large batches.
                s.execute(MinistryFigure.__table__.insert(), [
                    {"tenant_id": tenant_id, "month": f.month, "metric": f.metric,
                     "value": f.value, "n": f.n} for f in figures])  # fmt: skip
            _status(s, tenant_id, "ok", started, None, figures, attrs)
        return True
    except Exception as exc:  # one tenant's failure must not stop the others
        log.warning("ministry rollup failed", extra={"tenant": slug, "error": type(exc).__name__})
        with shared_session() as s, s.begin():
            _status(s, tenant_id, "failed", started, type(exc).__name__, None, {})
        return False


def _status(s, tenant_id, status, started, error, figures, attrs) -> None:  # type: ignore[no-untyped-def]
    values = {"status": status, "started_at": started, "error": error, **attrs}
    if status == "ok":
        months = [f.month for f in figures or []]
        values |= {"succeeded_at": utcnow(), "first_month": min(months, default=None),
                   "last_month": max(months, default=None)}  # fmt: skip
    stmt = insert(MinistryRollup).values(tenant_id=tenant_id, **values)
    s.execute(stmt.on_conflict_do_update(index_elements=["tenant_id"], set_=values))


def rollup_all() -> dict[str, int]:
    """Every ready tenant, then publication. Reports progress to its job record."""
    from dolbom.ministry.publish import publish_all

    job = get_current_job()
    jid = job.id if job else None
    if jid:
        update_record(jid, status="started", progress=0)
    with shared_session() as s:
        tenants = s.execute(
            sa.select(Tenant.id, Tenant.slug).where(Tenant.status == "ready").order_by(Tenant.id)
        ).all()
    day, failed = today(), 0
    for i, (tid, slug) in enumerate(tenants, 1):
        failed += not rollup_tenant(tid, slug, day)
        if jid and (i % 5 == 0 or i == len(tenants)):
            update_record(jid, progress=int(90 * i / max(1, len(tenants))),
                          message=f"{i}/{len(tenants)}")  # fmt: skip
    publish_all()
    if jid:
        update_record(jid, status="finished", progress=100, finished_at=utcnow(),
                      message=f"{len(tenants)}곳 중 {len(tenants) - failed}곳 완료")  # fmt: skip
    return {"tenants": len(tenants), "failed": failed}


def start(key: str, user_id: int | None = None) -> str:
    """Queue a rollup of every tenant; the same key while one is on its way gives that one."""
    jid = job_id(key)
    with shared_session() as s, s.begin():
        record = s.get(JobRecord, jid, with_for_update=True)
        active = record is not None and record.status in {"queued", "started"}
        if active and rq_status(jid) in {"queued", "started", "scheduled", "deferred"}:
            return jid
        if record is None:
            s.add(JobRecord(id=jid, tenant_slug=PLATFORM, kind=KIND, status="queued",
                            progress=0, created_by=user_id))  # fmt: skip
        else:
            record.status, record.progress, record.message = "queued", 0, None
            record.finished_at, record.created_by, record.created_at = None, user_id, utcnow()
    get_queue("low").enqueue_call(rollup_all, job_id=jid, timeout=3600, result_ttl=86400,
                                  failure_ttl=7 * 86400, meta={"kind": KIND})  # fmt: skip
    return jid


def nightly() -> str:
    """What the schedule runs: one rollup per night."""
    return start(today().isoformat())


def register_schedule(scheduler) -> None:  # type: ignore[no-untyped-def]
    scheduler.register(nightly, queue_name="low", cron=NIGHTLY_CRON, job_timeout=600)
