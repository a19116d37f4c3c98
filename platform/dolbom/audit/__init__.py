"""Platform audit trail."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dolbom.audit.models import PlatformEvent


def record(
    session: Session,
    action: str,
    *,
    user_id: int | None = None,
    tenant_slug: str | None = None,
    ip: str | None = None,
    **detail: object,
) -> None:
    session.add(
        PlatformEvent(
            action=action, user_id=user_id, tenant_slug=tenant_slug, ip=ip, detail=dict(detail)
        )
    )
