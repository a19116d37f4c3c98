"""Reading the catalogue for the console: programme and provider lists, the choices the forms
offer (fields, published rule sets, forms, current dongs), and open referrals that hold a
programme or provider in use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.catalogue.checks import RuleIndex
from dolbom.catalogue.models import (
    ACT_FIELDS,
    PROVIDER_TYPES,
    Programme,
    Provider,
    ProviderService,
    ServiceField,
)
from dolbom.console.models import ConfigChange
from dolbom.db import shared_session
from dolbom.forms.models import Form
from dolbom.forms.queries import DongChoice, dong_choices
from dolbom.identity.models import User
from dolbom.referrals.models import OPEN, Referral
from dolbom.rules.catalogue import compiled_version
from dolbom.rules.models import RuleSet, RuleSetVersion

PAGE = 20


def fields(session: Session) -> dict[str, str]:
    """The act's five fields, then the tenant's own by name."""
    own = session.execute(
        sa.select(ServiceField.key, ServiceField.name).order_by(ServiceField.name)
    )
    return {**ACT_FIELDS, **dict(own.all())}


# ── programmes


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    providers: int  # active providers offering it
    capacity: int  # their monthly places together


@dataclass(frozen=True)
class ProgrammeFilter:
    field: str = ""
    active: str = ""  # "", "1" (active only), "0" (inactive only)

    @classmethod
    def from_args(cls, args: Mapping[str, str], known_fields: Mapping[str, str]) -> ProgrammeFilter:
        fld = args.get("field", "")
        active = args.get("active", "")
        return cls(fld if fld in known_fields else "", active if active in ("1", "0") else "")


def programme_groups(session: Session, f: ProgrammeFilter,
                     known_fields: Mapping[str, str]) -> list[tuple[str, str, list[ProgrammeRow]]]:  # fmt: skip
    """(field key, field name, rows) in the fields' order; empty fields left out."""
    offer = (
        sa.select(ProviderService.programme_id, sa.func.count().label("n"),
                  sa.func.sum(ProviderService.capacity).label("cap"))
        .join(Provider, Provider.id == ProviderService.provider_id)
        .where(Provider.active)
        .group_by(ProviderService.programme_id)
        .subquery()
    )  # fmt: skip
    query = (
        sa.select(Programme, sa.func.coalesce(offer.c.n, 0), sa.func.coalesce(offer.c.cap, 0))
        .outerjoin(offer, offer.c.programme_id == Programme.id)
        .order_by(Programme.name)
    )
    if f.field:
        query = query.where(Programme.field == f.field)
    if f.active:
        query = query.where(Programme.active.is_(f.active == "1"))
    by_field: dict[str, list[ProgrammeRow]] = {}
    for programme, n, cap in session.execute(query):
        by_field.setdefault(programme.field, []).append(ProgrammeRow(programme, n, int(cap)))
    order = list(known_fields) + sorted(set(by_field) - set(known_fields))
    return [(k, known_fields.get(k, k), by_field[k]) for k in order if k in by_field]


def programme_by_key(session: Session, key: str) -> Programme | None:
    return session.scalar(sa.select(Programme).where(Programme.key == key))


def all_programmes(session: Session) -> list[Programme]:
    return list(session.scalars(sa.select(Programme).order_by(Programme.field, Programme.name)))


def open_referrals(session: Session, *, programme_id: int | None = None,
                   provider_id: int | None = None) -> int:  # fmt: skip
    query = sa.select(sa.func.count()).select_from(Referral).where(Referral.status.in_(OPEN))
    if programme_id is not None:
        query = query.where(Referral.programme_id == programme_id)
    if provider_id is not None:
        query = query.where(Referral.provider_id == provider_id)
    return session.scalar(query) or 0


