"""Service levels (처리 기한): how many days each step may take, set per tenant, and the
deadline they give a case in its current stage.

The act sets no national deadlines for these steps; the defaults are the ones the pilot cities
worked to (reconstructed, 재구성) and every tenant may change them. The deadline is kept on the
case row (`Case.due_on`) whenever the case moves, so that lists can filter and sort "overdue"
with an index instead of recomputing it for 20,000 cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import Case, MonitoringCheck
from dolbom.tenant_settings import get as setting

# key → (label, default days, counted from)
SERVICE_LEVELS: dict[str, tuple[str, int, str]] = {
    "survey": ("사전조사 완료", 7, "신청일"),
    "judgement": ("통합판정 결과 입력", 30, "판정 요청일"),
    "plan": ("지원계획 회의 상정", 14, "판정 결과 입력일"),
    "meeting": ("통합지원회의 결정", 14, "회의 상정일"),
}
# Which service level runs while the case is in each stage. The application and the survey
# share one clock: the survey must be done within N days of the application.
STAGE_LEVEL = {"application": "survey", "survey": "survey", "judgement": "judgement",
               "plan": "plan", "meeting": "meeting"}  # fmt: skip
MAX_DAYS = 365


def check_levels(value: object) -> dict[str, str]:
    """Errors per key for a proposed setting (a pack or the console): whole days, 1 to 365."""
    if not isinstance(value, Mapping):
        return {"service_levels": "키: 일수 형식이어야 합니다"}
    errors: dict[str, str] = {}
    for key, days in value.items():
        if key not in SERVICE_LEVELS:
            errors[str(key)] = f"알 수 없는 처리 기한입니다 ({', '.join(SERVICE_LEVELS)})"
        elif isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            errors[str(key)] = f"기한은 1일에서 {MAX_DAYS}일 사이의 정수입니다"
    return errors


def service_levels(session: Session) -> dict[str, int]:
    """The tenant's days per step; a missing or invalid value falls back to the default."""
    stored = setting(session, "service_levels", None)
    levels = {key: default for key, (_label, default, _from) in SERVICE_LEVELS.items()}
    if isinstance(stored, Mapping) and not check_levels(stored):
        levels.update(stored)
    return levels


def next_check_due(session: Session, case_id: int) -> dt.date | None:
    return session.scalar(
        sa.select(sa.func.min(MonitoringCheck.due_on)).where(
            MonitoringCheck.case_id == case_id, MonitoringCheck.done_on.is_(None)
        )
    )


def deadline(case: Case, levels: Mapping[str, int], check_due: dt.date | None) -> dt.date | None:
    """The current stage's deadline: a service level from the day the clock started, the next
    monitoring check while services run, none once closed."""
    if case.stage in ("provision", "monitoring"):
        return check_due
    key = STAGE_LEVEL.get(case.stage)
    if key is None or case.stage_since is None:
        return None
    return case.stage_since + dt.timedelta(days=levels[key])


def refresh(session: Session, case: Case) -> None:
    """Recompute the case's deadline after it moved (or a check was recorded)."""
    check_due = next_check_due(session, case.id) if case.id else None
    case.due_on = deadline(case, service_levels(session), check_due)


def days_left(case: Case, today: dt.date) -> int | None:
    return None if case.due_on is None else (case.due_on - today).days
