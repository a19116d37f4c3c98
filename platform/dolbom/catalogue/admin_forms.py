"""Reading the console's catalogue forms: every field checked, a Korean message per field at
fault, and the input kept as typed so a refused form comes back as it was sent.

The limits and rule-link checks are the pack reader's (`checks.py`): what a pack may not hold
cannot be typed in here either. One difference on purpose: a capacity of 0 is allowed here (a
pack needs at least 1). Removing a provider from a programme is refused while it has open
referrals for it, so 0 is how an administrator stops new places at once: existing referrals
carry on and new ones go to the waiting list."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from dolbom.catalogue.admin_queries import link_value
from dolbom.catalogue.checks import (
    MAX_BUDGET,
    MAX_CAPACITY,
    MAX_UNIT_COST,
    RuleIndex,
    key_problem,
    rule_link_problem,
)
from dolbom.catalogue.models import (
    ACT_FIELDS,
    FUNDING,
    PROVIDER_TYPES,
    UNITS,
    Programme,
    Provider,
    ServiceField,
)

_PHONE = re.compile(r"[0-9][0-9 ()+\-]{1,28}[0-9]")
_AMOUNT = re.compile(r"-?\d{1,20}")


@dataclass
class Reading:
    """A form read into values, with a message per field at fault."""

    form: MultiDict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def raw(self, name: str) -> str:
        return (self.form.get(name) or "").strip()

    def text(self, name: str, limit: int, *, required: bool, missing: str = "") -> None:
        value = self.raw(name)
        if not value:
            if required:
                self.errors[name] = missing or _("적어 주세요")
            else:
                self.values[name] = None
        elif len(value) > limit:
            self.errors[name] = _("%(n)s자까지 적을 수 있습니다 (지금 %(m)s자)",
                                  n=f"{limit:,}", m=f"{len(value):,}")  # fmt: skip
        else:
            self.values[name] = value

    def choice(self, name: str, allowed: Mapping[str, object], missing: str) -> None:
        value = self.raw(name)
        if not value:
            self.errors[name] = missing
        elif value not in allowed:
            self.errors[name] = _("'%(v)s'는 고를 수 있는 값이 아닙니다", v=value[:50])
        else:
            self.values[name] = value

    def amount(self, name: str, *, top: int, required: bool, what: str) -> None:
        """Whole won or places: "₩1,200,000", "1200000원" and "1 200 000" read the same."""
        raw = re.sub(r"[₩,\s원]", "", self.raw(name))
        if not raw:
            if required:
                self.errors[name] = _("%(what)s을(를) 적으세요", what=what)
            else:
                self.values[name] = None
            return
        if not _AMOUNT.fullmatch(raw):
            self.errors[name] = _("숫자로 적으세요 (예: 1,200,000)")
            return
        value = int(raw)
        if value < 0:
            self.errors[name] = _("0보다 작을 수 없습니다")
        elif value > top:
            self.errors[name] = _("%(top)s을(를) 넘을 수 없습니다. 자릿수를 확인하세요.",
                                  top=f"{top:,}")  # fmt: skip
        else:
            self.values[name] = value

    def new_key(self, session: Session, model: type[Programme] | type[Provider]) -> None:
        key = self.raw("key")
        if not key:
            self.errors["key"] = _("키를 적으세요 (예: meal_support)")
        elif problem := key_problem(key):
            self.errors["key"] = problem
        elif session.scalar(sa.select(model.id).where(model.key == key)) is not None:
            self.errors["key"] = _("'%(k)s' 키는 이미 쓰고 있습니다", k=key)
        else:
            self.values["key"] = key

    def unique_name(self, session: Session, model: type[Programme] | type[Provider],
                    own_id: int | None) -> None:  # fmt: skip
        name = self.values.get("name")
        if not name:
            return
        other = session.scalar(
            sa.select(model.key).where(model.name == name, model.id != (own_id or 0))
        )
        if other is not None:
            self.errors["name"] = _("같은 이름이 이미 있습니다 (키: %(k)s)", k=other)

    def version(self) -> int | None:
        raw = self.raw("version")
        return int(raw) if raw.isdecimal() and len(raw) < 10 else None


def read_field(session: Session, form: MultiDict[str, str]) -> Reading:
    r = Reading(form)
    key = r.raw("key")
    if not key:
        r.errors["key"] = _("키를 적으세요 (예: nutrition)")
    elif problem := key_problem(key):
        r.errors["key"] = problem
    elif key in ACT_FIELDS or session.get(ServiceField, key) is not None:
        r.errors["key"] = _("'%(k)s' 분야가 이미 있습니다", k=key)
    else:
        r.values["key"] = key
    r.text("name", 100, required=True, missing=_("분야 이름을 적으세요"))
    name = r.values.get("name")
    if name and (
        name in ACT_FIELDS.values()
        or session.scalar(sa.select(ServiceField.key).where(ServiceField.name == name))
    ):
        r.errors["name"] = _("같은 이름의 분야가 이미 있습니다")
    return r


def read_programme(session: Session, form: MultiDict[str, str], *, existing: Programme | None,
                   fields: Mapping[str, str], rules: RuleIndex,
                   forms: Collection[str]) -> Reading:  # fmt: skip
    """A new programme's form (with its key) or an existing one's (the key cannot change)."""
    r = Reading(form)
    if existing is None:
        r.new_key(session, Programme)
    r.text("name", 200, required=True, missing=_("프로그램 이름을 적으세요"))
    r.unique_name(session, Programme, existing.id if existing else None)
    r.choice("field", fields, _("분야를 고르세요"))
    r.choice("funding", FUNDING, _("재원을 고르세요"))
    r.choice("unit", UNITS, _("단위를 고르세요"))
    r.amount("budget", top=MAX_BUDGET, required=False, what=_("예산"))
    r.amount("unit_cost", top=MAX_UNIT_COST, required=True, what=_("단가"))
    r.text("description", 500, required=False)
    _rule_link(r, rules)
    form_key = r.raw("form_key")
    if not form_key:
        r.values["form_key"] = None
    elif form_key not in forms:
        r.errors["form_key"] = _("'%(k)s' 서식이 없습니다", k=form_key[:50])
    else:
        r.values["form_key"] = form_key
    return r


def _rule_link(r: Reading, rules: RuleIndex) -> None:
    """`rule_link` is "rule set/programme" or "rule set/programme/entitlement" (one choice in
    the form: the options are exactly the published rule sets' programmes and entitlements)."""
    raw = r.raw("rule_link")
    r.values.update(rule_set_key=None, rule_programme=None, rule_entitlement=None)
    if not raw:
        return
    parts = raw.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        r.errors["rule_link"] = _("규칙 묶음과 프로그램을 고르세요")
        return
    rs, prog, ent = parts[0], parts[1], parts[2] if len(parts) == 3 else None
    problem = rule_link_problem(
        rules, rs, prog, ent, r.values.get("unit"),
        missing_set=_("게시된 규칙 묶음 '%(rs)s'이(가) 없습니다", rs=rs[:50]),
    )  # fmt: skip
    if problem:
        r.errors["rule_link"] = problem[1]
        return
    r.values.update(rule_set_key=rs, rule_programme=prog, rule_entitlement=ent)


def read_capacity(form: MultiDict[str, str], name: str = "capacity") -> Reading:
    r = Reading(form)
    r.amount(name, top=MAX_CAPACITY, required=True, what=_("월 정원"))
    return r


def read_provider(session: Session, form: MultiDict[str, str], *, existing: Provider | None,
                  dongs: Collection[str], programmes: list[Programme]) -> Reading:  # fmt: skip
    """`values["services"]` is programme key → monthly capacity for every filled-in row."""
    r = Reading(form)
    if existing is None:
        r.new_key(session, Provider)
    r.text("name", 200, required=True, missing=_("기관 이름을 적으세요"))
    r.unique_name(session, Provider, existing.id if existing else None)
    r.choice("type", PROVIDER_TYPES, _("기관 유형을 고르세요"))
    r.text("phone", 30, required=False)
    if r.values.get("phone") and not _PHONE.fullmatch(r.values["phone"]):
        r.errors["phone"] = _("전화번호는 숫자와 -로 적으세요 (예: 063-000-0101)")
    r.text("contact", 100, required=False)
    coverage = r.raw("coverage")
    codes = list(dict.fromkeys(c.strip() for c in form.getlist("dongs") if c.strip()))
    if coverage == "all":
        r.values.update(all_dongs=True, dong_codes=[])
    elif coverage == "some":
        unknown = [c for c in codes if c not in dongs]
        if unknown:
            r.errors["dongs"] = _("'%(d)s'는 이 시의 현재 동이 아닙니다", d=unknown[0][:32])
        elif not codes:
            r.errors["dongs"] = _("담당 동을 하나 이상 고르거나 '시 전체'를 고르세요")
        else:
            r.values.update(all_dongs=False, dong_codes=codes)
    else:
        r.errors["dongs"] = _("담당 지역을 고르세요")
    services: dict[str, int] = {}
    for p in programmes:
        name = f"cap_{p.key}"
        if not r.raw(name):
            continue
        r.amount(name, top=MAX_CAPACITY, required=True, what=_("월 정원"))
        if name in r.values:
            services[p.key] = r.values.pop(name)
    r.values["services"] = services
    return r


# ── the forms' values as text, for showing a record in its form


def programme_form_values(p: Programme) -> dict[str, str]:
    return {
        "key": p.key, "name": p.name, "field": p.field, "funding": p.funding, "unit": p.unit,
        "budget": f"{p.budget:,}" if p.budget is not None else "",
        "unit_cost": f"{p.unit_cost:,}", "description": p.description or "",
        "rule_link": link_value(p.rule_set_key, p.rule_programme, p.rule_entitlement),
        "form_key": p.form_key or "", "version": str(p.version),
    }  # fmt: skip


def provider_form_values(p: Provider, offers: Mapping[str, int]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "key": p.key, "name": p.name, "type": p.type, "phone": p.phone or "",
        "contact": p.contact or "", "coverage": "all" if p.all_dongs else "some",
        "dongs": list(p.dong_codes or []), "version": str(p.version),
    }  # fmt: skip
    values.update({f"cap_{k}": str(v) for k, v in offers.items()})
    return values


def kept(form: MultiDict[str, str]) -> dict[str, Any]:
    """What was typed, to show again: every field as text, the dongs as a list."""
    out: dict[str, Any] = {k: v for k, v in form.items() if k != "csrf_token"}
    out["dongs"] = form.getlist("dongs")
    return out
