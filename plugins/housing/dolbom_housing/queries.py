"""Reading the plugin's tables: occupancy, vacant flats, the queue in priority order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom_housing.models import Building, Flat, QueueEntry, Tenancy

QUEUE_PAGE = 50


@dataclass(frozen=True)
class Occupancy:
    building: Building
    flats: int
    occupied: int
    available: int
    repair: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.occupied / self.flats) if self.flats else None


def occupancy(session: Session) -> list[Occupancy]:
    """Every building with its flats counted by status (open buildings first)."""
    counts = {
        (bid, status): n
        for bid, status, n in session.execute(
            sa.select(Flat.building_id, Flat.status, sa.func.count()).group_by(
                Flat.building_id, Flat.status
            )
        )
    }
    buildings = session.scalars(
        sa.select(Building).order_by(
            sa.case((Building.status == "open", 0), else_=1), Building.name
        )
    )
    out = []
    for b in buildings:
        by = {s: counts.get((b.id, s), 0) for s in ("available", "occupied", "repair")}
        out.append(Occupancy(b, sum(by.values()), by["occupied"], by["available"], by["repair"]))
    return out


def vacant_flats(session: Session, limit: int = 200) -> list[tuple[Flat, Building]]:
    rows = session.execute(
        sa.select(Flat, Building)
        .join(Building, Building.id == Flat.building_id)
        .where(Flat.status == "available", Building.status == "open")
        .order_by(Building.name, Flat.floor.nulls_last(), Flat.number)
        .limit(limit)
    )
    return [(f, b) for f, b in rows]


def vacant_count(session: Session) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Flat)
            .join(Building, Building.id == Flat.building_id)
            .where(Flat.status == "available", Building.status == "open")
        )
        or 0
    )


def _in_dongs(column: sa.ColumnElement, dongs: Sequence[str] | None) -> sa.ColumnElement[bool]:
    return sa.true() if dongs is None else column.in_(list(dongs))


QUEUE_ORDER = (
    QueueEntry.score.desc().nulls_last(), QueueEntry.applied_on, QueueEntry.id,
)  # fmt: skip


def waiting(session: Session, dongs: Sequence[str] | None, *, page: int = 1,
            per_page: int = QUEUE_PAGE) -> tuple[list[QueueEntry], int]:  # fmt: skip
    """A page of the waiting queue (score, then registration date) and the total waiting."""
    where = (QueueEntry.status == "waiting", _in_dongs(QueueEntry.dong_code, dongs))
    total = session.scalar(sa.select(sa.func.count()).select_from(QueueEntry).where(*where)) or 0
    rows = session.scalars(
        sa.select(QueueEntry).where(*where).order_by(*QUEUE_ORDER)
        .offset((page - 1) * per_page).limit(per_page)
    )  # fmt: skip
    return list(rows), total


def waiting_entries(session: Session) -> list[QueueEntry]:
    return list(
        session.scalars(
            sa.select(QueueEntry).where(QueueEntry.status == "waiting").order_by(QueueEntry.id)
        )
    )


def position(session: Session, entry: QueueEntry) -> int | None:
    """The entry's place in the whole waiting queue (1 = next), or None if not waiting."""
    if entry.status != "waiting":
        return None
    ahead = sa.or_(
        QueueEntry.score > entry.score if entry.score is not None else QueueEntry.score.is_not(None),
        sa.and_(
            QueueEntry.score == entry.score if entry.score is not None else QueueEntry.score.is_(None),
            sa.or_(QueueEntry.applied_on < entry.applied_on,
                   sa.and_(QueueEntry.applied_on == entry.applied_on, QueueEntry.id < entry.id)),
        ),
    )  # fmt: skip
    n = session.scalar(
        sa.select(sa.func.count()).select_from(QueueEntry)
        .where(QueueEntry.status == "waiting", ahead)
    )  # fmt: skip
    return (n or 0) + 1


def current_tenancy(session: Session, *, person_id: int | None = None,
                    flat_id: int | None = None) -> Tenancy | None:  # fmt: skip
    query = sa.select(Tenancy).where(Tenancy.moved_out_on.is_(None))
    if person_id is not None:
        query = query.where(Tenancy.person_id == person_id)
    if flat_id is not None:
        query = query.where(Tenancy.flat_id == flat_id)
    return session.scalar(query)


def waiting_entry_of(session: Session, person_id: int) -> QueueEntry | None:
    return session.scalar(
        sa.select(QueueEntry).where(
            QueueEntry.person_id == person_id, QueueEntry.status == "waiting"
        )
    )


def entries_of_person(session: Session, person_id: int) -> list[QueueEntry]:
    return list(session.scalars(
        sa.select(QueueEntry).where(QueueEntry.person_id == person_id).order_by(QueueEntry.id.desc())
    ))  # fmt: skip


def flats_of(session: Session, building_id: int) -> list[tuple[Flat, Tenancy | None]]:
    rows = session.execute(
        sa.select(Flat, Tenancy)
        .outerjoin(Tenancy, (Tenancy.flat_id == Flat.id) & Tenancy.moved_out_on.is_(None))
        .where(Flat.building_id == building_id)
        .order_by(Flat.floor.nulls_last(), Flat.number)
    )
    return [(f, t) for f, t in rows]


def history_of(session: Session, flat_id: int, limit: int = 20) -> list[Tenancy]:
    return list(session.scalars(
        sa.select(Tenancy).where(Tenancy.flat_id == flat_id, Tenancy.moved_out_on.is_not(None))
        .order_by(Tenancy.moved_out_on.desc(), Tenancy.id.desc()).limit(limit)
    ))  # fmt: skip


def flagged_tenancies(
    session: Session, dongs: Sequence[str] | None
) -> list[tuple[Tenancy, Flat, Building]]:
    """퇴거 확인 필요: people still in a flat whose case was closed."""
    rows = session.execute(
        sa.select(Tenancy, Flat, Building)
        .join(Flat, Flat.id == Tenancy.flat_id)
        .join(Building, Building.id == Flat.building_id)
        .where(Tenancy.moved_out_on.is_(None), Tenancy.check_flagged_on.is_not(None),
               sa.or_(_in_dongs(Tenancy.dong_code, dongs), _in_dongs(Building.dong_code, dongs)))
        .order_by(Tenancy.check_flagged_on, Tenancy.id)
    )  # fmt: skip
    return [(t, f, b) for t, f, b in rows]


def stale_entries(session: Session, dongs: Sequence[str] | None) -> list[QueueEntry]:
    """Waiting entries whose case has been closed since: to withdraw or to look at."""
    return list(session.scalars(
        sa.select(QueueEntry)
        .where(QueueEntry.status == "waiting", QueueEntry.case_closed_on.is_not(None),
               _in_dongs(QueueEntry.dong_code, dongs))
        .order_by(QueueEntry.case_closed_on)
    ))  # fmt: skip


def building_names(session: Session) -> dict[int, str]:
    return {i: n for i, n in session.execute(sa.select(Building.id, Building.name))}
