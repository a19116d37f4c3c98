"""A tenant's configuration as plain data, the same shape whether read from a pack folder or
from the tenant's schema, so the two can be compared item by item.

Areas map item keys to plain dicts. Forms and rule sets are compared by checksum of their
definition (their text travels alongside in `texts`, to apply or export)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from dolbom.catalogue.models import Programme, Provider, ServiceField
from dolbom.districts.models import Dong, Gu
from dolbom.forms.models import Form, FormVersion
from dolbom.forms.operations import checksum as form_checksum
from dolbom.forms.operations import parse_yaml
from dolbom.rules.models import RuleSet, RuleSetVersion
from dolbom.rules.operations import checksum as rule_checksum
from dolbom.tenancy.models import Tenant
from dolbom.tenancy.packs import Pack
from dolbom.tenant_settings.models import TenantSetting

# In the order a pack is applied: what later areas refer to comes first.
AREAS = (
    "profile",
    "settings",
    "plugins",
    "gu",
    "dongs",
    "forms",
    "rules",
    "fields",
    "programmes",
    "providers",
)
SETTING_KEYS = ("service_levels", "monitoring_months")
FAR_PAST = dt.date(1900, 1, 1)


@dataclass
class Snapshot:
    areas: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {a: {} for a in AREAS}
    )
    # (area, key) → YAML text of a form or rule set, for applying and exporting.
    texts: dict[tuple[str, str], str] = field(default_factory=dict)


def _date(value: dt.date | None) -> str | None:
    return None if value is None or value == FAR_PAST else value.isoformat()


def from_pack(pack: Pack) -> Snapshot:
    snap = Snapshot()
    a = snap.areas
    a["profile"]["tenant"] = {
        "name": pack.name,
        "region": pack.region,
        "profile": pack.profile or {},
        "todo": list(pack.todo),
    }
    for key in SETTING_KEYS:
        if key in pack.settings:
            a["settings"][key] = {"value": pack.settings[key]}
    for name in pack.plugins:
        a["plugins"][name] = {"enabled": True}
    for g in pack.districts:
        a["gu"][g.code] = {"name": g.name, "population_65": g.population_65}
        for d in g.dongs:
            a["dongs"][d.code] = {
                "gu": g.code,
                "name": d.name,
                "valid_from": _date(d.valid_from),
                "valid_to": _date(d.valid_to),
                "successor": d.successor,
            }
    for file, text in pack.forms:
        cf, data = parse_yaml(text, file)
        a["forms"][cf.form.key] = {"title": cf.form.title, "checksum": form_checksum(data)}
        snap.texts[("forms", cf.form.key)] = text
    from dolbom.forms import yamlio

    for _file, text in pack.rules:
        data, _ = yamlio.load(text)
        a["rules"][data["key"]] = {"title": data.get("title"), "checksum": rule_checksum(text)}
        snap.texts[("rules", data["key"])] = text
    cat = pack.catalogue
    if cat is not None:
        for key, name in cat.fields.items():
            a["fields"][key] = {"name": name}
        for p in cat.programmes:
            a["programmes"][p.key] = {
                "name": p.name,
                "field": p.field,
                "funding": p.funding,
                "budget": p.budget,
                "unit": p.unit,
                "unit_cost": p.unit_cost,
                "description": p.description,
                "rule_set": p.rule_set,
                "rule_programme": p.rule_programme,
                "rule_entitlement": p.rule_entitlement,
                "form": p.form,
                "active": p.active,
            }
        for v in cat.providers:
            a["providers"][v.key] = {
                "name": v.name,
                "type": v.type,
                "dongs": "all" if v.all_dongs else sorted(v.dongs),
                "phone": v.phone,
                "contact": v.contact,
                "services": dict(sorted(v.services.items())),
                "sample": v.sample,
                "active": v.active,
            }
    return snap


def from_tenant(session: Session, slug: str) -> Snapshot:
    """The configuration held in the tenant schema `session` is bound to."""
    snap = Snapshot()
    a = snap.areas
    tenant = session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise LookupError(slug)
    settings = {s.key: s.value for s in session.scalars(sa.select(TenantSetting))}
    a["profile"]["tenant"] = {
        "name": tenant.name,
        "region": tenant.region,
        "profile": settings.get("profile") or {},
        "todo": list(settings.get("todo") or []),
    }
    for key in SETTING_KEYS:
        if key in settings:
            a["settings"][key] = {"value": settings[key]}
    for name in sorted(tenant.enabled_plugins()):
        a["plugins"][name] = {"enabled": True}
    for g in session.scalars(sa.select(Gu).order_by(Gu.id)):
        a["gu"][g.code] = {"name": g.name, "population_65": g.population_65}
    gu_codes = dict(session.execute(sa.select(Gu.id, Gu.code)).all())
    for d in session.scalars(sa.select(Dong).order_by(Dong.id)):
        a["dongs"][d.code] = {
            "gu": gu_codes[d.gu_id],
            "name": d.name,
            "valid_from": _date(d.valid_from),
            "valid_to": _date(d.valid_to),
            "successor": d.successor_code,
        }
    _forms(session, snap)
    _rules(session, snap)
    for f in session.scalars(sa.select(ServiceField).order_by(ServiceField.key)):
        a["fields"][f.key] = {"name": f.name}
    for p in session.scalars(sa.select(Programme).order_by(Programme.id)):
        a["programmes"][p.key] = {
            "name": p.name,
            "field": p.field,
            "funding": p.funding,
            "budget": p.budget,
            "unit": p.unit,
            "unit_cost": p.unit_cost,
            "description": p.description,
            "rule_set": p.rule_set_key,
            "rule_programme": p.rule_programme,
            "rule_entitlement": p.rule_entitlement,
            "form": p.form_key,
            "active": p.active,
        }
    providers = session.scalars(
        sa.select(Provider).options(selectinload(Provider.offers)).order_by(Provider.id)
    )
    keys = dict(session.execute(sa.select(Programme.id, Programme.key)).all())
    for v in providers:
        a["providers"][v.key] = {
            "name": v.name,
            "type": v.type,
            "dongs": "all" if v.all_dongs else sorted(v.dong_codes or []),
            "phone": v.phone,
            "contact": v.contact,
            "services": dict(sorted((keys[o.programme_id], o.capacity) for o in v.offers)),
            "sample": v.sample,
            "active": v.active,
        }
    return snap


def _forms(session: Session, snap: Snapshot) -> None:
    rows = session.execute(
        sa.select(
            Form.key,
            FormVersion.title,
            FormVersion.checksum,
            FormVersion.source,
            FormVersion.definition,
        )
        .join(
            FormVersion,
            sa.and_(FormVersion.form_id == Form.id, FormVersion.number == Form.current_number),
        )
        .order_by(Form.key)
    )
    import yaml

    for key, title, check, source, definition in rows:
        snap.areas["forms"][key] = {"title": title, "checksum": check}
        snap.texts[("forms", key)] = source or yaml.safe_dump(
            definition, allow_unicode=True, sort_keys=False
        )


def _rules(session: Session, snap: Snapshot) -> None:
    rows = session.execute(
        sa.select(RuleSet.key, RuleSetVersion.title, RuleSetVersion.source)
        .join(
            RuleSetVersion,
            sa.and_(
                RuleSetVersion.rule_set_id == RuleSet.id,
                RuleSetVersion.number == RuleSet.current_number,
            ),
        )
        .order_by(RuleSet.key)
    )
    for key, title, source in rows:
        snap.areas["rules"][key] = {"title": title, "checksum": rule_checksum(source)}
        snap.texts[("rules", key)] = source
