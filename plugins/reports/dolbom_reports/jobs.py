"""The reward job: ids only (the tenant and the report), idempotent (see `reward.settle`)."""

from __future__ import annotations

from dolbom.plugins.api import JobContext, tenant_job, tenant_session
from dolbom_reports.reward import settle

KIND = "reports-reward"


@tenant_job(KIND)
def reward_job(ctx: JobContext, report_id: int) -> str:
    with tenant_session(ctx.tenant) as session, session.begin():
        outcome = settle(session, ctx.tenant, int(report_id))
    ctx.progress(100)
    return outcome
