"""`catalogue.yaml` and `providers.yaml` in a municipality's pack: read and checked in full
(every error with file and field) before anything is written, then loaded in the same
transaction as the rest of the pack."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from dolbom.catalogue.checks import (
    MAX_BUDGET,
    MAX_CAPACITY,
    MAX_UNIT_COST,
    RuleIndex,
    key_problem,
    range_problem,
    rule_link_problem,
)
from dolbom.catalogue.models import (
    ACT_FIELDS,
    FUNDING,
    PROVIDER_TYPES,
    UNITS,
    Programme,
    Provider,
    ProviderService,
    ServiceField,
)


@dataclass
class ProgrammeSpec:
    key: str
    name: str
    field: str
    funding: str
    unit: str
    unit_cost: int
    budget: int | None = None
    description: str | None = None
    rule_set: str | None = None
    rule_programme: str | None = None
    rule_entitlement: str | None = None
    form: str | None = None  # the assessment form's key
    active: bool = True


@dataclass
class ProviderSpec:
    key: str
    name: str
    type: str
    all_dongs: bool
    dongs: list[str]
    phone: str | None
    contact: str | None
    services: dict[str, int]  # programme key → capacity
    sample: bool = False
    active: bool = True


@dataclass
class CatalogueSpec:
    fields: dict[str, str] = field(default_factory=dict)
    programmes: list[ProgrammeSpec] = field(default_factory=list)
    providers: list[ProviderSpec] = field(default_factory=list)


class _Checker:
    def __init__(self, file: Path, errors: list[str]) -> None:
        self.file = file
        self.errors = errors

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{self.file}: {where}: {message}")

    def text(self, data: dict, key: str, where: str, *, required: bool = True,
             max_length: int = 200) -> str | None:  # fmt: skip
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error(f"{where}.{key}", "필수 항목이 없습니다")
            return None
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.error(f"{where}.{key}", "문자열이어야 합니다")
            return None
        if len(str(value)) > max_length:
            self.error(f"{where}.{key}", f"{max_length}자를 넘을 수 없습니다")
            return None
        return str(value)

    def key(self, data: dict, where: str, seen: set[str]) -> str | None:
        value = self.text(data, "key", where, max_length=50)
        if value is None:
            return None
        problem = key_problem(value)
        if problem:
            self.error(f"{where}.key", problem)
            return None
        if value in seen:
            self.error(f"{where}.key", f"'{value}'가 중복됩니다")
            return None
        seen.add(value)
        return value

    def choice(self, data: dict, key: str, where: str, allowed: dict[str, str]) -> str | None:
        value = self.text(data, key, where, max_length=50)
        if value is not None and value not in allowed:
            self.error(f"{where}.{key}", f"'{value}'는 쓸 수 없습니다 ({', '.join(allowed)})")
            return None
        return value

    def number(self, data: dict, key: str, where: str, *, required: bool, top: int,
               least: int = 0) -> int | None:  # fmt: skip
        value = data.get(key)
        if value is None:
            if required:
                self.error(f"{where}.{key}", "필수 항목이 없습니다")
            return None
        problem = range_problem(value, least, top)
        if problem:
            self.error(f"{where}.{key}", problem)
            return None
        return value


def _load(path: Path, errors: list[str]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        errors.append(f"{path}: UTF-8 텍스트 파일이 아닙니다")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" {mark.line + 1}행" if mark else ""
        errors.append(f"{path}:{line} YAML 형식 오류: {getattr(exc, 'problem', exc)}")
    return None


def _rule_index(rules: list[tuple[str, str]]) -> RuleIndex:
    """rule set key → programme key → entitlement id → unit, from the pack's checked rules."""
    out: RuleIndex = {}
    for _file, text in rules:
        data = yaml.safe_load(text) or {}
        out[str(data.get("key"))] = {
            str(p.get("key")): {str(e.get("id")): str(e.get("unit")) for e in p.get("entitlements") or []}
            for p in data.get("programmes") or []
        }  # fmt: skip
    return out


