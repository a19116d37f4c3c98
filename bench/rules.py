"""Benchmark 6: ordinance rules — 38 programmes evaluated for 10,000 people as of one date,
explanations kept (each condition's outcome and the facts it missed), on one core; then the
same with every explanation rendered as Korean text, and the what-if over a tenant's open
cases read from the database."""

from __future__ import annotations

import datetime as dt
import gc
import random
import time
from typing import Any

from bench.report import Figure, line, say
from dolbom.config import ROOT
from dolbom.forms import yamlio
from dolbom.forms.reader import read_definition
from dolbom.rules.catalogue import check_source
from dolbom.rules.evaluate import evaluate_many, plan_for
from dolbom.rules.explain import explain
from dolbom.rules.facts import FactCatalogue

NAME = "6 rules"
PEOPLE = 10_000
PROGRAMMES = 38
AS_OF = dt.date(2026, 11, 23)
GOAL_S = 3.0


def ruleset_source() -> str:
    """Jeonju's programmes, plus generated ones like them up to 38: each with three to five
    conditions (age, residence, grade, need, income) and one or two entitlements."""
    data, _ = yamlio.load((ROOT / "tenants/jeonju/rules/elderly_care.yaml").read_text())
    rng = random.Random(38)
    bands = ["수급", "차상위", "중위50", "중위100"]
    extra = []
    for i in range(PROGRAMMES - len(data["programmes"])):
        cite = {"article": 20 + i, "paragraph": 1}
        conditions = [
            {
                "id": "age",
                "label": "만 {min_age}세 이상",
                "when": "age >= param.min_age",
                "cite": {"article": 4, "paragraph": 1},
            },
            {
                "id": "residence",
                "label": "전주시 거주",
                "when": "resident",
                "cite": {"article": 4, "paragraph": 2},
            },
        ]
        pick = rng.sample(["grade", "frail", "income", "alone", "age_band"], rng.choice((1, 2, 3)))
        if "grade" in pick:
            conditions.append(
                {
                    "id": "grade",
                    "label": "등급외",
                    "when": 'ltc_grade in ["등급외", "미신청"]',
                    "cite": cite,
                }
            )
        if "frail" in pick:
            conditions.append(
                {
                    "id": "frail",
                    "label": f"K-FRAIL {1 + i % 3}점 이상",
                    "when": f"kfrail.kfrail >= {1 + i % 3}",
                    "cite": cite,
                }
            )
        if "income" in pick:
            band = bands[: 1 + i % 4]
            conditions.append(
                {
                    "id": "income",
                    "label": "소득 기준",
                    "when": f"income_band in {band!r}".replace("'", '"'),
                    "cite": cite,
                }
            )
        if "alone" in pick:
            conditions.append(
                {
                    "id": "alone",
                    "label": "혼자 삶",
                    "when": "lives_alone or household_size <= 2",
                    "cite": cite,
                }
            )
        if "age_band" in pick:
            conditions.append(
                {
                    "id": "older",
                    "label": f"만 {70 + i % 15}세 이상",
                    "when": f"age >= {70 + i % 15}",
                    "cite": cite,
                }
            )
        ents = [{"id": "visits", "label": "방문", "amount": f"{2 + i % 6}", "unit": "회/월", "cap": "8",
                 "cost": "amount * 30000", "cite": cite}]  # fmt: skip
        extra.append({"key": f"service_{i:02d}", "name": f"생성된 사업 {i + 1}", "from": "2019-06-01",
                      "eligibility": conditions, "entitlements": ents})  # fmt: skip
    data["programmes"] += extra
    data["examples"] = []
    return yamlio.dump(data)


def people(count: int) -> list[dict[str, Any]]:
    rng = random.Random(10_000)
    out = []
    for _ in range(count):
        age = rng.randrange(55, 100)
        out.append({
            "birth_date": dt.date(AS_OF.year - age, rng.randrange(1, 13), rng.randrange(1, 29)),
            "resident": rng.random() < 0.97, "gu": rng.choice(("완산구", "덕진구")),
            "lives_alone": rng.random() < 0.4, "household_size": rng.choice((1, 2, 2, 3, 4)),
            "ltc_grade": rng.choice(("등급외", "미신청", "3등급", "4등급", "미신청")),
            "disability": rng.choice(("없음", "없음", "없음", "중증", "경증")),
            "income_band": rng.choice(("수급", "차상위", "중위50", "중위100", "일반")),
            "kfrail.kfrail": rng.choice((0, 1, 2, 3, 4, 5, None)),
            "jeonju_needs.meals_per_day": rng.choice((1, 2, 3, None)),
        })  # fmt: skip
    return out


