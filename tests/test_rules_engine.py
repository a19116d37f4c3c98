"""The rules engine without a database: effective dates (parameter histories, dated conditions,
programme periods, 만 나이 on birthdays incl. 29 February), parser and compiler fuzzing,
explanations for every outcome, bad rule sets refused with a Korean message at the right place,
examples gating publication, and the shipped rule sets loading clean with passing examples."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dolbom.expr.functions import years_between
from dolbom.forms import yamlio
from dolbom.forms.instruments import instrument_path
from dolbom.forms.reader import read_definition
from dolbom.rules.compile import CompiledRuleSet, check_examples, compile_ruleset, example_facts
from dolbom.rules.definition import FAR_FUTURE, Problem
from dolbom.rules.evaluate import evaluate, plan_for
from dolbom.rules.examples import run_examples
from dolbom.rules.explain import explain, snapshot
from dolbom.rules.facts import FactCatalogue, age_on
from dolbom.rules.reader import parse_yaml, read_data

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile(r"[가-힣]")
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _clean_redis() -> None:
    """Overrides the suite's autouse fixture: these tests need neither Redis nor a database."""


FAST = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FUZZ = settings(FAST, max_examples=150)


# -- catalogues and small rule sets -----------------------------------------------------------


@cache
def tenant_catalogue(slug: str) -> FactCatalogue:
    """A tenant's facts: its standard instruments plus its own forms (tenants/<slug>/forms)."""
    tenant, _ = yamlio.load((ROOT / "tenants" / slug / "tenant.yaml").read_text())
    paths = [instrument_path(name) for name in tenant["standard_forms"]]
    if slug == "jeonju":
        paths += sorted((ROOT / "tenants" / slug / "forms").glob("*.yaml"))
    forms = [read_definition(yamlio.load(p.read_text())[0]) for p in paths]
    return FactCatalogue.for_forms(forms)


@cache
def catalogue() -> FactCatalogue:
    """Core facts plus K-FRAIL: enough for the synthetic rule sets below."""
    form = read_definition(yamlio.load(instrument_path("kfrail").read_text())[0])
    return FactCatalogue.for_forms([form])


CITE = {"article": 4, "paragraph": 1}


def cond(cid: str, when: str, label: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "label": label or cid, "when": when, "cite": dict(CITE), **extra}


def ent(eid: str, amount: str, unit: str = "회/월", **extra: Any) -> dict[str, Any]:
    return {"id": eid, "label": eid, "amount": amount, "unit": unit, "cite": dict(CITE), **extra}


def prog(key: str = "care", conditions: list | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": f"{key} 사업",
        "eligibility": conditions if conditions is not None else [cond("always", "true")],
        **extra,
    }


def param(label: str, values: list[tuple], unit: str | None = None) -> dict[str, Any]:
    """values: (from, until or None, value)."""
    out = []
    for start, until, value in values:
        v: dict[str, Any] = {"from": start, "value": value, "cite": dict(CITE)}
        if until:
            v["until"] = until
        out.append(v)
    return {"label": label, "unit": unit, "values": out}


def ruleset(programmes: list | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "key": "test-rules",
        "title": "시험 규칙",
        "ordinance": {"name": "시험시 통합돌봄 조례"},
        "parameters": {
            "min_age": param("대상 최소 연령", [("2020-01-01", None, 65)], "세"),
        },
        "programmes": programmes if programmes is not None else [prog()],
        **extra,
    }


def problems_of(data: Any, cat: FactCatalogue | None = None) -> list[Problem]:
    """Reading, compiling and example problems together, as an administrator sees them."""
    rs, problems = read_data(data)
    if rs is None or problems:
        return problems
    crs, problems = compile_ruleset(rs, cat or catalogue())
    if crs is None:
        return problems
    return check_examples(rs, crs.catalogue)


def messages(data: Any, cat: FactCatalogue | None = None) -> list[str]:
    found = problems_of(data, cat)
    for p in found:
        assert HANGUL.search(p.message), p
    return [str(p) for p in found]


def compiled(data: Any, cat: FactCatalogue | None = None) -> CompiledRuleSet:
    rs, problems = read_data(data)
    assert rs is not None and problems == [], problems
    crs, problems = compile_ruleset(rs, cat or catalogue())
    assert crs is not None and problems == [], problems
    return crs


def run(crs: CompiledRuleSet, day: dt.date, facts: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    """Results by programme key and their explanations by programme key."""
    facts = facts or {}
    plan = plan_for(crs, day)
    results = evaluate(plan, facts)
    records = explain(results, facts, plan)
    return {r.key: r for r in results}, {rec["programme"]: rec for rec in records}


def test_base_ruleset_is_valid() -> None:
    assert messages(ruleset()) == []
    results, records = run(compiled(ruleset()), dt.date(2024, 1, 1))
    assert results["care"].status == "eligible"
    assert records["care"]["summary"] == "care 사업: 대상"


# -- effective dates: parameter histories -----------------------------------------------------


History = tuple[list[tuple[dt.date, dt.date]], list[int], list[bool]]


@st.composite
def histories(draw: st.DrawFn) -> History:
    """Contiguous periods from a random start; the last is open-ended or closed. Each period
    but the last may be written with an explicit `until` or left open (the reader closes it)."""
    start = draw(st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31)))
    lengths = draw(st.lists(st.integers(1, 800), min_size=1, max_size=5))
    periods = []
    for length in lengths:
        periods.append((start, start + dt.timedelta(days=length - 1)))
        start += dt.timedelta(days=length)
    if draw(st.booleans()):
        periods[-1] = (periods[-1][0], FAR_FUTURE)
    values = draw(
        st.lists(st.integers(0, 10**6), min_size=len(periods), max_size=len(periods), unique=True)
    )
    explicit = draw(st.lists(st.booleans(), min_size=len(periods), max_size=len(periods)))
    return periods, values, explicit


