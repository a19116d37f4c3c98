"""Recording and reading configuration changes (the console's audit trail)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.console.models import ConfigChange

AREAS = (
    "profile",
    "settings",
    "district",
    "staff",
    "programme",
    "provider",
    "form",
    "rule",
    "plugin",
    "pack",
)


def _plain(value: Any) -> Any:
    """JSON-safe copy: dates as ISO text, sets and tuples as sorted lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def record_change(
    session: Session,
    area: str,
    subject: str,
    *,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    user_id: int | None,
    action: str | None = None,
    source: str | None = None,
) -> ConfigChange | None:
    """Add one audit entry in the caller's transaction. Only the fields that differ are kept
    (both sides), so the log reads as before → after. Nothing is recorded when nothing changed."""
    if area not in AREAS:
        raise ValueError(f"unknown config area {area!r}")
    old = _plain(dict(before)) if before is not None else None
    new = _plain(dict(after)) if after is not None else None
    if old is not None and new is not None:
        keys = sorted(set(old) | set(new))
        changed = [k for k in keys if old.get(k) != new.get(k)]
        if not changed:
            return None
        old = {k: old.get(k) for k in changed}
        new = {k: new.get(k) for k in changed}
    if action is None:
        action = "create" if old is None else "delete" if new is None else "update"
    entry = ConfigChange(
        area=area,
        subject=subject[:200],
        action=action,
        before=old,
        after=new,
        user_id=user_id,
        source=source,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class Page:
    rows: Sequence[ConfigChange]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def changes(
    session: Session, *, area: str | None = None, page: int = 1, per_page: int = 50
) -> Page:
    query = sa.select(ConfigChange)
    if area:
        query = query.where(ConfigChange.area == area)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ConfigChange.at.desc(), ConfigChange.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(rows, total, page, per_page)
