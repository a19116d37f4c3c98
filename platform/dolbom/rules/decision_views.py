"""Eligibility on a case: evaluate (a new decision each time) and print a decision's notice."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dolbom.cases.views import case_or_404, log_case, render_case, staff
from dolbom.clock import today
from dolbom.rules.decide import decisions_for_case, evaluate_case
from dolbom.rules.models import RuleDecision
from dolbom.web.context import db
from dolbom.web.htmx import is_partial


@staff
def evaluate(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    raw = (request.form.get("as_of") or "").strip()
    error = None
    try:
        as_of = dt.date.fromisoformat(raw) if raw else today()
        if not dt.date(1990, 1, 1) <= as_of <= today() + dt.timedelta(days=366 * 5):
            error = _("기준일은 1990-01-01부터 5년 뒤까지 고를 수 있습니다")
    except ValueError:
        error = _("기준일을 YYYY-MM-DD로 적으세요")
    message = None
    if error is None:
        done = evaluate_case(session, g.tenant.slug, case, as_of, user_id=g.membership.user_id)
        log_case(case, "edit", "대상 판정")
        session.commit()
        message = _(
            "%(d)s 기준으로 %(n)d개 규칙 묶음을 판정했습니다",
            d=as_of.isoformat(),
            n=len(done.decisions),
        )
        if done.skipped:
            message += " " + _("판정하지 못한 규칙 묶음: %(s)s (서식이 바뀌어 규칙을 고쳐야 합니다)",
                               s=", ".join(done.skipped))  # fmt: skip
    if error is not None:
        log_case(case, "view")  # the error page shows the case too
        session.commit()
    decisions = decisions_for_case(session, case.id)
    if is_partial():
        return render_template("cases/_eligibility.html", case=case, decisions=decisions,
                               message=message, error=error, as_of=raw), 422 if error else 200  # fmt: skip
    if error:
        return render_case(case, 422, error=error, as_of=raw)
    return redirect(url_for("tenant.cases.show", case_id=case.id, tab="eligibility"), 303)


@staff
def notice(case_id: int, decision_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    decision = session.scalar(
        sa.select(RuleDecision).where(
            RuleDecision.id == decision_id, RuleDecision.case_id == case.id
        )
    )
    if decision is None:
        abort(404)
    log_case(case, "print", f"판정 통지 {decision.id}")
    session.commit()
    return render_template("rules/notice.html", case=case, decision=decision)
