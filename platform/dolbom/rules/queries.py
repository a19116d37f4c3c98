"""Reading rule sets for the screens."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, undefer

from dolbom.clock import today
from dolbom.rules.catalogue import compiled_version
from dolbom.rules.compile import CompiledRuleSet
from dolbom.rules.definition import RuleSet as RuleSetDef
from dolbom.rules.examples import Failure, run_examples
from dolbom.rules.explain import PLACEHOLDER
from dolbom.rules.facts import format_value
from dolbom.rules.models import RuleSet, RuleSetVersion


def all_rulesets(session: Session) -> Sequence[sa.Row]:
    draft = sa.orm.aliased(RuleSetVersion)
    return session.execute(
        sa.select(RuleSet, draft.valid, draft.updated_at)
        .outerjoin(draft, (draft.rule_set_id == RuleSet.id) & draft.number.is_(None))
        .order_by(RuleSet.title)
    ).all()


def versions_of(session: Session, rs: RuleSet) -> Sequence[RuleSetVersion]:
    return session.scalars(
        sa.select(RuleSetVersion)
        .where(RuleSetVersion.rule_set_id == rs.id, RuleSetVersion.number.is_not(None))
        .order_by(RuleSetVersion.number.desc())
    ).all()


def version(session: Session, rs: RuleSet, number: int) -> RuleSetVersion | None:
    return session.scalar(
        sa.select(RuleSetVersion)
        .where(RuleSetVersion.rule_set_id == rs.id, RuleSetVersion.number == number)
        .options(undefer(RuleSetVersion.source))
    )


@dataclass
class VersionView:
    ruleset: RuleSetDef | None
    failures: list[Failure] | None  # None: the version does not compile (any more)
    today: dt.date

    def label(self, text: str) -> str:
        """A condition's label with today's parameter values: "만 {min_age}세 이상" → "만 65세 이상"."""
        if self.ruleset is None:
            return text

        def fill(m: re.Match[str]) -> str:
            value = param_value_today(self.ruleset, m.group(1)) if self.ruleset else None
            return m.group(0) if value is None else format_value(None, value)

        return PLACEHOLDER.sub(fill, text)


def version_view(session: Session, tenant: str, v: RuleSetVersion) -> VersionView:
    crs, _problems, ruleset = compiled_version(session, tenant, v)
    return draft_view(crs, ruleset)


def draft_view(crs: CompiledRuleSet | None, ruleset: RuleSetDef | None) -> VersionView:
    return VersionView(ruleset, run_examples(crs) if crs is not None else None, today())


def param_value_today(ruleset: RuleSetDef, key: str) -> Any:
    p = ruleset.parameter(key)
    v = p.value_on(today()) if p else None
    return v.value if v else None
