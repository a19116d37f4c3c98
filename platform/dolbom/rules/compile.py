"""Check a rule set against the tenant's fact catalogue and compile its expressions.

Everything a rule reads must exist with a fitting type when the rule is saved: an unknown fact
or parameter, a syntax error or a type clash is a `Problem` naming the rule and the position.
Programmes may read each other's results (`eligible.<key>`); they are ordered so every
programme comes after the ones it reads, and a cycle is refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dolbom.expr import Catalogue, Compiled, ExprError, Kind, compile_source, names_in
from dolbom.expr.types import BOOL, NUMBER, Type
from dolbom.rules.definition import (
    Condition,
    Entitlement,
    Example,
    PathT,
    Problem,
    Programme,
    RuleSet,
)
from dolbom.rules.facts import Fact, FactCatalogue, parameter_type


@dataclass(frozen=True, slots=True)
class CCondition:
    rule: Condition
    expr: Compiled
    names: tuple[str, ...]  # every name it reads, for "missing" and the person's values


@dataclass(frozen=True, slots=True)
class CEntitlement:
    rule: Entitlement
    amount: Compiled
    cap: Compiled | None
    cost: Compiled | None
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CProgramme:
    programme: Programme
    conditions: tuple[CCondition, ...]
    entitlements: tuple[CEntitlement, ...]
    depends: frozenset[str]


@dataclass
class CompiledRuleSet:
    ruleset: RuleSet
    catalogue: FactCatalogue  # the tenant's facts plus param.* and eligible.*
    programmes: list[CProgramme]  # in evaluation order
    plans: dict[dt.date, Any] = field(default_factory=dict)  # as-of date → Plan (evaluate.py)


def rule_names(ruleset: RuleSet, facts: FactCatalogue) -> FactCatalogue:
    extra = [
        Fact(
            f"param.{p.key}",
            p.label,
            parameter_type(v.value for v in p.values),
            p.unit,
            source="parameter",
        )
        for p in ruleset.parameters
    ]
    extra += [
        Fact(f"eligible.{p.key}", f"{p.name} 대상 여부", BOOL, source="programme")
        for p in ruleset.programmes
    ]
    return facts.with_names(extra)


def compile_ruleset(
    ruleset: RuleSet, facts: FactCatalogue
) -> tuple[CompiledRuleSet | None, list[Problem]]:
    problems: list[Problem] = []
    catalogue = rule_names(ruleset, facts)
    names = catalogue.expr_catalogue()

    def expr(source: str, path: PathT, cat: Catalogue, expect: Kind, what: str) -> Compiled | None:
        try:
            return compile_source(source, cat, expect)
        except ExprError as exc:
            problems.append(
                Problem(path, f"{what} 식 오류 — {exc.pos + 1}번째 글자: {exc.message}")
            )
            return None

    compiled: dict[str, CProgramme] = {}
    for prog in ruleset.programmes:
        own = f"eligible.{prog.key}"
        conds = []
        for c in prog.eligibility:
            e = expr(c.when, (*c.path, "when"), names, Kind.BOOL, f"조건 '{c.id}'")
            if e is None:
                continue
            read = names_in(e.node)
            if own in read:
                problems.append(
                    Problem(
                        (*c.path, "when"), f"조건 '{c.id}'가 자기 사업의 결과({own})를 읽습니다"
                    )
                )
                continue
            conds.append(CCondition(c, e, tuple(sorted(read))))
        ents = []
        with_amount = Catalogue({**names.names, "amount": NUMBER})
        for ent in prog.entitlements:
            what = f"급여 '{ent.id}'"
            amount = expr(ent.amount, (*ent.path, "amount"), names, Kind.NUMBER, what)
            cap = expr(ent.cap, (*ent.path, "cap"), names, Kind.NUMBER, what) if ent.cap else None
            cost = (
                expr(ent.cost, (*ent.path, "cost"), with_amount, Kind.NUMBER, what)
                if ent.cost
                else None
            )
            if amount is None or (ent.cap and cap is None) or (ent.cost and cost is None):
                continue
            read = names_in(amount.node) | (names_in(cap.node) if cap else set())
            read |= (names_in(cost.node) - {"amount"}) if cost else set()
            if own in read:
                message = f"급여 '{ent.id}'가 자기 사업의 결과({own})를 읽습니다 — 급여는 대상일 때만 계산됩니다"
                problems.append(Problem((*ent.path, "amount"), message))
                continue
            ents.append(CEntitlement(ent, amount, cap, cost, tuple(sorted(read))))
        # Conditions and entitlements alike must see the results they read already decided.
        read_all = [n for c in conds for n in c.names] + [n for e in ents for n in e.names]
        depends = frozenset(
            n.removeprefix("eligible.") for n in read_all if n.startswith("eligible.")
        )
        compiled[prog.key] = CProgramme(prog, tuple(conds), tuple(ents), depends)
    order = _order(compiled, ruleset, problems)
    if problems:
        return None, problems
    return CompiledRuleSet(ruleset, catalogue, order), problems


def _order(
    compiled: dict[str, CProgramme], ruleset: RuleSet, problems: list[Problem]
) -> list[CProgramme]:
    """Depth-first topological order; a programme on its own path is a cycle."""
    order: list[CProgramme] = []
    state: dict[str, str] = {}
    index = {p.key: i for i, p in enumerate(ruleset.programmes)}

    def visit(key: str, trail: list[str]) -> None:
        if state.get(key) == "done":
            return
        if state.get(key) == "active":
            cycle = " → ".join([*trail[trail.index(key) :], key])
            problems.append(
                Problem(("programmes", index[key]), f"사업끼리 서로를 조건으로 읽습니다: {cycle}")
            )
            return
        state[key] = "active"
        for dep in sorted(compiled[key].depends):
            if dep in compiled:
                visit(dep, [*trail, key])
        state[key] = "done"
        order.append(compiled[key])

    for key in compiled:
        visit(key, [])
    return order


def coerce_facts(
    facts: dict[str, Any], catalogue: FactCatalogue, path: PathT
) -> tuple[dict[str, Any], list[Problem]]:
    """An example's facts (or a what-if person's) typed as the catalogue says."""
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, value in facts.items():
        fact = catalogue.facts.get(name)
        where = (*path, name)
        if fact is None or fact.source in ("parameter", "programme"):
            problems.append(Problem(where, f"'{name}'라는 사실이 없습니다"))
            continue
        ok, typed = _coerce(fact.type, value)
        if not ok and fact.type.options and isinstance(value, str | int | float):
            offered = ", ".join(sorted(fact.type.options))
            message = f"'{name}'의 값 '{value}'는 선택지에 없습니다 (있는 값: {offered})"
            problems.append(Problem(where, message))
            continue
        if not ok:
            message = f"'{name}'에는 {fact.type.label} 값이 와야 합니다 ('{value}')"
            problems.append(Problem(where, message))
            continue
        out[name] = typed
    return out, problems


def _coerce(t: Type, value: Any) -> tuple[bool, Any]:
    if value is None:
        return True, None
    kind = t.kind
    if kind == Kind.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool), value
    if kind == Kind.BOOL:
        return isinstance(value, bool), value
    if kind == Kind.DATE:
        try:
            return True, value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            return False, None
    if kind == Kind.LIST:
        if not isinstance(value, list):
            return False, None
        return not t.options or all(str(v) in t.options for v in value), [str(v) for v in value]
    if kind == Kind.TEXT:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return False, None
        return not t.options or str(value) in t.options, str(value)
    return True, value


def check_examples(ruleset: RuleSet, catalogue: FactCatalogue) -> list[Problem]:
    """Examples must name real facts and programmes; whether they pass is `examples.run`."""
    problems: list[Problem] = []
    for i, ex in enumerate(ruleset.examples):
        problems += coerce_facts(ex.facts, catalogue, ("examples", i, "facts"))[1]
        for prog, want in ex.expect.items():
            p = ruleset.programme(prog)
            if p is None:
                problems.append(
                    Problem(("examples", i, "expect", prog), f"'{prog}'라는 사업이 없습니다")
                )
                continue
            ids = {e.id for e in p.entitlements}
            for key in want.amounts:
                if key not in ids:
                    problems.append(
                        Problem(
                            ("examples", i, "expect", prog, key),
                            f"'{p.name}'에 '{key}' 급여가 없습니다",
                        )
                    )
    return problems


def example_facts(ex: Example, catalogue: FactCatalogue) -> dict[str, Any]:
    return coerce_facts(ex.facts, catalogue, ())[0]
