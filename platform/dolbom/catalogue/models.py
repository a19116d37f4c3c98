"""Service fields, programmes, providers and which provider offers which programme."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dolbom.db import TenantBase, utcnow

# The five support areas the act names; a tenant adds its own (이동, 영양·식사, …) as ServiceField.
ACT_FIELDS = {
    "health_medical": "보건의료",
    "health_management": "건강관리",
    "long_term_care": "장기요양",
    "daily_care": "일상생활돌봄",
    "housing": "주거",
}
FUNDING = {"national": "국비", "ministry_linked": "부처 연계", "city": "시 자체"}
# The unit a programme is delivered and settled in; `cap_units` are the rules engine's monthly
# entitlement units each may be capped by.
UNITS = {"hours": "시간", "visits": "회", "meals": "식", "items": "건", "days": "일"}
CAP_UNITS = {
    "hours": "시간/월",
    "visits": "회/월",
    "meals": "회/월",
    "days": "일/월",
    "items": "회/월",
}
PROVIDER_TYPES = {
    "welfare_centre": "종합사회복지관",
    "medical": "의료기관",
    "professional_assoc": "의사회·한의사회·약사회",
    "health_centre": "보건소",
    "home_care": "재가기관",
    "medical_coop": "의료사협",
    "housing": "주거",
    "other": "기타",
}


class ServiceField(TenantBase):
    """A field the tenant adds to the act's five."""

    __tablename__ = "service_field"

    key: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)


class Programme(TenantBase):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(50), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    field: Mapped[str] = mapped_column(sa.String(50))
    funding: Mapped[str] = mapped_column(sa.String(20))
    budget: Mapped[int | None] = mapped_column(sa.BigInteger)  # 원 a year
    unit: Mapped[str] = mapped_column(sa.String(10))
    unit_cost: Mapped[int] = mapped_column(default=0)  # 원 per unit, for the settlement
    description: Mapped[str | None] = mapped_column(sa.String(500))
    # Eligibility and the monthly entitlement come from a rule set's programme.
    rule_set_key: Mapped[str | None] = mapped_column(sa.String(50))
    rule_programme: Mapped[str | None] = mapped_column(sa.String(50))
    rule_entitlement: Mapped[str | None] = mapped_column(sa.String(50))
    # The assessment form a worker fills for this programme (a form key), if any.
    form_key: Mapped[str | None] = mapped_column(sa.String(50))
    active: Mapped[bool] = mapped_column(default=True)
    # Two administrators editing the same programme: the second save is refused, not merged.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    offers: Mapped[list[ProviderService]] = relationship(back_populates="programme")

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    @property
    def unit_label(self) -> str:
        return UNITS.get(self.unit, self.unit)


class Provider(TenantBase):
    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(50), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    type: Mapped[str] = mapped_column(sa.String(30))
    all_dongs: Mapped[bool] = mapped_column(default=False)
    dong_codes: Mapped[list[str]] = mapped_column(ARRAY(sa.String(32)), default=list)
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    contact: Mapped[str | None] = mapped_column(sa.String(100))
    sample: Mapped[bool] = mapped_column(default=False)  # a pack's made-up institution
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    offers: Mapped[list[ProviderService]] = relationship(
        back_populates="provider", cascade="all, delete-orphan"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    def covers(self, dong_code: str | None) -> bool:
        return self.all_dongs or (dong_code is not None and dong_code in self.dong_codes)

    @property
    def type_label(self) -> str:
        return PROVIDER_TYPES.get(self.type, self.type)


class ProviderService(TenantBase):
    """A programme a provider delivers, with how many people it can serve at once a month."""

    __tablename__ = "provider_service"

    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"), primary_key=True)
    capacity: Mapped[int] = mapped_column()

    provider: Mapped[Provider] = relationship(back_populates="offers")
    programme: Mapped[Programme] = relationship(back_populates="offers")
