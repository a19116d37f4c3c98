"""The hourly job that carries out district changes on their day: a merge or split decided
ahead of its date moves people, open cases, staff scopes and provider coverage when the day
comes (see `operations.due_moves`). Queued for each ready tenant by the reminders' fan-out."""

from __future__ import annotations

import sqlalchemy as sa

from dolbom.clock import today
from dolbom.console.changes import record_change
from dolbom.db import shared_session, tenant_session, tenant_transaction
from dolbom.jobs import JobContext, tenant_job
from dolbom.tenancy.models import Tenant


@tenant_job("district_moves")
def district_moves(ctx: JobContext) -> int:
    """Returns how many records moved (people, open cases, scopes, providers)."""
    from dolbom.districts.operations import due_moves
    from dolbom.identity.operations import refresh_sessions

    with shared_session() as shared:
        tenant_id = shared.scalar(sa.select(Tenant.id).where(Tenant.slug == ctx.tenant))
    if tenant_id is None:
        return 0
    with tenant_transaction(ctx.tenant) as session:
        moved, users = due_moves(session, tenant_id, today())
        total = moved.people + moved.open_cases + moved.staff + moved.providers
        if total:
            record_change(session, "district", "예정된 이동", before=None, after=moved.__dict__,
                          user_id=None, action="move", source="일정")  # fmt: skip
    if users:  # after the commit: live sessions see the new scopes on their next request
        with tenant_session(ctx.tenant) as session:
            refresh_sessions(session, users)
    return total
