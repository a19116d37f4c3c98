"""The ministry's tables in the shared schema: aggregates only, never a person.

Each tenant's rollup job computes its figures inside its own schema and writes them here
(`ministry_figure`); the publication step turns them into what may be shown (`ministry_published`,
small cells suppressed). Ministry pages read only the published table."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from dolbom.db import SharedBase, utcnow


class MinistryFigure(SharedBase):
    """One tenant's figure for one month, unsuppressed: a count, a statistic over `n` people,
    or a readiness item. Rows exist for every month the rollup covered, zeros included, so a
    missing row means no data, not zero."""

    __tablename__ = "ministry_figure"

    tenant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    metric: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[float | None] = mapped_column(sa.Double)
    n: Mapped[int | None] = mapped_column()


class MinistryRollup(SharedBase):
    """How each tenant's last rollup went: a failed one is flagged with its last success."""

    __tablename__ = "ministry_rollup"

    tenant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(sa.String(16))  # ok · failed
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    succeeded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(sa.String(200))  # an exception's class, no data
    first_month: Mapped[date | None] = mapped_column(sa.Date)
    last_month: Mapped[date | None] = mapped_column(sa.Date)
    # What the comparison filters by, copied from the tenant's profile at each rollup.
    pilot_field: Mapped[str | None] = mapped_column(sa.String(16))
    population_65: Mapped[int | None] = mapped_column()


class MinistryPublished(SharedBase):
    """What may be shown for a month: per city, per region and for the nation, each count with
    its suppression mark (`<5`, `×`, `nodata`) and the value only when it may be published."""

    __tablename__ = "ministry_published"

    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(8), primary_key=True)  # city · region · nation
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # slug · region · "all"
    metric: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    shown: Mapped[float | None] = mapped_column(sa.Double)
    mark: Mapped[str | None] = mapped_column(sa.String(8))
