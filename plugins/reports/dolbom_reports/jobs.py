"""The reward job: ids only (the tenant and the report), idempotent (see `reward.settle`)."""

from __future__ import annotations

import sqlalchemy as sa

from dolbom.plugins.api import JobContext, tenant_job, tenant_session
from dolbom_reports.models import RewardDue
from dolbom_reports.reward import settle

KIND = "reports-reward"
SWEEP = "reports-reward-sweep"


@tenant_job(KIND)
def reward_job(ctx: JobContext, report_id: int) -> str:
    with tenant_session(ctx.tenant) as session, session.begin():
        outcome = settle(session, ctx.tenant, int(report_id))
    ctx.progress(100)
    return outcome


@tenant_job(SWEEP)
def reward_sweep(ctx: JobContext) -> int:
    """Hourly (`dolbom cron`): settle every reward still pending — its job was lost (a worker
    killed, Redis emptied) or never queued. `settle` is idempotent, so a job that is merely
    late finds the payment there and does nothing."""
    with tenant_session(ctx.tenant) as session:
        pending = list(
            session.scalars(sa.select(RewardDue.report_id).where(RewardDue.state == "pending"))
        )
    for report_id in pending:
        with tenant_session(ctx.tenant) as session, session.begin():
            settle(session, ctx.tenant, report_id)
    return len(pending)
