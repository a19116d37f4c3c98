"""Case screens. Issue 5 builds the caseload and the case page in full; here: the list and a
case page with the person's facts, assessments and eligibility decisions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, g, render_template, request

from dolbom.audit.access import log_access
from dolbom.cases import caseload, followup, plan, queries
from dolbom.cases.models import (
    CLOSURE_REASONS,
    CONTACT_KINDS,
    JUDGEMENT_LEVELS,
    RISK_LEVELS,
    STAGES,
    Case,
)
from dolbom.cases.transitions import FRONT, NEED_LABELS, TRANSITIONS, available, timeline
from dolbom.clock import today
from dolbom.db import shared_session
from dolbom.forms.api import responses_for_case
from dolbom.forms.queries import dong_choices, dong_names, published_forms
from dolbom.identity.access import tenant_roles
from dolbom.identity.models import User
from dolbom.rules.decide import decisions_for_case
from dolbom.web.context import db
from dolbom.web.htmx import is_partial

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
    dongs = [
        d
        for d in dong_choices(db(), today())
        if m.role != "frontline_worker" or d.code in (m.dong_codes or [])
    ]
    filters = caseload.Filters.read(request.args, [d.code for d in dongs])
    load = caseload.load(db(), g.tenant.slug, m.role, m.dong_codes or [], filters, m.user_id)
    template = "cases/_caseload_partial.html" if is_partial() else "cases/index.html"
    # Names for every dong on the page from the list already loaded; merged dongs from the table.
    names = {d.code: d.name for d in dongs}
    missing = {c.dong_code for c in load.rows if c.dong_code and c.dong_code not in names}
    names |= dong_names(db(), missing) if missing else {}
    workers = user_names({c.worker_id for c in load.rows if c.worker_id})
    return render_template(template, load=load, f=filters, dongs=dongs, stages=STAGES,
                           sorts=caseload.SORTS, dues=caseload.DUE, risks=RISK_LEVELS,
                           dong_names=names, workers=workers, today=today())  # fmt: skip


@staff
def show(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    log_case(case, "view")
    session.commit()
    return render_case(case)


def render_case(case: Case, status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    """The case page; `extra` carries an action's errors or a message back to it."""
    session = db()
    events = timeline(session, case.id)
    contacts = followup.contacts_of(session, case.id)
    support_plan = plan.plan_of(session, case.id)
    editable = case.stage in plan.EDITABLE and g.membership.role in FRONT
    context = {
        "case": case,
        "responses": responses_for_case(session, case.id, cache_key=g.tenant.slug),
        "decisions": decisions_for_case(session, case.id),
        "actions": available(case.stage, g.membership.role),
        "events": events,
        "names": user_names({e.by for e in events} | {c.by for c in contacts}),
        "surveys": published_forms(session) if case.stage in ("application", "survey") else [],
        "message": None,
        "action_errors": {},
        "action_open": None,
        "action_message": None,
        "action_values": {},
        "survey_error": None,
        "transitions": TRANSITIONS,
        "stages": STAGES,
        "need_labels": NEED_LABELS,
        "judgement_levels": JUDGEMENT_LEVELS,
        "closure_reasons": CLOSURE_REASONS,
        "contacts": contacts,
        "contact_kinds": CONTACT_KINDS,
        "contact_errors": {},
        "contact_values": {},
        "checks": followup.checks_of(session, case.id),
        "check_open": None,
        "check_errors": {},
        "check_values": {},
        "today": today(),
        "plan": support_plan,
        "plan_services": plan.catalogue(session, g.tenant.slug) if editable else {},
        "plan_rows": plan.ROWS,
        "plan_editable": editable,
        "plan_errors": {},
        "plan_values": None,
        "plan_message": None,
    }
    context.update(extra)
    if context["plan_values"] is None:
        context["plan_values"] = plan.form_values(support_plan)
    return render_template("cases/show.html", **context), status


def user_names(ids: set[int]) -> dict[int, str]:
    """Names of staff for the timeline (users live in the shared schema)."""
    if not ids:
        return {}
    with shared_session() as s:
        return dict(s.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())
