"""The person tab's forms, reached through the case (its dong scope decides access)."""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, request, url_for

from dolbom.audit.access import log_access
from dolbom.cases.models import Case
from dolbom.cases.transitions import FRONT
from dolbom.cases.views import case_or_404, render_case, user_names
from dolbom.clock import today
from dolbom.forms.queries import dong_choices
from dolbom.identity.access import tenant_roles
from dolbom.people import details
from dolbom.people.models import Consent, HouseholdMember
from dolbom.web.context import db

editors = tenant_roles(*FRONT)


def allowed_dongs() -> list[Any]:
    m = g.membership
    return [d for d in dong_choices(db(), today())
            if m.role != "frontline_worker" or d.code in (m.dong_codes or [])]  # fmt: skip


def _log_person(case: Case, detail: str) -> None:
    log_access(db(), user_id=g.membership.user_id, ip=request.remote_addr, subject_type="person",
               subject_id=case.person_id, action="edit", detail=detail)  # fmt: skip


def _done(case: Case):  # type: ignore[no-untyped-def]
    return redirect(url_for("tenant.cases.show", case_id=case.id, tab="person"), 303)


def _values() -> dict[str, str]:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


@editors
def save(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    values, errors = details.read_details(request.form, {d.code for d in allowed_dongs()})
    if errors:
        return render_case(case, 422, tab="person", person_errors=errors, person_values=_values())
    raw = request.form.get("person_lock", "")
    try:
        details.save_details(session, case.person, values, user_id=g.membership.user_id,
                             lock_version=int(raw) if raw.isdecimal() else None)  # fmt: skip
    except details.PersonStale as stale:
        session.rollback()
        who = user_names({stale.by}).get(stale.by, "다른 사람") if stale.by else "다른 사람"  # type: ignore[arg-type]
        message = (f"{who}님이 {stale.at:%Y-%m-%d %H:%M}에 먼저 바꿨습니다. 아래에 남겨 둔 입력을 "
                   "새 내용과 비교해 다시 저장하세요.")  # fmt: skip
        return render_case(case_or_404(case_id), 409, tab="person", person_message=message,
                           person_values=_values(), person_stale=True)  # fmt: skip
    _log_person(case, "인적 사항 수정")
    session.commit()
    return _done(case)


@editors
def add_member(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    errors = details.add_member(session, case.person, request.form)
    if errors:
        session.rollback()
        return render_case(case, 422, tab="person", member_errors=errors, member_values=_values())
    _log_person(case, "가구원 추가")
    session.commit()
    return _done(case)


@editors
def remove_member(case_id: int, member_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    member = session.get(HouseholdMember, member_id)
    if member is None or member.person_id != case.person_id:
        abort(404)
    session.delete(member)
    _log_person(case, "가구원 삭제")
    session.commit()
    return _done(case)


@editors
def add_consent(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    errors = details.add_consent(session, case.person, request.form, user_id=g.membership.user_id)
    if errors:
        session.rollback()
        return render_case(case, 422, tab="person", consent_errors=errors, consent_values=_values())
    _log_person(case, "동의 기록")
    session.commit()
    return _done(case)


@editors
def withdraw_consent(case_id: int, consent_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    consent = session.get(Consent, consent_id)
    if consent is None or consent.person_id != case.person_id:
        abort(404)
    errors = details.withdraw(session, consent, request.form)
    if errors:
        session.rollback()
        return render_case(case_or_404(case_id), 422, tab="person", consent_errors=errors,
                           consent_open=consent_id, consent_values=_values())  # fmt: skip
    _log_person(case, "동의 철회")
    session.commit()
    return _done(case)
