"""Read queries about districts."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.districts.models import Dong, Gu

_today = sa.func.current_date()
# Each gu with its number of dongs valid today, in one query. Built once: it runs on every
# landing page.
_SUMMARY = (
    sa.select(Gu.name, Gu.population_65, sa.func.count(Dong.id).label("dongs"))
    .outerjoin(
        Dong,
        sa.and_(
            Dong.gu_id == Gu.id,
            Dong.valid_from <= _today,
            sa.or_(Dong.valid_to.is_(None), Dong.valid_to > _today),
        ),
    )
    .group_by(Gu.id)
    .order_by(Gu.name)
)


def gu_summary(session: Session) -> Sequence[sa.Row]:
    return session.execute(_SUMMARY).all()


def dong_names(session: Session, codes: Sequence[str]) -> list[str]:
    if not codes:
        return []
    return list(
        session.scalars(sa.select(Dong.name).where(Dong.code.in_(codes)).order_by(Dong.name))
    )
