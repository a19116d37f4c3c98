"""Quick contact entry from the caseload: a row opens a small form under itself, the record is
saved without leaving the list (htmx), and a refusal comes back in the same row."""

from __future__ import annotations

from flask import g, render_template, request

from dolbom.cases import followup
from dolbom.cases.models import CONTACT_KINDS
from dolbom.cases.views import case_or_404, log_case, staff
from dolbom.clock import today
from dolbom.web.context import db


def _row(case_id: int, errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
         saved: bool = False, status: int = 200):  # type: ignore[no-untyped-def]  # fmt: skip
    return render_template("cases/_quick_contact.html", case_id=case_id, kinds=CONTACT_KINDS,
                           errors=errors or {}, values=values or {}, saved=saved,
                           today=today()), status  # fmt: skip


@staff
def quick_contact(case_id: int):  # type: ignore[no-untyped-def]
    case = case_or_404(case_id)  # scope and the colleague's-case reason apply here too
    if request.method == "GET":
        return _row(case.id)  # the form only: no personal data beyond the list row above it
    session = db()
    errors = followup.add_contact(session, case, request.form, user_id=g.membership.user_id)
    if errors:
        session.rollback()
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return _row(case.id, errors, values, status=422)
    log_case(case, "edit", "상담·방문 기록 (목록에서)")
    session.commit()
    return _row(case.id, saved=True)
