"""Service records (visits, hours, meals, …) against a referral, checked row by row and saved
all together or not at all, within the person's monthly entitlement from the rules engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import CaseEvent
from dolbom.catalogue.models import Programme
from dolbom.clock import today
from dolbom.referrals.models import Referral, ServiceRecord
from dolbom.rules.models import RuleDecision

ROWS = 10  # rows on the entry grid
RECORDABLE = frozenset({"accepted", "in_service"})
# The most one record may hold: a day has 24 hours; more than this is a typo, not a service.
MAX_PER_RECORD = {"hours": Decimal(24), "visits": Decimal(10), "meals": Decimal(10),
                  "items": Decimal(100), "days": Decimal(1)}  # fmt: skip


@dataclass
class Entry:
    served_on: dt.date
    quantity: Decimal
    note: str | None


@dataclass
class Batch:
    entries: list[Entry] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # "served_on_3" → message
    values: dict[str, str] = field(default_factory=dict)
    message: str | None = None


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def monthly_cap(session: Session, case_id: int, prog: Programme) -> Decimal | None:
    """The person's monthly entitlement for the programme from the newest rule decision, 0 when
    that decision found them not eligible, None when no decision or no entitlement applies."""
    if not (prog.rule_set_key and prog.rule_programme and prog.rule_entitlement):
        return None
    decision = session.scalar(
        sa.select(RuleDecision)
        .where(RuleDecision.case_id == case_id, RuleDecision.rule_set_key == prog.rule_set_key)
        .order_by(RuleDecision.created_at.desc(), RuleDecision.id.desc()).limit(1)
    )  # fmt: skip
    if decision is None:
        return None
    for result in decision.results:
        if result.get("programme") != prog.rule_programme:
            continue
        if result.get("status") != "eligible":
            return Decimal(0)
        for ent in result.get("entitlements") or []:
            if ent.get("id") == prog.rule_entitlement and ent.get("amount") is not None:
                return Decimal(str(ent["amount"]))
    return None


def used_in_month(session: Session, case_id: int, programme_id: int, day: dt.date) -> Decimal:
    """What the person already received of this programme that month, from every provider."""
    first, after = _month(day)
    total = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ServiceRecord.quantity), 0))
        .join(Referral, Referral.id == ServiceRecord.referral_id)
        .where(Referral.case_id == case_id, Referral.programme_id == programme_id,
               ServiceRecord.served_on >= first, ServiceRecord.served_on < after)
    )  # fmt: skip
    return Decimal(total or 0)


def fmt(q: Decimal) -> str:
    return f"{q.normalize():f}" if q == q.to_integral_value() else f"{q:.2f}".rstrip("0")


def read(form: Mapping[str, str], referral: Referral) -> Batch:
    """The grid's filled rows, each field checked; empty rows are skipped."""
    batch = Batch()
    unit = referral.programme.unit
    top = MAX_PER_RECORD.get(unit, Decimal(100))
    label = referral.programme.unit_label
    now = today()
    for i in range(ROWS):
        raw_day = (form.get(f"served_on_{i}") or "").strip()
        raw_qty = (form.get(f"quantity_{i}") or "").strip()
        note = (form.get(f"note_{i}") or "").strip()
        batch.values.update(
            {f"served_on_{i}": raw_day, f"quantity_{i}": raw_qty, f"note_{i}": note}
        )
        if not (raw_day or raw_qty or note):
            continue
        day: dt.date | None = None
        try:
            day = dt.date.fromisoformat(raw_day)
        except ValueError:
            batch.errors[f"served_on_{i}"] = (
                "날짜를 YYYY-MM-DD로 적으세요" if raw_day else "날짜를 적으세요"
            )
        if day is not None:
            if day > now:
                batch.errors[f"served_on_{i}"] = "앞으로의 날짜는 기록할 수 없습니다"
            elif not referral.period_from <= day <= referral.period_until:
                batch.errors[f"served_on_{i}"] = (
                    f"의뢰 기간({referral.period_from}~{referral.period_until}) 밖의 날짜입니다"
                )
        qty: Decimal | None = None
        try:
            qty = Decimal(raw_qty.replace(",", ""))
            if not qty.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            batch.errors[f"quantity_{i}"] = (
                "수량을 숫자로 적으세요" if raw_qty else "수량을 적으세요"
            )
            qty = None
        if qty is not None:
            if qty <= 0:
                batch.errors[f"quantity_{i}"] = "0보다 큰 수량을 적으세요"
            elif qty > top:
                batch.errors[f"quantity_{i}"] = f"한 번에 {fmt(top)}{label}을 넘을 수 없습니다"
            elif qty != qty.quantize(Decimal("0.01")):
                batch.errors[f"quantity_{i}"] = "소수 둘째 자리까지 적을 수 있습니다"
        if len(note) > 300:
            batch.errors[f"note_{i}"] = "300자까지 적을 수 있습니다"
        if (
            day is not None
            and qty is not None
            and not any(k.endswith(f"_{i}") for k in batch.errors)
        ):
            batch.entries.append(Entry(day, qty, note or None))
    if not batch.entries and not batch.errors:
        batch.errors["served_on_0"] = "기록할 날짜와 수량을 적으세요"
    return batch


