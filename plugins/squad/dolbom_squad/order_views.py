"""Work-order screens: the list per dong, a new order, one order with its assignment,
completion and cancellation, and its photos.

An order's page shows the address and, when linked, the person of the case: opening it writes
access-log rows ("squad_order", and "case" for the linked case); each photo served is one more.
The sections post with htmx and come back as fragments: 422 with the input kept when refused,
409 when someone saved the order first."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from dolbom.plugins.api import (
    case_in_scope,
    is_partial,
    log_access,
    person_brief,
    request_session,
    today,
)
from dolbom_squad import orders as ops
from dolbom_squad import photos, queries, volunteers
from dolbom_squad.models import (
    CHECK_ITEMS,
    CHECK_RESULTS,
    KINDS,
    SKILLS,
    STATUSES,
    URGENCIES,
    WorkOrder,
)
from dolbom_squad.reading import Refused, Stale, kept, lock_from
from dolbom_squad.web import dong_choices, dong_options, go, multi, names, scope, staff

SECTIONS = {"assign": "squad/_assign.html", "complete": "squad/_complete.html",
            "cancel": "squad/_cancel.html"}  # fmt: skip
LABELS = {"kinds": KINDS, "statuses": STATUSES, "urgencies": URGENCIES,
          "check_items": CHECK_ITEMS, "check_results": CHECK_RESULTS, "skills": SKILLS,
          "dong_options": dong_options}  # fmt: skip


def _order_or_404(order_id: int) -> WorkOrder:
    order = ops.order_in_scope(request_session(), order_id, scope())
    if order is None:
        abort(404)
    return order


def _log(order: WorkOrder, action: str, detail: str | None = None) -> None:
    log_access(request_session(), subject_type="squad_order", subject_id=order.id,
               action=action, detail=detail)  # fmt: skip


@staff
def index():  # type: ignore[no-untyped-def]
    session, dongs = request_session(), scope()
    f = queries.OrderFilter.of(request.args, dongs)
    listing = queries.listing(session, f, dongs)
    context = {"f": f, "listing": listing, "dongs": dong_choices(session),
               "names": names(session, {r.dong_code for r in listing.rows}),
               "today": today(), **LABELS}  # fmt: skip
    status = 422 if f.errors else 200
    if is_partial():
        return render_template("squad/_order_list.html", **context), status
    return render_template("squad/index.html", **context), status


def _new_form(values: dict[str, Any], errors: dict[str, str], status: int = 200):  # type: ignore[no-untyped-def]
    partial = is_partial() and request.method == "POST"
    template = "squad/_order_form.html" if partial else "squad/order_new.html"
    context = {"values": values, "errors": errors, "dongs": dong_choices(request_session()),
               **LABELS}  # fmt: skip
    return render_template(template, **context), status


@staff
def new():  # type: ignore[no-untyped-def]
    session = request_session()
    if request.method == "GET":
        values: dict[str, Any] = {"requested_on": today().isoformat(), "urgency": "normal",
                                  "kind": request.args.get("kind", "")}  # fmt: skip
        raw_case = request.args.get("case_id", "")
        case = case_in_scope(session, int(raw_case)) if raw_case.isdecimal() else None
        if case is not None:
            values["case_number"] = str(case.id)
            values["dong_code"] = case.dong_code or ""
        elif len(dong_choices(session)) == 1:
            values["dong_code"] = dong_choices(session)[0].code
        return _new_form(values, {})
    r = ops.read_order(request.form, dong_choices=dong_choices(session),
                       find_case=lambda cid: case_in_scope(session, cid))  # fmt: skip
    if r.errors:
        return _new_form(kept(request.form), r.errors, 422)
    order = ops.create(session, r.values, user_id=g.membership.user_id)
    _log(order, "create")
    session.commit()
    return go(url_for("tenant.plugin_squad.order", order_id=order.id))


def _context(order: WorkOrder, **extra: Any) -> dict[str, Any]:
    session = request_session()
    assigned = ops.assignees(session, order.id)
    pick_dong = extra.pop("pick_dong", None) or order.dong_code
    context: dict[str, Any] = {
        "o": order,
        "assigned": assigned,
        "photos": photos.photos_of(session, order.id),
        "names": names(session, {order.dong_code, *(v.dong_code for v in assigned)}),
        "dongs": dong_choices(session),
        "pick_dong": pick_dong,
        "candidates": _candidates(pick_dong),
        "photo_limit_mb": photos.MAX_BYTES // (1024 * 1024),
        "max_photos": photos.MAX_PHOTOS,
        "today": today(),
        "errors": {},
        "values": {},
        "message": None,
        "section": None,
        **LABELS,
    }
    context.update(extra)
    return context


def _candidates(dong: str) -> list[Any]:
    dongs = scope()
    if dongs is not None and dong not in dongs:
        return []
    return volunteers.active_of_dong(request_session(), dong)


@staff
def show(order_id: int):  # type: ignore[no-untyped-def]
    return _page(_order_or_404(order_id))


def _page(order: WorkOrder, status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    """The whole order page: it shows the address and the case's person, so it is logged."""
    session = request_session()
    person = None
    if order.case_id is not None:
        case = case_in_scope(session, order.case_id)
        if case is not None:
            person = person_brief(session, case.person_id)
            log_access(session, subject_type="case", subject_id=case.id, action="view",
                       detail=f"복지기동대 작업 {order.id}")  # fmt: skip
    _log(order, "view")
    session.commit()
    return render_template("squad/order.html", person=person, **_context(order, **extra)), status