@FAST
@given(history=histories())
def test_parameter_value_in_force_on_each_side_of_every_change(history: History) -> None:
    periods, values, explicit = history
    rows = []
    for i, ((start, end), value) in enumerate(zip(periods, values, strict=True)):
        last = i == len(periods) - 1
        until = None if end == FAR_FUTURE or (not last and not explicit[i]) else end.isoformat()
        rows.append((start.isoformat(), until, value))
    data = ruleset([prog(conditions=[cond("known", "param.rate >= 0")],
                         entitlements=[ent("visits", "param.rate")])])  # fmt: skip
    data["parameters"] = {"rate": param("방문 횟수", rows[::-1], "회/월")}  # any order
    crs = compiled(data)

    def expected(day: dt.date) -> int | None:
        return next((v for (s, e), v in zip(periods, values, strict=True) if s <= day <= e), None)

    changes = [s for s, _ in periods] + (
        [periods[-1][1] + DAY] if periods[-1][1] < FAR_FUTURE else []
    )
    for change in changes:
        for day in (change - DAY, change, change + DAY):
            want = expected(day)
            found = crs.ruleset.parameters[0].value_on(day)
            assert (found.value if found else None) == want, day
            results, records = run(crs, day)
            got = results["care"]
            if want is None:
                assert got.status == "undetermined", day
                assert records["care"]["missing"] == [
                    f"기준값 '방문 횟수'이(가) {day.isoformat()}에 정해져 있지 않음"
                ]
            else:
                assert got.status == "eligible", day
                assert got.amounts() == {"visits": want}, day


EDGE_DATES = st.dates() | st.sampled_from(
    [dt.date.min, dt.date(1, 1, 2), dt.date(9999, 12, 30), dt.date.max, dt.date(2024, 2, 29)]
)


@FUZZ
@given(
    rows=st.lists(
        st.tuples(EDGE_DATES, st.none() | EDGE_DATES, st.integers(0, 100)), min_size=1, max_size=4
    )
)
def test_any_parameter_history_is_read_without_error_and_accepted_only_when_contiguous(
    rows: list[tuple[dt.date, dt.date | None, int]],
) -> None:
    data = ruleset()
    data["parameters"]["min_age"] = param(
        "대상 최소 연령", [(s.isoformat(), u and u.isoformat(), v) for s, u, v in rows]
    )
    rs, problems = read_data(data)
    assert rs is not None
    if problems:
        assert all(p.path[:2] == ("parameters", "min_age") for p in problems)
        return
    values = rs.parameters[0].values
    for before, after in itertools.pairwise(values):
        assert before.period.end + DAY == after.period.start
    for start, _until, value in rows:
        found = rs.parameters[0].value_on(start)
        assert found is not None and found.value == value


# -- effective dates: dated conditions and programme periods ----------------------------------

DATES = st.dates(dt.date(1950, 1, 2), dt.date(2200, 1, 1))


@FAST
@given(start=DATES, span=st.integers(0, 3000))
def test_dated_condition_applies_only_inside_its_period(start: dt.date, span: int) -> None:
    until = start + dt.timedelta(days=span)
    data = ruleset([prog(conditions=[
        cond("always", "true"),
        cond("blocked", "false", "기간 중 신규 선정 중지", **{"from": start.isoformat(), "until": until.isoformat()}),
    ])])  # fmt: skip
    crs = compiled(data)
    for day, inside in (
        (start - DAY, False),
        (start, True),
        (until, True),  # until is inclusive
        (until + DAY, False),
    ):
        results, records = run(crs, day)
        assert results["care"].status == ("not_eligible" if inside else "eligible"), day
        ids = [c["id"] for c in records["care"]["conditions"]]
        assert ids == (["always", "blocked"] if inside else ["always"]), day


@FAST
@given(start=DATES, span=st.integers(0, 3000), open_ended=st.booleans())
def test_programme_outside_its_period_is_not_eligible(
    start: dt.date, span: int, open_ended: bool
) -> None:
    until = start + dt.timedelta(days=span)
    period = {"from": start.isoformat()} | ({} if open_ended else {"until": until.isoformat()})
    crs = compiled(ruleset([prog(**period)]))
    checks = [(start - DAY, False), (start, True), (until, True)]
    checks += [(until + DAY, open_ended)]
    for day, inside in checks:
        results, records = run(crs, day)
        assert results["care"].status == ("eligible" if inside else "not_eligible"), day
        summary = records["care"]["summary"]
        if inside:
            assert summary == "care 사업: 대상"
        else:
            assert summary.startswith(f"care 사업: 사업 기간({start.isoformat()} ~")
            assert summary.endswith("이 아닙니다 — 비대상")
            assert records["care"]["conditions"] == []


VERSION = st.tuples(DATES, st.none() | st.integers(0, 2000))


@FAST
@given(versions=st.lists(VERSION, min_size=2, max_size=4))
def test_versions_of_a_condition_are_refused_exactly_when_two_overlap(
    versions: list[tuple[dt.date, int | None]],
) -> None:
    periods = [(s, FAR_FUTURE if n is None else s + dt.timedelta(days=n)) for s, n in versions]
    conditions = [
        cond(
            "res",
            "true",
            **{"from": s.isoformat()} | ({} if e == FAR_FUTURE else {"until": e.isoformat()}),
        )
        for s, e in periods
    ]
    overlap = any(
        a[0] <= b[1] and b[0] <= a[1] for i, a in enumerate(periods) for b in periods[i + 1 :]
    )
    found = messages(ruleset([prog(conditions=conditions)]))
    assert bool(found) == overlap, (periods, found)
    assert all("조건 'res'의 기간이 앞의 같은 조건와 겹칩니다" in m for m in found)
    if not overlap:  # at most one version is in force on any day
        crs = compiled(ruleset([prog(conditions=conditions)]))
        for s, e in periods:
            for day in (s, e):
                plan = plan_for(crs, day)
                assert len(plan.programmes[0].conditions) == 1


@cache
def jeonju() -> CompiledRuleSet:
    rs, problems = parse_yaml((ROOT / "tenants/jeonju/rules/elderly_care.yaml").read_text())
    assert rs is not None and problems == []
    crs, problems = compile_ruleset(rs, tenant_catalogue("jeonju"))
    assert crs is not None and problems == []
    return crs


JEONJU_ELDER = {"age": 70, "resident": True, "ltc_grade": "미신청", "kfrail.kfrail": 2}


