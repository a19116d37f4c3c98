"""The case as a state machine: the act's steps, which action leads from which stage to which,
who may take it, and what it needs. `TRANSITIONS` is the whole table; `transition()` is the
only way a case changes stage, and it records who, when and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases import deadlines
from dolbom.cases.followup import schedule_monitoring
from dolbom.cases.models import (
    CLOSURE_REASONS,
    JUDGEMENT_LEVELS,
    STAGES,
    Case,
    CaseEvent,
    SupportPlan,
)
from dolbom.clock import today
from dolbom.forms.models import FormResponse
from dolbom.people.models import Consent
from dolbom.plugins.events import case_transition

FRONT = frozenset({"frontline_worker", "coordinator"})  # 읍면동 counters and 시군구 coordinators
COORDINATOR = frozenset({"coordinator"})  # the 시군구 runs the meeting and closes cases
OPEN = frozenset(STAGES) - {"closed"}
ROLE_LABELS = {"frontline_worker": "읍면동 담당자", "coordinator": "시군구 통합돌봄 담당"}


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs: tuple[str, ...] = ()  # inputs that must be given: see read_inputs()
    optional: tuple[str, ...] = ()


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("start_survey", "사전조사 시작", frozenset({"application"}), "survey", FRONT),
        Transition("request_judgement", "통합판정 요청", frozenset({"survey"}), "judgement", FRONT),
        Transition("record_judgement", "판정 결과 입력", frozenset({"judgement"}), "plan", FRONT,
                   ("judgement_level",), ("note",)),
        Transition("submit_plan", "통합지원회의 상정", frozenset({"plan"}), "meeting", FRONT, (), ("note",)),
        Transition("approve", "승인 (서비스 제공)", frozenset({"meeting"}), "provision", COORDINATOR, (), ("note",)),
        Transition("change", "변경 (계획 보완)", frozenset({"meeting"}), "plan", COORDINATOR, ("note",)),
        Transition("start_monitoring", "모니터링 시작", frozenset({"provision"}), "monitoring", FRONT),
        Transition("close", "종결", OPEN, "closed", COORDINATOR, ("closure_reason",),
                   ("follow_up_on", "note")),
        Transition("reopen", "재개", frozenset({"closed"}), "application", COORDINATOR, ("note",)),
    )
}  # fmt: skip

NEED_LABELS = {"note": "사유·의견", "judgement_level": "판정 결과", "closure_reason": "종결 사유",
               "follow_up_on": "사후관리일"}  # fmt: skip


class Refused(ValueError):
    """A transition that may not happen now: `message` for the page, `fields` for the inputs."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        self.message = message
        self.fields = fields or {}
        super().__init__(message)


class Stale(Refused):
    pass


def refusal(t: Transition, stage: str, role: str) -> str | None:
    """Why `role` may not take `t` at `stage`, or None when it may."""
    if stage not in t.sources:
        allowed = "·".join(STAGES[s] for s in STAGES if s in t.sources)
        return f"'{t.label}'은(는) {allowed} 단계에서만 할 수 있습니다 (지금: {STAGES.get(stage, stage)})"
    if role not in t.roles:
        who = "·".join(ROLE_LABELS[r] for r in sorted(t.roles))
        return f"'{t.label}'은(는) {who}만 할 수 있습니다"
    return None


def available(stage: str, role: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if refusal(t, stage, role) is None]


@dataclass
class Inputs:
    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def read_inputs(t: Transition, form: Mapping[str, str]) -> Inputs:
    out = Inputs()
    for name in (*t.needs, *t.optional):
        raw = (form.get(name) or "").strip()
        required = name in t.needs
        if not raw:
            if required:
                out.errors[name] = f"{NEED_LABELS[name]}을(를) 적거나 고르세요"
            continue
        if name == "note":
            if len(raw) > 1000:
                out.errors[name] = "1,000자까지 적을 수 있습니다"
            else:
                out.values[name] = raw
        elif name == "judgement_level":
            if raw not in JUDGEMENT_LEVELS:
                out.errors[name] = "목록에서 고르세요"
            else:
                out.values[name] = raw
        elif name == "closure_reason":
            if raw not in CLOSURE_REASONS:
                out.errors[name] = "목록에서 고르세요"
            else:
                out.values[name] = raw
        elif name == "follow_up_on":
            try:
                day = dt.date.fromisoformat(raw)
            except ValueError:
                out.errors[name] = "날짜를 YYYY-MM-DD로 적으세요"
                continue
            if day < today():
                out.errors[name] = "사후관리일은 오늘이나 그 뒤여야 합니다"
            else:
                out.values[name] = day
    return out


