"""Districts in the console: gu and dongs with their periods; add, merge, split, remove."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.console.changes import record_change
from dolbom.districts import operations as ops
from dolbom.districts.models import Dong, Gu
from dolbom.identity.access import tenant_roles
from dolbom.people.models import Person
from dolbom.web.context import db

admin_only = tenant_roles("city_admin")
CODE_HELP = "영문 소문자·숫자 (예: geumam)"
CODE = re.compile(r"[a-z][a-z0-9_]{1,31}")


def _page(error: str | None = None, values: dict[str, str] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    session = db()
    gus = session.scalars(sa.select(Gu).options(selectinload(Gu.dongs)).order_by(Gu.name)).all()
    people = dict(session.execute(
        sa.select(Person.dong_code, sa.func.count()).group_by(Person.dong_code)).all())  # fmt: skip
    cases = dict(session.execute(
        sa.select(Case.dong_code, sa.func.count()).where(Case.stage != "closed")
        .group_by(Case.dong_code)).all())  # fmt: skip
    names = {d.code: d.name for gu in gus for d in gu.dongs}
    return render_template(
        "console/districts.html", gus=gus, people=people, cases=cases, names=names,
        today=today(), error=error, values=values or {},
    ), status  # fmt: skip


@admin_only
def index():  # type: ignore[no-untyped-def]
    return _page()


def _date(raw: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        raise ops.DistrictError("날짜를 YYYY-MM-DD 형식으로 적으세요") from None


def _code(raw: str | None) -> str:
    code = (raw or "").strip()
    if not CODE.fullmatch(code):
        raise ops.DistrictError(f"동 코드는 {CODE_HELP}로 적으세요")
    return code


def _done(message: str, user_ids: list[int]):  # type: ignore[no-untyped-def]
    session = db()
    session.commit()
    if user_ids:
        from dolbom.identity.operations import refresh_sessions

        refresh_sessions(session, user_ids)
    flash(message, "ok")
    return redirect(url_for("tenant.console.districts"), 303)


@admin_only
def merge():  # type: ignore[no-untyped-def]
    session = db()
    form = request.form
    try:
        sources = form.getlist("sources")
        code, name = _code(form.get("code")), (form.get("name") or "").strip()
        if not name:
            raise ops.DistrictError("새 동 이름을 적으세요")
        on = _date(form.get("on"))
        gu = session.scalar(sa.select(Gu.code).join(Dong).where(Dong.code.in_(sources)).limit(1))
        users = ops.staff_user_ids(session, g.tenant.id, sources)
        before = {s: _dong_state(s) for s in sources}
        _dong, moved = ops.merge(session, g.tenant.id, sources, code=code, name=name,
                                 gu_code=gu or "", on=on, today=today())  # fmt: skip
    except ops.DistrictError as exc:
        session.rollback()
        return _page(str(exc), dict(form), 422)
    record_change(session, "district", code, before={"sources": before}, action="merge",
                  after={"name": name, "valid_from": on, "moved": moved.__dict__},
                  user_id=g.membership.user_id)  # fmt: skip
    if on > today():
        return _done(_("%(name)s(으)로의 통합을 기록했습니다. 주민, 진행 중인 사례와 담당 동은 %(on)s에 옮깁니다.",
                       name=name, on=on.isoformat()), [])  # fmt: skip
    return _done(_("%(name)s(으)로 통합했습니다: 주민 %(p)d명, 진행 중인 사례 %(c)d건, 직원 %(s)d명의 담당 동을 옮겼습니다.",
                   name=name, p=moved.people, c=moved.open_cases, s=moved.staff), users)  # fmt: skip


@admin_only
def split():  # type: ignore[no-untyped-def]
    session = db()
    form = request.form
    try:
        source = (form.get("source") or "").strip()
        new = []
        for line in (form.get("new") or "").splitlines():
            if line.strip():
                code, _sep, name = line.partition(",")
                if not name.strip():
                    raise ops.DistrictError("새 동은 한 줄에 하나씩 '코드, 이름'으로 적으세요")
                new.append((_code(code), name.strip()))
        on = _date(form.get("on"))
        users = ops.staff_user_ids(session, g.tenant.id, [source])
        before = _dong_state(source)
        _dongs, moved = ops.split(session, g.tenant.id, source, new=new, on=on, today=today())
    except ops.DistrictError as exc:
        session.rollback()
        return _page(str(exc), dict(form), 422)
    record_change(session, "district", source, before=before, action="split",
                  after={"valid_to": on, "into": [c for c, _n in new], "moved": moved.__dict__},
                  user_id=g.membership.user_id)  # fmt: skip
    if on > today():
        return _done(_("분할을 기록했습니다. 주민과 진행 중인 사례는 %(on)s에 %(first)s(으)로 옮깁니다. 담당 직원에게는 새 동을 이미 더했습니다.",
                       on=on.isoformat(), first=new[0][1]), users)  # fmt: skip
    return _done(_("나눴습니다: 주민 %(p)d명과 진행 중인 사례 %(c)d건은 %(first)s(으)로 옮겼습니다. 주소에 맞게 고쳐 주세요.",
                   p=moved.people, c=moved.open_cases, first=new[0][1]), users)  # fmt: skip


@admin_only
def add_dong():  # type: ignore[no-untyped-def]
    session = db()
    form = request.form
    try:
        code, name = _code(form.get("code")), (form.get("name") or "").strip()
        if not name or len(name) > 50:
            raise ops.DistrictError("동 이름을 50자 이내로 적으세요")
        gu = session.scalar(sa.select(Gu).where(Gu.code == form.get("gu")))
        if gu is None:
            raise ops.DistrictError("구를 고르세요")
        if session.scalar(sa.select(Dong.id).where(Dong.code == code)):
            raise ops.DistrictError(f"동 코드 '{code}'는 이미 있습니다")
        on = _date(form.get("on")) if form.get("on") else dt.date(1900, 1, 1)
        session.add(Dong(code=code, name=name, gu_id=gu.id, valid_from=on))
        session.flush()
    except ops.DistrictError as exc:
        session.rollback()
        return _page(str(exc), dict(form), 422)
    record_change(session, "district", code, before=None,
                  after={"name": name, "gu": gu.code, "valid_from": on}, user_id=g.membership.user_id)  # fmt: skip
    return _done(_("%(name)s을(를) 추가했습니다.", name=name), [])


@admin_only
def remove():  # type: ignore[no-untyped-def]
    session = db()
    code = (request.form.get("code") or "").strip()
    try:
        before = _dong_state(code)
        ops.remove(session, g.tenant.id, code)
    except ops.DistrictError as exc:
        session.rollback()
        return _page(str(exc), {}, 422)
    record_change(session, "district", code, before=before, after=None,
                  user_id=g.membership.user_id)  # fmt: skip
    return _done(_("동을 지웠습니다."), [])


def _dong_state(code: str) -> dict[str, object]:
    dong = db().scalar(sa.select(Dong).where(Dong.code == code))
    if dong is None:
        raise ops.DistrictError(f"'{code}' 동이 없습니다")
    return {"name": dong.name, "valid_from": dong.valid_from, "valid_to": dong.valid_to,
            "successor": dong.successor_code}  # fmt: skip
