"""Risk scores from the rules engine: the tenant's rule set `<slug>-blindspot-risk` holds a
weight per crisis indicator (`weight_<indicator>`) and two thresholds (`threshold_high`,
`threshold_medium`), each dated and cited. A job reads them once (`read_scoring`) and scores
every row with the same values; the batch keeps them, with their citations, for the record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dolbom.plugins.api import SettingSpec, rule_parameter, setting, today
from dolbom_blindspots.columns import INDICATORS

RULE_SET = SettingSpec("blindspots.rule_set", "위험도 규칙 묶음 키 (비우면 <기관>-blindspot-risk)")
THRESHOLDS = ("threshold_high", "threshold_medium")


def rule_set_key(session: Session, tenant: str) -> str:
    return str(setting(session, RULE_SET) or f"{tenant}-blindspot-risk")


@dataclass(frozen=True)
class Scoring:
    rule_set: str
    version: int
    on: dt.date
    weights: dict[str, int]
    high: int
    medium: int
    citations: dict[str, str]

    def score(self, indicators: Iterable[str]) -> tuple[int, str]:
        total = sum(self.weights.get(k, 0) for k in indicators)
        if total >= self.high:
            return total, "high"
        return total, "medium" if total >= self.medium else "low"

    def record(self) -> dict[str, Any]:
        """What the batch keeps: which rules, which values, on what basis."""
        return {"rule_set": self.rule_set, "version": self.version, "on": self.on.isoformat(),
                "weights": self.weights, "high": self.high, "medium": self.medium,
                "citations": self.citations}  # fmt: skip


def rules_missing(session: Session, tenant: str) -> str | None:
    """A quick look for the upload page: is the rule set there at all (one parameter)?"""
    key = rule_set_key(session, tenant)
    if rule_parameter(session, tenant, key, "threshold_high") is None:
        return f"위험도 규칙 묶음 '{key}'이 게시되어 있지 않아 명단을 가져올 수 없습니다. 기관 관리자에게 규칙 게시를 요청하세요."  # fmt: skip
    return None


class ScoringMissing(LookupError):
    """The rule set or some of its parameters are not published: nothing can be scored."""


def read_scoring(session: Session, tenant: str, on: dt.date | None = None) -> Scoring:
    key, day = rule_set_key(session, tenant), on or today()
    values: dict[str, int] = {}
    citations: dict[str, str] = {}
    missing: list[str] = []
    version = 0
    for name in (*(f"weight_{i.key}" for i in INDICATORS), *THRESHOLDS):
        p = rule_parameter(session, tenant, key, name, day)
        if p is None or isinstance(p.value, bool) or not isinstance(p.value, int | float):
            missing.append(name)
            continue
        values[name], citations[name], version = int(p.value), p.citation, p.version
    if missing:
        raise ScoringMissing(
            f"위험도 규칙 묶음 '{key}'에 {day} 기준 값이 없습니다: {', '.join(missing[:5])}"
            + (f" 외 {len(missing) - 5}개" if len(missing) > 5 else "")
        )
    weights = {i.key: values[f"weight_{i.key}"] for i in INDICATORS}
    return Scoring(key, version, day, weights, values["threshold_high"],
                   values["threshold_medium"], citations)  # fmt: skip