@pytest.mark.parametrize(
    ("day", "gu", "status", "label"),
    [
        (dt.date(2019, 6, 1), "완산구", "eligible", "완산구 거주 (선도사업 1단계)"),
        (dt.date(2019, 6, 1), "덕진구", "not_eligible", "완산구 거주 (선도사업 1단계)"),
        (dt.date(2019, 12, 31), "완산구", "eligible", "완산구 거주 (선도사업 1단계)"),
        (dt.date(2019, 12, 31), "덕진구", "not_eligible", "완산구 거주 (선도사업 1단계)"),
        (dt.date(2020, 1, 1), "덕진구", "eligible", "전주시 거주"),
        (dt.date(2020, 1, 1), "완산구", "eligible", "전주시 거주"),
        (dt.date(2025, 3, 10), "덕진구", "eligible", "전주시 거주"),
    ],
)
def test_jeonju_residence_rule_changes_on_2020_01_01(
    day: dt.date, gu: str, status: str, label: str
) -> None:
    results, records = run(jeonju(), day, {**JEONJU_ELDER, "gu": gu})
    assert results["integrated_care"].status == status
    residence = [c for c in records["integrated_care"]["conditions"] if c["id"] == "residence"]
    assert [c["label"] for c in residence] == [label]
    # Programmes reading the result follow it on the same day.
    assert results["meal_support"].conditions[0].outcome is (status == "eligible")


def test_jeonju_programmes_start_on_their_first_day() -> None:
    facts = {"age": 77, "resident": True, "jeonju_needs.risk_points.level": "high"}
    before, _ = run(jeonju(), dt.date(2023, 6, 30), facts)
    first, _ = run(jeonju(), dt.date(2023, 7, 1), facts)
    assert before["medical_care_pilot"].status == "not_eligible"
    assert first["medical_care_pilot"].status == "eligible"


# -- 만 나이 --------------------------------------------------------------------------------


def anniversary(birth: dt.date, years: int) -> dt.date:
    """The day someone turns `years`: 29 February counts from 1 March in common years."""
    year = birth.year + years
    try:
        return birth.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)


BIRTHS = st.dates(dt.date(1900, 1, 1), dt.date(2050, 12, 31))
LEAPLINGS = st.integers(1900, 2048).filter(lambda y: y % 4 == 0 and (y % 100 or y % 400 == 0))


@FAST
@given(birth=BIRTHS | LEAPLINGS.map(lambda y: dt.date(y, 2, 29)), years=st.integers(1, 120))
def test_age_changes_exactly_on_the_birthday(birth: dt.date, years: int) -> None:
    day = anniversary(birth, years)
    assert age_on(birth, day) == years
    assert age_on(birth, day - DAY) == years - 1
    assert age_on(birth, day + DAY) == years


@FAST
@given(birth=BIRTHS | LEAPLINGS.map(lambda y: dt.date(y, 2, 29)), offset=st.integers(0, 44000))
def test_age_grows_by_one_only_on_birthdays(birth: dt.date, offset: int) -> None:
    day = birth + dt.timedelta(days=offset)
    now, tomorrow = age_on(birth, day), age_on(birth, day + DAY)
    assert 0 <= now <= tomorrow <= now + 1
    assert (tomorrow == now + 1) == (day + DAY == anniversary(birth, tomorrow))
    # Rules may also count years themselves: the expression language agrees.
    assert years_between(birth, day) == now


@pytest.mark.parametrize(
    ("day", "age"),
    [
        ("2024-02-28", 63),
        ("2024-02-29", 64),  # a leap year: the birthday itself
        ("2025-02-28", 64),  # a common year: not yet
        ("2025-03-01", 65),
        ("2028-02-29", 68),
    ],
)
def test_age_of_someone_born_on_29_february(day: str, age: int) -> None:
    assert age_on(dt.date(1960, 2, 29), dt.date.fromisoformat(day)) == age


@FAST
@given(birth=BIRTHS | LEAPLINGS.map(lambda y: dt.date(y, 2, 29)))
def test_rule_reading_age_turns_on_the_65th_birthday(birth: dt.date) -> None:
    birthday = anniversary(birth, 65)
    assume(birthday >= dt.date(2020, 1, 2))  # min_age is in force from 2020-01-01
    crs = compiled(ruleset([prog(conditions=[cond("age", "age >= param.min_age", "만 {min_age}세 이상")])]))  # fmt: skip
    for day, status, shown in (
        (birthday - DAY, "not_eligible", "64세"),
        (birthday, "eligible", "65세"),
    ):
        results, records = run(crs, day, {"birth_date": birth})
        assert results["care"].status == status
        assert records["care"]["conditions"][0]["value"] == shown


# -- fuzzing: reading and compiling never raise ---------------------------------------------

FIELDS = [
    "key", "title", "description", "ordinance", "name", "promulgated", "link", "parameters",
    "programmes", "examples", "label", "unit", "values", "from", "until", "value", "cite",
    "source", "article", "paragraph", "item", "note", "area", "eligibility", "entitlements",
    "id", "when", "amount", "cap", "cost", "as_of", "facts", "expect", "status", "min_age",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "2024-01-01", "0001-01-01", "9999-12-31", "2023-02-30", "2024-1-1", "eligible",
            "undetermined", "원/월", "시간/월", "age >= param.min_age", "true", "care", "4의2",
            "https://example.org", "a" * 400,
        ]
    ),
)  # fmt: skip
YAML_LIKE = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=30,
)


def _never_raises(data: Any) -> None:
    rs, problems = read_data(data)
    assert isinstance(problems, list)
    assert all(isinstance(p, Problem) and p.message for p in problems)
    for p in problems:
        str(p)
    if rs is not None and not problems:
        crs, problems = compile_ruleset(rs, catalogue())
        if crs is not None:
            check_examples(rs, crs.catalogue)
            run_examples(crs)


@FUZZ
@given(data=YAML_LIKE)
def test_fuzz_read_data_on_arbitrary_data(data: Any) -> None:
    _never_raises(data)


def _paths(data: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*path, i))
    return out


RICH = ruleset(
    [
        prog(
            "care",
            [cond("age", "age >= param.min_age", "만 {min_age}세 이상", **{"from": "2020-01-01"})],
            entitlements=[ent("hours", "10 + 5", "시간/월", cap="12", cost="amount * 1000")],
            **{"from": "2020-01-01", "cite": {"article": 9}},
        ),
        prog("meals", [cond("base", "eligible.care"), cond("alone", "lives_alone")]),
    ],
    examples=[
        {"name": "대상", "as_of": "2024-01-01", "facts": {"age": 70, "lives_alone": True},
         "expect": {"care": {"status": "eligible", "hours": 12}, "meals": "eligible"}},
    ],
)  # fmt: skip
RICH_PATHS = _paths(RICH)[1:]


