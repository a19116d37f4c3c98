"""Files the plugin hands out: the visit results for return to the national system (CSV with a
UTF-8 BOM, so Excel reads Hangul, or XLSX) — 관리번호, 행정동, 방문일, 결과, 연계 내용, never a
name or a resident number —, the empty list template, and a batch's report of rows not
imported (line, column, reason)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask_babel import force_locale

from dolbom_blindspots import columns as C
from dolbom_blindspots.models import OUTCOMES, Task
from dolbom_blindspots.validate import CONTROL

RESULT_HEADER = (C.KEY, C.DONG, "방문일", "결과", "연계 내용")
REPORT_HEADER = ("줄", "열", "사유")
NOT_VISITED = "미방문"


def result_rows(tasks: Iterable[Task], dong_names: dict[str, str]) -> list[tuple[str, ...]]:
    out = []
    with force_locale("ko"):  # the file goes back to the national system: Korean, always
        outcomes = {k: str(v) for k, v in OUTCOMES.items()}
    for t in tasks:
        content = t.note or ""
        if t.case_id and t.outcome in ("linked", "application"):
            content = f"사례 #{t.case_id}" + (f" — {content}" if content else "")
        out.append((
            t.national_key, dong_names.get(t.dong_code, t.dong_code),
            t.visited_on.isoformat() if t.visited_on else "",
            outcomes.get(t.outcome or "", NOT_VISITED), content,
        ))  # fmt: skip
    return out


def _safe(cell: object) -> object:
    # CSV only: a cell starting with =, +, - or @ would be a formula in a spreadsheet (CSV
    # injection). Control characters are dropped (old rows may hold them).
    if isinstance(cell, str):
        cell = CONTROL.sub("", cell)
        if cell[:1] in ("=", "+", "-", "@"):
            return "'" + cell
    return cell


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_safe(c) for c in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], title: str) -> bytes:
    """Every text cell written as an explicit string (never a formula, so no `'` guard is
    needed), without the control characters a spreadsheet refuses."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])

    def cell(value: object) -> object:
        if not isinstance(value, str):
            return value
        c = WriteOnlyCell(sheet, value=CONTROL.sub("", value))
        c.data_type = "s"  # text as written, even "=1+1"
        return c

    sheet.append([cell(h) for h in header])
    for row in rows:
        sheet.append([cell(c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    return to_csv(C.TEMPLATE_HEADER, [])