def _requirements(session: Session, case: Case, t: Transition) -> str | None:
    """What the case itself must have before the step (data, not input)."""
    if t.action == "submit_plan":
        plan = session.scalar(sa.select(SupportPlan).where(SupportPlan.case_id == case.id))
        if plan is None or not plan.services:
            return "회의에 올리려면 목표와 서비스가 있는 지원계획을 먼저 저장하세요"
    if t.action == "approve" and not has_consent(session, case.person_id, "linkage", today()):
        return ("서비스를 시작하려면 서비스 연계 동의가 있어야 합니다. 대상자 탭에서 동의를 기록한 뒤 "
                "다시 승인하세요")  # fmt: skip
    if t.action == "request_judgement":
        done = session.scalar(
            sa.select(sa.func.count()).select_from(FormResponse)
            .where(FormResponse.case_id == case.id, FormResponse.status == "complete")
        )  # fmt: skip
        if not done:
            return "통합판정을 요청하려면 완료된 사전조사가 있어야 합니다"
    return None


def has_consent(session: Session, person_id: int, purpose: str, day: dt.date) -> bool:
    """A consent for `purpose` given by `day` and not withdrawn by then."""
    return bool(
        session.scalar(
            sa.select(sa.func.count()).select_from(Consent).where(
                Consent.person_id == person_id, Consent.purpose == purpose,
                Consent.given_on <= day,
                sa.or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > day),
            )
        )
    )  # fmt: skip


def transition(session: Session, case: Case, action: str, *, role: str, user_id: int,
               form: Mapping[str, str], lock_version: int | None) -> CaseEvent:  # fmt: skip
    """Move the case one step, or raise Refused (with field messages) / Stale."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise Refused("알 수 없는 처리입니다")
    if lock_version is None or lock_version != case.lock_version:
        raise Stale("다른 사람이 먼저 이 사례를 바꿨습니다. 화면을 새로 고친 뒤 다시 하세요.")
    why = refusal(t, case.stage, role)
    if why:
        raise Refused(why)
    inputs = read_inputs(t, form)
    if inputs.errors:
        raise Refused(f"'{t.label}'에 필요한 내용을 확인하세요", inputs.errors)
    missing = _requirements(session, case, t)
    if missing:
        raise Refused(missing)
    values = inputs.values
    event = CaseEvent(case_id=case.id, by=user_id, action=action, from_stage=case.stage,
                      to_stage=t.target, note=values.get("note"),  # type: ignore[arg-type]
                      data={k: (v.isoformat() if isinstance(v, dt.date) else v)
                            for k, v in values.items() if k != "note"})  # fmt: skip
    _apply(case, t, values)
    if t.action == "approve":
        schedule_monitoring(session, case, case.services_started_on or today())
        session.flush()  # the new checks give the deadline
    deadlines.refresh(session, case)
    session.add(event)
    session.flush()  # the version check happens here too: a concurrent change fails the UPDATE
    case_transition(session, case, event)  # plugins write in this same transaction
    return event


# The judgement's level sets the risk the caseload filters on (the worker's first guess at
# intake, if any, gives way to it).
JUDGEMENT_RISK = {"intensive": "high", "general": "medium", "linkage": "low", "none": "low"}


def _apply(case: Case, t: Transition, values: dict[str, object]) -> None:
    # The survey runs on the application's clock (deadlines.STAGE_LEVEL); every other step
    # starts its own.
    if not (case.stage == "application" and t.target == "survey"):
        case.stage_since = today()
    case.stage = t.target
    if t.action == "record_judgement":
        case.judgement_level = values["judgement_level"]  # type: ignore[assignment]
        case.risk_level = JUDGEMENT_RISK[case.judgement_level]  # type: ignore[index]
    elif t.action == "approve":
        case.services_started_on = today()
    elif t.action == "close":
        case.closed_on = today()
        case.closure_reason = values["closure_reason"]  # type: ignore[assignment]
        case.follow_up_on = values.get("follow_up_on")  # type: ignore[assignment]
    elif t.action == "reopen":
        case.closed_on = case.closure_reason = case.follow_up_on = None


def timeline(session: Session, case_id: int) -> list[CaseEvent]:
    return list(
        session.scalars(
            sa.select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id.desc())
        )
    )