def test_the_rule_set_to_damage_is_valid() -> None:
    assert messages(RICH) == []
    assert run_examples(compiled(RICH)) == []


@FUZZ
@given(where=st.sampled_from(RICH_PATHS), junk=YAML_LIKE, delete=st.booleans())
def test_fuzz_read_data_on_a_damaged_rule_set(where: tuple, junk: Any, delete: bool) -> None:
    data = copy.deepcopy(RICH)
    target: Any = data
    for part in where[:-1]:
        target = target[part]
    if delete:
        del target[where[-1]]
    else:
        target[where[-1]] = junk
    _never_raises(data)


YAML_TEXT = st.text(
    alphabet=st.sampled_from(list("key: -[]{}&*!|>'\"#,\n  abc0129가나-_.%@`\t")), max_size=120
)


@FUZZ
@given(text=st.text(max_size=200) | YAML_TEXT)
def test_fuzz_parse_yaml_on_arbitrary_text(text: str) -> None:
    rs, problems = parse_yaml(text)
    assert rs is not None or problems
    assert all(isinstance(p, Problem) for p in problems)


@FUZZ
@given(data=YAML_LIKE)
def test_fuzz_parse_yaml_on_dumped_data(data: Any) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    rs, problems = parse_yaml(text)
    assert rs is not None or problems


TOKENS = [
    "age", "gu", "lives_alone", "birth_date", "kfrail.kfrail", "kfrail.kfrail.level",
    "kfrail.kf_illness", "param.min_age", "param.nothing", "eligible.a", "eligible.b", "amount",
    ">=", "<", "==", "!=", "+", "-", "*", "/", "%", "and", "or", "not", "in", "(", ")", "[",
    "]", ",", "'서구'", "'frail'", "65", "0", "1.5", "true", "false", "null", "if", "coalesce",
    "contains", "score", "level", "len", "date", "'2024-01-01'", "years_between", "#", "'", "{",
]  # fmt: skip
WHEN = st.text(max_size=40) | st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join)


@FUZZ
@given(a=WHEN, b=WHEN, amount=WHEN, cap=WHEN | st.none(), cost=WHEN | st.none())
def test_fuzz_compile_random_expressions(
    a: str, b: str, amount: str, cap: str | None, cost: str | None
) -> None:
    assume(a.strip() and b.strip() and amount.strip())
    extra = {k: v for k, v in {"cap": cap, "cost": cost}.items() if v and v.strip()}
    data = ruleset(
        [
            prog("a", [cond("x", a)], entitlements=[ent("n", amount, **extra)]),
            prog("b", [cond("y", b)]),
        ]
    )
    rs, problems = read_data(data)
    assert rs is not None and problems == []
    crs, problems = compile_ruleset(rs, catalogue())
    assert (crs is None) == bool(problems)
    for p in problems:
        assert p.path[0] == "programmes" and HANGUL.search(p.message)
    if crs is not None:
        facts = {"age": 70, "gu": "서구", "kfrail.kfrail": 2, "kfrail.kf_illness": ["cancer"]}
        for day in (dt.date(2019, 12, 31), dt.date(2024, 1, 1)):
            plan = plan_for(crs, day)
            explain(evaluate(plan, facts), facts, plan)


# -- explanations ---------------------------------------------------------------------------

EXPLAINED = ruleset(
    [
        prog(
            "care",
            [
                cond("age", "age >= param.min_age", "만 {min_age}세 이상"),
                cond("alone", "lives_alone", "혼자 사는 어르신", cite={"article": 5, "paragraph": 2, "item": 1}),
            ],
            entitlements=[
                ent("hours", "param.hours", "시간/월", cap="param.hours_cap", cost="amount * 10000"),
                ent("meals", "20", "회/월", cost="amount * 6000"),
                ent("cash", "100000", "원/월", cite={"source": "시험 지침", "note": "월 지급"}),
            ],
            **{"from": "2020-01-01", "until": "2030-12-31"},
        ),
    ]
)  # fmt: skip
EXPLAINED["parameters"].update(
    hours=param("돌봄 시간", [("2020-01-01", None, 30), ("2024-01-01", None, 50)], "시간/월"),
    hours_cap=param("돌봄 시간 상한", [("2020-01-01", None, 40)], "시간/월"),
)


@cache
def explained() -> CompiledRuleSet:
    return compiled(EXPLAINED)


def test_explanation_when_eligible() -> None:
    results, records = run(explained(), dt.date(2023, 5, 1), {"age": 78, "lives_alone": True})
    assert results["care"].status == "eligible"
    rec = records["care"]
    assert rec["summary"] == "care 사업: 대상"
    assert [c["line"] for c in rec["conditions"]] == [
        "만 65세 이상 (조례 제4조 제1항): 78세 — 충족",
        "혼자 사는 어르신 (조례 제5조 제2항 제1호): 예 — 충족",
    ]
    assert rec["conditions"][0]["cite"]["ordinance"] == "시험시 통합돌봄 조례"
    assert [e["line"] for e in rec["entitlements"]] == [
        "hours: 30시간/월 (조례 제4조 제1항)",
        "meals: 20회/월 (조례 제4조 제1항)",
        "cash: ₩100,000/월 (시험 지침 — 월 지급)",
    ]
    assert [e["monthly_cost"] for e in rec["entitlements"]] == [300000, 120000, 100000]
    assert rec["monthly_cost"] == 520000
    assert rec["missing"] == []


def test_explanation_when_capped() -> None:
    results, records = run(explained(), dt.date(2024, 1, 1), {"age": 78, "lives_alone": True})
    hours = records["care"]["entitlements"][0]
    assert results["care"].amounts()["hours"] == 40
    assert hours["capped"] is True
    assert hours["line"] == "hours: 40시간/월 (상한 적용) (조례 제4조 제1항)"
    assert hours["monthly_cost"] == 400000  # the cost reads the capped amount
    # The day before the raise the amount is under the cap.
    _, before = run(explained(), dt.date(2023, 12, 31), {"age": 78, "lives_alone": True})
    assert before["care"]["entitlements"][0]["capped"] is False


