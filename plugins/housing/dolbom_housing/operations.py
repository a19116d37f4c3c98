"""State changes: buildings, flats, queue entries, move-in and move-out, and what a case's
closing means for a tenant. Functions take the tenant's session and commit nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from dolbom.plugins.api import CaseInfo, case_info, person_brief
from dolbom_housing import queries, scoring
from dolbom_housing.models import Building, Flat, QueueEntry, Tenancy

STALE = _l(
    "다른 사람이 먼저 이 내용을 바꿨습니다. 지금 상태를 확인하고, 적은 내용은 그대로 두었으니 필요하면 다시 저장하세요."
)


class Refused(ValueError):
    """A change that may not happen: `message` for the page, `fields` for the inputs."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        self.message = message
        self.fields = fields or {}
        super().__init__(message)


class Stale(Refused):
    def __init__(self) -> None:
        super().__init__(STALE)


def check_lock(row: Any, lock_version: int | None) -> None:
    if lock_version is None or lock_version != row.lock_version:
        raise Stale()


# Buildings and flats


def _name_taken(session: Session, name: str, other_than: int | None) -> bool:
    query = sa.select(Building.id).where(Building.name == name)
    if other_than is not None:
        query = query.where(Building.id != other_than)
    return session.scalar(query) is not None


def save_building(session: Session, building: Building | None, values: dict[str, Any], *,
                  user_id: int, lock_version: int | None = None) -> Building:  # fmt: skip
    if building is not None:
        check_lock(building, lock_version)
    if _name_taken(session, values["name"], building.id if building else None):
        raise Refused(_("저장하지 않았습니다."), {"name": _("같은 이름의 건물이 이미 있습니다")})
    if building is None:
        building = Building(created_by=user_id)
        session.add(building)
    for key in (
        "name",
        "address",
        "dong_code",
        "kind",
        "status",
        "planned_flats",
        "services",
        "note",
    ):
        setattr(building, key, values[key])
    building.updated_by = user_id
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # the same name saved by someone else a moment ago
        raise Refused(
            _("저장하지 않았습니다."), {"name": _("같은 이름의 건물이 이미 있습니다")}
        ) from exc
    return building


def add_flats(session: Session, building: Building, values: dict[str, Any]) -> list[Flat]:
    """Several flats at once (`101-110`): all of them, or none when one number exists."""
    numbers: list[str] = values["numbers"]
    taken = set(session.scalars(
        sa.select(Flat.number).where(Flat.building_id == building.id, Flat.number.in_(numbers))
    ))  # fmt: skip
    if taken:
        shown = ", ".join(sorted(taken)[:10])
        raise Refused(
            _("추가하지 않았습니다."),
            {"numbers": _("이 건물에 이미 있는 호수입니다: %(numbers)s", numbers=shown)},
        )
    flats = []
    for number in numbers:
        floor = values["floor"]
        if floor is None and number.isdecimal() and len(number) >= 3:
            floor = int(number) // 100  # 1203호 → 12층, the usual Korean numbering
        flat = Flat(building_id=building.id, number=number, floor=floor, status="available",
                    safety_bars=values["safety_bars"], no_thresholds=values["no_thresholds"],
                    emergency_call=values["emergency_call"])  # fmt: skip
        session.add(flat)
        flats.append(flat)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # someone added the same number just now
        raise Refused(
            _("추가하지 않았습니다."), {"numbers": _("방금 다른 사람이 같은 호수를 추가했습니다")}
        ) from exc
    return flats


def update_flat(session: Session, flat: Flat, values: dict[str, Any], *, user_id: int,
                lock_version: int | None) -> Flat:  # fmt: skip
    check_lock(flat, lock_version)
    if values["number"] != flat.number and session.scalar(
        sa.select(Flat.id).where(
            Flat.building_id == flat.building_id, Flat.number == values["number"]
        )
    ):
        raise Refused(
            _("저장하지 않았습니다."), {"number": _("이 건물에 같은 호수가 이미 있습니다")}
        )
    if flat.status == "occupied":
        if values["status"] != "available":
            raise Refused(_("저장하지 않았습니다."),
                          {"status": _("입주 중인 호는 상태를 바꿀 수 없습니다. 먼저 퇴거를 기록하세요")})  # fmt: skip
    else:
        flat.status = values["status"]
    for key in ("number", "floor", "safety_bars", "no_thresholds", "emergency_call", "note"):
        setattr(flat, key, values[key])
    flat.updated_by = user_id
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # the same number given to another flat a moment ago
        raise Refused(
            _("저장하지 않았습니다."), {"number": _("이 건물에 같은 호수가 이미 있습니다")}
        ) from exc
    return flat


