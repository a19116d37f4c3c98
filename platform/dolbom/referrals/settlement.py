"""Monthly settlement (정산): per provider and programme, the units delivered that month and
their cost at the programme's unit cost, written as CSV and XLSX by a job with progress.

One aggregate query whatever the number of records; the files hold no person, only counts."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.catalogue.models import UNITS, Programme, Provider
from dolbom.db import tenant_session
from dolbom.jobs import JobContext, tenant_job, update_record
from dolbom.referrals.models import Referral, ServiceRecord

MONTH = re.compile(r"(\d{4})-(\d{2})")
HEADER = ["기관", "기관 코드", "프로그램", "프로그램 코드", "단위", "제공량", "기록 수", "대상자 수",
          "단가(원)", "금액(원)", "상한 초과 승인 제공량"]  # fmt: skip


class MonthError(ValueError):
    pass


def read_month(raw: str, today: dt.date) -> dt.date:
    """'2026-11' → 2026-11-01; a malformed or future month is refused with a message."""
    m = MONTH.fullmatch(raw.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 2000:
        raise MonthError("정산할 달을 YYYY-MM으로 적으세요")
    first = dt.date(int(m.group(1)), int(m.group(2)), 1)
    if first > today.replace(day=1):
        raise MonthError("앞으로의 달은 정산할 수 없습니다")
    return first


@dataclass(frozen=True)
class Line:
    provider: str
    provider_key: str
    programme: str
    programme_key: str
    unit: str
    quantity: Decimal
    records: int
    people: int
    unit_cost: int
    over_cap: Decimal

    @property
    def amount(self) -> int:
        return int((self.quantity * self.unit_cost).to_integral_value())

    def row(self) -> list[Any]:
        return [self.provider, self.provider_key, self.programme, self.programme_key,
                UNITS.get(self.unit, self.unit), self.quantity, self.records, self.people,
                self.unit_cost, self.amount, self.over_cap]  # fmt: skip


def compute(session: Session, first: dt.date) -> list[Line]:
    after = (first + dt.timedelta(days=32)).replace(day=1)
    over = sa.case((ServiceRecord.over_cap_reason.is_not(None), ServiceRecord.quantity), else_=0)
    rows = session.execute(
        sa.select(Provider.name, Provider.key, Programme.name, Programme.key, Programme.unit,
                  sa.func.sum(ServiceRecord.quantity), sa.func.count(),
                  sa.func.count(sa.distinct(Referral.person_id)), Programme.unit_cost,
                  sa.func.sum(over))
        .select_from(ServiceRecord)
        .join(Referral, Referral.id == ServiceRecord.referral_id)
        .join(Provider, Provider.id == Referral.provider_id)
        .join(Programme, Programme.id == Referral.programme_id)
        .where(ServiceRecord.served_on >= first, ServiceRecord.served_on < after)
        .group_by(Provider.id, Provider.name, Provider.key, Programme.id, Programme.name,
                  Programme.key, Programme.unit, Programme.unit_cost)
        .order_by(Provider.name, Programme.name)
    ).all()  # fmt: skip
    return [Line(*r) for r in rows]


def write_csv(lines: list[Line], path: Path) -> None:
    # UTF-8 with BOM: Excel on a Korean Windows PC opens it without garbling the Hangul.
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for line in lines:
            w.writerow(line.row())
        w.writerow(_total(lines))


def write_xlsx(lines: list[Line], path: Path, title: str) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(HEADER)
    for line in lines:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in line.row()])
    ws.append([float(v) if isinstance(v, Decimal) else v for v in _total(lines)])
    wb.save(path)


def _total(lines: list[Line]) -> list[Any]:
    return ["합계", "", "", "", "", sum((ln.quantity for ln in lines), Decimal(0)),
            sum(ln.records for ln in lines), "", "", sum(ln.amount for ln in lines),
            sum((ln.over_cap for ln in lines), Decimal(0))]  # fmt: skip


def summary(lines: list[Line]) -> dict[str, Any]:
    return {"lines": len(lines), "records": sum(ln.records for ln in lines),
            "amount": sum(ln.amount for ln in lines)}  # fmt: skip


def produce(tenant: str, first: dt.date, directory: Path,
            progress: Callable[[int], None] = lambda _pct: None) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """Compute and write both files; returns the files' stem and the summary."""
    directory.mkdir(parents=True, exist_ok=True)
    with tenant_session(tenant) as session:
        lines = compute(session, first)
    progress(50)
    stem = f"{tenant}-settlement-{first:%Y-%m}"
    write_csv(lines, directory / f"{stem}.csv")
    progress(70)
    write_xlsx(lines, directory / f"{stem}.xlsx", f"{first:%Y-%m} 정산")
    progress(95)
    return stem, summary(lines)


@tenant_job("settlement")
def settlement_job(ctx: JobContext, month: str, directory: str) -> dict[str, Any]:
    ctx.progress(5, "정산 계산 중")
    stem, result = produce(ctx.tenant, dt.date.fromisoformat(month), Path(directory),
                           lambda pct: ctx.progress(pct))  # fmt: skip
    if ctx.job_id:
        update_record(ctx.job_id, result_file=stem)
    return {**result, "stem": stem}
