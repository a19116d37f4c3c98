"""Synthetic blind-spot lists for the demo, the tests and the benchmark: made-up people with
well-formed resident numbers (birth dates 1935–1985, serial digits from the row number so
no two rows share one), the tenant's dongs, and indicators drawn with plausible frequencies.

`spoil` turns chosen rows bad in the ways real lists go wrong (a resident number with a wrong
date, an unknown dong, an indicator written "X", a resident number repeated from an earlier
line), one way per row, so a test knows exactly which lines the report must name."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterable, Sequence

from dolbom_blindspots import columns as C
from dolbom_blindspots.exporting import to_csv

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = ("민수", "영희", "순자", "영수", "정숙", "미경", "철수", "옥순", "상철", "말순", "동현",
         "춘자", "경호", "금순", "광수", "복남", "지훈", "은정", "태식", "명자")  # fmt: skip
STREETS = ("평화로", "효자로", "기린대로", "백제대로", "송천로", "팔달로", "한밭대로", "계룡로")
# How often each indicator is flagged (share of rows), roughly: utility cut-offs and insurance
# arrears are the common ones.
RATES = {"power_cut": .18, "water_cut": .10, "gas_cut": .12, "health_insurance": .35,
         "pension": .20, "livelihood_loss": .05, "facility_discharge": .03, "medical_cost": .08,
         "financial_arrears": .22, "rental_arrears": .07, "maintenance_fee": .12,
         "business_closure": .04, "head_death": .02, "disaster": .01,
         "industrial_accident": .02, "no_employment_insurance": .15}  # fmt: skip
SPOILS = ("rrn", "dong", "indicator", "duplicate")


def rrn_for(i: int, rnd: random.Random) -> str:
    birth = dt.date(1935, 1, 1) + dt.timedelta(days=rnd.randrange(0, 50 * 365))
    sex = rnd.choice("12")
    return f"{birth:%y%m%d}-{sex}{i % 1_000_000:06d}"


def make_rows(n: int, dongs: Sequence[str], *, seed: int = 1, start: int = 1,
              rrns: Sequence[str] | None = None) -> list[dict[str, str]]:  # fmt: skip
    """`n` good rows; `rrns` (optional) are used for the first rows, e.g. people already in the
    registry so that matches can be counted."""
    rnd = random.Random(seed)
    rows = []
    for k in range(n):
        i = start + k
        flags = {key for key, rate in RATES.items() if rnd.random() < rate}
        if not flags:
            flags.add(rnd.choice(list(RATES)))
        row = {
            C.KEY: f"SS{seed % 100:02d}-{i:07d}",
            C.NAME: rnd.choice(SURNAMES) + rnd.choice(GIVEN),
            C.RRN: rrns[k] if rrns and k < len(rrns) else rrn_for(i, rnd),
            C.ADDRESS: f"{rnd.choice(STREETS)} {rnd.randrange(1, 400)}, {rnd.randrange(1, 20)}0{rnd.randrange(1, 9)}호",
            C.DONG: dongs[rnd.randrange(len(dongs))],
            C.PHONE: f"010-{rnd.randrange(2000, 9999)}-{rnd.randrange(1000, 9999)}" if rnd.random() < .7 else "",
        }  # fmt: skip
        for ind in C.INDICATORS:
            row[ind.header] = rnd.choice(("Y", "1")) if ind.key in flags else rnd.choice(("N", "0"))
        rows.append(row)
    return rows


def spoil(rows: list[dict[str, str]], positions: Iterable[int]) -> dict[int, str]:
    """Make the rows at `positions` (0-based, each > 0) bad, cycling through SPOILS. Returns
    position → kind. A duplicate copies the resident number of the row before it."""
    kinds = {}
    for n, pos in enumerate(sorted(positions)):
        kind = SPOILS[n % len(SPOILS)]
        row = rows[pos]
        if kind == "rrn":
            row[C.RRN] = row[C.RRN][:2] + "1340" + row[C.RRN][6:]  # month 13
        elif kind == "dong":
            row[C.DONG] = "없는동"
        elif kind == "indicator":
            row[C.INDICATORS[n % len(C.INDICATORS)].header] = "X"
        else:
            row[C.RRN] = rows[pos - 1][C.RRN]
        kinds[pos] = kind
    return kinds


def _cells(rows: Iterable[dict[str, str]]) -> list[list[str]]:
    return [[r.get(h, "") for h in C.TEMPLATE_HEADER] for r in rows]


def to_bytes(rows: Sequence[dict[str, str]], kind: str) -> bytes:
    """The list as a file: "utf-8" (with BOM), "utf-8-plain", "cp949" or "xlsx"."""
    if kind == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("명단")
        sheet.append(list(C.TEMPLATE_HEADER))
        for cells in _cells(rows):
            sheet.append(cells)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    data = to_csv(C.TEMPLATE_HEADER, _cells(rows))  # UTF-8 with BOM
    if kind == "utf-8":
        return data
    text = data.decode("utf-8-sig")
    return text.encode("utf-8" if kind == "utf-8-plain" else "cp949")
