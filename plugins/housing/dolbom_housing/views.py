"""Screens for buildings and flats, and the dashboard (`/<tenant>/p/housing/…`).

City administrators and coordinators manage buildings and flats and record move-outs;
frontline workers read (people's names only of their own dongs). Provider staff see nothing."""

from __future__ import annotations

from typing import Any

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from dolbom.plugins.api import (
    current_dongs,
    dong_names,
    is_partial,
    member_dongs,
    person_briefs,
    request_session,
    today,
)
from dolbom_housing import forms, queries, scoring
from dolbom_housing import operations as ops
from dolbom_housing.models import (
    BUILDING_KINDS,
    BUILDING_STATUSES,
    FEATURES,
    FLAT_STATUSES,
    MOVE_OUT_REASONS,
    Building,
    Flat,
)
from dolbom_housing.web import (
    can_manage,
    go,
    kept,
    log_person,
    manage,
    page_or_fragment,
    read,
    refusal,
    sees_person,
)


def _labels() -> dict[str, Any]:
    return {"kinds": BUILDING_KINDS, "statuses": BUILDING_STATUSES, "flat_statuses": FLAT_STATUSES,
            "features": FEATURES, "reasons": MOVE_OUT_REASONS, "can_manage": can_manage()}  # fmt: skip


@read
def index():  # type: ignore[no-untyped-def]
    session, day, dongs = request_session(), today(), member_dongs()
    occ = queries.occupancy(session)
    entries, waiting_total = queries.waiting(session, dongs, per_page=10)
    flagged = queries.flagged_tenancies(session, dongs)
    stale = queries.stale_entries(session, dongs)
    people = person_briefs(session, [e.person_id for e in (*entries, *stale)]
                           + [t.person_id for t, _f, _b in flagged])  # fmt: skip
    open_ = [o for o in occ if o.building.status == "open"]
    totals = {"flats": sum(o.flats for o in open_), "occupied": sum(o.occupied for o in open_),
              "vacant": sum(o.available for o in open_), "repair": sum(o.repair for o in open_),
              "planned": sum(o.building.planned_flats or 0 for o in occ if o.building.status == "planned")}  # fmt: skip
    names = dong_names(session, {o.building.dong_code for o in occ if o.building.dong_code})
    return render_template(
        "housing/index.html", occ=occ, totals=totals, entries=entries, waiting_total=waiting_total,
        flagged=flagged, stale=stale, people=people, dong_names=names, rank0=0,
        vacant=queries.vacant_flats(session, limit=12), vacant_total=queries.vacant_count(session),
        rules=scoring.load_rules(session, g.tenant.slug, day), **_labels(),
    )  # fmt: skip


def _building_or_404(building_id: int) -> Building:
    building = request_session().get(Building, building_id)
    if building is None:
        abort(404)
    return building


def _flat_or_404(flat_id: int) -> tuple[Flat, Building]:
    session = request_session()
    flat = session.get(Flat, flat_id)
    if flat is None:
        abort(404)
    return flat, session.get(Building, flat.building_id)  # type: ignore[return-value]


def _dongs() -> list[Any]:
    return current_dongs(request_session())


def _building_values(b: Building) -> dict[str, Any]:
    return {"name": b.name, "address": b.address or "", "dong_code": b.dong_code or "",
            "kind": b.kind, "status": b.status, "planned_flats": b.planned_flats or "",
            "services": "\n".join(b.services or []), "note": b.note or "",
            "lock_version": b.lock_version}  # fmt: skip


@manage
def building_new():  # type: ignore[no-untyped-def]
    ctx: dict[str, Any] = {"building": None, "dongs": _dongs(), **_labels()}
    if request.method == "GET":
        return render_template(
            "housing/building_new.html",
            values={"kind": "remodel", "status": "open"},
            errors={},
            **ctx,
        )
    session = request_session()
    reading = forms.read_building(request.form, {d.code for d in ctx["dongs"]})
    try:
        if reading.errors:
            raise ops.Refused(_("저장하지 않았습니다. 표시된 항목을 확인하세요."), reading.errors)
        building = ops.save_building(session, None, reading.values, user_id=g.membership.user_id)
    except ops.Refused as exc:
        session.rollback()
        return page_or_fragment("housing/building_new.html", "housing/_building_form.html", 422,
                                values=kept(request.form), errors=exc.fields, message=exc.message, **ctx)  # fmt: skip
    session.commit()
    return go(url_for("tenant.plugin_housing.building", building_id=building.id))


