"""A rule set as plain data: what the YAML says, after reading and before compiling."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

PathT = tuple[str | int, ...]

# Units an entitlement may be given in. Monthly cost (what-if) adds up amounts in 원/월 and
# whatever an entitlement's `cost` expression turns into 원/월.
UNITS = ("원/월", "원/건", "원/년", "원", "시간/월", "회/월", "일/월", "일/년", "회")
STATUSES = ("eligible", "not_eligible", "undetermined")
STATUS_LABELS = {"eligible": "대상", "not_eligible": "비대상", "undetermined": "판단 보류"}
FAR_FUTURE = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class Problem:
    path: PathT
    message: str
    line: int | None = None

    def where(self) -> str:
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out or "(전체)"

    def __str__(self) -> str:
        at = f"{self.line}행 " if self.line else ""
        return f"{at}{self.where()}: {self.message}"


class RuleSetProblems(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


@dataclass(frozen=True)
class Citation:
    source: str  # "조례" for the rule set's own ordinance, else a document's name
    article: str | None = None
    paragraph: str | None = None
    item: str | None = None
    link: str | None = None
    note: str | None = None

    def text(self) -> str:
        parts = [self.source]
        if self.article:
            parts.append(f"제{self.article}조")
        if self.paragraph:
            parts.append(f"제{self.paragraph}항")
        if self.item:
            parts.append(f"제{self.item}호")
        out = " ".join(parts)
        return f"{out} — {self.note}" if self.note else out


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date = FAR_FUTURE  # inclusive

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def text(self) -> str:
        end = "" if self.end == FAR_FUTURE else self.end.isoformat()
        return f"{self.start.isoformat()} ~ {end}".rstrip()


ALWAYS = Period(dt.date(1900, 1, 1))


@dataclass(frozen=True)
class ParamValue:
    period: Period
    value: Any
    cite: Citation


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    unit: str | None
    values: tuple[ParamValue, ...]

    def value_on(self, day: dt.date) -> ParamValue | None:
        return next((v for v in self.values if v.period.covers(day)), None)


@dataclass(frozen=True)
class Condition:
    id: str
    label: str  # may name parameters in braces: "만 {min_age}세 이상"
    when: str
    cite: Citation
    period: Period = ALWAYS
    path: PathT = ()


@dataclass(frozen=True)
class Entitlement:
    id: str
    label: str
    amount: str
    unit: str
    cite: Citation
    cap: str | None = None
    cost: str | None = None  # 원/월 for the what-if; defaults to the amount when unit is 원/월
    period: Period = ALWAYS
    path: PathT = ()


@dataclass(frozen=True)
class Programme:
    key: str
    name: str
    area: str | None
    description: str | None
    period: Period
    cite: Citation | None
    eligibility: tuple[Condition, ...]
    entitlements: tuple[Entitlement, ...] = ()


@dataclass(frozen=True)
class Expectation:
    status: str
    amounts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Example:
    name: str
    as_of: dt.date
    facts: dict[str, Any]
    expect: dict[str, Expectation]


@dataclass(frozen=True)
class RuleSet:
    key: str
    title: str
    description: str | None
    ordinance: str | None  # its full name; citations say "조례" for short
    ordinance_link: str | None
    parameters: tuple[Parameter, ...]
    programmes: tuple[Programme, ...]
    examples: tuple[Example, ...] = ()

    def parameter(self, key: str) -> Parameter | None:
        return next((p for p in self.parameters if p.key == key), None)

    def programme(self, key: str) -> Programme | None:
        return next((p for p in self.programmes if p.key == key), None)
