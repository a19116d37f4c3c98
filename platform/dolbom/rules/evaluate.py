"""Evaluation as of a date: who is eligible for what, with every condition's outcome.

`plan_for(crs, day)` picks, once per date, the programmes, condition versions, entitlement
versions and parameter values in force that day; `evaluate(plan, facts)` then runs a person
through it with a few closure calls per condition. The result keeps each condition's outcome
and the facts it was missing — enough to render the explanation (`explain.py`) without
evaluating again. A condition shared by several programmes (the same text) is evaluated once
per person."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

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
    result_name: str = ""  # "eligible.<key>", what later programmes read
    # (source, closure, names read, condition) per condition: the hot loop touches no attributes.
    steps: tuple[tuple[str, Any, tuple[str, ...], CCondition], ...] = ()


@dataclass(frozen=True)
class Plan:
    crs: CompiledRuleSet
    as_of: dt.date
    params: dict[str, Any]  # "param.min_age" → value in force
    param_values: dict[str, ParamValue]  # for citations of the values used
    programmes: tuple[PlannedProgramme, ...]


# Results are made hundreds of thousands of times in a what-if: named tuples and a plain slotted
# class, not frozen dataclasses (whose __init__ goes through object.__setattr__).
class ConditionOutcome(NamedTuple):
    condition: CCondition
    outcome: bool | None
    missing: tuple[str, ...] = ()


class EntitlementOutcome(NamedTuple):
    entitlement: CEntitlement
    amount: float | None
    capped: bool = False
    monthly_cost: float | None = None
    missing: tuple[str, ...] = ()


@dataclass(slots=True)
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
    progs = []
    for cp in crs.programmes:
        conditions = tuple(c for c in cp.conditions if c.rule.period.covers(day))
        progs.append(
            PlannedProgramme(
                cp,
                cp.programme.period.covers(day),
                conditions,
                tuple(e for e in cp.entitlements if e.rule.period.covers(day)),
                f"eligible.{cp.programme.key}",
                tuple((c.expr.source, c.expr.fn, c.names, c) for c in conditions),
            )
        )
    plan = Plan(crs, day, params, used, tuple(progs))
    if len(crs.plans) > 64:  # what-if ranges over a few dates; keep memory bounded
        crs.plans.clear()
    crs.plans[day] = plan
    return plan


def derive(facts: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """Facts that depend on the date: the age on that day from the birth date."""
    birth = facts.get("birth_date")
    if isinstance(birth, str):
        try:
            birth = dt.date.fromisoformat(birth)
        except ValueError:
            birth = None  # not a date: the age stays unknown, and says so
    if isinstance(birth, dt.date) and facts.get("age") is None:
        return {**facts, "birth_date": birth, "age": age_on(birth, day)}
    return facts


@contextmanager
def paused_gc() -> Iterator[None]:
    """Bulk evaluation (a what-if over every open case) keeps millions of small result objects
    alive; the cycle collector would rescan them all again and again, tripling the time. The
    results hold no reference cycles, so collection waits until the batch is done."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def evaluate_many(plan: Plan, people: Iterable[dict[str, Any]]) -> list[list[ProgrammeResult]]:
    with paused_gc():
        return [evaluate(plan, facts) for facts in people]


_UNSET = object()
_RUNTIME = (ExprError, TypeError, ValueError, OverflowError, AttributeError, KeyError)


def evaluate(plan: Plan, facts: dict[str, Any]) -> list[ProgrammeResult]:
    values = dict(derive(facts, plan.as_of))
    # Parameters last: a fact can never stand in for one (a form keyed "param" included).
    values.update(plan.params)
    env = Env(values)
    # Rules list missing facts per condition themselves (names read whose value is None), so the
    # environment's own bookkeeping is skipped: a name lookup is then the dict's C `get`.
    env.get = values.get  # type: ignore[method-assign]
    memo: dict[str, Any] = {}
    results: list[ProgrammeResult] = []
    for pp in plan.programmes:
        if not pp.in_force:
            result = ProgrammeResult(pp, NOT_ELIGIBLE, ())
        else:
            try:
                result = _programme(pp, env, values, memo)
            except _RUNTIME as exc:  # data stored in a shape the rule no longer expects
                message = (
                    exc.message
                    if isinstance(exc, ExprError)
                    else f"계산할 수 없습니다 ({type(exc).__name__})"
                )
                result = ProgrammeResult(pp, UNDETERMINED, (), error=message)
        status = result.status
        values[pp.result_name] = (
            True if status == ELIGIBLE else False if status == NOT_ELIGIBLE else None
        )
        results.append(result)
    return results


def _programme(
    pp: PlannedProgramme, env: Env, values: dict[str, Any], memo: dict[str, Any]
) -> ProgrammeResult:
    outcomes = []
    failed = unknown = False
    missing: list[str] = []
    for source, fn, names, c in pp.steps:
        v = memo.get(source, _UNSET)
        if v is _UNSET:
            v = memo[source] = fn(env)
        if v is True:
            outcomes.append(ConditionOutcome(c, True))
        elif v is False:
            failed = True
            outcomes.append(ConditionOutcome(c, False))
        else:
            # Unknown — or not a truth value at all (`coalesce(lives_alone, 0)` gives 0): only
            # true meets a condition, only false fails it.
            unknown = True
            gone = tuple(n for n in names if values.get(n) is None)
            missing += gone
            outcomes.append(ConditionOutcome(c, None, gone))
    if not pp.steps:
        # In force, but every condition is dated out that day: nobody qualifies by default.
        return ProgrammeResult(pp, UNDETERMINED, (), error="이날 적용되는 대상 조건이 없습니다")
    if failed:
        return ProgrammeResult(pp, NOT_ELIGIBLE, tuple(outcomes))
    if unknown:
        return ProgrammeResult(
            pp, UNDETERMINED, tuple(outcomes), missing=tuple(dict.fromkeys(missing))
        )
    ents = tuple([_entitlement(e, env, values) for e in pp.entitlements])
    return ProgrammeResult(pp, ELIGIBLE, tuple(outcomes), ents)


def _entitlement(e: CEntitlement, env: Env, values: dict[str, Any]) -> EntitlementOutcome:
    amount = e.amount.fn(env)
    capped = False
    if amount is not None and e.cap is not None:
        cap = e.cap.fn(env)
        if cap is None:
            amount = None
        elif amount > cap:
            amount, capped = cap, True
    if amount is None:
        gone = tuple(n for n in e.names if values.get(n) is None)
        return EntitlementOutcome(e, None, missing=gone)
    cost: float | None = None
    if e.cost is not None:
        values["amount"] = amount  # no fact is called "amount": the checker allows it only here
        try:
            cost = e.cost.fn(env)
        finally:
            del values["amount"]
    elif e.rule.unit == "원/월":
        cost = amount
    return EntitlementOutcome(e, amount, capped, cost)