def test_explanation_when_not_eligible() -> None:
    results, records = run(explained(), dt.date(2024, 1, 1), {"age": 64, "lives_alone": True})
    assert results["care"].status == "not_eligible"
    rec = records["care"]
    assert rec["summary"] == "care 사업: 비대상"
    assert rec["conditions"][0]["line"] == "만 65세 이상 (조례 제4조 제1항): 64세 — 미충족"
    assert rec["entitlements"] == [] and rec["monthly_cost"] == 0


def test_explanation_when_a_false_condition_decides_despite_missing_facts() -> None:
    results, records = run(explained(), dt.date(2024, 1, 1), {"age": 60})
    assert results["care"].status == "not_eligible"
    assert records["care"]["missing"] == []


def test_explanation_when_undetermined_lists_missing_facts_by_label() -> None:
    results, records = run(explained(), dt.date(2024, 1, 1), {"resident": True})
    assert results["care"].status == "undetermined"
    rec = records["care"]
    assert rec["summary"] == "care 사업: 판단 보류"
    assert rec["missing"] == ["만 나이", "혼자 삶"]
    assert rec["conditions"][1]["line"] == (
        "혼자 사는 어르신 (조례 제5조 제2항 제1호): 정보 없음 — 확인 불가 (필요한 정보: 혼자 삶)"
    )
    assert rec["entitlements"] == []


def test_explanation_of_a_birth_date_shows_the_age_on_that_day() -> None:
    facts = {"birth_date": dt.date(1959, 1, 2), "lives_alone": True}
    _, before = run(explained(), dt.date(2024, 1, 1), facts)
    _, on = run(explained(), dt.date(2024, 1, 2), facts)
    assert (
        before["care"]["conditions"][0]["line"] == "만 65세 이상 (조례 제4조 제1항): 64세 — 미충족"
    )
    assert on["care"]["conditions"][0]["line"] == "만 65세 이상 (조례 제4조 제1항): 65세 — 충족"


def test_explanation_when_a_parameter_has_no_value_on_the_date() -> None:
    data = copy.deepcopy(EXPLAINED)
    data["programmes"][0]["from"] = "2019-01-01"
    results, records = run(compiled(data), dt.date(2019, 12, 31), {"age": 78, "lives_alone": True})
    assert results["care"].status == "undetermined"
    reason = "기준값 '대상 최소 연령'이(가) 2019-12-31에 정해져 있지 않음"
    assert records["care"]["missing"] == [reason]
    assert records["care"]["conditions"][0]["missing"] == [reason]
    assert records["care"]["conditions"][0]["outcome_label"] == "확인 불가"


def test_explanation_when_the_programme_is_not_in_force() -> None:
    for day, period in ((dt.date(2019, 12, 31), "2020-01-01 ~ 2030-12-31"),
                        (dt.date(2031, 1, 1), "2020-01-01 ~ 2030-12-31")):  # fmt: skip
        results, records = run(explained(), day, {"age": 78, "lives_alone": True})
        assert results["care"].status == "not_eligible"
        assert records["care"]["summary"] == f"care 사업: 사업 기간({period})이 아닙니다 — 비대상"


def test_explanation_of_a_programme_reading_another() -> None:
    data = ruleset(
        [prog("base", [cond("alone", "lives_alone", "혼자 삶")]),
         prog("meals", [cond("base", "eligible.base", "기본 대상자")])]
    )  # fmt: skip
    crs = compiled(data)
    results, records = run(crs, dt.date(2024, 1, 1), {})
    assert results["meals"].status == "undetermined"
    assert records["meals"]["missing"] == ["base 사업 대상 여부 판단 보류"]
    results, records = run(crs, dt.date(2024, 1, 1), {"lives_alone": False})
    assert (
        records["meals"]["conditions"][0]["line"]
        == "기본 대상자 (조례 제4조 제1항): 아니요 — 미충족"
    )


def test_explanation_when_stored_data_no_longer_fits_the_rule() -> None:
    """An answer stored in an older shape (a number where the rule now reads a list)."""
    crs = compiled(ruleset([prog(conditions=[cond("ill", "len(kfrail.kf_illness) >= 6")])]))
    results, records = run(crs, dt.date(2024, 1, 1), {"kfrail.kf_illness": 5})
    assert results["care"].status == "undetermined"
    assert results["care"].error
    assert records["care"]["summary"].startswith("care 사업: 판단 보류 — 계산할 수 없습니다")


def test_facts_stored_as_text_evaluate_like_the_originals() -> None:
    facts = {"birth_date": dt.date(1959, 1, 2), "lives_alone": True}
    for day in (dt.date(2024, 1, 1), dt.date(2024, 1, 2)):
        _, original = run(explained(), day, facts)
        _, stored = run(explained(), day, snapshot(facts))
        assert stored == original


def test_jeonju_explanation_line() -> None:
    facts = {"birth_date": dt.date(1946, 1, 1), "resident": True, "gu": "완산구",
             "ltc_grade": "등급외", "kfrail.kfrail": 3, "lives_alone": True}  # fmt: skip
    results, records = run(jeonju(), dt.date(2024, 3, 1), facts)
    assert results["integrated_care"].status == "eligible"
    lines = [c["line"] for c in records["integrated_care"]["conditions"]]
    assert "만 65세 이상 (조례 제4조 제1항): 78세 — 충족" in lines
    cite = records["integrated_care"]["conditions"][0]["cite"]
    assert cite["ordinance"] == "전주시 노인 지역사회통합돌봄 지원에 관한 조례 (재구성)"
    assert cite["link"]
    assert records["disabled_elder_care"]["missing"] == ["장애 정도"]


def test_jeonju_undetermined_names_assessment_facts_by_form_and_question() -> None:
    results, records = run(
        jeonju(), dt.date(2024, 3, 1),
        {"age": 80, "resident": True, "gu": "덕진구", "ltc_grade": "등급외"},
    )  # fmt: skip
    assert results["integrated_care"].status == "undetermined"
    assert records["integrated_care"]["missing"] == [
        "전주시 통합돌봄 욕구조사표: 종합 위험 점수 단계",
        "K-FRAIL 노쇠 선별: K-FRAIL 점수",
    ]