def read_catalogue(path: Path, rules: list[tuple[str, str]], dongs: set[str],
                   errors: list[str], forms: set[str] | None = None) -> CatalogueSpec | None:  # fmt: skip
    """The pack's catalogue and providers, or None when it has neither file."""
    cat_file, prov_file = path / "catalogue.yaml", path / "providers.yaml"
    if not cat_file.exists():
        if prov_file.exists():
            errors.append(
                f"{prov_file}: 기관은 catalogue.yaml의 프로그램을 가리킵니다: catalogue.yaml이 없습니다"
            )
        return None
    spec = CatalogueSpec()
    start = len(errors)
    _read_programmes(_load(cat_file, errors), _Checker(cat_file, errors), _rule_index(rules), spec,
                     forms)  # fmt: skip
    if prov_file.exists():
        _read_providers(_load(prov_file, errors), _Checker(prov_file, errors), dongs, spec)
    return spec if len(errors) == start else None


def _read_programmes(data: Any, c: _Checker, rules: RuleIndex,
                     spec: CatalogueSpec, forms: set[str] | None = None) -> None:  # fmt: skip
    if not isinstance(data, dict) or not isinstance(data.get("programmes"), list):
        c.error("programmes", "프로그램 목록(programmes: [...])이 있어야 합니다")
        return
    keys: set[str] = set(ACT_FIELDS)
    for i, f in enumerate(data.get("fields") or []):
        where = f"fields[{i}]"
        if not isinstance(f, dict):
            c.error(where, "키: 값 형식이어야 합니다")
            continue
        key, name = c.key(f, where, keys), c.text(f, "name", where, max_length=100)
        if key and name:
            spec.fields[key] = name
    names: set[str] = set()
    seen: set[str] = set()
    for i, p in enumerate(data["programmes"]):
        where = f"programmes[{i}]"
        if not isinstance(p, dict):
            c.error(where, "키: 값 형식이어야 합니다")
            continue
        key, name = c.key(p, where, seen), c.text(p, "name", where)
        if name in names:
            c.error(f"{where}.name", f"'{name}'가 중복됩니다")
        names.add(name or "")
        fld = c.choice(p, "field", where, {**ACT_FIELDS, **spec.fields})
        funding = c.choice(p, "funding", where, FUNDING)
        unit = c.choice(p, "unit", where, UNITS)
        cost = c.number(p, "unit_cost", where, required=True, top=MAX_UNIT_COST)
        budget = c.number(p, "budget", where, required=False, top=MAX_BUDGET)
        description = c.text(p, "description", where, required=False, max_length=500)
        link = _rules_link(p.get("rules"), f"{where}.rules", c, rules, unit)
        form = p.get("form")
        if form is not None and forms is not None and form not in forms:
            c.error(f"{where}.form", f"팩에 '{form}' 서식이 없습니다")
            form = False
        active = _active(p, where, c)
        if (key and name and fld and funding and unit and cost is not None and link is not None
                and form is not False and active is not None):  # fmt: skip
            spec.programmes.append(ProgrammeSpec(key, name, fld, funding, unit, cost, budget,
                                                 description, *link, form, active))  # fmt: skip


def _active(data: dict, where: str, c: _Checker) -> bool | None:
    """`active: false` keeps a retired programme or provider (history refers to it)."""
    value = data.get("active", True)
    if not isinstance(value, bool):
        c.error(f"{where}.active", "true 또는 false여야 합니다")
        return None
    return value


def _rules_link(link: Any, where: str, c: _Checker, rules: RuleIndex,
                unit: str | None) -> tuple[str | None, str | None, str | None] | None:  # fmt: skip
    if link is None:
        return (None, None, None)
    if not isinstance(link, dict):
        c.error(where, "rule_set, programme (, entitlement) 형식이어야 합니다")
        return None
    rs, prog, ent = link.get("rule_set"), link.get("programme"), link.get("entitlement")
    problem = rule_link_problem(rules, rs, prog, ent, unit,
                                missing_set=f"팩에 '{rs}' 규칙 묶음이 없습니다")  # fmt: skip
    if problem:
        c.error(f"{where}.{problem[0]}", problem[1])
        return None
    return (str(rs), str(prog), str(ent) if ent is not None else None)