def check_caps(session: Session, referral: Referral, batch: Batch) -> list[str]:
    """Months the batch would take over the entitlement, as messages with what is left."""
    cap = monthly_cap(session, referral.case_id, referral.programme)
    if cap is None:
        return []
    label = referral.programme.unit_label
    adding: dict[dt.date, Decimal] = {}
    for e in batch.entries:
        first, _ = _month(e.served_on)
        adding[first] = adding.get(first, Decimal(0)) + e.quantity
    problems = []
    for first, extra in sorted(adding.items()):
        used = used_in_month(session, referral.case_id, referral.programme_id, first)
        if used + extra > cap:
            left = max(Decimal(0), cap - used)
            problems.append(
                f"{first:%Y년 %m월} 급여 상한 {fmt(cap)}{label} 중 {fmt(used)}{label}을 이미 받아 "
                f"남은 양은 {fmt(left)}{label}입니다 (이번 기록 {fmt(extra)}{label})"
            )
    return problems


class OverCap(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def save(session: Session, referral: Referral, batch: Batch, *, user_id: int,
         override_reason: str | None = None) -> list[ServiceRecord]:  # fmt: skip
    """Store the batch whole; OverCap when it exceeds the entitlement and no override is given
    (only coordinators pass one: the view decides)."""
    problems = check_caps(session, referral, batch)
    if problems and not override_reason:
        raise OverCap(problems)
    records = [
        ServiceRecord(referral_id=referral.id, served_on=e.served_on, quantity=e.quantity,
                      note=e.note, recorded_by=user_id,
                      over_cap_reason=override_reason if problems else None,
                      over_cap_by=user_id if problems else None)
        for e in batch.entries
    ]  # fmt: skip
    session.add_all(records)
    if referral.status == "accepted":
        referral.status = "in_service"
        session.add(CaseEvent(case_id=referral.case_id, by=user_id, action="referral_started",
                              note=f"{referral.programme.name} · {referral.provider.name}",
                              data={"referral_id": referral.id}))  # fmt: skip
    if problems:
        session.add(CaseEvent(case_id=referral.case_id, by=user_id, action="referral_over_cap",
                              note=f"{referral.programme.name} · {'; '.join(problems)} — {override_reason}"[:1000],
                              data={"referral_id": referral.id}))  # fmt: skip
    session.flush()
    return records


def records_of(session: Session, referral_id: int, limit: int = 200) -> list[ServiceRecord]:
    return list(session.scalars(
        sa.select(ServiceRecord).where(ServiceRecord.referral_id == referral_id)
        .order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc()).limit(limit)
    ))  # fmt: skip
