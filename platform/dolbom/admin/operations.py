"""State changes from the operator console: requesting a new tenant, retrying a failed job."""

from __future__ import annotations

from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.registry import FailedJobRegistry
from sqlalchemy.orm import Session

from dolbom import audit
from dolbom.admin.forms import NewTenant
from dolbom.admin.provision import create_tenant_job, record_request
from dolbom.admin.queries import failed_queue
from dolbom.jobs import enqueue
from dolbom.jobs.models import JobRecord

CREATE_TIMEOUT = 900  # seconds: a large pack (hundreds of providers) loads in well under this


class JobGone(LookupError):
    """The job left the failed list meanwhile (retried by someone else, or expired)."""


def request_tenant(
    session: Session, form: NewTenant, *, user_id: int | None, ip: str | None
) -> str:
    """Record the checked request and queue its job; returns the job id."""
    v = form.values
    slug = v["slug"]
    key = record_request(
        session,
        slug,
        v["name"],
        region=v["region"] or None,
        pack=v["pack"] or None,
        user_id=user_id,
        ip=ip,
    )
    session.commit()  # the job reads the request: it must be there before the job is
    return enqueue(
        create_tenant_job, slug, key, key, user_id=user_id, timeout=CREATE_TIMEOUT, retries=2
    )


def retry_failed_job(session: Session, job_id: str, *, user_id: int | None, ip: str | None) -> None:
    """Put a failed job back on its queue, as it was (same id, same payload). JobGone if it is
    not (or no longer) in a failed list."""
    queue = failed_queue(job_id)
    if queue is None:
        raise JobGone(job_id)
    try:
        job = FailedJobRegistry(queue=queue).requeue(job_id)
    except (InvalidJobOperation, NoSuchJobError) as exc:
        raise JobGone(job_id) from exc
    record = session.get(JobRecord, job_id)
    if record is not None:
        # The progress bar polls again and shows the new run.
        record.status, record.progress, record.message = "queued", 0, None
        record.finished_at = None
    audit.record(
        session,
        "job.requeued",
        user_id=user_id,
        tenant_slug=record.tenant_slug if record else job.meta.get("tenant"),
        ip=ip,
        job=job_id,
        function=job.func_name,
    )
    session.commit()
