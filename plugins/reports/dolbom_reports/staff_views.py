"""Staff pages, `/<slug>/p/reports/…`: the triage list and a report's page (coordinators, city
administrators, frontline workers of the report's dong), the payment ledger with its exports
(coordinators and city administrators). The reporter's contact shows only to coordinators and
administrators; every page showing personal data writes an access-log row."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from dolbom.plugins.api import (
    current_dongs,
    dong_names,
    layout,
    log_access,
    member_dongs,
    request_session,
    tenant_roles,
    today,
)
from dolbom_reports import export, operations, queries
from dolbom_reports.models import (
    CRISIS_KINDS,
    DUE_STATES,
    PAYMENT_STATUSES,
    RELATIONS,
    REPORT_STATUSES,
    Payment,
    Report,
)
from dolbom_reports.reward import Refused, Stale, mark_paid

TRIAGE = ("coordinator", "city_admin", "frontline_worker")
LEDGER = ("coordinator", "city_admin")
triage = tenant_roles(*TRIAGE)  # type: ignore[arg-type]
ledger_roles = tenant_roles(*LEDGER)  # type: ignore[arg-type]
ACTIONS = ("duplicate", "link", "apply", "close")


def _report_or_404(report_id: int) -> Report:
    report = queries.report_in_scope(request_session(), report_id, member_dongs())
    if report is None:
        abort(404)
    return report


def index():  # type: ignore[no-untyped-def]
    s, dongs = request_session(), member_dongs()
    listing = queries.report_list(s, request.args, dongs)
    choices = [d for d in current_dongs(s) if dongs is None or d.code in dongs]
    return render_template("reports/index.html", layout=layout(), listing=listing,
                           statuses=REPORT_STATUSES, dongs=choices, kinds=CRISIS_KINDS,
                           names=dong_names(s, {r.dong_code for r in listing.rows}),
                           can_ledger=g.membership.role in LEDGER)  # fmt: skip


def _show(report: Report, status: int = 200, **ctx: Any):  # type: ignore[no-untyped-def]
    s = request_session()
    due, payment = queries.reward_of(s, report.id)
    duplicates = queries.possible_duplicates(s, report) if report.status == "new" else []
    matches = queries.matching_people(s, report) if report.status == "new" else []
    log_access(s, subject_type="crisis_report", subject_id=report.id, action="view")
    for m in matches:  # registry people shown as possible matches are handled data too
        log_access(s, subject_type="person", subject_id=m.person.id, action="view",
                   detail=f"위기가구 신고 {report.id} 대조")  # fmt: skip
    s.commit()
    original = s.get(Report, report.duplicate_of) if report.duplicate_of else None
    context = {
        "r": report, "due": due, "payment": payment, "duplicates": duplicates,
        "matches": matches, "original": original, "kinds": CRISIS_KINDS, "relations": RELATIONS,
        "due_states": DUE_STATES, "show_contact": g.membership.role in LEDGER,
        "names": dong_names(s, {report.dong_code}), "errors": {}, "values": {},
        "message": None, "open_action": None,
    } | ctx  # fmt: skip
    return render_template("reports/show.html", layout=layout(), **context), status


def show(report_id: int):  # type: ignore[no-untyped-def]
    return _show(_report_or_404(report_id))


def _person_choice(report: Report) -> int | None:
    raw = request.form.get("person_id", "")
    if not raw:
        return None
    allowed = {m.person.id for m in queries.matching_people(request_session(), report)}
    if not raw.isdecimal() or int(raw) not in allowed:
        raise operations.Refused(_("명부 후보 중에서 고르세요"), "person_id")
    return int(raw)


def act(report_id: int, action: str):  # type: ignore[no-untyped-def]
    if action not in ACTIONS:
        abort(404)
    s, m = request_session(), g.membership
    report = _report_or_404(report_id)
    form, lock = request.form, operations.lock_from(request.form)
    values = {k: v for k, v in form.items() if k not in ("csrf_token", "lock_version")}
    try:
        if action == "duplicate":
            operations.mark_duplicate(s, report, form.get("original", ""), user_id=m.user_id,
                                      lock_version=lock)  # fmt: skip
        elif action == "link":
            operations.link_case(s, report, form.get("case_id", ""), user_id=m.user_id,
                                 lock_version=lock)  # fmt: skip
        elif action == "apply":
            person_id = _person_choice(report)
            operations.open_case(s, g.tenant.slug, report, person_id=person_id,
                                 name=form.get("name", ""), address=form.get("address", ""),
                                 user_id=m.user_id, lock_version=lock)  # fmt: skip
        else:
            operations.close_not_applicable(s, report, form.get("reason", ""), user_id=m.user_id,
                                            lock_version=lock)  # fmt: skip
    except (operations.Stale, StaleDataError) as exc:
        s.rollback()
        message = str(exc) if isinstance(exc, operations.Stale) else str(operations.Stale(
            _("다른 사람이 먼저 이 신고를 처리했습니다. 지금 상태를 확인한 뒤 다시 하세요.")))  # fmt: skip
        return _show(_report_or_404(report_id), 409, message=message, values=values,
                     open_action=action)  # fmt: skip
    except operations.Refused as exc:
        s.rollback()
        errors = {exc.field: str(exc)} if exc.field else {}
        return _show(_report_or_404(report_id), 422, errors=errors, values=values,
                     message=None if exc.field else str(exc), open_action=action)  # fmt: skip
    with force_locale("ko"):  # the access log is kept in Korean, whatever the page's language
        detail = f"분류: {report.status_label}"
    log_access(s, subject_type="crisis_report", subject_id=report.id, action="edit", detail=detail)
    s.commit()
    return redirect(url_for(".show", report_id=report.id), 303)


def _year() -> int:
    raw = request.args.get("year", "")
    return int(raw) if raw.isdecimal() and 2000 <= int(raw) <= 2100 else today().year


def ledger_page(status_code: int = 200, **ctx: Any):  # type: ignore[no-untyped-def]
    s = request_session()
    book = queries.ledger(s, ctx.pop("year", None) or _year(), request.args.get("status", ""))
    log_access(s, subject_type="crisis_report_ledger", subject_id=book.year, action="view",
               detail=f"포상금 대장 {book.year} {book.status or '전체'} {len(book.rows)}건")  # fmt: skip
    s.commit()
    context = {"book": book, "statuses": PAYMENT_STATUSES, "today": today().isoformat(),
               "names": export.dong_labels(s, book), "errors": {}, "message": None,
               "failed_id": None} | ctx  # fmt: skip
    return render_template("reports/ledger.html", layout=layout(), **context), status_code


def ledger():  # type: ignore[no-untyped-def]
    return ledger_page()


def pay(payment_id: int):  # type: ignore[no-untyped-def]
    s = request_session()
    payment = s.get(Payment, payment_id)
    if payment is None:
        abort(404)
    year = payment.year
    try:
        mark_paid(s, payment, request.form.get("paid_on", ""), user_id=g.membership.user_id,
                  lock_version=operations.lock_from(request.form))  # fmt: skip
    except (Stale, StaleDataError):
        s.rollback()
        return ledger_page(409, year=year, failed_id=payment_id, message=str(Stale(
            _("다른 사람이 먼저 이 지급 건을 바꿨습니다. 지금 상태를 확인한 뒤 다시 하세요."))))  # fmt: skip
    except Refused as exc:
        s.rollback()
        return ledger_page(422, year=year, failed_id=payment_id,
                           errors={payment_id: str(exc)})  # fmt: skip
    log_access(s, subject_type="crisis_report", subject_id=payment.report_id, action="edit",
               detail=f"포상금 지급 완료 {payment.paid_on}")  # fmt: skip
    s.commit()
    return redirect(url_for(".ledger", year=year, status=request.args.get("status") or None), 303)


def download(year: int, fmt: str):  # type: ignore[no-untyped-def]
    if fmt not in ("csv", "xlsx"):
        abort(404)
    s = request_session()
    book = queries.ledger(s, year, request.args.get("status", ""))
    names = export.dong_labels(s, book)
    body = export.to_csv(book, names) if fmt == "csv" else export.to_xlsx(book, names)
    log_access(s, subject_type="crisis_report_ledger", subject_id=year, action="download",
               detail=f"포상금 대장 {year} {book.status or '전체'} {len(book.rows)}건 {fmt}")  # fmt: skip
    s.commit()
    mimetype = ("text/csv; charset=utf-8" if fmt == "csv" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    name = f"reports-ledger-{year}{'-' + book.status if book.status else ''}.{fmt}"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})  # fmt: skip


def _action(action: str):  # type: ignore[no-untyped-def]
    def view(report_id: int):  # type: ignore[no-untyped-def]
        return act(report_id, action)

    view.__name__ = f"act_{action}"
    return triage(view)


def make_blueprint() -> Blueprint:
    bp = Blueprint("reports", __name__, template_folder="templates")
    bp.add_url_rule("/", "index", triage(index))
    bp.add_url_rule("/<int:report_id>", "show", triage(show))
    for action in ACTIONS:
        bp.add_url_rule(f"/<int:report_id>/{action}", action, _action(action), methods=["POST"])
    bp.add_url_rule("/ledger", "ledger", ledger_roles(ledger))
    bp.add_url_rule("/payments/<int:payment_id>/paid", "pay", ledger_roles(pay), methods=["POST"])
    bp.add_url_rule("/ledger/<int:year>/<fmt>", "download", ledger_roles(download))
    return bp