def catalogue() -> FactCatalogue:
    files = [ROOT / "tenants/jeonju/forms/jeonju_needs.yaml",
             *[ROOT / f"platform/dolbom/forms/instruments/{k}.yaml" for k in ("kfrail", "adl", "iadl")]]  # fmt: skip
    return FactCatalogue.for_forms(read_definition(yamlio.load(f.read_text())[0]) for f in files)


def run() -> list[Figure]:
    say(f"[{NAME}] {PROGRAMMES} programmes × {PEOPLE:,} people as of {AS_OF} (one core)")
    crs, problems, _ = check_source(ruleset_source(), catalogue())
    assert crs is not None, problems
    population = people(PEOPLE)
    conditions = sum(len(p.eligibility) for p in crs.ruleset.programmes)
    gc.collect()
    gc.freeze()
    best = float("inf")
    results: list[Any] = []
    for _ in range(3):
        results = []
        gc.collect()
        started = time.perf_counter()
        plan = plan_for(crs, AS_OF)
        results = evaluate_many(plan, population)
        best = min(best, time.perf_counter() - started)
    evaluations = PEOPLE * PROGRAMMES
    eligible = sum(r.status == "eligible" for rs in results for r in rs)
    figures = [
        Figure(NAME, f"evaluate {PROGRAMMES} × {PEOPLE:,} ({conditions} conditions), explanations kept", best, "s", GOAL_S),
        Figure(NAME, "rule evaluations per second (goal ≥ 125,000)", round(evaluations / best), "/s"),
    ]  # fmt: skip
    for f in figures:
        line(f)
    say(f"    {eligible:,} eligible of {evaluations:,} programme results")
    plan = plan_for(crs, AS_OF)
    sample = population[:1000]
    started = time.perf_counter()
    for f, rs in zip(sample, results[:1000], strict=True):
        explain(rs, f, plan)
    per_person = (time.perf_counter() - started) / len(sample)
    figures.append(
        Figure(
            NAME,
            f"render Korean explanation text, {PROGRAMMES} programmes, per person",
            per_person * 1000,
            "ms",
        )
    )
    line(figures[-1])
    gc.unfreeze()
    figures += _whatif_from_database()
    return figures


def _whatif_from_database() -> list[Figure]:
    """End to end as an administrator's what-if runs: a Jeonju tenant with 10,000 open cases
    (people, cases, K-FRAIL responses), facts read in bulk, current vs draft compared."""
    import sqlalchemy as sa

    from dolbom import db
    from dolbom.cases.models import Case
    from dolbom.cases.synthetic import generate
    from dolbom.rules import operations as ops
    from dolbom.rules.catalogue import compiled_version
    from dolbom.rules.gather import case_facts
    from dolbom.rules.models import RuleSet
    from dolbom.rules.whatif import compare
    from dolbom.tenancy.models import Tenant
    from dolbom.tenancy.operations import create_tenant
    from dolbom.tenancy.packs import read_pack

    slug = "rulesbench"
    with db.shared_session() as s:
        exists = s.scalar(sa.select(Tenant.id).where(Tenant.slug == slug))
    if not exists:
        pack = read_pack(ROOT / "tenants" / "jeonju")
        pack.slug = slug
        create_tenant(slug, "규칙 벤치시", pack=pack)
    with db.tenant_transaction(slug) as s:
        have = s.scalar(sa.select(sa.func.count()).select_from(Case)) or 0
        if have < PEOPLE:
            generate(s, slug, PEOPLE - have, seed=have + 1)
    with db.tenant_session(slug) as s:
        rs = s.scalar(sa.select(RuleSet).where(RuleSet.key == "jeonju-elderly-care"))
        current = ops.current_of(s, rs)
        before = compiled_version(s, slug, current)[0]
        after_src = current.source.replace("value: 65", "value: 70", 1)
        after, problems, _ = check_source(
            after_src, compiled_version(s, slug, current)[0].catalogue
        )
        assert before is not None and after is not None, problems
        started = time.perf_counter()
        facts = case_facts(s, None, AS_OF)
        read = time.perf_counter() - started
        result = compare(before, after, facts, AS_OF)
        total = time.perf_counter() - started
    lost = sum(p["lost"] for p in result["programmes"])
    figures = [
        Figure(
            NAME, f"what-if, {len(facts):,} open cases: read facts from the database", read, "s"
        ),
        Figure(
            NAME, f"what-if, {len(facts):,} open cases: read + evaluate twice + compare", total, "s"
        ),
    ]
    for f in figures:
        line(f)
    say(
        f"    min_age 65 → 70: {lost:,} programme places lost, {len(result['affected']):,} cases affected"
    )
    return figures


if __name__ == "__main__":
    run()
