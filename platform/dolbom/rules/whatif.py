"""What-if: a draft's effect on the tenant's open cases before it is published.

Per programme, how many cases gain or lose eligibility and how the monthly cost of
entitlements changes; and which cases change. The result holds case ids and numbers only —
no names — so it can travel through a job's result; the page looks the people up (and logs
that it showed them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dolbom.rules.compile import CompiledRuleSet
from dolbom.rules.evaluate import ELIGIBLE, Plan, evaluate, paused_gc, plan_for

Progress = Callable[[int], None]


def compare(before: CompiledRuleSet | None, after: CompiledRuleSet, facts: dict[int, dict[str, Any]],
            as_of: dt.date, progress: Progress | None = None) -> dict[str, Any]:  # fmt: skip
    plan_after = plan_for(after, as_of)
    plan_before = plan_for(before, as_of) if before is not None else None
    names = {p.compiled.programme.key: p.compiled.programme.name for p in plan_after.programmes}
    if plan_before is not None:
        for p in plan_before.programmes:
            names.setdefault(p.compiled.programme.key, p.compiled.programme.name)
    rows = {k: {"key": k, "name": n, "before": 0, "after": 0, "gained": 0, "lost": 0,
                "cost_before": 0.0, "cost_after": 0.0} for k, n in names.items()}  # fmt: skip
    affected: list[dict[str, Any]] = []
    total = len(facts)
    step = max(1, total // 50)
    with paused_gc():
        for i, (case_id, f) in enumerate(facts.items()):
            _one(case_id, f, plan_after, plan_before, rows, affected)
            if progress and i % step == 0:
                progress(int(100 * i / max(1, total)))
    programmes = list(rows.values())
    return {
        "as_of": as_of.isoformat(),
        "total": total,
        "programmes": programmes,
        "cost_before": sum(r["cost_before"] for r in programmes),
        "cost_after": sum(r["cost_after"] for r in programmes),
        "affected": affected,
    }


def _one(case_id: int, f: dict[str, Any], plan_after: Plan, plan_before: Plan | None,
         rows: dict[str, dict[str, Any]], affected: list[dict[str, Any]]) -> None:  # fmt: skip
    new = {r.key: r for r in evaluate(plan_after, f)}
    old = {r.key: r for r in evaluate(plan_before, f)} if plan_before else {}
    changes = []
    for key, row in rows.items():
        a, b = new.get(key), old.get(key)
        a_status, b_status = (a.status if a else None), (b.status if b else None)
        a_cost, b_cost = (a.monthly_cost() if a else 0.0), (b.monthly_cost() if b else 0.0)
        row["after"] += a_status == ELIGIBLE
        row["before"] += b_status == ELIGIBLE
        row["cost_after"] += a_cost
        row["cost_before"] += b_cost
        if a_status == ELIGIBLE and b_status != ELIGIBLE:
            row["gained"] += 1
        elif b_status == ELIGIBLE and a_status != ELIGIBLE:
            row["lost"] += 1
        if (
            a_status != b_status
            or abs(a_cost - b_cost) > 1e-9
            or (a and b and a.amounts() != b.amounts())
        ):
            changes.append({"programme": key, "before": b_status, "after": a_status,
                            "cost_before": b_cost, "cost_after": a_cost})  # fmt: skip
    if changes:
        affected.append({"case_id": case_id, "changes": changes})
