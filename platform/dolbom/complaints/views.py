"""Complaint screens (`/<tenant>/complaints/…`): the register, a new complaint, and one
complaint with its handling.

Who may do what — kept simple:
- coordinators and city administrators (the situation room, 통합돌봄상황실) see every
  complaint, register, handle and close them;
- frontline workers take complaints at the counter: they register them and see the ones they
  registered, with how they were handled, but do not handle or close them;
- provider staff (and anyone else) see nothing here.

A complaint holds personal data (the complainant's name and contact): opening one writes an
access-log row, and lists show neither. The handling section is swapped by htmx on its own and
shows neither either, so its fragments write only the "edit" row of a save."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from dolbom.audit.access import log_access
from dolbom.cases.views import user_names
from dolbom.clock import today
from dolbom.complaints import operations as ops
from dolbom.complaints import queries
from dolbom.complaints.models import COMPLAINT_CHANNELS, COMPLAINT_STATUSES, Complaint
from dolbom.identity.access import tenant_roles
from dolbom.web.context import db
from dolbom.web.filters import seoul
from dolbom.web.htmx import is_partial

handlers = tenant_roles("coordinator", "city_admin")
staff = tenant_roles("coordinator", "city_admin", "frontline_worker")


def _complaint_or_404(complaint_id: int) -> Complaint:
    m = g.membership
    complaint = queries.complaint_in_scope(db(), complaint_id, m.role, m.user_id)
    if complaint is None:
        abort(404)
    return complaint


def _log(complaint: Complaint, action: str, detail: str | None = None) -> None:
    log_access(db(), user_id=g.membership.user_id, ip=request.remote_addr,
               subject_type="complaint", subject_id=complaint.id, action=action, detail=detail)  # fmt: skip


def _kept(form: Any) -> dict[str, str]:
    return {k: v for k, v in form.items() if k not in ("csrf_token", "lock_version")}


def _go(url: str) -> Response:
    """After a save: htmx navigates to the page itself, a plain form follows the redirect."""
    if request.headers.get("HX-Request"):
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, 303)  # type: ignore[return-value]


@staff
def index():  # type: ignore[no-untyped-def]
    m = g.membership
    reg = queries.register(db(), request.args, role=m.role, user_id=m.user_id)
    template = "complaints/_list.html" if is_partial() else "complaints/index.html"
    return render_template(
        template, reg=reg, statuses=COMPLAINT_STATUSES, channels=COMPLAINT_CHANNELS
    )


def _new_form(values: dict[str, Any], errors: dict[str, str], status: int = 200):  # type: ignore[no-untyped-def]
    # A failed htmx post swaps just the form; a plain post gets the page again.
    template = (
        "complaints/_form.html"
        if is_partial() and request.method == "POST"
        else "complaints/new.html"
    )
    return render_template(template, values=values, errors=errors, channels=COMPLAINT_CHANNELS), status  # fmt: skip


@staff
def new():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _new_form({"received_on": today().isoformat(), "channel": "phone"}, {})
    session, m = db(), g.membership
    reading = ops.read_complaint(session, request.form, role=m.role, dong_codes=m.dong_codes or [])
    if reading.errors:
        return _new_form(_kept(request.form), reading.errors, 422)
    complaint = ops.create(session, reading.values, user_id=m.user_id)
    _log(complaint, "create")
    session.commit()
    return _go(url_for("tenant.complaints.show", complaint_id=complaint.id))


@staff
def show(complaint_id: int):  # type: ignore[no-untyped-def]
    return _show(_complaint_or_404(complaint_id))


def _show(complaint: Complaint, status: int = 200, **work: Any):  # type: ignore[no-untyped-def]
    """The whole page: it shows the complainant, so it is one access-log row."""
    _log(complaint, "view")
    db().commit()
    names = user_names({i for i in (complaint.created_by, complaint.handled_by) if i})
    context = _work_context(complaint, names, **work)  # the page includes the handling section
    return render_template("complaints/show.html", channels=COMPLAINT_CHANNELS, **context), status


def _work_context(complaint: Complaint, names: dict[int, str], *, message: str | None = None,
                  errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                  open_action: str | None = None, oob: bool = False) -> dict[str, Any]:  # fmt: skip
    defaults = {"handled_on": today().isoformat(), "case_number": str(complaint.case_id or "")}
    return {
        "c": complaint,
        "names": names,
        "statuses": COMPLAINT_STATUSES,
        "can_handle": g.membership.role in queries.HANDLERS,
        "message": message,
        "errors": errors or {},
        "values": defaults | (values or {}),
        "open_action": open_action,  # the form a refused save came from, shown again
        "oob": oob,
    }


def _work(complaint: Complaint, status: int = 200, **work: Any):  # type: ignore[no-untyped-def]
    """The handling section after a save or a refusal: a fragment for htmx, else the page."""
    if not is_partial():
        return _show(complaint, status, **work)
    names = user_names({complaint.handled_by} if complaint.handled_by else set())
    return render_template("complaints/_work.html", **_work_context(complaint, names, **work)), status  # fmt: skip


def _stale_message(complaint_id: int) -> str:
    change = queries.last_change(db(), complaint_id)
    if change is None:
        return _("다른 사람이 먼저 이 민원을 바꿨습니다. 지금 상태를 확인한 뒤 다시 저장하세요.")
    who = user_names({change[0]}).get(change[0], _("다른 사용자"))
    return _("%(who)s님이 %(at)s에 이 민원을 변경했습니다. 지금 상태를 확인하고, 적은 내용은 그대로 두었으니 필요하면 다시 저장하세요.",
             who=who, at=seoul(change[1]))  # fmt: skip


def _step(complaint_id: int, action: str):  # type: ignore[no-untyped-def]
    session, m = db(), g.membership
    complaint = _complaint_or_404(complaint_id)
    values = _kept(request.form)
    lock = ops.lock_from(request.form)
    try:
        if action == "handle":
            errors = ops.handle(session, complaint, request.form, role=m.role,
                                dong_codes=m.dong_codes or [], user_id=m.user_id, lock_version=lock)  # fmt: skip
        else:
            errors = ops.close(session, complaint, lock_version=lock)
    except (ops.Stale, StaleDataError):
        session.rollback()
        fresh = _complaint_or_404(complaint_id)
        return _work(fresh, 409, message=_stale_message(complaint_id), values=values,
                     open_action=action)  # fmt: skip
    except ops.Refused as exc:
        session.rollback()
        return _work(_complaint_or_404(complaint_id), 422, message=str(exc), values=values,
                     open_action=action)  # fmt: skip
    if errors:
        session.rollback()
        return _work(complaint, 422, errors=errors, values=values, open_action=action)
    _log(complaint, "edit", ops.STEPS[action].label)
    session.commit()
    if is_partial():
        return _work(complaint, oob=True)
    return redirect(url_for("tenant.complaints.show", complaint_id=complaint.id), 303)


@handlers
def handle(complaint_id: int):  # type: ignore[no-untyped-def]
    return _step(complaint_id, "handle")


@handlers
def close(complaint_id: int):  # type: ignore[no-untyped-def]
    return _step(complaint_id, "close")
