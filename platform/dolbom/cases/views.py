"""Case screens. Issue 5 builds the caseload and the case page in full; here: the list and a
case page with the person's facts, assessments and eligibility decisions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, g, make_response, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from dolbom.audit.access import log_access
from dolbom.cases import caseload, followup, opening, plan, queries
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
from dolbom.plugins.events import case_panels
from dolbom.referrals.lifecycle import EVENT_LABELS
from dolbom.rules.decide import decisions_for_case
from dolbom.tasks import operations as task_ops
from dolbom.web.context import db
from dolbom.web.htmx import is_partial

staff = tenant_roles("city_admin", "coordinator", "frontline_worker")


def case_or_404(case_id: int, *, reason_asked: bool = False) -> Case:
    """The case if it is in the member's scope. A frontline worker's colleague's case is in
    scope but outside their caseload: it opens only after they gave a reason (opening.py);
    `reason_asked` lets the page ask for it instead of refusing."""
    m = g.membership
    case = queries.case_in_scope(db(), case_id, m.role, m.dong_codes or [])
    if case is None:
        abort(404)
    if not reason_asked and opening.needs_reason(case, m.role, m.user_id):
        abort(403)
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
    response = make_response(
        render_template(template, load=load, f=filters, dongs=dongs, stages=STAGES,
                        sorts=caseload.SORTS, dues=caseload.DUE, risks=RISK_LEVELS,
                        risk_labels={k: gettext(v) for k, v in RISK_LEVELS.items()},
                        dong_names=names, workers=workers, today=today())
    )  # fmt: skip
    if caseload.is_rrn_search(filters.q):
        # A resident number never stays in the address bar or the history: the list is shown,
        # the URL pushed is the one without it.
        response.headers["HX-Push-Url"] = url_for("tenant.cases.index", **filters.query_args(q=""))
    return response


@staff
def show(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id, reason_asked=True)
    if opening.needs_reason(case, g.membership.role, g.membership.user_id):
        return opening.ask(case)
    log_case(case, "view")
    session.commit()
    return render_case(case)


# The case page's tabs. Each loads only what it shows; an htmx click swaps the tab alone and
# the URL (?tab=…) keeps it for the back button and shared links.
TABS = {
    "timeline": _l("경과"),
    "person": _l("대상자"),
    "assessments": _l("조사"),
    "eligibility": _l("자격 판단"),
    "plan": _l("지원계획"),
    "referrals": _l("의뢰"),
    "meetings": _l("회의"),
    "monitoring": _l("모니터링"),
    "documents": _l("문서"),
}
# An action's errors come back on the tab that holds its form.
_ERROR_TABS = {"plan_": "plan", "contact_": "timeline", "task_": "timeline", "check_": "monitoring",
               "survey_": "assessments", "document_": "documents", "person_": "person",
               "consent_": "person", "member_": "person", "referral_": "referrals",
               "records_": "referrals"}  # fmt: skip


def _tab_of(extra: dict[str, Any]) -> str:
    for key, value in extra.items():
        for prefix, tab in _ERROR_TABS.items():
            if key.startswith(prefix) and value:
                return tab
    asked = request.args.get("tab", "")
    return asked if asked in TABS else "timeline"


def render_case(case: Case, status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    """The case page on one tab; `extra` carries an action's errors or a message back to it."""
    session = db()
    tab = extra.pop("tab", None) or _tab_of(extra)
    context: dict[str, Any] = {
        "case": case,
        "tab": tab,
        "tabs": TABS,
        "actions": available(case.stage, g.membership.role),
        "surveys": published_forms(session) if case.stage in ("application", "survey") else [],
        "risks": RISK_LEVELS,
        "message": None,
        "action_errors": {},
        "action_open": None,
        "action_message": None,
        "action_values": {},
        "transitions": TRANSITIONS,
        "event_labels": EVENT_LABELS,
        "stages": STAGES,
        "need_labels": NEED_LABELS,
        "judgement_levels": JUDGEMENT_LEVELS,
        "closure_reasons": CLOSURE_REASONS,
        "today": today(),
    }
    context.update(_TAB_LOADERS[tab](session, case))
    # The worker's name from the tab's own look-up of staff names when it made one.
    names = context.get("names") or {}
    wid = case.worker_id
    context["worker"] = (
        (names.get(wid) if wid in names else user_names({wid}).get(wid)) if wid else None
    )
    context.update(extra)
    if tab == "plan" and context["plan_values"] is None:
        context["plan_values"] = plan.form_values(context["plan"])
    if is_partial() and request.method == "GET":
        return render_template("cases/_tab.html", **context), status
    context["plugin_panels"] = case_panels(session, case)
    return render_template("cases/show.html", **context), status


