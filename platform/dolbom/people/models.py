"""A person in the tenant's registry, with the facts the ordinance rules read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
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
    # The carer or guardian the staff call first (보호자): often a child living elsewhere.
    carer_name: Mapped[str | None] = mapped_column(sa.String(50))
    carer_relation: Mapped[str | None] = mapped_column(sa.String(20))
    carer_phone: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    created_by: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column()  # for "changed by X at T" on a stale save
    lock_version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (sa.Index("ix_person_name_birth", "name", "birth_date"),)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}


class HouseholdMember(TenantBase):
    """Someone living with the person (or family who matter to the plan even if apart)."""

    __tablename__ = "household_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    relation: Mapped[str] = mapped_column(sa.String(20))
    birth_year: Mapped[int | None] = mapped_column()
    lives_together: Mapped[bool] = mapped_column(default=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.String(200))


# What a person agrees their data may be used for (개인정보 수집·이용·제공 동의).
CONSENT_PURPOSES = {
    "collection": "조사·판정을 위한 개인정보 수집·이용",
    "linkage": "서비스 연계를 위한 제공기관 정보 제공",
    "sharing": "통합지원회의·관계 기관 정보 공유",
}


class Consent(TenantBase):
    """A consent with its purpose and scope. Never deleted: a withdrawal is recorded on it, and
    from that day it no longer covers anything."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(16))
    # Which providers the person agreed may receive their data: all the tenant's partners, or the
    # ones named (provider keys once issue 6's registry exists; names until then).
    all_providers: Mapped[bool] = mapped_column(default=False)
    providers: Mapped[list[str]] = mapped_column(JSONB, default=list)
    given_on: Mapped[date] = mapped_column(sa.Date)
    given_by: Mapped[str] = mapped_column(sa.String(50))  # 본인, or the guardian's name
    withdrawn_on: Mapped[date | None] = mapped_column(sa.Date)
    withdrawal_note: Mapped[str | None] = mapped_column(sa.String(200))
    recorded_by: Mapped[int] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)

    def in_force(self, day: date) -> bool:
        return self.given_on <= day and (self.withdrawn_on is None or day < self.withdrawn_on)
