"""Reading the editor's small forms: a dated parameter value and an example. Each returns the
plain data to put into the draft's document, or errors keyed by field for the template."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dolbom.expr.types import Kind
from dolbom.forms import yamlio
from dolbom.rules.compile import coerce_facts, rule_names
from dolbom.rules.definition import STATUSES, RuleSet
from dolbom.rules.facts import FactCatalogue

_ARTICLE = re.compile(r"\d{1,3}(?:의\d{1,2})?")


@dataclass(frozen=True)
class FactField:
    name: str
    label: str
    input: str  # number, bool, choice, text
    options: tuple[tuple[str, str], ...] = ()


def fact_fields(catalogue: FactCatalogue) -> list[FactField]:
    """Inputs for the person and case facts; assessment facts go in the free lines."""
    out = []
    for f in catalogue.facts.values():
        if f.source not in ("person", "case") or f.name == "birth_date":
            continue
        if f.type.kind == Kind.NUMBER:
            out.append(FactField(f.name, f.label, "number"))
        elif f.type.kind == Kind.BOOL:
            out.append(FactField(f.name, f.label, "bool"))
        elif f.type.options:
            labels = f.labels or {}
            out.append(FactField(f.name, f.label, "choice",
                                 tuple((o, labels.get(o, o)) for o in sorted(f.type.options))))  # fmt: skip
        else:
            out.append(FactField(f.name, f.label, "text"))
    return out


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _cite(form: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
    cite: dict[str, Any] = {}
    source = (form.get("cite_source") or "").strip()
    if source:
        cite["source"] = source[:200]
    for part in ("article", "paragraph"):
        raw = (form.get(f"cite_{part}") or "").strip()
        if raw:
            if not _ARTICLE.fullmatch(raw):
                errors[f"cite_{part}"] = "조·항 번호는 숫자로 적으세요 (예: 4, 4의2)"
            else:
                cite[part] = int(raw) if raw.isdecimal() else raw
    note = (form.get("cite_note") or "").strip()
    if note:
        cite["note"] = note[:200]
    if "article" not in cite and "source" not in cite:
        errors["cite_article"] = "근거가 되는 조를 적거나 근거 문서 이름을 적으세요"
    return cite


def parse_parameter_value(
    form: Mapping[str, str], ruleset: RuleSet | None
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    if ruleset is None:
        return {}, {"form": "초안의 YAML을 먼저 고치세요"}
    key = form.get("parameter") or ""
    param = ruleset.parameter(key)
    if param is None:
        errors["parameter"] = "기준값을 고르세요"
    start = _date(form.get("from"))
    if start is None:
        errors["from"] = "시작일을 YYYY-MM-DD로 적으세요"
    elif param and any(v.period.start == start for v in param.values):
        errors["from"] = f"{start}부터의 값이 이미 있습니다. YAML에서 고치세요"
    raw = (form.get("value") or "").strip().replace(",", "")
    value: Any = None
    if not raw:
        errors["value"] = "값을 적으세요"
    elif param and param.values and isinstance(param.values[0].value, bool):
        value = raw in ("true", "예")
    elif param and param.values and isinstance(param.values[0].value, str):
        value = raw[:200]
    else:
        try:
            number = float(raw)
            value = int(number) if number.is_integer() else number
        except ValueError:
            errors["value"] = "숫자로 적으세요"
    cite = _cite(form, errors)
    parsed = {"key": key, "label": param.label if param else key, "from": start.isoformat() if start else "",
              "value": value, "cite": cite}  # fmt: skip
    return parsed, errors


def add_value(parsed: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        values = data["parameters"][parsed["key"]].setdefault("values", [])
        values.append({"from": parsed["from"], "value": parsed["value"], "cite": parsed["cite"]})
        values.sort(key=lambda v: str(v.get("from")))

    return change


def parse_example(form: Mapping[str, str], ruleset: RuleSet | None,
                  catalogue: FactCatalogue) -> tuple[dict[str, Any], dict[str, str]]:  # fmt: skip
    errors: dict[str, str] = {}
    if ruleset is None:
        return {}, {"form": "초안의 YAML을 먼저 고치세요"}
    name = (form.get("ex_name") or "").strip()
    if not name:
        errors["ex_name"] = "예시 이름을 적으세요 (예: 완산구 78세 노쇠 어르신)"
    elif len(name) > 200:
        errors["ex_name"] = "200자까지 적을 수 있습니다"
    as_of = _date(form.get("ex_as_of"))
    if as_of is None:
        errors["ex_as_of"] = "기준일을 YYYY-MM-DD로 적으세요"
    facts: dict[str, Any] = {}
    full = rule_names(ruleset, catalogue)
    for field in fact_fields(catalogue):
        raw = (form.get(f"f_{field.name}") or "").strip()
        if not raw:
            continue
        if field.input == "number":
            try:
                number = float(raw)
                facts[field.name] = int(number) if number.is_integer() else number
            except ValueError:
                errors[f"f_{field.name}"] = "숫자로 적으세요"
        elif field.input == "bool":
            facts[field.name] = raw == "true"
        else:
            facts[field.name] = raw
    for i, line in enumerate((form.get("ex_more") or "").splitlines(), start=1):
        if not line.strip():
            continue
        fact, sep, raw = line.partition(":")
        if not sep:
            errors["ex_more"] = f"{i}번째 줄: '이름: 값' 형식으로 적으세요"
            break
        try:
            # Our YAML reading: no aliases, dates and yes/no stay text, only true/false are booleans.
            facts[fact.strip()] = yamlio.load(raw.strip())[0] if raw.strip() else None
        except yamlio.YamlProblem:
            errors["ex_more"] = f"{i}번째 줄: 값을 읽을 수 없습니다"
            break
        if isinstance(facts[fact.strip()], dict):
            errors["ex_more"] = f"{i}번째 줄: 값은 숫자, 글자, true/false 또는 [목록]이어야 합니다"
            break
    _typed, problems = coerce_facts(facts, full, ())
    if problems and "ex_more" not in errors:
        errors["ex_more"] = "; ".join(p.message for p in problems[:3])
    expect = {}
    for p in ruleset.programmes:
        want = form.get(f"exp_{p.key}") or ""
        if want in STATUSES:
            expect[p.key] = want
    if not expect:
        errors["expect"] = "적어도 한 사업의 기대 결과를 고르세요"
    example = {
        "name": name,
        "as_of": as_of.isoformat() if as_of else "",
        "facts": facts,
        "expect": expect,
    }
    return example, errors


def append_example(example: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data.setdefault("examples", []).append(example)

    return change
