"""Evaluation as of a date: who is eligible for what, with every condition's outcome.

`plan_for(crs, day)` picks, once per date, the programmes, condition versions, entitlement
versions and parameter values in force that day; `evaluate(plan, facts)` then runs a person
through it with a few closure calls per condition. The result keeps each condition's outcome
and the facts it was missing — enough to render the explanation (`explain.py`) without
evaluating again. A condition shared by several programmes (the same text) is evaluated once
per person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dolbom.expr import Env, ExprError
from dolbom.rules.compile import CCondition, CEntitlement, CompiledRuleSet, CProgramme
from dolbom.rules.definition import ParamValue
from dolbom.rules.facts import age_on

ELIGIBLE, NOT_ELIGIBLE, UNDETERMINED = "eligible", "not_eligible", "undetermined"


@dataclass(frozen=True, slots=True)
class PlannedProgramme:
    compiled: CProgramme
    in_force: bool
    conditions: tuple[CCondition, ...]
    entitlements: tuple[CEntitlement, ...]


@dataclass(frozen=True)
class Plan:
    crs: CompiledRuleSet
    as_of: dt.date
    params: dict[str, Any]  # "param.min_age" → value in force
    param_values: dict[str, ParamValue]  # for citations of the values used
    programmes: tuple[PlannedProgramme, ...]


@dataclass(frozen=True, slots=True)
class ConditionOutcome:
    condition: CCondition
    outcome: bool | None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EntitlementOutcome:
    entitlement: CEntitlement
    amount: float | None
    capped: bool = False
    monthly_cost: float | None = None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProgrammeResult:
    programme: PlannedProgramme
    status: str
    conditions: tuple[ConditionOutcome, ...]
    entitlements: tuple[EntitlementOutcome, ...] = ()
    missing: tuple[str, ...] = ()
    error: str | None = None

    @property
    def key(self) -> str:
        return self.programme.compiled.programme.key

    def amounts(self) -> dict[str, float | None]:
        return {e.entitlement.rule.id: e.amount for e in self.entitlements}

    def monthly_cost(self) -> float:
        return sum(e.monthly_cost or 0 for e in self.entitlements)


def plan_for(crs: CompiledRuleSet, day: dt.date) -> Plan:
    plan = crs.plans.get(day)
    if plan is not None:
        return plan
    params: dict[str, Any] = {}
    used: dict[str, ParamValue] = {}
    for p in crs.ruleset.parameters:
        value = p.value_on(day)
        if value is not None:
            params[f"param.{p.key}"] = value.value
            used[f"param.{p.key}"] = value
    progs = tuple(
        PlannedProgramme(
            cp,
            cp.programme.period.covers(day),
            tuple(c for c in cp.conditions if c.rule.period.covers(day)),
            tuple(e for e in cp.entitlements if e.rule.period.covers(day)),
        )
        for cp in crs.programmes
    )
    plan = Plan(crs, day, params, used, progs)
    if len(crs.plans) > 64:  # what-if ranges over a few dates; keep memory bounded
        crs.plans.clear()
    crs.plans[day] = plan
    return plan


def derive(facts: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """Facts that depend on the date: the age on that day from the birth date."""
    birth = facts.get("birth_date")
    if isinstance(birth, str):
        birth = dt.date.fromisoformat(birth)
    if isinstance(birth, dt.date) and facts.get("age") is None:
        return {**facts, "birth_date": birth, "age": age_on(birth, day)}
    return facts


_UNSET = object()


def evaluate(plan: Plan, facts: dict[str, Any]) -> list[ProgrammeResult]:
    values = dict(plan.params)
    values.update(derive(facts, plan.as_of))
    env = Env(values)
    memo: dict[str, Any] = {}
    results: list[ProgrammeResult] = []
    for pp in plan.programmes:
        key = pp.compiled.programme.key
        if not pp.in_force:
            result = ProgrammeResult(pp, NOT_ELIGIBLE, ())
        else:
            try:
                result = _programme(pp, env, values, memo)
            except ExprError as exc:  # data stored in a shape the rule no longer expects
                result = ProgrammeResult(pp, UNDETERMINED, (), error=exc.message)
        values[f"eligible.{key}"] = (
            True if result.status == ELIGIBLE else False if result.status == NOT_ELIGIBLE else None
        )
        results.append(result)
    return results


def _programme(
    pp: PlannedProgramme, env: Env, values: dict[str, Any], memo: dict[str, Any]
) -> ProgrammeResult:
    outcomes = []
    failed = unknown = False
    missing: list[str] = []
    for c in pp.conditions:
        source = c.expr.source
        v = memo.get(source, _UNSET)
        if v is _UNSET:
            v = memo[source] = c.expr.evaluate(env)
        if v is None:
            unknown = True
            gone = tuple(n for n in c.names if values.get(n) is None)
            missing += gone
            outcomes.append(ConditionOutcome(c, None, gone))
        else:
            if v is False:
                failed = True
            outcomes.append(ConditionOutcome(c, v))
    if failed:
        return ProgrammeResult(pp, NOT_ELIGIBLE, tuple(outcomes))
    if unknown:
        return ProgrammeResult(
            pp, UNDETERMINED, tuple(outcomes), missing=tuple(dict.fromkeys(missing))
        )
    ents = tuple(_entitlement(e, env, values) for e in pp.entitlements)
    return ProgrammeResult(pp, ELIGIBLE, tuple(outcomes), ents)


def _entitlement(e: CEntitlement, env: Env, values: dict[str, Any]) -> EntitlementOutcome:
    amount = e.amount.evaluate(env)
    capped = False
    if amount is not None and e.cap is not None:
        cap = e.cap.evaluate(env)
        if cap is None:
            amount = None
        elif amount > cap:
            amount, capped = cap, True
    if amount is None:
        gone = tuple(n for n in e.names if values.get(n) is None)
        return EntitlementOutcome(e, None, missing=gone)
    cost: float | None = None
    if e.cost is not None:
        cost = e.cost.evaluate(Env({**values, "amount": amount}))
    elif e.rule.unit == "원/월":
        cost = amount
    return EntitlementOutcome(e, amount, capped, cost)