def test_daejeon_capped_hours_are_explained() -> None:
    crs = shipped("tenants/daejeon/rules/basic_services.yaml", "daejeon")
    facts = {"age": 85, "resident": True, "gu": "대덕구", "ltc_grade": "인지지원등급",
             "adl.adl_dependent": 12, "adl.adl_dependent.level": "severe"}  # fmt: skip
    _, records = run(crs, dt.date(2024, 1, 1), facts)
    hours = records["temporary_home_care"]["entitlements"][0]
    assert hours["line"].startswith("일시재가 방문 시간: 30시간/월 (상한 적용)")
    assert hours["monthly_cost"] == 30 * 17000


# -- bad input --------------------------------------------------------------------------------


def test_syntax_error_names_the_rule_and_position() -> None:
    data = ruleset([prog(conditions=[cond("always", "true"), cond("age", "age >= ")])])
    assert messages(data) == [
        "programmes[0].eligibility[1].when: 조건 'age' 식 오류 — 7번째 글자: "
        "식이 중간에 끝났습니다 (값이 더 있어야 합니다)"
    ]
    (p,) = problems_of(ruleset([prog(entitlements=[ent("hours", "10 +* 2")])]))
    assert p.path == ("programmes", 0, "entitlements", 0, "amount")
    assert (
        p.message == "급여 'hours' 식 오류 — 5번째 글자: 여기에는 값이 와야 하는데 '*'가 있습니다"
    )
    (p,) = problems_of(ruleset([prog(entitlements=[ent("hours", "10", cost="amount * ")])]))
    assert p.path == ("programmes", 0, "entitlements", 0, "cost")


def test_unknown_fact_is_refused_with_a_suggestion() -> None:
    (p,) = problems_of(ruleset([prog(conditions=[cond("alone", "lives_alon")])]))
    assert p.path == ("programmes", 0, "eligibility", 0, "when")
    assert "'lives_alon'라는 문항이나 값이 없습니다 — 혹시 'lives_alone'인가요?" in p.message
    (p,) = problems_of(ruleset([prog(conditions=[cond("x", "zzzz_qqq")])]))
    assert "'zzzz_qqq'라는 문항이나 값이 없습니다" in p.message and "혹시" not in p.message


def test_unknown_parameter_is_refused_with_a_suggestion() -> None:
    (p,) = problems_of(ruleset([prog(conditions=[cond("age", "age >= param.min_ag")])]))
    assert "혹시 'param.min_age'인가요?" in p.message
    (p,) = problems_of(ruleset([prog(entitlements=[ent("n", "param.hours")])]))
    assert "'param.hours'라는 문항이나 값이 없습니다" in p.message


def test_type_clash_is_refused() -> None:
    (p,) = problems_of(ruleset([prog(conditions=[cond("age", "age + 1")])]))
    assert p.message == "조건 'age' 식 오류 — 1번째 글자: 결과가 참/거짓여야 하는데 숫자입니다"
    (p,) = problems_of(ruleset([prog(conditions=[cond("lvl", "kfrail.kfrail.level == 'frial'")])]))
    assert "선택지에 'frial'가 없습니다" in p.message


def test_overlapping_parameter_periods_are_refused() -> None:
    data = ruleset()
    data["parameters"]["min_age"] = param(
        "대상 최소 연령", [("2020-01-01", "2020-12-31", 65), ("2020-06-01", None, 70)]
    )
    assert messages(data) == [
        "parameters.min_age.values: 기간이 겹칩니다: 2020-01-01 ~ 2020-12-31 와 2020-06-01 ~"
    ]
    # Two open-ended values starting on the same day overlap too.
    data["parameters"]["min_age"] = param(
        "대상 최소 연령", [("2020-01-01", None, 65), ("2020-01-01", None, 70)]
    )
    assert messages(data) == [
        "parameters.min_age.values: 기간이 겹칩니다: 2020-01-01 ~ 와 2020-01-01 ~"
    ]


def test_gapped_parameter_periods_are_refused() -> None:
    data = ruleset()
    data["parameters"]["min_age"] = param(
        "대상 최소 연령", [("2020-01-01", "2020-12-31", 65), ("2021-02-01", None, 70)]
    )
    (p,) = problems_of(data)
    assert p.path == ("parameters", "min_age", "values")
    assert p.message == "기간 사이에 빈 날이 있습니다: 2021-01-01 ~ 2021-01-31"


def test_mixed_parameter_value_kinds_are_refused() -> None:
    data = ruleset()
    data["parameters"]["min_age"] = param(
        "대상 최소 연령", [("2020-01-01", None, 65), ("2021-01-01", None, "칠십")]
    )
    assert messages(data) == [
        "parameters.min_age.values: 값의 종류(숫자·글자·참/거짓)가 섞여 있습니다"
    ]


def test_condition_reading_its_own_programme_is_refused() -> None:
    (p,) = problems_of(ruleset([prog("care", [cond("loop", "eligible.care or age >= 65")])]))
    assert p.path == ("programmes", 0, "eligibility", 0, "when")
    assert p.message == "조건 'loop'가 자기 사업의 결과(eligible.care)를 읽습니다"


def test_cycle_between_programmes_is_refused() -> None:
    data = ruleset(
        [
            prog("a", [cond("x", "eligible.b")]),
            prog("b", [cond("y", "eligible.c")]),
            prog("c", [cond("z", "eligible.a and age >= 65")]),
        ]
    )
    found = problems_of(data)
    assert len(found) == 1
    assert found[0].message == "사업끼리 서로를 조건으로 읽습니다: a → b → c → a"
    # Order does not matter for a chain without a cycle: each comes after what it reads.
    chain = ruleset([prog("a", [cond("x", "eligible.b")]), prog("b", [cond("y", "eligible.c")]),
                     prog("c", [cond("z", "age >= 65")])])  # fmt: skip
    crs = compiled(chain)
    assert [p.programme.key for p in crs.programmes] == ["c", "b", "a"]
    results, _ = run(crs, dt.date(2024, 1, 1), {"age": 70})
    assert {r.key: r.status for r in results.values()} == {
        "a": "eligible",
        "b": "eligible",
        "c": "eligible",
    }


def test_duplicate_programme_keys_are_refused() -> None:
    found = problems_of(ruleset([prog("care"), prog("care")]))
    assert [(p.path, p.message) for p in found] == [
        (("programmes", 1, "key"), "사업 키 'care'가 두 번 있습니다")
    ]


