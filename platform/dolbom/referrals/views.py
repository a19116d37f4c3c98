"""The case page's 의뢰 tab: refer a plan's service to a provider, follow the answer, end it,
and (coordinators) record a service over the entitlement with a reason."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dolbom.cases.models import Case, SupportPlan
from dolbom.cases.transitions import Refused, Stale
from dolbom.cases.views import case_or_404, log_case, render_case, staff
from dolbom.catalogue.models import Programme
from dolbom.clock import today
from dolbom.referrals import operations, records
from dolbom.referrals.lifecycle import FRONT, available
from dolbom.referrals.models import Referral
from dolbom.web.context import db

STALE = "다른 사람이 먼저 이 의뢰를 바꿨습니다. 화면을 새로 고친 뒤 다시 하세요."


def referrals_context(session: Session, case: Case) -> dict[str, Any]:
    """Per planned service: its programme, the monthly cap and use, the referrals made, and
    the providers to choose from (free places, waiting list, consent)."""
    plan = session.scalar(sa.select(SupportPlan).where(SupportPlan.case_id == case.id))
    keys = [row["service"] for row in (plan.services if plan else [])]
    programmes = {
        p.key: p for p in session.scalars(sa.select(Programme).where(Programme.key.in_(keys)))
    }
    made = operations.for_case(session, case.id)
    role = g.membership.role
    can_refer = role in FRONT and case.stage in operations.REFERRAL_STAGES
    services = []
    for row in plan.services if plan else []:
        prog = programmes.get(row["service"])
        if prog is None:
            continue  # a rule-set programme from before the catalogue: nothing to refer to
        mine = [r for r in made if r.programme_id == prog.id]
        services.append({
            "row": row, "programme": prog,
            "cap": records.monthly_cap(session, case.id, prog),
            "used": records.used_in_month(session, case.id, prog.id, today()),
            "referrals": [{"r": r, "steps": available(r.status, role),
                           "position": operations.waiting_position(session, r)} for r in mine],
            "options": operations.options(session, case, prog) if can_refer else [],
        })  # fmt: skip
    return {"referral_services": services, "can_refer": can_refer,
            "can_override": role == "coordinator", "referral_errors": {}, "referral_values": {},
            "referral_message": None, "referral_open": None, "records_errors": {},
            "records_values": {}, "records_message": None, "records_open": None,
            "record_rows": records.ROWS, "fmt_qty": records.fmt}  # fmt: skip


def _again(case: Case, status: int, **extra: Any):  # type: ignore[no-untyped-def]
    return render_case(case, status, tab="referrals", **extra)


@staff
def send(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    form = request.form
    key = form.get("programme", "")
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    if g.membership.role not in FRONT:
        return _again(case, 403, referral_message=_("서비스 의뢰는 읍면동·시군구 담당자가 합니다"))
    raw = form.get("provider", "")
    try:
        referral = operations.send(session, case, programme_key=key,
                                   provider_id=int(raw) if raw.isdecimal() else None,
                                   frequency=form.get("frequency", ""), needs=form.get("needs", ""),
                                   user_id=g.membership.user_id)  # fmt: skip
    except Refused as exc:
        session.rollback()
        case = case_or_404(case_id)
        return _again(case, 422, referral_message=exc.message, referral_errors=exc.fields,
                      referral_values=values, referral_open=key)  # fmt: skip
    log_case(case, "edit", f"서비스 의뢰 #{referral.id}")
    session.commit()
    return redirect(url_for("tenant.cases.show", case_id=case.id, tab="referrals"), 303)


def _referral_of(session: Session, case: Case, referral_id: int) -> Referral | None:
    return session.scalar(
        sa.select(Referral).where(Referral.id == referral_id, Referral.case_id == case.id)
    )


@staff
def step(case_id: int, referral_id: int, action: str):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    referral = _referral_of(session, case, referral_id)
    if referral is None:
        return _again(case, 404, referral_message=_("이 사례의 의뢰가 아닙니다"))
    raw = request.form.get("lock", "")
    try:
        operations.act(session, referral, action, role=g.membership.role,
                       user_id=g.membership.user_id, reason=request.form.get("reason", ""),
                       lock_version=int(raw) if raw.isdecimal() else None)  # fmt: skip
    except (Refused, StaleDataError) as exc:
        session.rollback()
        refused = exc if isinstance(exc, Refused) else Stale(STALE)
        return _again(case_or_404(case_id), 409 if isinstance(refused, Stale) else 422,
                      referral_message=refused.message, referral_open=f"r{referral_id}",
                      referral_errors={f"reason_{referral_id}": refused.fields.get("reason", "")},
                      referral_values={f"reason_{referral_id}": request.form.get("reason", "")})  # fmt: skip
    log_case(case, "edit", f"의뢰 #{referral_id} {action}")
    session.commit()
    return redirect(url_for("tenant.cases.show", case_id=case.id, tab="referrals"), 303)


@staff
def record_over_cap(case_id: int, referral_id: int):  # type: ignore[no-untyped-def]
    """A coordinator records services for a referral; over the entitlement only with a reason."""
    session = db()
    case = case_or_404(case_id)
    referral = _referral_of(session, case, referral_id)
    if referral is None:
        return _again(case, 404, referral_message=_("이 사례의 의뢰가 아닙니다"))
    open_key = f"r{referral_id}"
    if g.membership.role != "coordinator":
        return _again(case, 403, records_message=_("사례 화면의 서비스 기록은 시군구 담당자만 합니다"),
                      records_open=open_key)  # fmt: skip
    if referral.status not in records.RECORDABLE:
        return _again(case, 422, records_message=_("수락되었거나 서비스 중인 의뢰에만 기록할 수 있습니다"),
                      records_open=open_key)  # fmt: skip
    batch = records.read(request.form, referral)
    reason = (request.form.get("override_reason") or "").strip()[:300]
    values = {**batch.values, "override_reason": reason}
    if batch.errors:
        return _again(case, 422, records_errors=batch.errors, records_values=values,
                      records_open=open_key)  # fmt: skip
    try:
        records.save(session, referral, batch, user_id=g.membership.user_id,
                     override_reason=reason or None)  # fmt: skip
    except records.OverCap as exc:
        session.rollback()
        return _again(case_or_404(case_id), 422, records_values=values, records_open=open_key,
                      records_message=" ".join(exc.problems) + " " + _("초과 사유를 적으면 기록할 수 있습니다."),
                      records_errors={"override_reason": _("초과 사유를 적으세요")})  # fmt: skip
    log_case(case, "edit", f"서비스 기록 #{referral_id}")
    session.commit()
    return redirect(url_for("tenant.cases.show", case_id=case.id, tab="referrals"), 303)
