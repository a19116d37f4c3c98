"""Explanations in plain Korean, e.g. "만 65세 이상 (조례 제4조 제1항): 78세 — 충족".

A result is turned into plain data (`result_record`) that a decision stores as it was shown,
so a notice printed years later reads the same even after the rules or this code change."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from dolbom.rules.definition import STATUS_LABELS, Citation
from dolbom.rules.evaluate import (
    ConditionOutcome,
    EntitlementOutcome,
    Plan,
    ProgrammeResult,
    derive,
)
from dolbom.rules.facts import format_value

OUTCOME_LABELS = {True: "충족", False: "미충족", None: "확인 불가"}
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def cite_record(cite: Citation | None, plan: Plan) -> dict[str, Any] | None:
    if cite is None:
        return None
    ordinance = plan.crs.ruleset.ordinance if cite.source == "조례" else None
    return {"text": cite.text(), "link": cite.link or (plan.crs.ruleset.ordinance_link if ordinance else None),
            "ordinance": ordinance}  # fmt: skip


def label_text(label: str, plan: Plan) -> str:
    """Fill `{min_age}` with the parameter's value on the evaluation date."""

    def fill(m: re.Match[str]) -> str:
        value = plan.params.get(f"param.{m.group(1)}")
        return m.group(0) if value is None else format_value(None, value)

    return PLACEHOLDER.sub(fill, label)


def missing_text(names: tuple[str, ...], plan: Plan) -> list[str]:
    facts = plan.crs.catalogue.facts
    out = []
    for name in names:
        fact = facts.get(name)
        label = fact.label if fact else name
        if fact and fact.source == "parameter":
            out.append(f"기준값 '{label}'이(가) {plan.as_of.isoformat()}에 정해져 있지 않음")
        elif fact and fact.source == "programme":
            out.append(f"{label} 판단 보류")
        else:
            out.append(label)
    return out


def person_values(names: tuple[str, ...], values: dict[str, Any], plan: Plan, decided: bool) -> str:
    """The person's values a condition read ("78세"); parameters are in the label already.
    When the outcome is decided, unknown values that did not matter are left out."""
    facts = plan.crs.catalogue.facts
    own = [
        n
        for n in names
        if not n.startswith("param.") and not (n == "birth_date" and "age" in names)
    ]
    if len(own) == 1:
        return format_value(facts.get(own[0]), values.get(own[0]))
    if decided and any(values.get(n) is not None for n in own):
        own = [n for n in own if values.get(n) is not None]
    shown = [
        f"{facts[n].short_label if n in facts else n} {format_value(facts.get(n), values.get(n))}"
        for n in own
    ]
    return ", ".join(shown) or "-"


def condition_record(o: ConditionOutcome, values: dict[str, Any], plan: Plan) -> dict[str, Any]:
    label = label_text(o.condition.rule.label, plan)
    cite = cite_record(o.condition.rule.cite, plan)
    shown = person_values(o.condition.names, values, plan, o.outcome is not None)
    outcome = OUTCOME_LABELS[o.outcome]
    missing = missing_text(o.missing, plan)
    # A parameter's value has its own citation (the amendment that set it): an auditor sees
    # both when they differ.
    sources = [cite["text"]] if cite else []
    for name in o.condition.names:
        used = plan.param_values.get(name)
        if used is not None and used.cite.text() not in sources:
            sources.append(
                f"기준값 {format_value(plan.crs.catalogue.facts.get(name), used.value)}: {used.cite.text()}"
            )
    line = (
        f"{label} ({'; '.join(sources)}): {shown} — {outcome}"
        if sources
        else f"{label}: {shown} — {outcome}"
    )
    if missing:
        line += f" (필요한 정보: {', '.join(missing)})"
    return {"id": o.condition.rule.id, "label": label, "cite": cite, "value": shown,
            "outcome": o.outcome, "outcome_label": outcome, "missing": missing, "line": line}  # fmt: skip


def entitlement_record(e: EntitlementOutcome, plan: Plan) -> dict[str, Any]:
    rule = e.entitlement.rule
    cite = cite_record(rule.cite, plan)
    if e.amount is None:
        amount_text = "확인 불가"
    elif rule.unit.startswith("원"):
        amount_text = f"₩{_num(e.amount):,}{rule.unit[1:]}"
    else:
        amount_text = f"{_num(e.amount):,}{rule.unit}"
    line = f"{rule.label}: {amount_text}"
    if e.capped:
        line += " (상한 적용)"
    if cite:
        line += f" ({cite['text']})"
    return {"id": rule.id, "label": rule.label, "amount": e.amount, "unit": rule.unit,
            "amount_text": amount_text, "capped": e.capped, "monthly_cost": e.monthly_cost,
            "cite": cite, "missing": missing_text(e.missing, plan), "line": line}  # fmt: skip


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 2)


def result_record(r: ProgrammeResult, facts: dict[str, Any], plan: Plan) -> dict[str, Any]:
    prog = r.programme.compiled.programme
    values = {**plan.params, **facts}
    conditions = [condition_record(o, values, plan) for o in r.conditions]
    if not r.programme.in_force:
        summary = f"{prog.name}: 사업 기간({prog.period.text()})이 아닙니다 — 비대상"
    elif r.error:
        summary = f"{prog.name}: 판단 보류 — {r.error}"
    else:
        summary = f"{prog.name}: {STATUS_LABELS[r.status]}"
    return {
        "programme": prog.key,
        "name": prog.name,
        "area": prog.area,
        "status": r.status,
        "status_label": STATUS_LABELS[r.status],
        "summary": summary,
        "cite": cite_record(prog.cite, plan),
        "conditions": conditions,
        "entitlements": [entitlement_record(e, plan) for e in r.entitlements],
        "missing": missing_text(r.missing, plan),
        "monthly_cost": r.monthly_cost(),
    }


def explain(
    results: list[ProgrammeResult], facts: dict[str, Any], plan: Plan
) -> list[dict[str, Any]]:
    outcome = {"eligible": True, "not_eligible": False}
    derived = derive(facts, plan.as_of)
    derived = {**derived, **{f"eligible.{r.key}": outcome.get(r.status) for r in results}}
    return [result_record(r, derived, plan) for r in results]


def snapshot(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts as JSON: dates as text."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in facts.items()}
