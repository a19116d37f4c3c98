from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dolbom.db import TenantBase


class Gu(TenantBase):
    """An autonomous or administrative district (구) of the city; a 군 or 시 without 구 has one
    row named after the city itself."""

    __tablename__ = "gu"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    population_65: Mapped[int | None] = mapped_column()

    dongs: Mapped[list[Dong]] = relationship(back_populates="gu", order_by="Dong.name")


class Dong(TenantBase):
    """An administrative dong (읍면동), valid over a period: merges and splits are dated."""

    __tablename__ = "dong"
    __table_args__ = (
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    gu_id: Mapped[int] = mapped_column(sa.ForeignKey("gu.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    valid_from: Mapped[date] = mapped_column(sa.Date, default=date(1900, 1, 1))
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    successor_code: Mapped[str | None] = mapped_column(sa.String(32))

    gu: Mapped[Gu] = relationship(back_populates="dongs")

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)
