"""Per-tenant settings stored in the tenant's own schema, behind a small typed proxy."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dolbom.tenant_settings.models import TenantSetting


def get(session: Session, key: str, default: object = None) -> object:
    row = session.get(TenantSetting, key)
    return default if row is None else row.value


def set_value(session: Session, key: str, value: object) -> None:
    row = session.get(TenantSetting, key)
    if row is None:
        session.add(TenantSetting(key=key, value=value))
    else:
        row.value = value
