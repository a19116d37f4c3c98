"""Meetings: creating them, putting cases on the agenda, deciding every case in one pass (all
or nothing), and signing the minutes off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import CLOSURE_REASONS, Case
from dolbom.cases.transitions import Refused, transition
from dolbom.clock import today
from dolbom.db import utcnow
from dolbom.meetings.models import DECISIONS, Meeting, MeetingItem


class MeetingError(ValueError):
    pass


def read_meeting(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    try:
        held_on = dt.date.fromisoformat((form.get("held_on") or "").strip())
    except ValueError:
        held_on = None
        errors["held_on"] = "회의 날짜를 YYYY-MM-DD로 적으세요"
    place = (form.get("place") or "").strip()
    if not place:
        errors["place"] = "장소를 적으세요"
    elif len(place) > 200:
        errors["place"] = "200자까지 적을 수 있습니다"
    attendees = []
    for i, line in enumerate((form.get("attendees") or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, _sep, organisation = (part.strip() for part in line.partition(","))
        if not name or len(name) > 50 or len(organisation) > 100:
            errors["attendees"] = f"{i}번째 줄: '이름, 소속' 형식으로 적으세요"
            break
        attendees.append({"name": name, "organisation": organisation})
    if not attendees and "attendees" not in errors:
        errors["attendees"] = "참석자를 한 줄에 한 명씩 적으세요 (이름, 소속)"
    return {"held_on": held_on, "place": place, "attendees": attendees}, errors


def create(session: Session, data: dict[str, Any], *, user_id: int) -> Meeting:
    meeting = Meeting(created_by=user_id, **data)
    session.add(meeting)
    session.flush()
    return meeting


def next_meeting(session: Session) -> Meeting | None:
    return session.scalar(
        sa.select(Meeting).where(Meeting.decided_at.is_(None), Meeting.held_on >= today())
        .order_by(Meeting.held_on, Meeting.id).limit(1)
    )  # fmt: skip


def add_to_agenda(session: Session, case: Case, *, user_id: int) -> Meeting:
    if case.stage != "meeting":
        raise MeetingError("통합지원회의 단계의 사례만 안건에 올릴 수 있습니다")
    meeting = next_meeting(session)
    if meeting is None:
        raise MeetingError("예정된 회의가 없습니다. 시군구 담당자가 회의를 먼저 만들어야 합니다")
    if any(item.case_id == case.id for item in meeting.items):
        raise MeetingError(f"이미 {meeting.held_on} 회의 안건에 있습니다")
    session.add(MeetingItem(meeting_id=meeting.id, case_id=case.id, added_by=user_id))
    session.flush()
    return meeting


def decide(session: Session, meeting: Meeting, form: Mapping[str, str], *, role: str,
           user_id: int) -> dict[str, str]:  # fmt: skip
    """Every agenda item's decision applied to its case in one go. Returns errors by field
    (`decision_<item>`, `remarks_<item>`, `closure_<item>`); nothing is applied when any."""
    if meeting.decided_at is not None:
        return {"form": "이미 결정을 기록한 회의입니다"}
    errors: dict[str, str] = {}
    plans: list[tuple[MeetingItem, str, dict[str, str]]] = []
    for item in meeting.items:
        decision = form.get(f"decision_{item.id}", "")
        remarks = (form.get(f"remarks_{item.id}") or "").strip()
        if decision not in DECISIONS:
            errors[f"decision_{item.id}"] = "승인·변경·종결 중에서 고르세요"
            continue
        if len(remarks) > 1000:
            errors[f"remarks_{item.id}"] = "1,000자까지 적을 수 있습니다"
            continue
        inputs = {"note": remarks}
        if decision == "change" and not remarks:
            errors[f"remarks_{item.id}"] = "변경할 내용을 적으세요"
            continue
        if decision == "close":
            reason = form.get(f"closure_{item.id}", "")
            if reason not in CLOSURE_REASONS:
                errors[f"closure_{item.id}"] = "종결 사유를 고르세요"
                continue
            inputs["closure_reason"] = reason
        plans.append((item, decision, inputs))
    if not meeting.items:
        errors["form"] = "안건이 없습니다"
    if errors:
        return errors
    for item, decision, inputs in plans:
        case = item.case
        try:
            transition(session, case, decision, role=role, user_id=user_id, form=inputs,
                       lock_version=case.lock_version)  # fmt: skip
        except Refused as exc:
            errors[f"decision_{item.id}"] = exc.message
            continue
        item.decision, item.remarks = decision, inputs["note"] or None
    if errors:
        return errors  # the caller rolls back: all or nothing
    meeting.decided_at = utcnow()
    session.flush()
    return {}


def sign(session: Session, meeting: Meeting, minutes: str, *, user_id: int) -> dict[str, str]:
    if meeting.decided_at is None:
        return {"minutes": "결정을 먼저 기록하세요"}
    if meeting.signed_at is not None:
        return {"minutes": "이미 확정된 회의록입니다"}
    minutes = minutes.strip()
    if not minutes:
        return {"minutes": "회의록을 적으세요"}
    if len(minutes) > 20_000:
        return {"minutes": "20,000자까지 적을 수 있습니다"}
    meeting.minutes, meeting.signed_at, meeting.signed_by = minutes, utcnow(), user_id
    session.flush()
    return {}


def items_for_case(session: Session, case_id: int) -> list[MeetingItem]:
    """The case's agenda items across meetings, newest meeting first (the case page's tab)."""
    return list(
        session.scalars(
            sa.select(MeetingItem)
            .join(Meeting)
            .where(MeetingItem.case_id == case_id)
            .order_by(Meeting.held_on.desc(), MeetingItem.id.desc())
        )
    )
