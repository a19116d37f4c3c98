"""The coordinator's referral board: where the loop is not closing — unanswered past the due
date, declined, waiting for a place, stopped early — per provider and programme."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from dolbom.catalogue.models import Programme, Provider
from dolbom.referrals.models import Referral

RECENT_DAYS = 90  # declined and stopped referrals count for this long
LIST_LIMIT = 100
PROBLEMS = {"overdue": _l("답변 기한 지남"), "declined": _l("거절"), "waiting": _l("대기"),
            "stopped": _l("조기 중단")}  # fmt: skip


@dataclass
class BoardRow:
    provider_id: int
    provider: str
    programme_id: int
    programme: str
    counts: dict[str, int] = field(default_factory=dict)


def _problem(kind: str, today: dt.date) -> sa.ColumnElement[bool]:
    since = today - dt.timedelta(days=RECENT_DAYS)
    return {
        "overdue": (Referral.status == "sent") & (Referral.due_on < today),
        "declined": (Referral.status == "declined") & (sa.func.date(Referral.ended_at) >= since),
        "waiting": Referral.status == "waiting",
        # Stopped before the end of the referral's period: the plan did not run its course.
        "stopped": (Referral.status == "stopped")
        & (sa.func.date(Referral.ended_at) >= since)
        & (sa.func.date(Referral.ended_at) < Referral.period_until),
    }[kind]


def rows(session: Session, today: dt.date, provider_id: int | None = None,
         programme_id: int | None = None) -> list[BoardRow]:  # fmt: skip
    """One row per provider and programme with any problem, worst first: one query."""
    kind = sa.case(*[(_problem(k, today), k) for k in PROBLEMS], else_=None).label("kind")
    q = (
        sa.select(Provider.id, Provider.name, Programme.id, Programme.name, kind, sa.func.count())
        .select_from(Referral)
        .join(Provider, Provider.id == Referral.provider_id)
        .join(Programme, Programme.id == Referral.programme_id)
        .where(sa.or_(*[_problem(k, today) for k in PROBLEMS]))
        .group_by(Provider.id, Provider.name, Programme.id, Programme.name, kind)
    )
    if provider_id:
        q = q.where(Referral.provider_id == provider_id)
    if programme_id:
        q = q.where(Referral.programme_id == programme_id)
    out: dict[tuple[int, int], BoardRow] = {}
    for pid, pname, gid, gname, k, n in session.execute(q):
        row = out.setdefault(
            (pid, gid), BoardRow(pid, pname, gid, gname, dict.fromkeys(PROBLEMS, 0))
        )
        row.counts[k] = n
    return sorted(out.values(), key=lambda r: (-r.counts["overdue"], -sum(r.counts.values()),
                                               r.provider, r.programme))  # fmt: skip


def referrals(session: Session, today: dt.date, kind: str, provider_id: int | None,
              programme_id: int | None) -> list[Referral]:  # fmt: skip
    q = sa.select(Referral).where(_problem(kind, today))
    if provider_id:
        q = q.where(Referral.provider_id == provider_id)
    if programme_id:
        q = q.where(Referral.programme_id == programme_id)
    return list(session.scalars(q.order_by(Referral.due_on.asc().nulls_last(), Referral.id)
                                .limit(LIST_LIMIT)))  # fmt: skip
