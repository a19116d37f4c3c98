"""Rules engine edge cases found in review: empty citations, conditions that are not truth
values, entitlements reading other programmes, nothing in force, huge numbers, unsafe links,
parameters that facts cannot replace. No database needed."""

from __future__ import annotations

import datetime as dt

import pytest

from dolbom.forms import yamlio
from dolbom.rules.compile import compile_ruleset
from dolbom.rules.evaluate import evaluate, plan_for
from dolbom.rules.explain import explain
from dolbom.rules.facts import FactCatalogue
from dolbom.rules.reader import parse_yaml

DAY = dt.date(2026, 6, 1)
CITE = {"article": 4}


@pytest.fixture(autouse=True)
def _clean_redis() -> None:
    """Overrides the suite's autouse fixture: no Redis or database here."""


def ruleset(programmes: list[dict], parameters: dict | None = None, **extra: object) -> str:
    data = {
        "key": "t",
        "title": "시험",
        "parameters": parameters or {},
        "programmes": programmes,
        **extra,
    }
    return yamlio.dump(data)


def prog(
    key: str, conditions: list[dict], entitlements: list[dict] | None = None, **extra: object
) -> dict:
    return {
        "key": key,
        "name": key,
        "eligibility": conditions,
        "entitlements": entitlements or [],
        **extra,
    }


def cond(when: str, cid: str = "c", **extra: object) -> dict:
    return {"id": cid, "label": "조건", "when": when, "cite": CITE, **extra}


def compiled(text: str):  # type: ignore[no-untyped-def]
    rs, problems = parse_yaml(text)
    assert rs is not None and problems == [], problems
    crs, problems = compile_ruleset(rs, FactCatalogue.for_forms([]))
    assert crs is not None, problems
    return crs


def messages(text: str) -> list[str]:
    rs, problems = parse_yaml(text)
    if rs is not None and not problems:
        problems = compile_ruleset(rs, FactCatalogue.for_forms([]))[1]
    return [p.message for p in problems]


def test_an_empty_citation_is_refused_not_dropped():
    text = ruleset([prog("p", [{"id": "age", "label": "나이", "when": "age >= 65", "cite": "  "}])])
    assert "근거(cite)가 비어 있습니다" in messages(text)


def test_only_true_meets_a_condition():
    crs = compiled(ruleset([prog("p", [cond("lives_alone")])]))
    # Data stored in an unexpected shape (1 for a yes/no) reaches the closure as it is: a number
    # must not count as "met".
    [result] = evaluate(plan_for(crs, DAY), {"lives_alone": 1})
    assert result.status == "undetermined"


def test_an_entitlement_reading_another_programme_comes_after_it():
    text = ruleset([
        prog("a", [cond("age >= 65")], [{"id": "x", "label": "급여", "amount": "if(eligible.b, 100, 50)",
                                            "unit": "회/월", "cite": CITE}]),
        prog("b", [cond("lives_alone")]),
    ])  # fmt: skip
    crs = compiled(text)
    results = {r.key: r for r in evaluate(plan_for(crs, DAY), {"age": 70, "lives_alone": True})}
    assert results["a"].amounts() == {"x": 100}


def test_an_entitlement_reading_its_own_result_is_refused():
    text = ruleset([prog("a", [cond("age >= 65")], [{"id": "x", "label": "급여", "unit": "회/월",
                                                     "amount": "if(eligible.a, 1, 2)", "cite": CITE}])])  # fmt: skip
    assert any("자기 사업의 결과(eligible.a)" in m for m in messages(text))


def test_a_programme_with_no_condition_in_force_that_day_is_undetermined():
    text = ruleset(
        [prog("a", [cond("age >= 65", **{"from": "2020-01-01", "until": "2020-12-31"})])]
    )
    crs = compiled(text)
    plan = plan_for(crs, DAY)
    [result] = evaluate(plan, {"age": 80})
    assert result.status == "undetermined"
    [record] = explain([result], {"age": 80}, plan)
    assert record["summary"] == "a: 판단 보류 — 이날 적용되는 대상 조건이 없습니다"


def test_huge_numbers_are_refused_with_a_message():
    params = {
        "n": {"label": "큰 수", "values": [{"from": "2020-01-01", "value": 10**400, "cite": CITE}]}
    }
    assert "쓸 수 없는 숫자입니다 (±10^15까지)" in messages(
        ruleset([prog("a", [cond("age >= 65")])], params)
    )
    example = {
        "name": "e",
        "as_of": "2026-01-01",
        "facts": {},
        "expect": {"a": {"status": "eligible", "x": 10**400}},
    }
    assert any(
        "숫자여야 합니다" in m
        for m in messages(ruleset([prog("a", [cond("age >= 65")])], examples=[example]))
    )
    assert messages("a: " + "9" * 5000) == ["YAML 형식 오류: 읽을 수 없는 값이 있습니다"]


def test_the_ordinance_link_must_be_http():
    text = ruleset(
        [prog("a", [cond("age >= 65")])], ordinance={"name": "조례", "link": "javascript:alert(1)"}
    )
    assert "링크는 http:// 또는 https://로 시작해야 합니다" in messages(text)


def test_facts_cannot_stand_in_for_parameters():
    params = {
        "min_age": {"label": "연령", "values": [{"from": "2020-01-01", "value": 65, "cite": CITE}]}
    }
    crs = compiled(ruleset([prog("a", [cond("age >= param.min_age")])], params))
    [result] = evaluate(plan_for(crs, DAY), {"age": 60, "param.min_age": 50})
    assert result.status == "not_eligible"
