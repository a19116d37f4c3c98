"""The resident's report form, `/<slug>/p/reports/public/`: no sign-in, no staff navigation,
CSRF as everywhere, a honeypot and a per-tenant rate limit (default 5 reports an hour from one
address). A refused form comes back with 422, every field as typed and a message beside each."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from dolbom.plugins.api import (
    SettingSpec,
    current_dongs,
    layout,
    rate_limited,
    request_session,
    rule_parameter,
    setting,
)
from dolbom_reports.intake import CONSENT_ITEMS, HONEYPOT, kept, read_report
from dolbom_reports.models import CRISIS_KINDS, RELATIONS
from dolbom_reports.operations import file_report
from dolbom_reports.reward import REWARD, rule_set_key

PER_HOUR = SettingSpec("reports.public_per_hour", "한 주소에서 한 시간에 받을 신고 수", 5)
_RECEIPT = "reports_receipt"


def _form(values: dict[str, Any], errors: dict[str, str], status: int = 200):  # type: ignore[no-untyped-def]
    s = request_session()
    reward = rule_parameter(s, g.tenant.slug, rule_set_key(s, g.tenant.slug), REWARD)
    return render_template(
        "reports/public_form.html", layout=layout(), values=values, errors=errors,
        dongs=current_dongs(s), kinds=CRISIS_KINDS, relations=RELATIONS,
        consent_items=CONSENT_ITEMS, honeypot=HONEYPOT, reward=reward, tenant=g.tenant,
    ), status  # fmt: skip


def report_form():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _form({"kinds": []}, {})
    s = request_session()
    reading = read_report(request.form, {d.code for d in current_dongs(s)})
    if reading.errors:
        return _form(kept(request.form), reading.errors, 422)
    if reading.bot:  # looks received to the bot; nothing stored
        session.pop(_RECEIPT, None)
        return redirect(url_for(".received"), 303)
    limit = int(setting(s, PER_HOUR) or 5)
    if rate_limited(f"reports-public:{g.tenant.slug}", limit, 3600):
        return render_template("reports/public_limited.html", layout=layout(), limit=limit,
                               tenant=g.tenant), 429  # fmt: skip
    report = file_report(s, g.tenant.slug, reading.values)
    s.commit()
    session[_RECEIPT] = report.receipt_no  # shown on the next page; not in its URL
    return redirect(url_for(".received"), 303)


def received():  # type: ignore[no-untyped-def]
    return render_template("reports/public_received.html", layout=layout(),
                           receipt=session.get(_RECEIPT), tenant=g.tenant)  # fmt: skip


def make_public_blueprint() -> Blueprint:
    bp = Blueprint("reports_public", __name__, template_folder="templates",
                   static_folder="static", static_url_path="/static")  # fmt: skip
    bp.add_url_rule("/", "form", report_form, methods=["GET", "POST"])
    bp.add_url_rule("/received", "received", received)
    return bp
