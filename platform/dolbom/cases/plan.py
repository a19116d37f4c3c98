"""The support plan: reading its form (goals, services by row, period) and saving it with the
version the worker started from, so two people drafting one plan do not overwrite each other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import Case, SupportPlan
from dolbom.db import utcnow
from dolbom.rules.catalogue import compiled_version
from dolbom.rules.decide import published_versions

ROWS = 8  # service rows on the form
EDITABLE = frozenset({"plan"})  # drafted before the meeting; changed again after 변경


@dataclass
class PlanForm:
    goals: str = ""
    services: list[dict[str, str]] = field(default_factory=list)
    period_from: dt.date | None = None
    period_until: dt.date | None = None
    errors: dict[str, str] = field(default_factory=dict)


def catalogue(session: Session, tenant: str) -> dict[str, str]:
    """The tenant's services by key: its service catalogue's active programmes, or, for a
    tenant without a catalogue yet, the programmes of its published rule sets (read from the
    compiled rule sets the process already caches)."""
    from dolbom.catalogue.models import Programme

    out: dict[str, str] = dict(
        session.execute(
            sa.select(Programme.key, Programme.name)
            .where(Programme.active)
            .order_by(Programme.name)
        ).all()
    )
    if out:
        return out
    for version in published_versions(session):
        _crs, _problems, ruleset = compiled_version(session, tenant, version)
        for p in ruleset.programmes if ruleset else ():
            out[p.key] = p.name
    return out


def plan_of(session: Session, case_id: int) -> SupportPlan | None:
    return session.scalar(sa.select(SupportPlan).where(SupportPlan.case_id == case_id))


def read_form(form: Mapping[str, str], services: Mapping[str, str]) -> PlanForm:
    out = PlanForm()
    goals = (form.get("goals") or "").strip()
    if not goals:
        out.errors["goals"] = "지원 목표를 적으세요"
    elif len(goals) > 2000:
        out.errors["goals"] = "2,000자까지 적을 수 있습니다"
    out.goals = goals
    for i in range(ROWS):
        key = (form.get(f"service_{i}") or "").strip()
        frequency = (form.get(f"frequency_{i}") or "").strip()[:100]
        provider = (form.get(f"provider_{i}") or "").strip()[:100]
        if not key:
            if frequency or provider:
                out.errors[f"service_{i}"] = "서비스를 고르세요"
            continue
        if key not in services:
            out.errors[f"service_{i}"] = "목록에서 고르세요"
            continue
        if not frequency:
            out.errors[f"frequency_{i}"] = "횟수·시간을 적으세요 (예: 주 2회)"
        out.services.append(
            {"service": key, "name": services[key], "frequency": frequency, "provider": provider}
        )
    if not out.services and not any(k.startswith("service_") for k in out.errors):
        out.errors["service_0"] = "서비스를 하나 이상 고르세요"
    for name in ("period_from", "period_until"):
        raw = (form.get(name) or "").strip()
        if not raw:
            out.errors[name] = "날짜를 적으세요"
            continue
        try:
            setattr(out, name, dt.date.fromisoformat(raw))
        except ValueError:
            out.errors[name] = "날짜를 YYYY-MM-DD로 적으세요"
    if out.period_from and out.period_until and out.period_until < out.period_from:
        out.errors["period_until"] = "끝나는 날이 시작일보다 앞섭니다"
    return out


class PlanConflict(RuntimeError):
    pass


def save(
    session: Session, case: Case, data: PlanForm, *, user_id: int, lock_version: int | None
) -> SupportPlan:
    plan = plan_of(session, case.id)
    if plan is None:
        if lock_version not in (None, 0):
            raise PlanConflict("다른 사람이 먼저 계획을 바꿨습니다")
        plan = SupportPlan(case_id=case.id, updated_by=user_id)
        session.add(plan)
    elif lock_version != plan.lock_version:
        raise PlanConflict("다른 사람이 먼저 계획을 바꿨습니다")
    plan.goals, plan.services = data.goals, data.services
    plan.period_from, plan.period_until = data.period_from, data.period_until
    plan.updated_by = user_id
    plan.updated_at = utcnow()
    session.flush()
    return plan


def form_values(plan: SupportPlan | None) -> dict[str, Any]:
    """A stored plan as the form's values."""
    if plan is None:
        return {}
    values: dict[str, Any] = {
        "goals": plan.goals,
        "period_from": plan.period_from,
        "period_until": plan.period_until,
    }
    for i, row in enumerate(plan.services[:ROWS]):
        values.update({f"service_{i}": row["service"], f"frequency_{i}": row["frequency"],
                       f"provider_{i}": row.get("provider", "")})  # fmt: skip
    return values