def test_overlapping_versions_of_a_condition_are_refused() -> None:
    data = ruleset([prog(conditions=[
        cond("res", "true", **{"from": "2020-01-01", "until": "2020-12-31"}),
        cond("res", "false", **{"from": "2020-12-31"}),
    ])])  # fmt: skip
    (p,) = problems_of(data)
    assert p.path == ("programmes", 0, "eligibility", 1, "from")
    assert "조건 'res'의 기간이 앞의 같은 조건와 겹칩니다" in p.message


@pytest.mark.parametrize(
    "where",
    [
        ("programmes", 0, "eligibility", 0),
        ("programmes", 0, "entitlements", 0),
        ("parameters", "min_age", "values", 0),
    ],
)
def test_missing_cite_is_refused(where: tuple) -> None:
    data = ruleset([prog(entitlements=[ent("n", "1")])])
    target: Any = data
    for part in where:
        target = target[part]
    del target["cite"]
    (p,) = problems_of(data)
    assert p.path == (*where, "cite")
    assert p.message == "근거(cite: 조례 조·항)가 없습니다"


def test_bad_citation_numbers_are_refused() -> None:
    data = ruleset([prog(conditions=[cond("x", "true", cite={"article": "제4조"})])])
    assert any("조·항·호 번호가 아닙니다" in m for m in messages(data))
    data = ruleset(
        [prog(conditions=[cond("x", "true", cite={"article": "4의2", "link": "ftp://x"})])]
    )
    assert any("http://" in m for m in messages(data))


@pytest.mark.parametrize("unit", ["원/일", "won", "", 5])
def test_bad_units_are_refused(unit: Any) -> None:
    found = messages(ruleset([prog(entitlements=[ent("n", "1", unit)])]))
    assert found and all(m.startswith("programmes[0].entitlements[0].unit") for m in found)


def test_bad_dates_and_keys_are_refused() -> None:
    data = ruleset([prog("Care", **{"from": "2024-13-01", "until": "2020-01-01"})])
    found = messages(data)
    assert any("programmes[0].key" in m and "영문 소문자" in m for m in found)
    assert any("'2024-13-01'" in m for m in found)
    data = ruleset([prog(**{"from": "2024-01-01", "until": "2023-12-31"})])
    assert any(
        "끝나는 날(2023-12-31)이 시작일(2024-01-01)보다 앞섭니다" in m for m in messages(data)
    )


def test_unknown_fields_are_refused() -> None:
    data = ruleset([prog(conditions=[cond("x", "true", wen="false")])])
    (m,) = messages(data)
    assert m.startswith("programmes[0].eligibility[0].wen: 알 수 없는 항목입니다")


def example(facts: dict, expect: dict, name: str = "예시", as_of: str = "2024-01-01") -> dict:
    return {"name": name, "as_of": as_of, "facts": facts, "expect": expect}


def test_examples_naming_unknown_facts_programmes_and_entitlements_are_refused() -> None:
    data = ruleset(
        [prog(entitlements=[ent("hours", "10")])],
        examples=[
            example({"age": 70, "agee": 1, "param.min_age": 60}, {"care": "eligible"}),
            example({"age": 70}, {"cair": "eligible"}),
            example({"age": 70}, {"care": {"status": "eligible", "hourz": 10}}),
            example({"age": "seventy", "ltc_grade": "6등급"}, {"care": "eligible"}),
        ],
    )
    found = messages(data)
    assert found == [
        "examples[0].facts.agee: 'agee'라는 사실이 없습니다",
        "examples[0].facts.param.min_age: 'param.min_age'라는 사실이 없습니다",
        "examples[1].expect.cair: 'cair'라는 사업이 없습니다",
        "examples[2].expect.care.hourz: 'care 사업'에 'hourz' 급여가 없습니다",
        "examples[3].facts.age: 'age'에는 숫자 값이 와야 합니다 ('seventy')",
        "examples[3].facts.ltc_grade: 'ltc_grade'의 값 '6등급'는 선택지에 없습니다 (있는 값: 1등급, 2등급, 3등급, 4등급, 5등급, 등급외, 미신청, 인지지원등급)",
    ]


def test_examples_with_bad_expectations_are_refused() -> None:
    data = ruleset(examples=[example({}, {"care": "maybe"}), example({}, {}),
                             example({}, {"care": {"status": "eligible", "n": "많이"}})])  # fmt: skip
    found = messages(data)
    assert any("examples[0].expect.care.status" in m and "'maybe'" in m for m in found)
    assert any("examples[1].expect: 기대하는 결과(expect)가 없습니다" in m for m in found)
    assert any("examples[2].expect.care.n: 숫자여야 합니다" in m for m in found)


def test_yaml_problems_carry_the_line_number() -> None:
    text = (ROOT / "tenants/jeonju/rules/crisis_reward.yaml").read_text()
    lines = text.splitlines()
    unit_line = max(i for i, line in enumerate(lines, 1) if line.strip() == "unit: 원/건")
    broken = "\n".join(
        line.replace("원/건", "원/주") if i == unit_line else line
        for i, line in enumerate(lines, 1)
    )
    _, found = parse_yaml(broken)
    (p,) = found
    assert p.line == unit_line and str(p).startswith(
        f"{unit_line}행 programmes[0].entitlements[0].unit"
    )
    # YAML syntax and duplicate keys: the line of the problem, before any rule is read.
    rs, found = parse_yaml("key: a\ntitle: b\ntitle: c\n")
    assert rs is None and [(p.line, p.message) for p in found] == [
        (3, "키 'title'가 두 번 있습니다")
    ]
    rs, found = parse_yaml("key: a\nprogrammes:\n  - key: [unclosed\n")
    assert (
        rs is None and found[0].line is not None and found[0].message.startswith("YAML 형식 오류")
    )
    rs, found = parse_yaml("key: a\ntitle: &x b\nother: *x\n")
    assert rs is None and "별칭" in found[0].message


def test_missing_parts_are_each_reported() -> None:
    rs, found = read_data({})
    assert rs is not None
    assert {p.where() for p in found} >= {"key", "title", "programmes"}
    rs, found = read_data([])
    assert rs is None and found[0].message == "키: 값 형식이어야 합니다"


