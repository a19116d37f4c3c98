"""Volunteers (봉사자): reading their form, registering and editing them, and the lists.

`dongs` is the signed-in member's scope (`member_dongs()`: None = every dong). A frontline
worker sees and manages only the volunteers of their own dongs and cannot move one out of them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from dolbom.plugins.api import DongInfo, today
from dolbom_squad.models import SKILLS, Volunteer
from dolbom_squad.reading import Reading, Stale

PAGE = 50
_PHONE = re.compile(r"0\d{1,2}-?\d{3,4}-?\d{4}")


def in_scope(dongs: Sequence[str] | None) -> sa.ColumnElement[bool]:
    return sa.true() if dongs is None else Volunteer.dong_code.in_(list(dongs))


def volunteer_in_scope(
    session: Session, volunteer_id: int, dongs: Sequence[str] | None
) -> Volunteer | None:
    return session.scalar(sa.select(Volunteer).where(Volunteer.id == volunteer_id, in_scope(dongs)))


def normalise_phone(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if digits.startswith("02"):
        return f"02-{digits[2:-4]}-{digits[-4:]}"
    return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"


def read_volunteer(
    form: Mapping[str, str],
    skills: Sequence[str],
    *,
    dong_choices: Sequence[DongInfo],
    editing: bool = False,
) -> Reading:
    """`dong_choices`: the dongs this member may put a volunteer in (current dongs in scope)."""
    r = Reading(form)
    r.text("name", _("이름"), 50)
    phone = r.raw("phone")
    if not phone:
        r.errors["phone"] = _("연락처를 적으세요 (예: 010-1234-5678)")
    elif not _PHONE.fullmatch(phone.replace(" ", "")):
        r.errors["phone"] = _("전화번호 형식이 아닙니다 (예: 010-1234-5678)")
    else:
        r.values["phone"] = normalise_phone(phone)
    codes = {d.code for d in dong_choices}
    dong = r.raw("dong_code")
    if not dong:
        r.errors["dong_code"] = _("활동하는 동을 고르세요")
    elif dong not in codes:
        r.errors["dong_code"] = _(
            "이 동의 봉사자는 등록할 수 없습니다 (담당하는 동만 고를 수 있습니다)"
        )
    else:
        r.values["dong_code"] = dong
    chosen = [s for s in dict.fromkeys(skills) if s in SKILLS]
    if not chosen or len(chosen) != len(set(skills)):
        r.errors["skills"] = _("할 수 있는 활동을 하나 이상 고르세요")
    else:
        r.values["skills"] = chosen
    r.day("joined_on", _("가입일"), default=today(), not_after=(today(), _("오늘")))
    if editing:
        r.values["active"] = form.get("active") == "1"
    return r


def create(session: Session, values: Mapping[str, object], *, user_id: int) -> Volunteer:
    v = Volunteer(created_by=user_id, active=True, **values)
    session.add(v)
    session.flush()
    return v


def update(
    session: Session, volunteer: Volunteer, values: Mapping[str, object], lock_version: int | None
) -> None:
    if lock_version != volunteer.lock_version:
        raise Stale(_("다른 사람이 먼저 이 봉사자 정보를 바꿨습니다"))
    for key, value in values.items():
        setattr(volunteer, key, value)
    session.flush()  # the version check runs in the UPDATE too


@dataclass(frozen=True)
class DongCount:
    dong: DongInfo
    active: int
    inactive: int
    skills: dict[str, int]


def counts_by_dong(
    session: Session, dongs: Sequence[DongInfo], scope: Sequence[str] | None
) -> list[DongCount]:
    """Active and inactive volunteers per dong in scope, and active ones per skill."""
    rows = session.execute(
        sa.select(Volunteer.dong_code, Volunteer.active, Volunteer.skills).where(in_scope(scope))
    ).all()
    tally: dict[str, list[int]] = {}
    skills: dict[str, dict[str, int]] = {}
    for code, active, vskills in rows:
        t = tally.setdefault(code, [0, 0])
        t[0 if active else 1] += 1
        if active:
            per = skills.setdefault(code, dict.fromkeys(SKILLS, 0))
            for s in vskills:
                per[s] = per.get(s, 0) + 1
    shown = [d for d in dongs if scope is None or d.code in scope]
    return [
        DongCount(d, *tally.get(d.code, [0, 0]), skills.get(d.code, dict.fromkeys(SKILLS, 0)))
        for d in shown
    ]


@dataclass(frozen=True)
class VolunteerPage:
    rows: list[Volunteer]
    total: int
    page: int
    pages: int


def listing(
    session: Session,
    scope: Sequence[str] | None,
    *,
    dong: str = "",
    skill: str = "",
    active: str = "1",
    page: int = 1,
) -> VolunteerPage:
    where = [in_scope(scope)]
    if dong:
        where.append(Volunteer.dong_code == dong)
    if skill in SKILLS:
        where.append(Volunteer.skills.contains([skill]))
    if active in ("1", "0"):
        where.append(Volunteer.active.is_(active == "1"))
    total = session.scalar(sa.select(sa.func.count()).select_from(Volunteer).where(*where)) or 0
    pages = max(1, -(-total // PAGE))
    page = min(max(page, 1), pages)
    rows = session.scalars(
        sa.select(Volunteer)
        .where(*where)
        .order_by(Volunteer.dong_code, Volunteer.name, Volunteer.id)
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    ).all()
    return VolunteerPage(list(rows), total, page, pages)


def active_of_dong(session: Session, dong_code: str) -> list[Volunteer]:
    return list(
        session.scalars(
            sa.select(Volunteer)
            .where(Volunteer.dong_code == dong_code, Volunteer.active.is_(True))
            .order_by(Volunteer.name, Volunteer.id)
        ).all()
    )
