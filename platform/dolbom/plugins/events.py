"""Where core code tells plugins what happened: only the plugins the session's tenant switched
on hear it (the host's subset callers), so a tenant without a plugin leaves no trace in it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Session

from dolbom.plugins.host import get_host

if TYPE_CHECKING:
    from dolbom.cases.models import Case, CaseEvent
    from dolbom.plugins.api import Panel


def tenant_of(session: Session) -> str:
    """The slug of the tenant a session is bound to (its schema translation)."""
    options = session.get_bind().get_execution_options()
    schema = (options.get("schema_translate_map") or {}).get(None)
    if not schema or not schema.startswith("t_"):
        raise RuntimeError("the session is not bound to a tenant")
    return schema[2:].replace("_", "-")  # slugs never hold "_": schema_for() made it from "-"


def enabled_plugins(session: Session, slug: str) -> frozenset[str]:
    if has_request_context() and g.get("tenant") is not None and g.tenant.slug == slug:
        return g.enabled_plugins
    from dolbom.tenancy.models import Tenant, TenantPlugin

    rows = session.scalars(
        sa.select(TenantPlugin.plugin)
        .join(Tenant, Tenant.id == TenantPlugin.tenant_id)
        .where(Tenant.slug == slug, TenantPlugin.enabled)
    )
    return frozenset(rows)


def case_transition(session: Session, case: Case, event: CaseEvent) -> None:
    from dolbom.plugins.services import CaseInfo

    slug = tenant_of(session)
    enabled = enabled_plugins(session, slug)
    if not enabled:
        return
    get_host().call("dolbom_case_transition", enabled, tenant_slug=slug, session=session,
                    case=CaseInfo.of(case), action=event.action, from_stage=event.from_stage,
                    user_id=event.by)  # fmt: skip


def case_panels(session: Session, case: Case) -> list[Panel]:
    from dolbom.plugins.services import CaseInfo
    from dolbom.tenancy.operations import tenant_context

    if not g.enabled_plugins:
        return []
    m = g.membership
    ctx = tenant_context(g.tenant, m.role, m.user_id)
    return get_host().call("dolbom_case_panels", g.enabled_plugins, ctx=ctx, session=session,
                           case=CaseInfo.of(case))  # fmt: skip
