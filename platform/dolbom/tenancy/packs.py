"""Municipality config packs (`tenants/<slug>/`): read, validate, load.

A pack is data only. Validation collects every error with the file and field at fault before
anything is created; loading happens inside the tenant-creating transaction, so a pack that
fails half-way leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from dolbom.catalogue.packs import CatalogueSpec
from dolbom.districts.models import Dong, Gu
from dolbom.tenancy.slugs import SlugError, check_slug
from dolbom.tenant_settings import set_value


class PackError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class DongSpec:
    code: str
    name: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successor: str | None = None


@dataclass
class GuSpec:
    code: str
    name: str
    population_65: int | None = None
    dongs: list[DongSpec] = field(default_factory=list)


@dataclass
class Pack:
    path: Path
    slug: str
    name: str
    region: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    plugins: list[str] = field(default_factory=list)
    # Case work settings: `service_levels` (days per step) and `monitoring_months`.
    settings: dict[str, Any] = field(default_factory=dict)
    districts: list[GuSpec] = field(default_factory=list)
    # Form definitions as (file name, YAML text), already checked: the pack's own forms/*.yaml
    # and the standard instruments it names in `standard_forms`.
    forms: list[tuple[str, str]] = field(default_factory=list)
    # Rule sets as (file name, YAML text), checked against the pack's forms, examples passing.
    rules: list[tuple[str, str]] = field(default_factory=list)
    # The service catalogue and providers (catalogue.yaml, providers.yaml), checked.
    catalogue: CatalogueSpec | None = None
    # What the city must still fill in (a minimal pack says so plainly), shown in the console.
    todo: list[str] = field(default_factory=list)


TOP_KEYS = frozenset({"slug", "name", "region", "profile", "plugins", "standard_forms",
                      "service_levels", "monitoring_months", "todo"})  # fmt: skip
PILOT_FIELDS = {"elderly": "노인", "disabled": "장애인", "mental_illness": "정신질환자"}
# profile: key → (kind, sub-keys). The readiness items the ministry tracks are ordinance (with
# its date), dedicated unit (with its date) and dedicated staff (count, as of a date).
PROFILE_SCHEMA: dict[str, tuple[str, dict[str, str]]] = {
    "name_en": ("text", {}),
    "pilot_since": ("year", {}),
    "pilot_field": ("pilot_field", {}),
    "population": ("int", {}),
    "population_65": ("int", {}),
    "contact": ("map", {"department": "text", "phone": "text", "email": "text"}),
    "ordinance": ("map", {"title": "text", "promulgated": "date"}),
    "unit": ("map", {"name": "text", "established": "date"}),
    "staff": ("map", {"count": "int", "as_of": "date"}),
}


class _Reader:
    """Typed field access that records `file: path: message` errors instead of raising."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{self.file}: {where}: {message}")

    def text(
        self, data: dict, key: str, where: str, required: bool = True, max_length: int = 50
    ) -> str | None:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error(f"{where}{key}", "필수 항목이 없습니다")
            return None
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.error(f"{where}{key}", "문자열이어야 합니다")
            return None
        if len(str(value)) > max_length:
            self.error(f"{where}{key}", f"{max_length}자를 넘을 수 없습니다")
            return None
        return str(value)

    def date(self, data: dict, key: str, where: str) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.error(f"{where}{key}", f"날짜는 YYYY-MM-DD 형식이어야 합니다 ('{value}')")
            return None

    def integer(self, data: dict, key: str, where: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.error(f"{where}{key}", f"0 이상의 정수여야 합니다 ('{value}')")
            return None
        return value


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text: we parse them ourselves, so a bad date becomes a
    message naming its field instead of an exception from the YAML library."""


_Loader.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(path: Path, errors: list[str]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        errors.append(f"{path}: 파일이 없습니다")
    except UnicodeDecodeError:
        errors.append(f"{path}: UTF-8 텍스트 파일이 아닙니다")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" {mark.line + 1}행" if mark else ""
        errors.append(f"{path}:{line} YAML 형식 오류: {getattr(exc, 'problem', exc)}")
    return None


def _jsonable(value: Any) -> Any:
    """YAML turns 2019-08-14 into a date; settings are stored as JSON, so back to text."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def read_pack(path: Path | str) -> Pack:
    path = Path(path)
    errors: list[str] = []
    if not path.is_dir():
        raise PackError([f"{path}: 팩 폴더가 없습니다"])
    meta = _load_yaml(path / "tenant.yaml", errors)
    if errors:
        raise PackError(errors)
    r = _Reader(str(path / "tenant.yaml"))
    if not isinstance(meta, dict):
        raise PackError([f"{r.file}: 최상위는 키: 값 형식이어야 합니다"])
    slug = r.text(meta, "slug", "", max_length=32) or ""
    if slug:
        try:
            check_slug(slug)
        except SlugError as exc:
            r.error("slug", str(exc))
    pack = Pack(
        path=path,
        slug=slug,
        name=r.text(meta, "name", "", max_length=100) or "",
        region=r.text(meta, "region", "", required=False),
        profile=_jsonable(meta.get("profile") or {}),
        plugins=meta.get("plugins") or [],
    )
    for key in sorted(set(meta) - TOP_KEYS):
        r.error(str(key), f"알 수 없는 항목입니다 (쓸 수 있는 항목: {', '.join(sorted(TOP_KEYS))})")
    check_profile(pack.profile, r)
    pack.todo = _read_todo(meta.get("todo"), r)
    if not isinstance(pack.plugins, list) or not all(isinstance(p, str) for p in pack.plugins):
        r.error("plugins", "플러그인 이름 목록이어야 합니다")
        pack.plugins = []
    pack.settings = _read_case_settings(meta, r)
    errors.extend(r.errors)
    districts_file = path / "districts.yaml"
    if districts_file.exists():
        data = _load_yaml(districts_file, errors)
        pack.districts = _read_districts(data, str(districts_file), errors)
    pack.forms = _read_forms(path, meta.get("standard_forms"), errors)
    if not errors:
        from dolbom.rules.packs import read_rules

        pack.rules = read_rules(path, pack.forms, errors)
    if not errors:
        from dolbom.catalogue.packs import current_dongs, read_catalogue
        from dolbom.clock import today

        dongs = current_dongs(pack.districts, today())
        from dolbom.forms.operations import parse_yaml

        form_keys = {parse_yaml(text, file)[0].form.key for file, text in pack.forms}
        pack.catalogue = read_catalogue(path, pack.rules, dongs, errors, form_keys)
    if errors:
        raise PackError(errors)
    return pack


def check_profile(profile: Any, r: _Reader) -> None:
    """The profile's fields and their types; unknown keys are refused (a typo would vanish)."""
    if not isinstance(profile, dict):
        r.error("profile", "키: 값 형식이어야 합니다")
        return
    for key, value in profile.items():
        where = f"profile.{key}"
        if key not in PROFILE_SCHEMA:
            r.error(where, f"알 수 없는 항목입니다 (쓸 수 있는 항목: {', '.join(PROFILE_SCHEMA)})")
            continue
        kind, parts = PROFILE_SCHEMA[key]
        if kind == "map":
            if not isinstance(value, dict):
                r.error(where, f"{', '.join(parts)} 항목의 키: 값 형식이어야 합니다")
                continue
            for part, part_value in value.items():
                if part not in parts:
                    r.error(f"{where}.{part}", f"알 수 없는 항목입니다 ({', '.join(parts)})")
                else:
                    _check_value(parts[part], part_value, f"{where}.{part}", r)
        else:
            _check_value(kind, value, where, r)


def _check_value(kind: str, value: Any, where: str, r: _Reader) -> None:
    if value is None:
        return
    if kind == "text" and not (isinstance(value, str) and 0 < len(value) <= 200):
        r.error(where, "200자 이내의 글이어야 합니다")
    elif kind == "int" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        r.error(where, f"0 이상의 정수여야 합니다 ('{value}')")
    elif kind == "year" and (not isinstance(value, int) or not 2000 <= value <= 2100):
        r.error(where, f"연도(예: 2019)여야 합니다 ('{value}')")
    elif kind == "pilot_field" and value not in PILOT_FIELDS:
        r.error(where, f"{', '.join(PILOT_FIELDS)} 중 하나여야 합니다 ('{value}')")
    elif kind == "date":
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            r.error(where, f"날짜는 YYYY-MM-DD 형식이어야 합니다 ('{value}')")


def _read_todo(value: Any, r: _Reader) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        r.error("todo", "시가 채워야 할 것을 적은 문장 목록이어야 합니다")
        return []
    return [v.strip() for v in value]


def _read_case_settings(meta: dict[str, Any], r: _Reader) -> dict[str, Any]:
    """`service_levels: {survey: 7, …}` and `monitoring_months: [1, 3]`, checked."""
    from dolbom.cases.deadlines import check_levels

    out: dict[str, Any] = {}
    levels = meta.get("service_levels")
    if levels is not None:
        problems = check_levels(levels)
        for key, message in problems.items():
            r.error(
                "service_levels" if key == "service_levels" else f"service_levels.{key}", message
            )
        if not problems:
            out["service_levels"] = dict(levels)
    months = meta.get("monitoring_months")
    if months is not None:
        if (not isinstance(months, list) or not months
                or not all(isinstance(m, int) and not isinstance(m, bool) and 0 < m <= 24 for m in months)):  # fmt: skip
            r.error("monitoring_months", "1~24 사이 개월 수의 목록이어야 합니다 (예: [1, 3])")
        else:
            out["monitoring_months"] = sorted(set(months))
    return out


def _read_forms(path: Path, standard: Any, errors: list[str]) -> list[tuple[str, str]]:
    """Every form checked in full (structure and expressions), errors with file and line."""
    from dolbom.forms.instruments import instrument_names, instrument_path
    from dolbom.forms.operations import DefinitionProblems, parse_yaml

    files: list[Path] = []
    if standard is not None:
        if not isinstance(standard, list) or not all(isinstance(s, str) for s in standard):
            errors.append(f"{path / 'tenant.yaml'}: standard_forms: 서식 이름 목록이어야 합니다")
        else:
            for name in standard:
                if name not in instrument_names():
                    known = ", ".join(instrument_names())
                    errors.append(
                        f"{path / 'tenant.yaml'}: standard_forms: '{name}'라는 표준 서식이 없습니다 ({known})"
                    )
                else:
                    files.append(instrument_path(name))
    files += sorted((path / "forms").glob("*.yaml"))
    out: list[tuple[str, str]] = []
    keys: dict[str, str] = {}
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            errors.append(f"{file}: UTF-8 텍스트 파일이 아닙니다")
            continue
        try:
            cf, _data = parse_yaml(text, str(file))
        except DefinitionProblems as exc:
            errors.extend(exc.messages())
            continue
        if cf.form.key in keys:
            errors.append(
                f"{file}: key: 서식 키 '{cf.form.key}'가 {keys[cf.form.key]}에도 있습니다"
            )
        keys[cf.form.key] = str(file)
        out.append((str(file), text))
    return out


def _read_districts(data: Any, file: str, errors: list[str]) -> list[GuSpec]:
    r = _Reader(file)
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("gu"), list):
        errors.append(f"{file}: gu: 구 목록(gu: [...])이 있어야 합니다")
        return []
    result: list[GuSpec] = []
    codes: set[str] = set()
    gu_codes: set[str] = set()
    for i, g in enumerate(data["gu"]):
        where = f"gu[{i}]."
        if not isinstance(g, dict):
            r.error(f"gu[{i}]", "키: 값 형식이어야 합니다")
            continue
        gu = GuSpec(
            code=r.text(g, "code", where, max_length=32) or "",
            name=r.text(g, "name", where) or "",
            population_65=r.integer(g, "population_65", where),
        )
        if gu.code in gu_codes:
            r.error(f"{where}code", f"구 코드 '{gu.code}'가 중복됩니다")
        gu_codes.add(gu.code)
        for j, d in enumerate(g.get("dongs") or []):
            dwhere = f"{where}dongs[{j}]."
            if not isinstance(d, dict):
                r.error(f"{where}dongs[{j}]", "키: 값 형식이어야 합니다")
                continue
            dong = DongSpec(
                code=r.text(d, "code", dwhere, max_length=32) or "",
                name=r.text(d, "name", dwhere) or "",
                valid_from=r.date(d, "valid_from", dwhere),
                valid_to=r.date(d, "valid_to", dwhere),
                successor=r.text(d, "successor", dwhere, required=False, max_length=32),
            )
            if dong.code in codes:
                r.error(f"{dwhere}code", f"코드 '{dong.code}'가 중복됩니다")
            codes.add(dong.code)
            if dong.valid_from and dong.valid_to and dong.valid_to <= dong.valid_from:
                r.error(f"{dwhere}valid_to", "종료일은 시작일보다 뒤여야 합니다")
            gu.dongs.append(dong)
        result.append(gu)
    all_codes = {d.code for g in result for d in g.dongs}
    for i, g in enumerate(result):
        for j, d in enumerate(g.dongs):
            if d.successor and d.successor not in all_codes:
                r.error(f"gu[{i}].dongs[{j}].successor", f"'{d.successor}' 동이 없습니다")
    errors.extend(r.errors)
    return result


def load_pack(session: Session, pack: Pack) -> None:
    """Write the pack's data into the tenant schema `session` is bound to."""
    for g in pack.districts:
        gu = Gu(code=g.code, name=g.name, population_65=g.population_65)
        session.add(gu)
        for d in g.dongs:
            gu.dongs.append(
                Dong(
                    code=d.code,
                    name=d.name,
                    valid_from=d.valid_from or dt.date(1900, 1, 1),
                    valid_to=d.valid_to,
                    successor_code=d.successor,
                )
            )
    if pack.profile:
        set_value(session, "profile", pack.profile)
    if pack.todo:
        set_value(session, "todo", pack.todo)
    for key, value in pack.settings.items():
        set_value(session, key, value)
    session.flush()
    from dolbom.forms.operations import import_form

    for file, text in pack.forms:
        import_form(session, text, user_id=None, file=file, publish_now=True)
    from dolbom.rules.operations import import_ruleset

    for file, text in pack.rules:
        import_ruleset(session, pack.slug, text, user_id=None, file=file)
    if pack.catalogue is not None:
        from dolbom.catalogue.packs import load_catalogue

        load_catalogue(session, pack.catalogue)