# The admission queue


def facts_of(
    session: Session, person_id: int, values: dict[str, Any], on: dt.date
) -> scoring.Facts:
    person = person_brief(session, person_id)
    return scoring.Facts(
        age=scoring.age_on(person.birth_date if person else None, on),
        discharge_on=values.get("discharge_on"), lives_alone=values.get("lives_alone"),
        ltc_grade=values.get("ltc_grade"), income_band=values.get("income_band"),
        unsafe_housing=bool(values.get("unsafe_housing")),
    )  # fmt: skip


def apply_score(entry: QueueEntry, scored: scoring.Scored, on: dt.date) -> None:
    entry.score = scored.total
    entry.breakdown = scored.lines
    entry.rule_set = scored.rule_set
    entry.rule_version = scored.version
    entry.scored_on = on


ENTRY_FIELDS = ("applied_on", "discharge_on", "hospital", "lives_alone", "ltc_grade",
                "income_band", "unsafe_housing", "note")  # fmt: skip


def _entry_values(entry: QueueEntry) -> dict[str, Any]:
    return {k: getattr(entry, k) for k in ENTRY_FIELDS}


def create_entry(session: Session, tenant: str, case: CaseInfo, values: dict[str, Any], *,
                 user_id: int, on: dt.date) -> QueueEntry:  # fmt: skip
    if case.stage == "closed":
        raise Refused(
            _("종결된 사례는 입주 대기에 올릴 수 없습니다."), {"case_id": _("종결된 사례입니다")}
        )
    if queries.current_tenancy(session, person_id=case.person_id) is not None:
        raise Refused(
            _("이미 케어안심주택에 살고 있는 분입니다."), {"case_id": _("이미 입주해 있습니다")}
        )
    if queries.waiting_entry_of(session, case.person_id) is not None:
        raise Refused(
            _("이미 입주 대기 중인 분입니다."), {"case_id": _("이미 대기 명단에 있습니다")}
        )
    entry = QueueEntry(person_id=case.person_id, case_id=case.id, dong_code=case.dong_code,
                       status="waiting", created_by=user_id, updated_by=user_id)  # fmt: skip
    for key in ENTRY_FIELDS:
        setattr(entry, key, values[key])
    rules = scoring.load_rules(session, tenant, on)
    apply_score(entry, scoring.score(facts_of(session, case.person_id, values, on), rules, on), on)
    session.add(entry)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # the same person entered twice at once
        raise Refused(
            _("이미 입주 대기 중인 분입니다."), {"case_id": _("이미 대기 명단에 있습니다")}
        ) from exc
    return entry


def update_entry(session: Session, tenant: str, entry: QueueEntry, values: dict[str, Any], *,
                 user_id: int, lock_version: int | None, on: dt.date) -> QueueEntry:  # fmt: skip
    """New facts give a new score, with today's rule version: the page shows both."""
    check_lock(entry, lock_version)
    if entry.status != "waiting":
        raise Refused(_("대기 중인 항목만 고칠 수 있습니다."))
    for key in ENTRY_FIELDS:
        setattr(entry, key, values[key])
    rules = scoring.load_rules(session, tenant, on)
    apply_score(entry, scoring.score(facts_of(session, entry.person_id, values, on), rules, on), on)
    entry.updated_by = user_id
    session.flush()
    return entry


def recompute(session: Session, tenant: str, *, on: dt.date, user_id: int) -> int:
    """Every waiting entry scored again on `on` with the rule version in force: the discharge
    window moves with the days, and the city may have published new points."""
    rules = scoring.load_rules(session, tenant, on)
    entries = queries.waiting_entries(session)
    for entry in entries:
        scored = scoring.score(
            facts_of(session, entry.person_id, _entry_values(entry), on), rules, on
        )
        apply_score(entry, scored, on)
        entry.updated_by = user_id
    session.flush()
    return len(entries)


def withdraw(session: Session, entry: QueueEntry, reason: str, *, user_id: int,
             lock_version: int | None, on: dt.date) -> None:  # fmt: skip
    check_lock(entry, lock_version)
    if entry.status != "waiting":
        raise Refused(_("대기 중인 항목만 취소할 수 있습니다."))
    if not reason:
        raise Refused(_("취소 사유를 적으세요."), {"reason": _("취소 사유를 적으세요")})
    if len(reason) > 200:
        raise Refused(_("취소 사유를 확인하세요."), {"reason": _("200자까지 적을 수 있습니다")})
    entry.status, entry.closed_on, entry.close_reason = "withdrawn", on, reason
    entry.updated_by = user_id
    session.flush()


