"""Opening a case outside one's caseload (break the glass).

A frontline worker's caseload is the cases of their dongs that are theirs or nobody's. A
colleague's case in the same dong is within reach — covering for a colleague on leave is
common — but personal data is seen on a need-to-know basis: the worker first says why, the
reason goes into the access log, and the case stays open to them for the rest of the session.
Coordinators and administrators answer for the whole tenant and are not asked."""

from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for

from dolbom.audit.access import log_access
from dolbom.cases.models import Case
from dolbom.web.context import db

_KEY = "opened_cases"
REASON_MAX = 150
MAX_REMEMBERED = 40  # the signed session cookie must stay well under 4 KB


def needs_reason(case: Case, role: str, user_id: int) -> bool:
    if role != "frontline_worker" or case.worker_id in (None, user_id):
        return False
    return f"{g.tenant.slug}:{case.id}" not in session.get(_KEY, [])


def ask(case: Case, error: str | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    """The reason form; it shows the case number and dong only, never the person."""
    from dolbom.cases.views import user_names

    worker = user_names({case.worker_id}).get(case.worker_id, "") if case.worker_id else ""  # type: ignore[arg-type]
    return render_template("cases/open_reason.html", case=case, worker=worker, error=error,
                           reason=request.form.get("reason", "")), status  # fmt: skip


def open_with_reason(case_id: int):  # type: ignore[no-untyped-def]
    from dolbom.cases.views import case_or_404

    case = case_or_404(case_id, reason_asked=True)
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        return ask(case, "열람 사유를 적으세요", 422)
    if len(reason) > REASON_MAX:
        return ask(case, f"{REASON_MAX}자까지 적을 수 있습니다", 422)
    log_access(db(), user_id=g.membership.user_id, ip=request.remote_addr, subject_type="case",
               subject_id=case.id, action="view", detail=f"담당 외 열람 사유: {reason}")  # fmt: skip
    db().commit()
    opened = [*session.get(_KEY, []), f"{g.tenant.slug}:{case.id}"][-MAX_REMEMBERED:]
    session[_KEY] = opened
    return redirect(url_for("tenant.cases.show", case_id=case.id), 303)
