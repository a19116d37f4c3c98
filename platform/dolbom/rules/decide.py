"""Decisions: a case evaluated against every published rule set, stored as it was explained."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, undefer

from dolbom.cases.models import Case
from dolbom.rules.catalogue import compiled_version
from dolbom.rules.evaluate import derive, evaluate, plan_for
from dolbom.rules.explain import explain, snapshot
from dolbom.rules.gather import case_facts
from dolbom.rules.models import RuleDecision, RuleSet, RuleSetVersion


@dataclass
class Evaluated:
    decisions: list[RuleDecision] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rule sets that no longer compile


def published_versions(session: Session) -> list[RuleSetVersion]:
    return list(
        session.scalars(
            sa.select(RuleSetVersion)
            .join(
                RuleSet,
                (RuleSet.id == RuleSetVersion.rule_set_id)
                & (RuleSet.current_number == RuleSetVersion.number),
            )
            .options(undefer(RuleSetVersion.source))
            .order_by(RuleSet.key)
        )
    )


def evaluate_case(session: Session, tenant: str, case: Case, as_of: dt.date, *,
                  user_id: int) -> Evaluated:  # fmt: skip
    """One new decision per published rule set; earlier decisions stay as they were."""
    out = Evaluated()
    facts = case_facts(session, [case.id], as_of)[case.id]
    for version in published_versions(session):
        crs, _problems, ruleset = compiled_version(session, tenant, version)
        if crs is None:
            # A form changed under a published rule (a question removed): say so, do not guess.
            out.skipped.append(ruleset.title if ruleset else version.title)
            continue
        plan = plan_for(crs, as_of)
        results = evaluate(plan, facts)
        decision = RuleDecision(
            case_id=case.id,
            rule_set_key=crs.ruleset.key,
            version_id=version.id,
            version_number=version.number,
            as_of=as_of,
            inputs=snapshot(derive(facts, as_of)),
            results=explain(results, facts, plan),
            created_by=user_id,
        )
        session.add(decision)
        out.decisions.append(decision)
    session.flush()
    return out


def decisions_for_case(session: Session, case_id: int) -> list[RuleDecision]:
    return list(
        session.scalars(
            sa.select(RuleDecision)
            .where(RuleDecision.case_id == case_id)
            .order_by(RuleDecision.created_at.desc(), RuleDecision.id.desc())
        )
    )
