"""The history a synthetic case's stage implies, written in bulk (a benchmark makes 20,000).

A case in `provision` was surveyed, judged, planned and approved by a meeting; the dates fall
between its opening and today in order. Meetings are held every other Thursday, so approved
cases share agenda lists as real ones do."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases import deadlines
from dolbom.cases.followup import add_months, monitoring_months
from dolbom.cases.models import (
    CLOSURE_REASONS,
    STAGES,
    Case,
    CaseEvent,
    Contact,
    MonitoringCheck,
    SupportPlan,
)
from dolbom.cases.transitions import JUDGEMENT_RISK
from dolbom.db import utcnow
from dolbom.meetings.models import Meeting, MeetingItem
from dolbom.people.models import Consent

ORDER = list(STAGES)
# (action, stage reached) for each step a case has passed on its way to its stage
STEPS = [("start_survey", "survey"), ("request_judgement", "judgement"), ("record_judgement", "plan"),
         ("submit_plan", "meeting"), ("approve", "provision"), ("start_monitoring", "monitoring")]  # fmt: skip
# Keys and names of the Jeonju pack's catalogue, so demo plans can be referred.
SERVICES = [("meal_support", "영양·식사 지원", "주 5회"),
            ("safety_check", "안부 확인 (AI 돌봄 전화·방문)", "주 2회"),
            ("housing_repair", "주거환경 개선 (집수리)", "1회"),
            ("visiting_health_mgmt", "방문건강관리 (보건소)", "월 2회"),
            ("housework_support", "가사지원", "주 3시간")]  # fmt: skip
NOTES = ("가정 방문: 혼자 식사 준비가 어려움", "전화: 보호자와 일정 조율", "창구 상담: 신청 서류 안내",
         "가정 방문: 낙상 위험 있는 문턱 확인", "전화: 서비스 만족, 변동 없음")  # fmt: skip
JUDGEMENTS = ("intensive", "general", "general", "linkage", "linkage", "none")


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(1, 30), tzinfo=dt.UTC)  # 10:30 in Seoul


def history(session: Session, rng: random.Random, cases: Sequence[Case], today: dt.date,
            user_id: int) -> None:  # fmt: skip
    levels = deadlines.service_levels(session)
    months = monitoring_months(session)
    events: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    approved: list[tuple[int, dt.date]] = []
    consents: list[dict[str, Any]] = []
    for case in cases:
        reached = ORDER.index(case.stage) if case.stage != "closed" else rng.randrange(1, 7)
        span = max(1, (today - case.opened_on).days)
        steps = STEPS[: min(reached, len(STEPS))]
        days = sorted(rng.randrange(span) for _ in steps)  # several steps may share a day
        day = case.opened_on
        case.stage_since = case.opened_on
        for (action, stage), offset in zip(steps, days, strict=False):
            day = case.opened_on + dt.timedelta(days=offset)
            data: dict[str, Any] = {}
            if action == "record_judgement":
                case.judgement_level = rng.choice(JUDGEMENTS)
                case.risk_level = JUDGEMENT_RISK[case.judgement_level]
                data = {"judgement_level": case.judgement_level}
            if action == "start_survey":
                consents.append(_consent(case, "collection", day, user_id))
            if action == "approve":
                case.services_started_on = day
                approved.append((case.id, day))
                consents.append(_consent(case, "linkage", day, user_id))
            events.append({"case_id": case.id, "at": _at(day), "by": user_id, "action": action,
                           "from_stage": ORDER[ORDER.index(stage) - 1], "to_stage": stage,
                           "note": None, "data": data})  # fmt: skip
            if action != "start_survey":  # the survey runs on the application's clock
                case.stage_since = day
        if case.risk_level is None and rng.random() < 0.6:
            case.risk_level = rng.choice(("high", "medium", "medium", "low"))
        if ORDER.index(case.stage) >= ORDER.index("meeting") or case.services_started_on:
            picked = rng.sample(SERVICES, rng.choice((1, 2, 2, 3)))
            plans.append({"case_id": case.id, "goals": "혼자서도 끼니를 거르지 않고 안전하게 지낸다",
                          "services": [{"service": k, "name": n, "frequency": f, "provider": ""}
                                       for k, n, f in picked],
                          "period_from": day, "period_until": add_months(day, 6),
                          "updated_at": _at(day), "updated_by": user_id})  # fmt: skip
        if case.services_started_on:
            for m in months:
                due = add_months(case.services_started_on, m)
                done = due <= today and rng.random() < 0.85
                checks.append({"case_id": case.id, "months": m, "due_on": due,
                               "done_on": due if done else None,
                               "condition": "안정적" if done else None,
                               "service_use": "계획대로 이용" if done else None,
                               "plan_change": False if done else None,
                               "by": user_id if done else None})  # fmt: skip
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            on = case.opened_on + dt.timedelta(days=rng.randrange(span))
            contacts.append({"case_id": case.id, "on": on, "kind": rng.choice(("visit", "phone", "counter")),
                             "content": rng.choice(NOTES), "next_action": None, "by": user_id})  # fmt: skip
        if case.stage == "closed":
            case.closed_on = min(today, day + dt.timedelta(days=rng.randrange(1, 60)))
            case.closure_reason = rng.choice(list(CLOSURE_REASONS))
            case.follow_up_on = (
                case.closed_on + dt.timedelta(days=90) if rng.random() < 0.5 else None
            )
            events.append({"case_id": case.id, "at": _at(case.closed_on), "by": user_id, "action": "close",
                           "from_stage": None, "to_stage": "closed", "note": None,
                           "data": {"closure_reason": case.closure_reason}})  # fmt: skip
    for table, rows in ((CaseEvent, events), (Contact, contacts), (MonitoringCheck, checks),
                        (SupportPlan, plans), (Consent, consents)):  # fmt: skip
        if rows:
            session.execute(sa.insert(table), rows)
    _meetings(session, rng, cases, approved, today, user_id)
    next_due = {c: d for c, d in session.execute(
        sa.select(MonitoringCheck.case_id, sa.func.min(MonitoringCheck.due_on))
        .where(MonitoringCheck.done_on.is_(None), MonitoringCheck.case_id.in_([c.id for c in cases]))
        .group_by(MonitoringCheck.case_id))}  # fmt: skip
    for case in cases:
        case.due_on = deadlines.deadline(case, levels, next_due.get(case.id))
    session.flush()


def _consent(case: Case, purpose: str, day: dt.date, user_id: int) -> dict[str, Any]:
    return {"person_id": case.person_id, "purpose": purpose, "all_providers": True, "providers": [],
            "given_on": day, "given_by": "본인", "recorded_by": user_id, "recorded_at": _at(day)}  # fmt: skip


def _thursday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(3 - day.weekday()) % 7)


def _meetings(session: Session, rng: random.Random, cases: Sequence[Case],
              approved: list[tuple[int, dt.date]], today: dt.date, user_id: int) -> None:  # fmt: skip
    """Approvals grouped into fortnightly meetings; cases waiting now are on the next one."""
    by_day: dict[dt.date, list[int]] = {}
    for case_id, day in approved:
        held = _thursday_on_or_after(day - dt.timedelta(days=6))
        by_day.setdefault(min(held, today), []).append(case_id)
    waiting = [c.id for c in cases if c.stage == "meeting"]
    if waiting:
        by_day.setdefault(_thursday_on_or_after(today + dt.timedelta(days=1)), []).extend(waiting)
    meetings = [Meeting(held_on=day, place="시청 통합돌봄과 회의실",
                        attendees=[{"name": "통합돌봄과장", "organisation": "시청"},
                                   {"name": "방문간호 팀장", "organisation": "보건소"}],
                        minutes="안건별 결정은 표와 같음" if day <= today else None,
                        decided_at=utcnow() if day <= today else None, created_by=user_id)
                for day in sorted(by_day)]  # fmt: skip
    session.add_all(meetings)
    session.flush()
    items = [{"meeting_id": m.id, "case_id": case_id, "decision": "approve" if m.held_on <= today else None,
              "remarks": None, "added_by": user_id}
             for m in meetings for case_id in by_day[m.held_on]]  # fmt: skip
    if items:
        session.execute(sa.insert(MeetingItem), items)
