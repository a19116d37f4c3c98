"""The admission queue's priority score (입주 대기 점수), from the tenant's rule parameters.

The points and thresholds are the city's, in a published rule set (Jeonju:
`tenants/jeonju/rules/care_housing.yaml`), read with their citations through `rule_parameter`.
A score is stored with its breakdown and the rule set's version, so an entry keeps the
explanation it was decided with when the city later publishes new values. A tenant without
the rule set has no score: the queue is then in date order and says so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dolbom.plugins.api import (
    INCOME_BANDS,
    LTC_GRADES,
    RuleParam,
    SettingSpec,
    rule_parameter,
    setting,
)

# The rule set's key can be set per tenant; unset, `<slug>-care-housing`, then Jeonju's.
RULE_SET_SETTING = SettingSpec("housing.rule_set", "입주 우선순위 규칙 묶음 키", None)
FALLBACK_RULE_SET = "jeonju-care-housing"
PARAMS = (
    "min_age", "discharge_days", "discharge_points", "older_age", "older_age_points",
    "oldest_age", "oldest_age_points", "lives_alone_points", "ltc_points", "low_income_points",
    "unsafe_housing_points", "priority_score",
)  # fmt: skip
GRADED = frozenset({"1등급", "2등급", "3등급", "4등급", "5등급", "인지지원등급"})
LOW_INCOME = frozenset({"수급", "차상위"})


@dataclass(frozen=True)
class Rules:
    key: str
    version: int
    params: dict[str, RuleParam]

    def number(self, key: str) -> float | None:
        p = self.params.get(key)
        return p.value if p is not None and isinstance(p.value, int | float) else None


@dataclass(frozen=True)
class Facts:
    age: int | None
    discharge_on: dt.date | None
    lives_alone: bool | None
    ltc_grade: str | None
    income_band: str | None
    unsafe_housing: bool


@dataclass(frozen=True)
class Scored:
    total: int | None  # None: no rule set, date order
    lines: list[dict[str, Any]]
    rule_set: str | None
    version: int | None


def rule_set_keys(session: Session, tenant: str) -> list[str]:
    chosen = setting(session, RULE_SET_SETTING)
    if isinstance(chosen, str) and chosen.strip():
        return [chosen.strip()]
    return [f"{tenant}-care-housing", FALLBACK_RULE_SET]


def load_rules(session: Session, tenant: str, on: dt.date) -> Rules | None:
    """The priority parameters in force on `on`, or None when the tenant has no such rule set."""
    for key in rule_set_keys(session, tenant):
        params = {
            name: p
            for name in PARAMS
            if (p := rule_parameter(session, tenant, key, name, on)) is not None
        }
        if params:
            return Rules(key, next(iter(params.values())).version, params)
    return None


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    years = day.year - birth.year
    return years - 1 if (day.month, day.day) < (birth.month, birth.day) else years


def _pts(value: float | None) -> int:
    return int(value) if value is not None else 0


def _line(rules: Rules, key: str, label: str, fact: str, points: int) -> dict[str, Any]:
    p = rules.params.get(key)
    return {"key": key, "label": label, "fact": fact, "points": points,
            "citation": p.citation if p else "기준값 없음 — 규칙 묶음에 이 항목이 없습니다"}  # fmt: skip


def _discharge(rules: Rules, facts: Facts, on: dt.date) -> dict[str, Any]:
    window = rules.number("discharge_days")
    label = f"퇴원 {_pts(window)}일 이내" if window is not None else "퇴원 후 우선 기간"
    if facts.discharge_on is None:
        return _line(rules, "discharge_points", label, "퇴원 예정·기록 없음", 0)
    days = (on - facts.discharge_on).days
    when = (f"{facts.discharge_on} 퇴원 ({days}일 지남)" if days >= 0
            else f"{facts.discharge_on} 퇴원 예정 ({-days}일 뒤)")  # fmt: skip
    hit = window is not None and days <= window
    return _line(rules, "discharge_points", label, when,
                 _pts(rules.number("discharge_points")) if hit else 0)  # fmt: skip


def _age(rules: Rules, facts: Facts) -> dict[str, Any]:
    older, oldest = rules.number("older_age"), rules.number("oldest_age")
    if facts.age is None:
        return _line(rules, "older_age_points", "고령 가점", "생년월일 정보 없음", 0)
    fact = f"만 {facts.age}세"
    if oldest is not None and facts.age >= oldest:
        return _line(rules, "oldest_age_points", f"{_pts(oldest)}세 이상", fact,
                     _pts(rules.number("oldest_age_points")))  # fmt: skip
    label = f"{_pts(older)}세 이상" if older is not None else "고령 가점"
    hit = older is not None and facts.age >= older
    return _line(rules, "older_age_points", label, fact,
                 _pts(rules.number("older_age_points")) if hit else 0)  # fmt: skip


def score(facts: Facts, rules: Rules | None, on: dt.date) -> Scored:
    """The priority score of one waiting person on `on`, with a line per criterion."""
    if rules is None:
        return Scored(None, [], None, None)
    yes_no = {True: "예", False: "아니요", None: "정보 없음"}
    lines = [
        _discharge(rules, facts, on),
        _age(rules, facts),
        _line(rules, "lives_alone_points", "혼자 삶", yes_no[facts.lives_alone],
              _pts(rules.number("lives_alone_points")) if facts.lives_alone else 0),
        _line(rules, "ltc_points", "장기요양등급 (1~5등급·인지지원등급)",
              LTC_GRADES.get(facts.ltc_grade or "", "정보 없음"),
              _pts(rules.number("ltc_points")) if facts.ltc_grade in GRADED else 0),
        _line(rules, "low_income_points", "기초생활수급·차상위",
              INCOME_BANDS.get(facts.income_band or "", "정보 없음"),
              _pts(rules.number("low_income_points")) if facts.income_band in LOW_INCOME else 0),
        _line(rules, "unsafe_housing_points", "지금 사는 집이 위험함",
              yes_no[facts.unsafe_housing],
              _pts(rules.number("unsafe_housing_points")) if facts.unsafe_housing else 0),
    ]  # fmt: skip
    total = sum(line["points"] for line in lines)
    threshold = rules.params.get("priority_score")
    if threshold is not None:
        lines.append({"key": "priority_score", "label": threshold.label, "fact": None,
                      "points": None, "value": threshold.value, "citation": threshold.citation})  # fmt: skip
    minimum = rules.params.get("min_age")
    if minimum is not None and facts.age is not None and facts.age < minimum.value:
        lines.append({"key": "min_age", "label": minimum.label, "fact": f"만 {facts.age}세",
                      "points": None, "value": minimum.value, "citation": minimum.citation,
                      "warning": True})  # fmt: skip
    return Scored(total, lines, rules.key, rules.version)


def threshold_of(breakdown: list[dict[str, Any]]) -> float | None:
    for line in breakdown:
        if line.get("key") == "priority_score":
            return line.get("value")
    return None
