"""접수 (application): one screen for the person and how the application came in, with the
duplicate check before anyone new is registered; and revealing a resident number."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dolbom.audit.access import log_access
from dolbom.cases import operations as case_ops
from dolbom.cases.intake import read_intake
from dolbom.cases.models import INITIATIVE_REASONS, RISK_LEVELS
from dolbom.cases.views import case_or_404, log_case, staff
from dolbom.clock import today
from dolbom.forms.queries import dong_choices
from dolbom.identity.access import tenant_roles
from dolbom.people import operations as people
from dolbom.people.models import Person
from dolbom.rules.facts import CASE_SOURCES, DISABILITY, INCOME_BANDS, LTC_GRADES
from dolbom.web.context import db

# Who may read a whole resident number (with a reason, logged): the staff who handle the case.
REVEALERS = ("coordinator", "frontline_worker")


def _dongs() -> list:  # type: ignore[type-arg]
    choices = dong_choices(db(), today())
    m = g.membership
    if m.role == "frontline_worker":
        choices = [d for d in choices if d.code in (m.dong_codes or [])]
    return choices


def _page(values: dict, errors: dict, duplicates: list[Person] | None = None, status: int = 200):  # type: ignore[no-untyped-def,type-arg]
    return render_template(
        "cases/new.html", values=values, errors=errors, duplicates=duplicates or [],
        dongs=_dongs(), sources=CASE_SOURCES, reasons=INITIATIVE_REASONS, ltc=LTC_GRADES,
        disability=DISABILITY, income=INCOME_BANDS, risks=RISK_LEVELS,
    ), status  # fmt: skip


@staff
def new():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _page({}, {})
    session = db()
    form = request.form
    intake = read_intake(form, {d.code for d in _dongs()})
    values = form.to_dict()
    if intake.errors:
        return _page(values, intake.errors, status=422)
    tenant = g.tenant.slug
    chosen = form.get("person_id")
    if chosen:
        person = session.get(Person, int(chosen)) if chosen.isdecimal() else None
        candidates = {p.id for p in people.possible_duplicates(session, tenant, intake.person)}
        if person is None or person.id not in candidates:
            return _page(
                values, {"form": _("고른 사람을 찾을 수 없습니다. 다시 확인하세요.")}, status=422
            )
    else:
        duplicates = people.possible_duplicates(session, tenant, intake.person)
        if duplicates and form.get("confirm_new") != "1":
            for p in duplicates:  # the candidates are people shown to the worker
                log_access(session, user_id=g.membership.user_id, ip=request.remote_addr,
                           subject_type="person", subject_id=p.id, action="view", detail="중복 확인")  # fmt: skip
            session.commit()
            return _page(values, {}, duplicates)
        person = people.register(session, tenant, intake.person, user_id=g.membership.user_id)
    case = case_ops.open_case(session, person, source=intake.source, source_note=intake.source_note,
                              user_id=g.membership.user_id, risk_level=intake.risk_level)  # fmt: skip
    log_case(case, "create")
    session.commit()
    return redirect(url_for("tenant.cases.show", case_id=case.id), 303)


@tenant_roles(*REVEALERS)
def reveal_rrn(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    reason = (request.form.get("reason") or "").strip()
    if not 2 <= len(reason) <= 150:
        return render_template("cases/_rrn.html", case=case, rrn=None,
                               rrn_error=_("열람 사유를 2~150자로 적으세요")), 422  # fmt: skip
    rrn = people.reveal_rrn(session, g.tenant.slug, case.person_id)
    if rrn is None:
        abort(404)
    log_access(session, user_id=g.membership.user_id, ip=request.remote_addr, subject_type="person",
               subject_id=case.person_id, action="view", detail=f"주민등록번호 열람: {reason}"[:200])  # fmt: skip
    session.commit()
    return render_template("cases/_rrn.html", case=case, rrn=rrn, rrn_error=None)
