"""CSV and XLSX of exactly what the comparison page shows: the same rows, the same order, the
same text in every cell (withheld values as "<5", "×" or "자료 없음")."""

from __future__ import annotations

import csv
import io

from dolbom.ministry import metrics
from dolbom.ministry.queries import BANDS, Table, city_row
from dolbom.tenancy.packs import PILOT_FIELDS


def header(table: Table) -> list[str]:
    return ["지자체", "지역", "선도 분야", "규모(65세 이상)"] + [
        metrics.label(k) + (f" ({metrics.ALL[k].unit})" if metrics.ALL[k].unit else "")
        for k in table.columns
    ]


def lines(table: Table) -> list[list[str]]:
    """The table as rows of text: the header, the cities, then the totals."""
    out = [header(table)]
    for c, values in table.rows:
        band = BANDS[c.band][0] if c.band else "—"
        out.append([c.name, c.region, PILOT_FIELDS.get(c.field or "", "—"), band]
                   + [city_row(values, k) for k in table.columns])  # fmt: skip
    for label, values in table.totals:
        out.append([label, "", "", ""] + [city_row(values, k) for k in table.columns])
    return out


def csv_bytes(table: Table) -> tuple[bytes, str]:
    buf = io.StringIO()
    csv.writer(buf).writerows(lines(table))
    # UTF-8 with BOM: Excel in Korea opens it without mangling Hangul.
    return ("\ufeff" + buf.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"


def xlsx_bytes(table: Table) -> tuple[bytes, str]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{table.filters.month:%Y-%m}"
    for row in lines(table):
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    buf = io.BytesIO()
    wb.save(buf)
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return buf.getvalue(), mime