@staff
def pick(order_id: int):  # type: ignore[no-untyped-def]
    """The volunteer checkboxes for one dong (the assignment form's dong picker)."""
    order = _order_or_404(order_id)
    dong = request.args.get("pick_dong", "") or order.dong_code
    context = _context(order, pick_dong=dong)
    return render_template("squad/_pick.html", **context)


def _section(order: WorkOrder, section: str, status: int, **extra: Any):  # type: ignore[no-untyped-def]
    values = kept(request.form) | {"volunteers": multi("volunteers")}
    if not is_partial():
        return _page(order, status, section=section, values=values, **extra)
    context = _context(order, section=section, values=values, **extra)
    return render_template(SECTIONS[section], **context), status


def _step(order_id: int, section: str):  # type: ignore[no-untyped-def]
    session, m = request_session(), g.membership
    order = _order_or_404(order_id)
    lock = lock_from(request.form)
    try:
        if section == "assign":
            errors = ops.assign(session, order, multi("volunteers"), user_id=m.user_id,
                                lock_version=lock, dong_names=names(session), scope=scope())  # fmt: skip
        elif section == "complete":
            uploads = [photos.Upload(f.filename or "", f.read(photos.MAX_BYTES + 1))
                       for f in request.files.getlist("photos")]  # fmt: skip
            errors = ops.complete(session, order, request.form, uploads, user_id=m.user_id,
                                  lock_version=lock)  # fmt: skip
        else:
            errors = ops.cancel(session, order, request.form, lock_version=lock)
    except (Stale, StaleDataError):
        session.rollback()
        message = _("다른 사람이 먼저 이 작업 요청을 바꿨습니다. 지금 상태를 확인하세요. "
                    "적은 내용은 그대로 두었으니 필요하면 다시 저장하세요.")  # fmt: skip
        return _section(_order_or_404(order_id), section, 409, message=message,
                        pick_dong=request.form.get("pick_dong"))  # fmt: skip
    except Refused as exc:
        session.rollback()
        return _section(_order_or_404(order_id), section, 422, message=str(exc))
    if errors:
        session.rollback()
        return _section(_order_or_404(order_id), section, 422, errors=errors,
                        pick_dong=request.form.get("pick_dong"))  # fmt: skip
    _log(order, "edit", {"assign": "배정", "complete": "완료", "cancel": "취소"}[section])
    session.commit()
    return go(url_for("tenant.plugin_squad.order", order_id=order.id))


@staff
def assign(order_id: int):  # type: ignore[no-untyped-def]
    return _step(order_id, "assign")


@staff
def complete(order_id: int):  # type: ignore[no-untyped-def]
    return _step(order_id, "complete")


@staff
def cancel(order_id: int):  # type: ignore[no-untyped-def]
    return _step(order_id, "cancel")


@staff
def photo(order_id: int, photo_id: int):  # type: ignore[no-untyped-def]
    session = request_session()
    order = _order_or_404(order_id)
    p = photos.photo(session, order.id, photo_id)
    if p is None:
        abort(404)
    _log(order, "view", f"사진 {p.id}")
    session.commit()
    ext = "png" if p.content_type == "image/png" else "jpg"
    return Response(p.data, mimetype=p.content_type, headers={
        "Content-Disposition": f'inline; filename="squad-{order.id}-{p.id}.{ext}"',
        "Cache-Control": "private, no-store",
    })  # fmt: skip
