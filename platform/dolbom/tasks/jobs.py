"""The reminder jobs: one per tenant, in the tenant's own schema, and an hourly fan-out (which
also queues the district moves due on the day, dolbom.districts.jobs, and plugins' sweeps).

The fan-out (`remind_all`) is the one job without a tenant: it reads only the tenant directory
and queues `deadline_reminders` for each ready tenant, keyed by the day, so the hourly runs of
one day — and several schedulers, should two run — give one job per tenant and hour at most."""

from __future__ import annotations

import sqlalchemy as sa

from dolbom.clock import today
from dolbom.db import shared_session, tenant_transaction, utcnow
from dolbom.jobs import JobContext, enqueue, tenant_job
from dolbom.tasks.reminders import make_reminders
from dolbom.tenancy.models import Tenant

INTERVAL_SECONDS = 3600


@tenant_job("deadline_reminders")
def deadline_reminders(ctx: JobContext) -> int:
    with tenant_transaction(ctx.tenant) as session:
        return make_reminders(session, today())


def remind_all() -> int:
    with shared_session() as s:
        slugs = list(s.scalars(sa.select(Tenant.slug).where(Tenant.status == "ready")))
    from dolbom.districts.jobs import district_moves

    for slug in slugs:
        enqueue(deadline_reminders, slug, today().isoformat(), queue="low", retries=1)
        enqueue(district_moves, slug, today().isoformat(), queue="low", retries=1)
    _plugins_hourly(slugs)
    return len(slugs)


def _plugins_hourly(slugs: list[str]) -> None:
    """Each plugin's hourly sweeps, for the tenants that have it on."""
    from dolbom.plugins.host import get_host
    from dolbom.tenancy.models import TenantPlugin

    host = get_host()
    with shared_session() as s:
        rows = s.execute(
            sa.select(Tenant.slug, TenantPlugin.plugin)
            .join(TenantPlugin, TenantPlugin.tenant_id == Tenant.id)
            .where(Tenant.slug.in_(slugs), TenantPlugin.enabled)
        ).all()
    hour = utcnow().strftime("%Y%m%d%H")
    for slug, name in rows:
        plugin = host.plugins.get(name)
        for job in getattr(plugin, "hourly", ()):
            enqueue(job, slug, hour, queue="low", retries=1)


def register_schedule(scheduler) -> None:  # type: ignore[no-untyped-def]
    """What `dolbom cron` runs (rq.cron.CronScheduler)."""
    scheduler.register(remind_all, queue_name="low", interval=INTERVAL_SECONDS, job_timeout=600)