# Move-in and move-out


def move_in(session: Session, entry: QueueEntry, values: dict[str, Any], *, user_id: int,
            lock_version: int | None) -> Tenancy:  # fmt: skip
    check_lock(entry, lock_version)
    if entry.status != "waiting":
        raise Refused(_("대기 중인 분만 입주할 수 있습니다."))
    case = case_info(session, entry.case_id)
    if case is None or case.stage == "closed":
        raise Refused(
            _("사례가 종결되어 입주를 기록할 수 없습니다. 사례를 재개하거나 대기를 취소하세요.")
        )
    flat = session.scalar(sa.select(Flat).where(Flat.id == values["flat_id"]).with_for_update())
    building = session.get(Building, flat.building_id) if flat else None
    if flat is None or building is None:
        raise Refused(_("입주할 호를 확인하세요."), {"flat_id": _("없는 호입니다")})
    if building.status != "open":
        raise Refused(_("입주할 호를 확인하세요."), {"flat_id": _("아직 운영하지 않는 건물입니다")})
    if flat.status != "available" or queries.current_tenancy(session, flat_id=flat.id):
        raise Refused(_("입주할 호를 확인하세요."),
                      {"flat_id": _("%(building)s %(flat)s호는 지금 입주할 수 없습니다 (상태: %(status)s)",
                                    building=building.name, flat=flat.number,
                                    status=_("입주 중") if flat.status == "occupied" else _("수리 중"))})  # fmt: skip
    if queries.current_tenancy(session, person_id=entry.person_id) is not None:
        raise Refused(_("이미 다른 호에 살고 있는 분입니다. 먼저 퇴거를 기록하세요."))
    tenancy = Tenancy(flat_id=flat.id, person_id=entry.person_id, case_id=entry.case_id,
                      entry_id=entry.id, dong_code=entry.dong_code,
                      moved_in_on=values["moved_in_on"], created_by=user_id)  # fmt: skip
    session.add(tenancy)
    flat.status = "occupied"
    flat.updated_by = user_id
    entry.status, entry.closed_on, entry.updated_by = "housed", values["moved_in_on"], user_id
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # a second move-in into the same flat at the same moment
        raise Refused(
            _("방금 다른 사람이 이 호나 이 분의 입주를 기록했습니다. 화면을 새로 고치세요.")
        ) from exc
    return tenancy


def move_out(session: Session, flat: Flat, tenancy: Tenancy, values: dict[str, Any], *,
             user_id: int, lock_version: int | None) -> None:  # fmt: skip
    check_lock(flat, lock_version)
    tenancy.moved_out_on = values["moved_out_on"]
    tenancy.move_out_reason = values["reason"]
    tenancy.move_out_note = values["note"]
    tenancy.ended_by = user_id
    tenancy.check_flagged_on = tenancy.check_note = None
    flat.status = "repair" if values["needs_repair"] else "available"
    flat.updated_by = user_id
    session.flush()


def keep_living(session: Session, flat: Flat, tenancy: Tenancy, *, user_id: int,
                lock_version: int | None) -> None:  # fmt: skip
    """The coordinator checked: the person stays although their case was closed."""
    check_lock(flat, lock_version)
    tenancy.check_flagged_on = tenancy.check_note = None
    flat.updated_by = user_id
    # The same coordinator may have changed the flat last (no new value): mark it changed so
    # the version always moves and a move-out form loaded before this notices.
    flag_modified(flat, "updated_by")
    session.flush()


# Hooks


def on_case_transition(session: Session, case: CaseInfo, action: str, on: dt.date) -> None:
    """Closing a case never moves anyone out: the tenancy is flagged "퇴거 확인 필요" and a waiting
    entry marked, for a coordinator to decide. Reopening takes the marks away again."""
    if action == "close":
        tenancy = queries.current_tenancy(session, person_id=case.person_id)
        if tenancy is not None:
            tenancy.check_flagged_on = on
            tenancy.check_note = f"사례 #{case.id} 종결 ({on})"
        for entry in session.scalars(
            sa.select(QueueEntry).where(
                QueueEntry.case_id == case.id, QueueEntry.status == "waiting"
            )
        ):
            entry.case_closed_on = on
    elif action == "reopen":
        tenancy = queries.current_tenancy(session, person_id=case.person_id)
        if tenancy is not None and tenancy.check_flagged_on is not None:
            tenancy.check_flagged_on = tenancy.check_note = None
        for entry in session.scalars(
            sa.select(QueueEntry).where(
                QueueEntry.case_id == case.id, QueueEntry.status == "waiting"
            )
        ):
            entry.case_closed_on = None
    session.flush()
