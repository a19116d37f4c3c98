"""Complaints (민원): reading their forms, registering them, and moving them along
received (접수) → handled (처리) → closed (종결).

There is no reopening: a closed complaint is the record of how the city answered. When the
complainant comes back, that is a new complaint (it may be linked to the same case), so the
first answer is never overwritten.

Every change checks the lock version the form was loaded with: a save over someone else's is
refused (`Stale`) and the view shows who changed it when, with the user's input kept."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from dolbom.cases.queries import case_in_scope
from dolbom.clock import today
from dolbom.complaints.models import COMPLAINT_CHANNELS, COMPLAINT_STATUSES, Complaint


class Refused(ValueError):
    """A change the complaint's status does not allow now."""


class Stale(Refused):
    """Someone saved the complaint after the form was loaded."""


@dataclass(frozen=True)
class Step:
    action: str
    label: str
    source: str
    target: str


STEPS = {
    "handle": Step("handle", "처리 기록", "received", "handled"),
    "close": Step("close", "종결", "handled", "closed"),
}
# "#1234", "1234" or "사례 1234": people copy the number from the case page header.
_CASE_NUMBER = re.compile(r"(?:사례\s*)?#?\s*(\d{1,9})")


@dataclass
class Reading:
    """A form read into values, with a Korean message per field at fault."""

    form: Mapping[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, key: str, label: str, limit: int, *, required: bool = True) -> None:
        value = (self.form.get(key) or "").strip()
        if not value and required:
            self.errors[key] = f"{label}을(를) 적으세요"
        elif len(value) > limit:
            self.errors[key] = f"{limit:,}자까지 적을 수 있습니다 (지금 {len(value):,}자)"
        else:
            self.values[key] = value or None

    def past_day(self, key: str, *, not_before: dt.date | None = None) -> None:
        """A day up to today; empty means today (most complaints are entered as they come)."""
        raw = (self.form.get(key) or "").strip()
        try:
            day = dt.date.fromisoformat(raw) if raw else today()
        except ValueError:
            self.errors[key] = "날짜를 YYYY-MM-DD로 적으세요"
            return
        if day > today():
            self.errors[key] = "앞으로의 날짜는 적을 수 없습니다"
        elif not_before is not None and day < not_before:
            self.errors[key] = f"접수일({not_before})보다 앞설 수 없습니다"
        else:
            self.values[key] = day

    def case(self, session: Session, role: str, dong_codes: Sequence[str]) -> None:
        """An optional case number; it must name a case the user may see in this tenant."""
        raw = (self.form.get("case_number") or "").strip()
        if not raw:
            self.values["case_id"] = None
            return
        match = _CASE_NUMBER.fullmatch(raw)
        if match is None:
            self.errors["case_number"] = "사례 번호를 숫자로 적으세요 (예: 1234)"
            return
        number = int(match.group(1))
        if case_in_scope(session, number, role, dong_codes) is None:
            self.errors["case_number"] = f"사례 #{number}을(를) 찾을 수 없습니다"
            return
        self.values["case_id"] = number


def read_complaint(
    session: Session, form: Mapping[str, str], *, role: str, dong_codes: Sequence[str]
) -> Reading:
    r = Reading(form)
    r.past_day("received_on")
    if form.get("channel", "") in COMPLAINT_CHANNELS:
        r.values["channel"] = form["channel"]
    else:
        r.errors["channel"] = "접수 경로를 고르세요"
    r.text("complainant", "민원인", 50, required=False)
    r.text("contact", "연락처", 50, required=False)
    r.text("subject", "제목", 200)
    r.text("content", "내용", 2000)
    r.case(session, role, dong_codes)
    return r


def read_handling(
    session: Session,
    complaint: Complaint,
    form: Mapping[str, str],
    *,
    role: str,
    dong_codes: Sequence[str],
) -> Reading:
    r = Reading(form)
    r.text("handling", "처리 내용", 2000)
    r.past_day("handled_on", not_before=complaint.received_on)
    # The case is often found while handling: the link can be set (or corrected) here.
    r.case(session, role, dong_codes)
    return r


def create(session: Session, values: Mapping[str, Any], *, user_id: int) -> Complaint:
    complaint = Complaint(created_by=user_id, status="received", **values)
    session.add(complaint)
    session.flush()
    return complaint


def refusal(complaint: Complaint, action: str) -> str | None:
    """Why `action` cannot happen to the complaint as it is now, or None."""
    step = STEPS.get(action)
    if step is None:
        return "알 수 없는 처리입니다"
    if complaint.status != step.source:
        now = COMPLAINT_STATUSES.get(complaint.status, complaint.status)
        return (
            f"'{step.label}'은(는) {COMPLAINT_STATUSES[step.source]} 상태의 민원에만 "
            f"할 수 있습니다 (지금: {now})"
        )
    return None


def _check(complaint: Complaint, action: str, lock_version: int | None) -> None:
    # The lock first: when the status moved on, the user must first see who moved it.
    if lock_version is None or lock_version != complaint.lock_version:
        raise Stale("다른 사람이 먼저 이 민원을 바꿨습니다")
    why = refusal(complaint, action)
    if why:
        raise Refused(why)


def handle(
    session: Session,
    complaint: Complaint,
    form: Mapping[str, str],
    *,
    role: str,
    dong_codes: Sequence[str],
    user_id: int,
    lock_version: int | None,
) -> dict[str, str]:
    """Record how the complaint was handled. Raises Stale or Refused; returns the input's
    errors by field (nothing changed when there are any)."""
    _check(complaint, "handle", lock_version)
    reading = read_handling(session, complaint, form, role=role, dong_codes=dong_codes)
    if reading.errors:
        return reading.errors
    complaint.status = STEPS["handle"].target
    complaint.handling = reading.values["handling"]
    complaint.handled_on = reading.values["handled_on"]
    complaint.handled_by = user_id
    complaint.case_id = reading.values["case_id"]
    session.flush()  # the version check runs in the UPDATE too: a concurrent save fails here
    return {}


def close(session: Session, complaint: Complaint, *, lock_version: int | None) -> dict[str, str]:
    _check(complaint, "close", lock_version)
    complaint.status = STEPS["close"].target
    complaint.closed_on = today()
    session.flush()
    return {}


def lock_from(form: Mapping[str, str]) -> int | None:
    raw = form.get("lock_version", "")
    return int(raw) if raw.isdecimal() else None