def open_by_programme(session: Session, provider_id: int) -> dict[int, int]:
    """programme id → open referrals with this provider."""
    rows = session.execute(
        sa.select(Referral.programme_id, sa.func.count())
        .where(Referral.provider_id == provider_id, Referral.status.in_(OPEN))
        .group_by(Referral.programme_id)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class Assignment:
    provider: Provider
    capacity: int
    open: int  # open referrals with this provider for the programme


def assignments(session: Session, programme: Programme) -> list[Assignment]:
    rows = session.execute(
        sa.select(Provider, ProviderService.capacity)
        .join(ProviderService, ProviderService.provider_id == Provider.id)
        .where(ProviderService.programme_id == programme.id)
        .order_by(Provider.active.desc(), Provider.name)
    )
    counts = dict(
        session.execute(
            sa.select(Referral.provider_id, sa.func.count())
            .where(Referral.programme_id == programme.id, Referral.status.in_(OPEN))
            .group_by(Referral.provider_id)
        ).all()
    )
    return [Assignment(p, cap, counts.get(p.id, 0)) for p, cap in rows]


def unassigned_providers(session: Session, programme: Programme) -> list[Provider]:
    """Active providers not yet offering the programme, by type then name, for the picker."""
    offered = sa.select(ProviderService.provider_id).where(
        ProviderService.programme_id == programme.id
    )
    return list(
        session.scalars(
            sa.select(Provider)
            .where(Provider.active, Provider.id.not_in(offered))
            .order_by(Provider.type, Provider.name)
        )
    )


# ── providers


@dataclass(frozen=True)
class ProviderFilter:
    q: str = ""
    type: str = ""
    programme: str = ""  # a programme key
    active: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ProviderFilter:
        kind = args.get("type", "")
        active = args.get("active", "")
        raw_page = args.get("page", "1")
        return cls(
            q=(args.get("q") or "").strip()[:50],
            type=kind if kind in PROVIDER_TYPES else "",
            programme=(args.get("programme") or "")[:50],
            active=active if active in ("1", "0") else "",
            page=max(1, min(int(raw_page), 10_000)) if raw_page.isdecimal() else 1,
        )

    def query_args(self, **change: object) -> dict[str, object]:
        """The filter as URL parameters (defaults left out), with some changed."""
        out: dict[str, object] = {"q": self.q, "type": self.type, "programme": self.programme,
                                  "active": self.active, "page": self.page, **change}  # fmt: skip
        return {k: v for k, v in out.items() if v not in ("", 1, None)}


@dataclass(frozen=True)
class ProviderRow:
    provider: Provider
    programmes: int
    capacity: int


@dataclass(frozen=True)
class ProviderPage:
    rows: list[ProviderRow]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def provider_page(session: Session, f: ProviderFilter) -> ProviderPage:
    where: list[sa.ColumnElement[bool]] = []
    if f.q:
        where.append(Provider.name.ilike(_like(f.q), escape="\\"))
    if f.type:
        where.append(Provider.type == f.type)
    if f.active:
        where.append(Provider.active.is_(f.active == "1"))
    if f.programme:
        where.append(
            Provider.id.in_(
                sa.select(ProviderService.provider_id)
                .join(Programme, Programme.id == ProviderService.programme_id)
                .where(Programme.key == f.programme)
            )
        )
    total = session.scalar(sa.select(sa.func.count()).select_from(Provider).where(*where)) or 0
    offer = (
        sa.select(ProviderService.provider_id, sa.func.count().label("n"),
                  sa.func.sum(ProviderService.capacity).label("cap"))
        .group_by(ProviderService.provider_id)
        .subquery()
    )  # fmt: skip
    rows = session.execute(
        sa.select(Provider, sa.func.coalesce(offer.c.n, 0), sa.func.coalesce(offer.c.cap, 0))
        .outerjoin(offer, offer.c.provider_id == Provider.id)
        .where(*where)
        .order_by(Provider.name)
        .limit(PAGE)
        .offset((f.page - 1) * PAGE)
    )
    return ProviderPage([ProviderRow(p, n, int(cap)) for p, n, cap in rows], total, f.page)


def provider_by_key(session: Session, key: str) -> Provider | None:
    return session.scalar(sa.select(Provider).where(Provider.key == key))


def offers_of(session: Session, provider: Provider) -> dict[str, int]:
    """programme key → capacity."""
    rows = session.execute(
        sa.select(Programme.key, ProviderService.capacity)
        .join(ProviderService, ProviderService.programme_id == Programme.id)
        .where(ProviderService.provider_id == provider.id)
    )
    return dict(rows.all())


def current_dongs(session: Session, day: dt.date) -> list[DongChoice]:
    return dong_choices(session, day)


# ── links: published rule sets and forms


@dataclass(frozen=True)
class RuleChoice:
    """One option of the eligibility link: a rule set's programme, with or without one of its
    entitlements (and that entitlement's unit)."""

    value: str  # "rule_set/programme" or "rule_set/programme/entitlement"
    rule_set: str
    rule_set_title: str
    programme: str
    programme_name: str
    entitlement: str | None = None
    entitlement_label: str | None = None
    unit: str | None = None


def link_value(rule_set: str | None, programme: str | None, entitlement: str | None) -> str:
    if not rule_set:
        return ""
    return "/".join(p for p in (rule_set, programme or "", entitlement) if p is not None)


def published_rules(session: Session, tenant: str) -> list[RuleChoice]:
    """Every programme and entitlement of the tenant's rule sets as published now."""
    versions = session.execute(
        sa.select(RuleSet, RuleSetVersion)
        .join(RuleSetVersion, (RuleSetVersion.rule_set_id == RuleSet.id)
              & (RuleSetVersion.number == RuleSet.current_number))
        .order_by(RuleSet.title)
    )  # fmt: skip
    out: list[RuleChoice] = []
    for rs, version in versions:
        _crs, _problems, ruleset = compiled_version(session, tenant, version)
        if ruleset is None:
            continue
        for p in ruleset.programmes:
            out.append(RuleChoice(link_value(rs.key, p.key, None), rs.key, rs.title, p.key, p.name))
            units: dict[str, tuple[str, str]] = {}
            for e in p.entitlements:  # an entitlement dated twice is one choice
                units[e.id] = (e.label, e.unit)
            for eid, (label, unit) in units.items():
                out.append(RuleChoice(link_value(rs.key, p.key, eid), rs.key, rs.title, p.key,
                                      p.name, eid, label, unit))  # fmt: skip
    return out


def rule_index(choices: list[RuleChoice]) -> RuleIndex:
    out: RuleIndex = {}
    for c in choices:
        ents = out.setdefault(c.rule_set, {}).setdefault(c.programme, {})
        if c.entitlement is not None:
            ents[c.entitlement] = c.unit or ""
    return out


@dataclass(frozen=True)
class FormChoice:
    key: str
    title: str
    published: int | None


def form_choices(session: Session) -> list[FormChoice]:
    rows = session.execute(
        sa.select(Form.key, Form.title, Form.current_number).order_by(Form.title)
    )
    return [FormChoice(*r) for r in rows]


# ── who changed it


def last_change(session: Session, area: str, subject: str) -> tuple[str, dt.datetime] | None:
    """Who recorded the latest change to a programme or provider, and when."""
    row = session.execute(
        sa.select(ConfigChange.user_id, ConfigChange.at)
        .where(ConfigChange.area == area, ConfigChange.subject == subject)
        .order_by(ConfigChange.at.desc(), ConfigChange.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    name = None
    if row.user_id is not None:
        with shared_session() as s:
            name = s.scalar(sa.select(User.name).where(User.id == row.user_id))
    return (name or "", row.at)