def _building_page(building: Building, status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    session = request_session()
    flats = queries.flats_of(session, building.id)
    visible = [
        t for _f, t in flats if t is not None and sees_person(t.dong_code, building.dong_code)
    ]
    people = person_briefs(session, [t.person_id for t in visible])
    ctx = {"b": building, "flats": flats, "people": people, "visible": {t.id for t in visible},
           "dongs": _dongs(), "dong_names": dong_names(session, [building.dong_code or ""]),
           "building": building, "values": _building_values(building), "errors": {},
           "flat_values": {}, "flat_errors": {},
           **_labels(), **extra}  # fmt: skip
    return render_template("housing/building.html", **ctx), status


@read
def building(building_id: int):  # type: ignore[no-untyped-def]
    return _building_page(_building_or_404(building_id))


@manage
def building_edit(building_id: int):  # type: ignore[no-untyped-def]
    session, b = request_session(), _building_or_404(building_id)
    dongs = _dongs()
    reading = forms.read_building(request.form, {d.code for d in dongs})
    try:
        if reading.errors:
            raise ops.Refused(_("저장하지 않았습니다. 표시된 항목을 확인하세요."), reading.errors)
        ops.save_building(session, b, reading.values, user_id=g.membership.user_id,
                          lock_version=forms.lock_from(request.form))  # fmt: skip
        session.commit()
    except (ops.Refused, StaleDataError) as exc:
        session.rollback()
        status, message, fields = refusal(exc)
        fresh = _building_or_404(building_id)
        values = kept(request.form) | {"lock_version": fresh.lock_version}
        if is_partial():
            return render_template("housing/_building_form.html", building=fresh, values=values,
                                   errors=fields, message=message, dongs=dongs, **_labels()), status  # fmt: skip
        return _building_page(fresh, status, values=values, errors=fields, message=message)
    return go(url_for("tenant.plugin_housing.building", building_id=b.id))


@manage
def flats_add(building_id: int):  # type: ignore[no-untyped-def]
    session, b = request_session(), _building_or_404(building_id)
    reading = forms.read_new_flats(request.form)
    try:
        if reading.errors:
            raise ops.Refused(_("추가하지 않았습니다. 표시된 항목을 확인하세요."), reading.errors)
        added = ops.add_flats(session, b, reading.values)
    except ops.Refused as exc:
        session.rollback()
        if is_partial():
            return render_template("housing/_flats_form.html", b=b, flat_values=kept(request.form),
                                   flat_errors=exc.fields, flat_message=exc.message, **_labels()), 422  # fmt: skip
        return _building_page(b, 422, flat_values=kept(request.form), flat_errors=exc.fields,
                              flat_message=exc.message)  # fmt: skip
    session.commit()
    return go(url_for("tenant.plugin_housing.building", building_id=b.id, added=len(added)))


def _flat_values(f: Flat) -> dict[str, Any]:
    return {"number": f.number, "floor": "" if f.floor is None else f.floor, "note": f.note or "",
            "status": "available" if f.status == "occupied" else f.status,
            **{k: getattr(f, k) for k in FEATURES}, "lock_version": f.lock_version}  # fmt: skip


def flat_page(
    flat: Flat, building: Building, status: int = 200, fragment: str | None = None, **extra: Any
):  # type: ignore[no-untyped-def]
    """The flat's page — or, for a refused htmx post, just the form it came from."""
    session = request_session()
    tenancy = queries.current_tenancy(session, flat_id=flat.id)
    shown = tenancy is not None and sees_person(tenancy.dong_code, building.dong_code)
    ctx = {"f": flat, "b": building, "tenancy": tenancy, "shown": shown, "values": _flat_values(flat),
           "errors": {}, "out_values": {}, "out_errors": {}, "today": today(), **_labels(), **extra}  # fmt: skip
    if fragment is not None and is_partial():
        return render_template(fragment, **ctx), status
    history = [
        t
        for t in queries.history_of(session, flat.id)
        if sees_person(t.dong_code, building.dong_code)
    ]
    people = person_briefs(
        session, ([tenancy.person_id] if shown and tenancy else []) + [t.person_id for t in history]
    )
    for pid in people:
        log_person(pid, "view", "케어안심주택 입주 기록")
    session.commit()
    return render_template("housing/flat.html", history=history, people=people, **ctx), status


@read
def flat(flat_id: int):  # type: ignore[no-untyped-def]
    return flat_page(*_flat_or_404(flat_id))


def _flat_refused(flat_id: int, exc: Exception, form_key: str):  # type: ignore[no-untyped-def]
    """The flat page again (or the form alone for htmx) with the reason; the input kept."""
    request_session().rollback()
    f, b = _flat_or_404(flat_id)
    status, message, fields = refusal(exc)
    if form_key == "edit":
        values = kept(request.form) | {"lock_version": f.lock_version}
        return flat_page(f, b, status, "housing/_flat_form.html", values=values, errors=fields,
                         message=message)  # fmt: skip
    return flat_page(f, b, status, "housing/_move_out.html", out_values=kept(request.form),
                     out_errors=fields, out_message=message)  # fmt: skip


@manage
def flat_edit(flat_id: int):  # type: ignore[no-untyped-def]
    session = request_session()
    f, _b = _flat_or_404(flat_id)
    reading = forms.read_flat(request.form)
    try:
        if reading.errors:
            raise ops.Refused(_("저장하지 않았습니다. 표시된 항목을 확인하세요."), reading.errors)
        ops.update_flat(session, f, reading.values, user_id=g.membership.user_id,
                        lock_version=forms.lock_from(request.form))  # fmt: skip
        session.commit()
    except (ops.Refused, StaleDataError) as exc:
        return _flat_refused(flat_id, exc, "edit")
    return go(url_for("tenant.plugin_housing.flat", flat_id=flat_id))


@manage
def move_out(flat_id: int):  # type: ignore[no-untyped-def]
    session = request_session()
    f, _b = _flat_or_404(flat_id)
    tenancy = queries.current_tenancy(session, flat_id=f.id)
    if tenancy is None:
        return _flat_refused(flat_id, ops.Refused(_("이 호에는 지금 사는 분이 없습니다.")), "out")
    reading = forms.read_move_out(request.form, today(), tenancy.moved_in_on)
    try:
        if reading.errors:
            raise ops.Refused(
                _("퇴거를 기록하지 않았습니다. 표시된 항목을 확인하세요."), reading.errors
            )
        ops.move_out(session, f, tenancy, reading.values, user_id=g.membership.user_id,
                     lock_version=forms.lock_from(request.form))  # fmt: skip
        log_person(tenancy.person_id, "edit", "케어안심주택 퇴거")
        session.commit()
    except (ops.Refused, StaleDataError) as exc:
        return _flat_refused(flat_id, exc, "out")
    return go(url_for("tenant.plugin_housing.flat", flat_id=flat_id))


@manage
def keep(flat_id: int):  # type: ignore[no-untyped-def]
    session = request_session()
    f, _b = _flat_or_404(flat_id)
    tenancy = queries.current_tenancy(session, flat_id=f.id)
    try:
        if tenancy is None:
            raise ops.Refused(_("이 호에는 지금 사는 분이 없습니다."))
        ops.keep_living(session, f, tenancy, user_id=g.membership.user_id,
                        lock_version=forms.lock_from(request.form))  # fmt: skip
        log_person(tenancy.person_id, "edit", "케어안심주택 계속 거주 확인")
        session.commit()
    except (ops.Refused, StaleDataError) as exc:
        return _flat_refused(flat_id, exc, "out")
    return go(url_for("tenant.plugin_housing.flat", flat_id=flat_id))
