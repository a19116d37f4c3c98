"""Changing districts: dongs that merge, split, are renamed or removed.

A dong is never rewritten in place when it ends: it gets `valid_to` and a successor, and a new
dong row starts. People, open cases and workers' scopes move to the successor on the day the old
dong ends — at once when that day has come, otherwise by the hourly `district_moves` job on the
day (`due_moves`). Closed cases and past records keep the old code, so history still shows the
old name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import Case
from dolbom.catalogue.models import Provider
from dolbom.districts.models import Dong, Gu
from dolbom.identity.models import Membership
from dolbom.people.models import Person


class DistrictError(ValueError):
    pass


@dataclass(frozen=True)
class Usage:
    people: int
    open_cases: int
    staff: int
    providers: int

    @property
    def empty(self) -> bool:
        return not (self.people or self.open_cases or self.staff or self.providers)

    def describe(self) -> str:
        return (
            f"주민 {self.people}명, 진행 중인 사례 {self.open_cases}건, "
            f"담당 직원 {self.staff}명, 제공기관 {self.providers}곳"
        )


def usage(session: Session, tenant_id: int, code: str) -> Usage:
    """Who still refers to a dong: people living there, open cases, staff scopes, providers."""
    people = session.scalar(sa.select(sa.func.count()).where(Person.dong_code == code)) or 0
    cases = session.scalar(
        sa.select(sa.func.count()).where(Case.dong_code == code, Case.stage != "closed")
    )
    staff = session.scalar(
        sa.select(sa.func.count()).where(
            Membership.tenant_id == tenant_id, Membership.dong_codes.contains([code])
        )
    )
    providers = session.scalar(
        sa.select(sa.func.count()).where(Provider.dong_codes.contains([code]))
    )
    return Usage(people, cases or 0, staff or 0, providers or 0)


@dataclass(frozen=True)
class Moved:
    people: int
    open_cases: int
    staff: int
    providers: int


def move_to_successor(session: Session, tenant_id: int, old: str, new: str) -> Moved:
    """People, open cases, staff scopes and provider coverage of `old` now belong to `new`.
    Closed cases keep `old`: they happened there. Returns what moved, for the audit entry."""
    people = session.execute(
        sa.update(Person).where(Person.dong_code == old).values(dong_code=new)
    ).rowcount
    cases = session.execute(
        sa.update(Case).where(Case.dong_code == old, Case.stage != "closed").values(dong_code=new)
    ).rowcount
    staff = 0
    for m in session.scalars(
        sa.select(Membership).where(
            Membership.tenant_id == tenant_id, Membership.dong_codes.contains([old])
        )
    ):
        m.dong_codes = _replace(m.dong_codes, old, new)
        staff += 1
    providers = 0
    for p in session.scalars(sa.select(Provider).where(Provider.dong_codes.contains([old]))):
        p.dong_codes = _replace(p.dong_codes, old, new)
        providers += 1
    session.flush()
    return Moved(people, cases, staff, providers)


NOTHING = Moved(0, 0, 0, 0)


def _sum(moves: list[Moved]) -> Moved:
    return Moved(*(sum(getattr(m, f) for m in moves) for f in Moved.__dataclass_fields__))


def _replace(codes: list[str], old: str, new: str) -> list[str]:
    return list(dict.fromkeys(new if c == old else c for c in codes))


def staff_user_ids(session: Session, tenant_id: int, codes: list[str]) -> list[int]:
    """Users whose scope names one of `codes`: their live sessions must be refreshed."""
    return list(
        session.scalars(
            sa.select(Membership.user_id).where(
                Membership.tenant_id == tenant_id, Membership.dong_codes.overlap(codes)
            )
        )
    )


def end_dong(dong: Dong, on: dt.date, successor: str) -> None:
    if on <= dong.valid_from:
        raise DistrictError(
            f"{dong.name}: 끝나는 날({on})은 시작일({dong.valid_from}) 뒤여야 합니다"
        )
    if dong.valid_to is not None:
        raise DistrictError(f"{dong.name}은(는) 이미 {dong.valid_to}에 끝났습니다")
    dong.valid_to = on
    dong.successor_code = successor


def merge(
    session: Session,
    tenant_id: int,
    sources: list[str],
    *,
    code: str,
    name: str,
    gu_code: str,
    on: dt.date,
    today: dt.date,
) -> tuple[Dong, Moved]:
    """금암1동 + 금암2동 → 금암동 on 2025-03-10: the sources end, the new dong starts, and
    people, open cases and scopes move to it from that day: now if the day has come, else
    nothing moves yet (Moved is all zero) and `due_moves` moves them on the day."""
    if len(set(sources)) < 2:
        raise DistrictError("통합할 동을 두 개 이상 고르세요")
    gu = session.scalar(sa.select(Gu).where(Gu.code == gu_code))
    if gu is None:
        raise DistrictError(f"'{gu_code}' 구가 없습니다")
    if session.scalar(sa.select(Dong.id).where(Dong.code == code)) is not None:
        raise DistrictError(f"동 코드 '{code}'는 이미 있습니다")
    if session.scalar(sa.select(Dong.id).where(Dong.name == name, Dong.valid_to.is_(None))):
        raise DistrictError(f"'{name}'이라는 현재 동이 이미 있습니다")
    olds = session.scalars(sa.select(Dong).where(Dong.code.in_(sources))).all()
    if len(olds) != len(set(sources)):
        raise DistrictError("없는 동이 있습니다")
    new = Dong(code=code, name=name, gu_id=gu.id, valid_from=on)
    session.add(new)
    for old in olds:
        end_dong(old, on, code)
    session.flush()
    if on > today:
        return new, NOTHING
    moved = [move_to_successor(session, tenant_id, old.code, code) for old in olds]
    return new, _sum(moved)


def split(
    session: Session,
    tenant_id: int,
    source: str,
    *,
    new: list[tuple[str, str]],
    on: dt.date,
    today: dt.date,
) -> tuple[list[Dong], Moved]:
    """One dong becomes several (효자동 → 효자1~5동). People and open cases move to the first
    new dong (the one keeping the old centre) until a worker corrects their address; staff
    scopes and provider coverage get every new dong at once (so workers can prepare), and lose
    the old one on the day, like a merge."""
    if len(new) < 2:
        raise DistrictError("나눌 새 동을 두 개 이상 적으세요")
    old = session.scalar(sa.select(Dong).where(Dong.code == source))
    if old is None:
        raise DistrictError(f"'{source}' 동이 없습니다")
    codes = [c for c, _ in new]
    if len(set(codes)) != len(codes):
        raise DistrictError("새 동 코드가 겹칩니다")
    taken = session.scalars(sa.select(Dong.code).where(Dong.code.in_(codes))).all()
    if taken:
        raise DistrictError(f"동 코드 '{taken[0]}'는 이미 있습니다")
    dongs = [Dong(code=c, name=n, gu_id=old.gu_id, valid_from=on) for c, n in new]
    session.add_all(dongs)
    end_dong(old, on, codes[0])
    # Scopes and coverage: every part of the old dong, not just the first.
    for m in session.scalars(
        sa.select(Membership).where(
            Membership.tenant_id == tenant_id, Membership.dong_codes.contains([source])
        )
    ):
        m.dong_codes = list(dict.fromkeys([*m.dong_codes, *codes]))
    for p in session.scalars(sa.select(Provider).where(Provider.dong_codes.contains([source]))):
        p.dong_codes = list(dict.fromkeys([*p.dong_codes, *codes]))
    session.flush()
    if on > today:
        return dongs, NOTHING
    return dongs, move_to_successor(session, tenant_id, source, codes[0])


def due_moves(session: Session, tenant_id: int, day: dt.date) -> tuple[Moved, list[int]]:
    """Move what still refers to dongs that have ended by `day` to their successors: merges and
    splits decided ahead of their date, and anything added to an old dong since. Oldest end
    first, so a chain (A → B → C) ends at C. Idempotent. Returns what moved and the users whose
    scopes changed (their live sessions must be refreshed)."""
    ended = session.execute(
        sa.select(Dong.code, Dong.successor_code)
        .where(Dong.valid_to <= day, Dong.successor_code.is_not(None))
        .order_by(Dong.valid_to, Dong.code)
    ).all()
    moved: list[Moved] = []
    users: set[int] = set()
    for old, new in ended:
        if usage(session, tenant_id, old).empty:
            continue
        users.update(staff_user_ids(session, tenant_id, [old]))
        moved.append(move_to_successor(session, tenant_id, old, new))
    return _sum(moved), sorted(users)


def remove(session: Session, tenant_id: int, code: str) -> None:
    """Remove a dong entered by mistake. Refused while anyone refers to it, with the counts."""
    dong = session.scalar(sa.select(Dong).where(Dong.code == code))
    if dong is None:
        raise DistrictError(f"'{code}' 동이 없습니다")
    used = usage(session, tenant_id, code)
    if not used.empty:
        raise DistrictError(f"{dong.name}을(를) 지울 수 없습니다: {used.describe()}이(가) 있습니다")
    if session.scalar(sa.select(Dong.id).where(Dong.successor_code == code)):
        raise DistrictError(f"{dong.name}은(는) 다른 동의 후속 동이라 지울 수 없습니다")
    session.delete(dong)
    session.flush()
