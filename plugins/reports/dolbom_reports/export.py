"""The payment ledger as a file: exactly the rows and columns on screen (year and status
filter), CSV in UTF-8 with a BOM (Excel opens it in Korean) or XLSX."""

from __future__ import annotations

import csv
import io

from flask_babel import force_locale
from openpyxl import Workbook

from dolbom.plugins.api import dong_names
from dolbom_reports.models import PAYMENT_STATUSES
from dolbom_reports.queries import Ledger

HEADER = ("접수번호", "승인일", "동", "신고인", "연락처", "금액(원)", "상태", "지급일", "사유",
          "근거", "규칙 버전")  # fmt: skip


def rows(ledger: Ledger, names: dict[str, str]) -> list[tuple[object, ...]]:
    """The file stays in Korean whatever the page's language: its header is Korean, and so are
    the status labels in it."""
    out: list[tuple[object, ...]] = []
    with force_locale("ko"):
        statuses = {k: str(v) for k, v in PAYMENT_STATUSES.items()}
    for r in ledger.rows:
        p = r.payment
        out.append((r.receipt_no, p.approved_on.isoformat(), names.get(r.dong_code, r.dong_code),
                    r.reporter_name, r.reporter_phone, p.amount, statuses[p.status],
                    p.paid_on.isoformat() if p.paid_on else "", p.reason or "", p.citation,
                    f"{p.rule_set} v{p.rule_version}"))  # fmt: skip
    return out


def _safe(value: object) -> object:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(ledger: Ledger, session_names: dict[str, str]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    for row in rows(ledger, session_names):
        writer.writerow([_safe(v) for v in row])
    writer.writerow(["합계", "", "", "", "", ledger.shown_amount, f"{len(ledger.rows)}건"])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(ledger: Ledger, session_names: dict[str, str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"포상금 {ledger.year}"
    ws.append(HEADER)
    for row in rows(ledger, session_names):
        ws.append([_safe(v) for v in row])
    ws.append(["합계", "", "", "", "", ledger.shown_amount, f"{len(ledger.rows)}건"])
    for column, width in zip(
        "ABCDEFGHIJK", (14, 12, 10, 10, 15, 10, 10, 12, 30, 40, 26), strict=True
    ):
        ws.column_dimensions[column].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def dong_labels(session, ledger: Ledger) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dong_names(session, {r.dong_code for r in ledger.rows})
