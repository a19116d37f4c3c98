"""Case screens. Issue 5 builds the caseload and the case page in full; here: the list and a
case page with the person's facts, assessments and eligibility decisions."""

from __future__ import annotations

from flask import abort, g, render_template, request

from dolbom.audit.access import log_access
from dolbom.cases import queries
from dolbom.cases.models import Case
from dolbom.forms.api import responses_for_case
from dolbom.identity.access import tenant_roles
from dolbom.rules.decide import decisions_for_case
from dolbom.web.context import db

staff = tenant_roles("city_admin", "coordinator", "frontline_worker")


def case_or_404(case_id: int) -> Case:
    m = g.membership
    case = queries.case_in_scope(db(), case_id, m.role, m.dong_codes or [])
    if case is None:
        abort(404)
    return case


def log_case(case: Case, action: str, detail: str | None = None) -> None:
    log_access(db(), user_id=g.membership.user_id, ip=request.remote_addr, subject_type="case",
               subject_id=case.id, action=action, detail=detail)  # fmt: skip


@staff
def index():  # type: ignore[no-untyped-def]
    m = g.membership
    try:
        page = max(1, min(int(request.args.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    rows, total = queries.cases(db(), m.role, m.dong_codes or [], page=page)
    return render_template(
        "cases/index.html", rows=rows, total=total, page=page, per_page=queries.PAGE
    )


@staff
def show(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    log_case(case, "view")
    session.commit()
    return render_template(
        "cases/show.html",
        case=case,
        responses=responses_for_case(session, case.id, cache_key=g.tenant.slug),
        decisions=decisions_for_case(session, case.id),
        message=None,
    )
