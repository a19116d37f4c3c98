"""Volunteer screens: counts per dong with the list, a new volunteer, one volunteer's page.

The list shows names but no phone numbers; a volunteer's own page shows the phone and writes an
access-log row ("squad_volunteer")."""

from __future__ import annotations

from typing import Any

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from dolbom.plugins.api import is_partial, log_access, request_session, today
from dolbom_squad import volunteers as ops
from dolbom_squad.models import SKILLS, Volunteer
from dolbom_squad.reading import Stale, kept, lock_from
from dolbom_squad.web import dong_choices, dong_options, go, multi, names, scope, staff


def _log(volunteer: Volunteer, action: str) -> None:
    log_access(request_session(), subject_type="squad_volunteer", subject_id=volunteer.id,
               action=action)  # fmt: skip


@staff
def index():  # type: ignore[no-untyped-def]
    session, dongs = request_session(), scope()
    args = request.args
    page = args.get("page", "1")
    f = {"dong": args.get("dong", ""), "skill": args.get("skill", ""),
         "active": args.get("active", "1")}  # fmt: skip
    if dongs is not None and f["dong"] not in dongs:
        f["dong"] = ""
    listing = ops.listing(session, dongs, page=int(page) if page.isdecimal() else 1, **f)
    choices = dong_choices(session)
    context = {
        "f": f,
        "listing": listing,
        "counts": ops.counts_by_dong(session, choices, dongs),
        "dongs": choices,
        "names": names(session),
        "skills": SKILLS,
    }
    if is_partial():
        return render_template("squad/_volunteer_list.html", **context)
    return render_template("squad/volunteers.html", **context)


def _form(template_page: str, status: int = 200, **context: Any):  # type: ignore[no-untyped-def]
    context.setdefault("errors", {})
    context.setdefault("message", None)
    context["dongs"] = dong_choices(request_session())
    context["skills"] = SKILLS
    context["dong_options"] = dong_options
    partial = is_partial() and request.method == "POST"
    template = "squad/_volunteer_form.html" if partial else template_page
    return render_template(template, **context), status


def _values() -> dict[str, Any]:
    return kept(request.form) | {"skills": multi("skills")}


@staff
def new():  # type: ignore[no-untyped-def]
    session = request_session()
    if request.method == "GET":
        values: dict[str, Any] = {"joined_on": today().isoformat(), "skills": []}
        if len(dong_choices(session)) == 1:
            values["dong_code"] = dong_choices(session)[0].code
        return _form("squad/volunteer_new.html", values=values, volunteer=None)
    r = ops.read_volunteer(request.form, multi("skills"), dong_choices=dong_choices(session))
    if r.errors:
        return _form("squad/volunteer_new.html", 422, values=_values(), errors=r.errors,
                     volunteer=None)  # fmt: skip
    v = ops.create(session, r.values, user_id=g.membership.user_id)
    _log(v, "create")
    session.commit()
    return go(url_for("tenant.plugin_squad.volunteers", dong=v.dong_code))


def _as_values(v: Volunteer) -> dict[str, Any]:
    return {"name": v.name, "phone": v.phone, "dong_code": v.dong_code, "skills": list(v.skills),
            "joined_on": v.joined_on.isoformat(), "active": "1" if v.active else ""}  # fmt: skip


@staff
def edit(volunteer_id: int):  # type: ignore[no-untyped-def]
    session = request_session()
    v = ops.volunteer_in_scope(session, volunteer_id, scope())
    if v is None:
        abort(404)
    page = "squad/volunteer_edit.html"
    if request.method == "GET":
        _log(v, "view")
        session.commit()
        return _form(page, values=_as_values(v), volunteer=v, names=names(session))
    r = ops.read_volunteer(request.form, multi("skills"), dong_choices=dong_choices(session),
                           editing=True)  # fmt: skip
    if r.errors:
        return _form(page, 422, values=_values(), errors=r.errors, volunteer=v,
                     names=names(session))  # fmt: skip
    try:
        ops.update(session, v, r.values, lock_version=lock_from(request.form))
    except (Stale, StaleDataError):
        session.rollback()
        fresh = ops.volunteer_in_scope(session, volunteer_id, scope())
        if fresh is None:
            abort(404)
        message = _("다른 사람이 먼저 이 봉사자 정보를 바꿨습니다. 지금 저장된 내용을 확인하세요. "
                    "적은 내용은 그대로 두었으니 필요하면 다시 저장하세요.")  # fmt: skip
        return _form(page, 409, values=_values(), volunteer=fresh, message=message,
                     names=names(session))  # fmt: skip
    _log(v, "edit")
    session.commit()
    return go(url_for("tenant.plugin_squad.volunteers", dong=v.dong_code))
