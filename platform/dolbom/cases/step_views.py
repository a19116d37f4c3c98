"""Moving a case along: one POST per action, refused with the reason (and the field at fault)
when the stage, the role or the data do not allow it; and starting a survey for the case."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from dolbom.cases import followup, plan
from dolbom.cases.models import CaseEvent, MonitoringCheck
from dolbom.cases.transitions import FRONT, TRANSITIONS, Refused, Stale, transition
from dolbom.cases.views import case_or_404, log_case, render_case, staff, user_names
from dolbom.forms.api import start_for_case
from dolbom.forms.operations import FormsError
from dolbom.web.context import db
from dolbom.web.filters import seoul

# After a step, the tab where the new stage's work is done.
NEXT_TAB = {"survey": "assessments", "plan": "plan", "meeting": "plan", "provision": "monitoring",
            "monitoring": "monitoring"}  # fmt: skip


@staff
def step(case_id: int, action: str):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    raw = request.form.get("lock_version", "")
    lock = int(raw) if raw.isdecimal() else None
    try:
        transition(session, case, action, role=g.membership.role, user_id=g.membership.user_id,
                   form=request.form, lock_version=lock)  # fmt: skip
    except Stale as exc:
        session.rollback()
        case = case_or_404(case_id)
        values = {k: v for k, v in request.form.items() if k not in ("csrf_token", "lock_version")}
        return render_case(case, 409, action_open=action, action_values=values,
                           action_message=_who_changed(case.id) or exc.message)  # fmt: skip
    except Refused as exc:
        session.rollback()
        case = case_or_404(case_id)
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return render_case(case, 422, action_open=action if action in TRANSITIONS else None,
                           action_message=exc.message, action_errors=exc.fields, action_values=values)  # fmt: skip
    log_case(case, "edit", TRANSITIONS[action].label)
    session.commit()
    tab = NEXT_TAB.get(case.stage)  # where the next piece of work is
    return redirect(url_for("tenant.cases.show", case_id=case.id, tab=tab), 303)


def _who_changed(case_id: int) -> str | None:
    """'X님이 T에 …' from the case's latest step, for a save made on an older page."""
    last = db().execute(
        sa.select(CaseEvent.by, CaseEvent.at, CaseEvent.action)
        .where(CaseEvent.case_id == case_id).order_by(CaseEvent.id.desc()).limit(1)
    ).first()  # fmt: skip
    if last is None:
        return None
    who = user_names({last.by}).get(last.by, "다른 사람")
    label = TRANSITIONS[last.action].label if last.action in TRANSITIONS else last.action
    return (f"{who}님이 {seoul(last.at)}에 먼저 '{label}'을(를) 했습니다. "
            "화면의 새 단계를 확인한 뒤 다시 하세요.")  # fmt: skip


@staff
def start_survey_response(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    key = request.form.get("form_key", "")
    try:
        response_id = start_for_case(session, key, case_id=case.id, user_id=g.membership.user_id,
                                     dong_code=case.dong_code)  # fmt: skip
    except (FormsError, LookupError):
        session.rollback()
        return render_case(case, 422, survey_error=_("작성할 조사 서식을 고르세요"))
    log_case(case, "edit", "조사 시작")
    session.commit()
    return redirect(url_for("tenant.assessments.show", response_id=response_id), 303)


@staff
def add_contact(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    errors = followup.add_contact(session, case, request.form, user_id=g.membership.user_id)
    if errors:
        session.rollback()
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return render_case(case_or_404(case_id), 422, contact_errors=errors, contact_values=values)
    log_case(case, "edit", "상담·방문 기록")
    session.commit()
    return redirect(url_for("tenant.cases.show", case_id=case.id) + "#contacts", 303)


@staff
def record_check(case_id: int, check_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    check = session.get(MonitoringCheck, check_id)
    if check is None or check.case_id != case.id:
        abort(404)
    errors = followup.record_check(session, case, check, request.form, user_id=g.membership.user_id)
    if errors:
        session.rollback()
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return render_case(
            case_or_404(case_id), 422, check_open=check_id, check_errors=errors, check_values=values
        )
    log_case(case, "edit", f"모니터링 {check.months}개월")
    session.commit()
    return redirect(url_for("tenant.cases.show", case_id=case.id, tab="monitoring"), 303)


@staff
def save_plan(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if case.stage not in plan.EDITABLE or g.membership.role not in FRONT:
        return render_case(case, 422, plan_message=_("지원계획은 지원계획 단계에서 읍면동·시군구 담당자가 고칩니다"),
                           plan_values=values)  # fmt: skip
    data = plan.read_form(request.form, plan.catalogue(session, g.tenant.slug))
    if data.errors:
        return render_case(case, 422, plan_errors=data.errors, plan_values=values)
    raw = request.form.get("plan_lock", "")
    try:
        plan.save(
            session,
            case,
            data,
            user_id=g.membership.user_id,
            lock_version=int(raw) if raw.isdecimal() else None,
        )
    except (plan.PlanConflict, StaleDataError):
        session.rollback()
        return render_case(case_or_404(case_id), 409, plan_values=values,
                           plan_message=_("다른 사람이 먼저 계획을 바꿨습니다. 적은 내용을 확인한 뒤 다시 저장하세요."))  # fmt: skip
    log_case(case, "edit", "지원계획")
    session.commit()
    return redirect(url_for("tenant.cases.show", case_id=case.id, tab="plan"), 303)
