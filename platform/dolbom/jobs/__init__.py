"""Background jobs on RQ.

Every job names its tenant explicitly and refuses to run without one; payloads carry ids,
never personal data. Job ids are `t__<slug>__<kind>__<key>`, so enqueuing the same work twice
gives the same job. Timeouts and retries are always set."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rq import Queue, Retry, get_current_job
from sqlalchemy.orm import Session

from dolbom.db import shared_session, utcnow
from dolbom.jobs.models import JobRecord
from dolbom.kv import get_redis
from dolbom.tenancy.slugs import is_valid_slug

log = logging.getLogger(__name__)

QUEUES = ("high", "default", "low")


class MissingTenant(RuntimeError):
    pass


def get_queue(name: str = "default") -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=get_redis())


@dataclass
class JobContext:
    tenant: str
    job_id: str | None

    def progress(self, percent: int, message: str | None = None) -> None:
        """Report progress to the job's record (polled by the progress bar) and RQ meta."""
        percent = max(0, min(100, int(percent)))
        job = get_current_job()
        if job is not None:
            job.meta["progress"] = percent
            job.save_meta()
        if self.job_id:
            update_record(self.job_id, progress=percent, message=message, status="started")


def update_record(job_id: str, **values: Any) -> None:
    with shared_session() as s, s.begin():
        record = s.get(JobRecord, job_id)
        if record is not None:
            for k, v in values.items():
                if v is not None or k == "message":
                    setattr(record, k, v)


def tenant_job(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate `fn(ctx: JobContext, *ids)`; the job is called as `job(tenant, *ids)`."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(tenant: str | None = None, *args: Any) -> Any:
            if not tenant or not is_valid_slug(tenant):
                raise MissingTenant(f"job {kind!r} refused: no tenant given")
            job = get_current_job()
            ctx = JobContext(tenant=tenant, job_id=job.id if job else None)
            if ctx.job_id:
                update_record(ctx.job_id, status="started")
            try:
                result = fn(ctx, *args)
            except Exception as exc:
                if ctx.job_id:
                    update_record(
                        ctx.job_id,
                        status="failed",
                        message=type(exc).__name__,
                        finished_at=utcnow(),
                    )
                raise
            if ctx.job_id:
                update_record(ctx.job_id, status="finished", progress=100, finished_at=utcnow())
            return result

        run.kind = kind  # type: ignore[attr-defined]
        return run

    return decorate


def rq_status(jid: str) -> str | None:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        status = Job.fetch(jid, connection=get_redis()).get_status(refresh=False)
        return getattr(status, "value", status)
    except NoSuchJobError:
        return None


def reconcile(session: Session, record: JobRecord) -> JobRecord:
    """A record still 'queued' or 'started' whose RQ job has ended without telling us (a killed
    work horse, a worker stopped cold) is marked failed, so nobody waits on it forever."""
    if record.status in {"queued", "started"} and rq_status(record.id) in {
        None,
        "failed",
        "stopped",
        "canceled",
        "finished",
    }:
        status = rq_status(record.id)
        record.status = "finished" if status == "finished" else "failed"
        record.message = record.message or "작업이 중단되었습니다"
        record.finished_at = utcnow()
        session.commit()
    return record


def job_id(tenant: str, kind: str, key: str) -> str:
    # The architecture's t:<slug>:<kind>:<key>, with "__" for ":" because RQ 3 accepts only
    # letters, digits, "_" and "-" in job ids. Slugs never contain "_", so it stays unambiguous.
    return f"t__{tenant}__{kind}__{key}"


def enqueue(
    func: Callable[..., Any],
    tenant: str | None,
    key: str,
    *args: Any,
    queue: str = "default",
    user_id: int | None = None,
    timeout: int = 600,
    retries: int = 2,
) -> str:
    """Queue `func(tenant, *args)`; the same tenant, kind and key give the same job."""
    if not tenant or not is_valid_slug(tenant):
        raise MissingTenant("a job needs its tenant")
    kind = getattr(func, "kind", None)
    if kind is None:
        raise ValueError(f"{func.__name__} is not a tenant job (use @tenant_job)")
    jid = job_id(tenant, kind, key)
    with shared_session() as s, s.begin():
        record = s.get(JobRecord, jid, with_for_update=True)
        active = record is not None and record.status in {"queued", "started"}
        if active and rq_status(jid) in {"queued", "started", "scheduled", "deferred"}:
            return jid  # the same work is already on its way
        # Otherwise new work — or a record that outlived its RQ job (work horse killed, Redis
        # lost): start again.
        if record is None:
            s.add(
                JobRecord(
                    id=jid,
                    tenant_slug=tenant,
                    kind=kind,
                    status="queued",
                    progress=0,
                    created_by=user_id,
                )
            )
        else:
            record.status, record.progress, record.message = "queued", 0, None
            record.result_file, record.finished_at = None, None
            record.created_by, record.created_at = user_id, utcnow()
    get_queue(queue).enqueue_call(
        func,
        args=(tenant, *args),
        job_id=jid,
        timeout=timeout,
        retry=Retry(max=retries, interval=[5, 30]) if retries else None,
        result_ttl=86400,
        failure_ttl=7 * 86400,
        meta={"tenant": tenant, "kind": kind},
    )
    return jid
