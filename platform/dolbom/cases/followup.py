"""Contact records and monitoring checks: reading their small forms and storing them."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases import deadlines
from dolbom.cases.models import CONTACT_KINDS, Case, Contact, MonitoringCheck
from dolbom.clock import today
from dolbom.tasks.models import Task
from dolbom.tenant_settings import get as setting

DEFAULT_MONITORING_MONTHS = (1, 3)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day (31 January + 1 → 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def monitoring_months(session: Session) -> tuple[int, ...]:
    value = setting(session, "monitoring_months", None)
    if isinstance(value, list) and value and all(isinstance(m, int) and 0 < m <= 24 for m in value):
        return tuple(sorted(set(value)))
    return DEFAULT_MONITORING_MONTHS


def schedule_monitoring(session: Session, case: Case, start: dt.date) -> list[MonitoringCheck]:
    """The checks after services start; a check already scheduled (a re-approval) stays."""
    have = set(
        session.scalars(sa.select(MonitoringCheck.months).where(MonitoringCheck.case_id == case.id))
    )
    checks = [MonitoringCheck(case_id=case.id, months=m, due_on=add_months(start, m))
              for m in monitoring_months(session) if m not in have]  # fmt: skip
    session.add_all(checks)
    return checks


def checks_of(session: Session, case_id: int) -> Sequence[MonitoringCheck]:
    return session.scalars(
        sa.select(MonitoringCheck)
        .where(MonitoringCheck.case_id == case_id)
        .order_by(MonitoringCheck.due_on)
    ).all()


def contacts_of(session: Session, case_id: int) -> Sequence[Contact]:
    return session.scalars(
        sa.select(Contact)
        .where(Contact.case_id == case_id)
        .order_by(Contact.on.desc(), Contact.id.desc())
    ).all()


def _text(form: Mapping[str, str], key: str, limit: int, errors: dict[str, str], label: str,
          required: bool = True) -> str | None:  # fmt: skip
    value = (form.get(key) or "").strip()
    if not value:
        if required:
            errors[key] = f"{label}을(를) 적으세요"
        return None
    if len(value) > limit:
        errors[key] = f"{limit:,}자까지 적을 수 있습니다 ({len(value):,}자)"
        return None
    return value


def _day(form: Mapping[str, str], key: str, errors: dict[str, str]) -> dt.date | None:
    raw = (form.get(key) or "").strip()
    if not raw:
        return today()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors[key] = "날짜를 YYYY-MM-DD로 적으세요"
        return None
    if day > today():
        errors[key] = "앞으로의 날짜는 적을 수 없습니다"
        return None
    return day


def _next_due(
    form: Mapping[str, str], action: str | None, errors: dict[str, str]
) -> dt.date | None:
    raw = (form.get("next_due") or "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors["next_due"] = "날짜를 YYYY-MM-DD로 적으세요"
        return None
    if day < today():
        errors["next_due"] = "기한은 오늘이나 그 뒤여야 합니다"
    elif not action:
        errors["next_due"] = "기한을 두려면 다음 할 일을 적으세요"
    return day


def add_contact(
    session: Session, case: Case, form: Mapping[str, str], *, user_id: int
) -> dict[str, str]:
    """Store a contact; returns the errors by field (nothing stored when there are any)."""
    errors: dict[str, str] = {}
    kind = form.get("kind", "")
    if kind not in CONTACT_KINDS:
        errors["kind"] = "방법을 고르세요"
    on = _day(form, "on", errors)
    content = _text(form, "content", 2000, errors, "내용")
    next_action = _text(form, "next_action", 500, errors, "다음 할 일", required=False)
    next_due = _next_due(form, next_action, errors)
    if not errors and on is not None and content is not None:
        if next_action and next_due:  # the next action becomes the worker's own task
            session.add(Task(assignee_id=user_id, created_by=user_id, case_id=case.id,
                             title=next_action[:200], due_on=next_due, source="manual"))  # fmt: skip
        session.add(
            Contact(
                case_id=case.id,
                on=on,
                kind=kind,
                content=content,
                next_action=next_action,
                by=user_id,
            )
        )
        session.flush()
    return errors


def record_check(session: Session, case: Case, check: MonitoringCheck, form: Mapping[str, str], *,
                 user_id: int) -> dict[str, str]:  # fmt: skip
    errors: dict[str, str] = {}
    if check.done_on is not None:
        return {"form": "이미 기록한 점검입니다"}
    done = _day(form, "done_on", errors)
    condition = _text(form, "condition", 1000, errors, "대상자 상태")
    use = _text(form, "service_use", 1000, errors, "서비스 이용")
    change = {"yes": True, "no": False}.get(form.get("plan_change", ""))
    if change is None:
        errors["plan_change"] = "계획 변경이 필요한지 고르세요"
    if errors:
        return errors
    check.done_on, check.condition, check.service_use, check.plan_change, check.by = (
        done,
        condition,
        use,
        change,
        user_id,
    )
    session.flush()
    deadlines.refresh(session, case)  # the next check is now the case's deadline
    return {}