def test_too_large_file_is_refused() -> None:
    rs, found = parse_yaml("#" * 500_001)
    assert rs is None and "너무 큽니다" in found[0].message


# -- examples ---------------------------------------------------------------------------------


def test_failing_examples_are_reported_with_expected_and_actual() -> None:
    data = copy.deepcopy(EXPLAINED)
    data["examples"] = [
        example({"age": 78, "lives_alone": True}, {"care": {"status": "eligible", "hours": 40}},
                "상한 적용", "2024-01-01"),
        example({"age": 64, "lives_alone": True}, {"care": "eligible"}, "64세도 대상?"),
        example({"age": 78, "lives_alone": True}, {"care": {"status": "eligible", "hours": 40}},
                "2023년 시간", "2023-05-01"),
        example({"age": 78}, {"care": "not_eligible"}, "혼자 사는지 모름"),
    ]  # fmt: skip
    crs = compiled(data)
    failures = [str(f) for f in run_examples(crs)]
    assert failures == [
        "예시 2 '64세도 대상?' — care 사업: 기대 대상, 결과 비대상",
        "예시 3 '2023년 시간' — care 사업 'hours': 기대 40, 결과 30",
        "예시 4 '혼자 사는지 모름' — care 사업: 기대 비대상, 결과 판단 보류",
    ]


def test_passing_examples_report_nothing() -> None:
    data = copy.deepcopy(EXPLAINED)
    data["examples"] = [
        example({"age": 78, "lives_alone": True},
                {"care": {"status": "eligible", "hours": 40, "meals": 20, "cash": 100000}}),
        example({"birth_date": "1959-01-02", "lives_alone": True}, {"care": "not_eligible"}),
        example({"birth_date": "1959-01-02", "lives_alone": True}, {"care": "eligible"},
                as_of="2024-01-02"),
    ]  # fmt: skip
    crs = compiled(data)
    assert run_examples(crs) == []
    facts = example_facts(crs.ruleset.examples[1], crs.catalogue)
    assert facts["birth_date"] == dt.date(1959, 1, 2)


# -- the shipped rule sets ------------------------------------------------------------------

SHIPPED = sorted(
    (str(p.relative_to(ROOT)), p.parts[-3]) for p in ROOT.glob("tenants/*/rules/*.yaml")
)


@cache
def shipped(path: str, slug: str) -> CompiledRuleSet:
    rs, problems = parse_yaml((ROOT / path).read_text())
    assert rs is not None and [str(p) for p in problems] == []
    crs, problems = compile_ruleset(rs, tenant_catalogue(slug))
    assert crs is not None and [str(p) for p in problems] == []
    return crs


def test_the_expected_rule_sets_are_shipped() -> None:
    assert {
        ("tenants/jeonju/rules/elderly_care.yaml", "jeonju"),
        ("tenants/jeonju/rules/crisis_reward.yaml", "jeonju"),
        ("tenants/daejeon/rules/basic_services.yaml", "daejeon"),
    } <= set(SHIPPED)


@pytest.mark.parametrize(("path", "slug"), SHIPPED)
def test_shipped_rule_set_loads_clean_and_its_examples_pass(path: str, slug: str) -> None:
    crs = shipped(path, slug)
    rs = crs.ruleset
    assert check_examples(rs, crs.catalogue) == []
    assert rs.examples, "a shipped rule set must have examples"
    assert [str(f) for f in run_examples(crs)] == []
    assert "재구성" in (rs.description or "") + rs.title
    # Every rule has a citation, so every explanation line names its basis.
    for p in rs.programmes:
        assert all(c.cite for c in p.eligibility) and all(e.cite for e in p.entitlements)


def test_daejeon_reads_only_its_standard_instruments() -> None:
    crs = shipped("tenants/daejeon/rules/basic_services.yaml", "daejeon")
    read = {n for p in crs.programmes for c in p.conditions for n in c.names}
    read |= {n for p in crs.programmes for e in p.entitlements for n in e.names}
    forms = {
        n.split(".")[0] for n in read if "." in n and not n.startswith(("param.", "eligible."))
    }
    assert forms <= {"kfrail", "adl", "iadl", "housing_safety"}
    assert {p.programme.key for p in crs.programmes} >= {
        "temporary_home_care", "housing_convenience", "mobility", "nutrition", "short_term_stay",
    }  # fmt: skip
    assert "재구성" in (crs.ruleset.description or "")


def test_daejeon_services_start_on_2023_07_01() -> None:
    crs = shipped("tenants/daejeon/rules/basic_services.yaml", "daejeon")
    facts = {"age": 78, "resident": True, "gu": "서구", "ltc_grade": "등급외",
             "kfrail.kfrail": 3, "kfrail.kf_ambulation": True, "lives_alone": True}  # fmt: skip
    before, _ = run(crs, dt.date(2023, 6, 30), facts)
    first, _ = run(crs, dt.date(2023, 7, 1), facts)
    assert {r.status for r in before.values()} == {"not_eligible"}
    assert first["basic_target"].status == "eligible"
    assert first["mobility"].status == "eligible" and first["nutrition"].status == "eligible"


@pytest.mark.parametrize(
    ("day", "facts", "status"),
    [
        ("2023-12-31", {"case_source": "주민신고", "in_service": True}, "not_eligible"),
        ("2024-01-01", {"case_source": "주민신고", "in_service": True}, "eligible"),
        ("2024-01-01", {"case_source": "직권", "in_service": True}, "not_eligible"),
        ("2024-01-01", {"case_source": "주민신고", "in_service": False}, "not_eligible"),
        ("2024-01-01", {"case_source": "주민신고"}, "undetermined"),
        ("2024-01-01", {"in_service": True}, "undetermined"),
    ],
)
def test_jeonju_crisis_reward(day: str, facts: dict, status: str) -> None:
    crs = shipped("tenants/jeonju/rules/crisis_reward.yaml", "jeonju")
    results, records = run(crs, dt.date.fromisoformat(day), facts)
    result = results["crisis_report_reward"]
    assert result.status == status
    if status == "eligible":
        assert result.amounts() == {"reward": 50000}
        assert records["crisis_report_reward"]["entitlements"][0]["amount_text"] == "₩50,000/건"
    if status == "undetermined":
        assert records["crisis_report_reward"]["missing"] in (["서비스 제공 중"], ["신청 경로"])