def _read_providers(data: Any, c: _Checker, dongs: set[str], spec: CatalogueSpec) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("providers"), list):
        c.error("providers", "기관 목록(providers: [...])이 있어야 합니다")
        return
    sample = data.get("sample") is True
    programmes = {p.key for p in spec.programmes}
    seen: set[str] = set()
    names: set[str] = set()
    for i, p in enumerate(data["providers"]):
        where = f"providers[{i}]"
        if not isinstance(p, dict):
            c.error(where, "키: 값 형식이어야 합니다")
            continue
        key, name = c.key(p, where, seen), c.text(p, "name", where)
        if name in names:
            c.error(f"{where}.name", f"'{name}'가 중복됩니다")
        names.add(name or "")
        kind = c.choice(p, "type", where, PROVIDER_TYPES)
        raw = p.get("dongs")
        ok = True
        if raw == "all":
            all_dongs, codes = True, []
        elif isinstance(raw, list) and raw and all(isinstance(d, str) for d in raw):
            all_dongs, codes = False, list(dict.fromkeys(raw))
            for d in codes:
                if d not in dongs:
                    c.error(f"{where}.dongs", f"'{d}'는 이 시의 현재 동이 아닙니다")
                    ok = False
        else:
            c.error(f"{where}.dongs", "all 또는 동 코드 목록이어야 합니다")
            all_dongs, codes, ok = False, [], False
        services: dict[str, int] = {}
        offered = p.get("services")
        if not isinstance(offered, list) or not offered:
            c.error(f"{where}.services", "제공하는 프로그램을 하나 이상 적으세요")
            ok = False
        for j, s in enumerate(offered if isinstance(offered, list) else []):
            swhere = f"{where}.services[{j}]"
            if not isinstance(s, dict):
                c.error(swhere, "programme, capacity 형식이어야 합니다")
                ok = False
                continue
            prog = s.get("programme")
            capacity = c.number(s, "capacity", swhere, required=True, top=MAX_CAPACITY, least=1)
            if prog not in programmes:
                c.error(f"{swhere}.programme", f"catalogue.yaml에 '{prog}' 프로그램이 없습니다")
                ok = False
            elif prog in services:
                c.error(f"{swhere}.programme", f"'{prog}'가 두 번 나옵니다")
                ok = False
            elif capacity is not None:
                services[str(prog)] = capacity
        phone = c.text(p, "phone", where, required=False, max_length=30)
        contact = c.text(p, "contact", where, required=False, max_length=100)
        active = _active(p, where, c)
        if key and name and kind and ok and active is not None:
            own = p.get("sample", sample)  # a provider may say otherwise than its file
            spec.providers.append(ProviderSpec(key, name, kind, all_dongs, codes, phone, contact,
                                               services, own is True, active))  # fmt: skip


def current_dongs(districts: list[Any], today: dt.date) -> set[str]:
    """Dong codes in force today from the pack's district specs."""
    return {
        d.code
        for g in districts
        for d in g.dongs
        if (d.valid_from is None or d.valid_from <= today) and (d.valid_to is None or d.valid_to > today)
    }  # fmt: skip


def load_catalogue(session: Session, spec: CatalogueSpec) -> None:
    for key, name in spec.fields.items():
        session.add(ServiceField(key=key, name=name))
    by_key: dict[str, Programme] = {}
    for p in spec.programmes:
        by_key[p.key] = Programme(
            key=p.key, name=p.name, field=p.field, funding=p.funding, budget=p.budget,
            unit=p.unit, unit_cost=p.unit_cost, description=p.description,
            rule_set_key=p.rule_set, rule_programme=p.rule_programme,
            rule_entitlement=p.rule_entitlement, form_key=p.form, active=p.active,
        )  # fmt: skip
        session.add(by_key[p.key])
    for v in spec.providers:
        provider = Provider(key=v.key, name=v.name, type=v.type, all_dongs=v.all_dongs,
                            dong_codes=v.dongs, phone=v.phone, contact=v.contact, sample=v.sample,
                            active=v.active)  # fmt: skip
        for key, capacity in v.services.items():
            provider.offers.append(ProviderService(programme=by_key[key], capacity=capacity))
        session.add(provider)
    session.flush()
