"""A person in the tenant's registry, with the facts the ordinance rules read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from dolbom.db import TenantBase, utcnow

_TS = sa.DateTime(timezone=True)


class Person(TenantBase):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    # The resident registration number only encrypted (people/pii.py), found by its keyed blind
    # index; the masked form (780101-1******) reveals no more than birth date and sex.
    rrn_cipher: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    rrn_index: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    rrn_masked: Mapped[str | None] = mapped_column(sa.String(14))
    address: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    sex: Mapped[str | None] = mapped_column(sa.String(1))  # 남 / 여
    dong_code: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    household_size: Mapped[int | None] = mapped_column()
    lives_alone: Mapped[bool | None] = mapped_column()
    # Codes from dolbom.rules.facts (LTC_GRADES, DISABILITY, INCOME_BANDS); None = not known yet.
    ltc_grade: Mapped[str | None] = mapped_column(sa.String(16))
    disability: Mapped[str | None] = mapped_column(sa.String(8))
    income_band: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    created_by: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (sa.Index("ix_person_name_birth", "name", "birth_date"),)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}
