"""The fact catalogue: every name a rule may read, with its type, Korean label and unit.

Core facts describe the person on the evaluation date (age on that day, dong and gu on that
day); assessment facts come from the tenant's forms (`kfrail.kfrail` is the K-FRAIL score,
`kfrail.kfrail.level` its level, `jeonju_needs.household` an answer). Rules also read
`param.<key>` (a parameter's value in force) and `eligible.<programme>` (another programme's
result)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dolbom.expr import Catalogue
from dolbom.expr.types import BOOL, DATE, NUMBER, TEXT, Kind, Type
from dolbom.forms.compile import question_type
from dolbom.forms.definition import FormDef


@dataclass(frozen=True)
class Fact:
    name: str
    label: str
    type: Type
    unit: str | None = None
    labels: Mapping[str, str] | None = None  # option value → display label
    source: str = "person"  # person, case, assessment, parameter, programme
    short: str | None = None  # the label without its form's title, for explanations

    @property
    def short_label(self) -> str:
        return self.short or self.label


def _choice(values: Mapping[str, str]) -> Type:
    return Type(Kind.TEXT, frozenset(values))


SEX = {"남": "남성", "여": "여성"}
LTC_GRADES = {
    "1등급": "장기요양 1등급",
    "2등급": "장기요양 2등급",
    "3등급": "장기요양 3등급",
    "4등급": "장기요양 4등급",
    "5등급": "장기요양 5등급",
    "인지지원등급": "인지지원등급",
    "등급외": "등급외 (A·B·C)",
    "미신청": "신청한 적 없음",
}
DISABILITY = {"없음": "장애 없음", "경증": "장애 정도가 심하지 않음", "중증": "장애 정도가 심함"}
INCOME_BANDS = {
    "수급": "기초생활수급",
    "차상위": "차상위계층",
    "중위50": "기준중위소득 50% 이하",
    "중위100": "기준중위소득 100% 이하",
    "일반": "일반",
}
CASE_SOURCES = {
    "본인": "본인 신청",
    "가족": "가족·보호자 신청",
    "기관": "기관 연계 (동의)",
    "직권": "직권 신청",
    "주민신고": "주민 위기가구 신고",
    "발굴명단": "복지사각지대 발굴 명단",
    "조사": "전수조사",
}

CORE_FACTS: tuple[Fact, ...] = (
    Fact("age", "만 나이", NUMBER, "세"),
    Fact("birth_date", "생년월일", DATE),
    Fact("sex", "성별", _choice(SEX), labels=SEX),
    Fact("dong", "거주 동", TEXT),
    Fact("gu", "거주 구", TEXT),
    Fact("resident", "관내 거주", BOOL),
    Fact("household_size", "가구원 수", NUMBER, "명"),
    Fact("lives_alone", "혼자 삶", BOOL),
    Fact("ltc_grade", "장기요양등급", _choice(LTC_GRADES), labels=LTC_GRADES),
    Fact("disability", "장애 정도", _choice(DISABILITY), labels=DISABILITY),
    Fact("income_band", "소득 구간", _choice(INCOME_BANDS), labels=INCOME_BANDS),
    Fact("case_source", "신청 경로", _choice(CASE_SOURCES), labels=CASE_SOURCES, source="case"),
    Fact("in_service", "서비스 제공 중", BOOL, source="case"),
)


def assessment_facts(forms: Iterable[FormDef]) -> list[Fact]:
    out: list[Fact] = []
    for form in forms:
        for score in form.scores:
            name = f"{form.key}.{score.key}"
            out.append(
                Fact(
                    name,
                    f"{form.title}: {score.label}",
                    NUMBER,
                    "점",
                    source="assessment",
                    short=score.label,
                )
            )
            if score.levels:
                levels = {lv.code: lv.label for lv in score.levels}
                out.append(
                    Fact(
                        f"{name}.level",
                        f"{form.title}: {score.label} 단계",
                        _choice(levels),
                        labels=levels,
                        source="assessment",
                        short=f"{score.label} 단계",
                    )
                )
        for q in form.questions():
            if q.type in ("group", "grid"):
                continue  # repeating rows and item grids are not single facts
            labels = {o.value: o.label for o in q.options} if q.options else None
            out.append(
                Fact(
                    f"{form.key}.{q.key}",
                    f"{form.title}: {q.label}",
                    # The answer only: score() and level() read a form's own scores, which
                    # rules reach as `<form>.<score>` instead.
                    Type(question_type(q).kind, question_type(q).options),
                    q.unit,
                    labels,
                    source="assessment",
                    short=q.label,
                )
            )
    return out


@dataclass
class FactCatalogue:
    """A tenant's facts, plus the names one rule set adds (its parameters and programmes)."""

    facts: dict[str, Fact]

    @classmethod
    def for_forms(cls, forms: Iterable[FormDef]) -> FactCatalogue:
        facts = {f.name: f for f in CORE_FACTS}
        facts.update((f.name, f) for f in assessment_facts(forms))
        return cls(facts)

    def with_names(self, extra: Iterable[Fact]) -> FactCatalogue:
        facts = dict(self.facts)
        facts.update((f.name, f) for f in extra)
        return FactCatalogue(facts)

    def expr_catalogue(self) -> Catalogue:
        return Catalogue({name: f.type for name, f in self.facts.items()})

    def label(self, name: str) -> str:
        fact = self.facts.get(name)
        return fact.label if fact else name


def parameter_type(values: Iterable[Any]) -> Type:
    kinds = {type(v) for v in values}
    if kinds <= {bool}:
        return BOOL
    if kinds <= {int, float}:
        return NUMBER
    return TEXT


def format_value(fact: Fact | None, value: Any) -> str:
    """A value as a person reads it: "78세", "예", "기초생활수급"."""
    if value is None:
        return "정보 없음"
    if isinstance(value, bool):
        return "예" if value else "아니요"
    if isinstance(value, int | float):
        number = int(value) if float(value).is_integer() else round(value, 2)
        unit = fact.unit if fact else None
        if unit == "원" or (unit or "").startswith("원"):
            return f"₩{number:,}" + unit[1:]
        return f"{number:,}{unit or ''}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(format_value(fact, v) for v in value) or "없음"
    if fact and fact.labels:
        return fact.labels.get(str(value), str(value))
    return str(value)


def age_on(birth: dt.date, day: dt.date) -> int:
    """만 나이: full years on `day`. Someone born on 29 February turns a year older on
    1 March in common years (the Civil Act counts the day after the anniversary's eve)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years