def _timeline_tab(session: Session, case: Case) -> dict[str, Any]:
    events = timeline(session, case.id)
    contacts = followup.contacts_of(session, case.id)
    return {"events": events, "contacts": contacts, "contact_kinds": CONTACT_KINDS,
            "contact_errors": {}, "contact_values": {}, "case_tasks": task_ops.for_case(session, case.id),
            "task_errors": {}, "task_values": {},
            "names": user_names({e.by for e in events} | {c.by for c in contacts}
                                | ({case.worker_id} if case.worker_id else set()))}  # fmt: skip


def _person_tab(session: Session, case: Case) -> dict[str, Any]:
    from dolbom.people import details
    from dolbom.people.models import CONSENT_PURPOSES
    from dolbom.people.views import allowed_dongs
    from dolbom.rules.facts import DISABILITY, INCOME_BANDS, LTC_GRADES

    p = case.person
    editable = g.membership.role in FRONT
    return {
        "household": details.household_of(session, p.id),
        "consents": details.consents_of(session, p.id),
        "consent_purposes": CONSENT_PURPOSES,
        "person_editable": editable,
        "person_dongs": [(d.code, f"{d.gu} {d.name}") for d in allowed_dongs()] if editable else [],
        "ltc": LTC_GRADES, "disability": DISABILITY, "income": INCOME_BANDS,
        "person_errors": {}, "person_values": None, "person_message": None, "person_stale": False,
        "member_errors": {}, "member_values": {}, "consent_errors": {}, "consent_values": {},
        "consent_open": None,
    }  # fmt: skip


def _assessments_tab(session: Session, case: Case) -> dict[str, Any]:
    return {"responses": responses_for_case(session, case.id, cache_key=g.tenant.slug),
            "survey_error": None}  # fmt: skip


def _eligibility_tab(session: Session, case: Case) -> dict[str, Any]:
    return {"decisions": decisions_for_case(session, case.id)}


def _plan_tab(session: Session, case: Case) -> dict[str, Any]:
    editable = case.stage in plan.EDITABLE and g.membership.role in FRONT
    support_plan = plan.plan_of(session, case.id)
    return {"plan": support_plan, "plan_rows": plan.ROWS,
            "names": user_names({support_plan.updated_by}) if support_plan else {},
            "plan_services": plan.catalogue(session, g.tenant.slug) if editable else {},
            "plan_editable": editable, "plan_errors": {}, "plan_values": None,
            "plan_message": None}  # fmt: skip


def _referrals_tab(session: Session, case: Case) -> dict[str, Any]:
    from dolbom.referrals.views import referrals_context  # that module imports this one

    return referrals_context(session, case)


def _meetings_tab(session: Session, case: Case) -> dict[str, Any]:
    from dolbom.meetings.operations import items_for_case

    return {"meeting_items": items_for_case(session, case.id)}


def _monitoring_tab(session: Session, case: Case) -> dict[str, Any]:
    return {"checks": followup.checks_of(session, case.id), "check_open": None,
            "check_errors": {}, "check_values": {}}  # fmt: skip


def _documents_tab(session: Session, case: Case) -> dict[str, Any]:
    from dolbom.documents.views import documents_context  # that module imports this one

    return documents_context(session, case)


_TAB_LOADERS = {
    "timeline": _timeline_tab,
    "person": _person_tab,
    "assessments": _assessments_tab,
    "eligibility": _eligibility_tab,
    "plan": _plan_tab,
    "referrals": _referrals_tab,
    "meetings": _meetings_tab,
    "monitoring": _monitoring_tab,
    "documents": _documents_tab,
}


def user_names(ids: set[int]) -> dict[int, str]:
    """Names of staff for the timeline (users live in the shared schema)."""
    if not ids:
        return {}
    with shared_session() as s:
        return dict(s.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())
