"""Every row of a list checked: the resident number, the dong, the indicator values, the lengths,
and duplicates within the file (the later line is the one reported). A bad row becomes one or
more problems (line, column, reason) and is not imported; a reason never repeats a resident
number — cell values are shown only when short and free of long digit runs."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dolbom.plugins.api import DongInfo, Rrn, RrnError, parse_resident_number
from dolbom_blindspots import columns as C

_DIGITS = re.compile(r"\d{6}")
_PHONE = re.compile(r"[0-9+\-() ]{7,20}")
_RRN_SHAPED = re.compile(r"\d{6}\s*-?\s*\d{7}")
# C0 control characters (and DEL) but tab, line feed and carriage return: never meant in a
# cell, refused by spreadsheets (the XLSX export) and by PostgreSQL (NUL).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class GoodRow:
    line: int
    national_key: str
    name: str
    rrn: Rrn
    address: str
    phone: str | None
    dong_code: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str | None
    reason: str


@dataclass
class Checked:
    good: list[GoodRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0

    @property
    def bad_lines(self) -> int:
        return len({p.line for p in self.problems})


class DongResolver:
    """A dong by its code, its name, or "구 동" where a name occurs in two gu (대전 중앙동)."""

    def __init__(self, dongs: Iterable[DongInfo]) -> None:
        self.codes = {d.code for d in dongs}
        self.names: dict[str, set[str]] = {}
        for d in dongs:
            for name in (d.name, f"{d.gu} {d.name}", f"{d.gu}{d.name}"):
                self.names.setdefault(_squash(name), set()).add(d.code)

    def resolve(self, value: str) -> tuple[str | None, str | None]:
        """(code, None) or (None, reason)."""
        if value in self.codes:
            return value, None
        found = self.names.get(_squash(value), set())
        if len(found) == 1:
            return next(iter(found)), None
        if len(found) > 1:
            return (
                None,
                f"'{shown(value)}'은 여러 구에 있는 동 이름입니다. '구 동'(예: 동구 중앙동)으로 쓰세요",
            )
        return None, f"'{shown(value)}'은 이 기관의 현재 행정동이 아닙니다" if shown(value) else "이 기관의 현재 행정동이 아닙니다"  # fmt: skip


def _squash(text: str) -> str:
    return "".join(text.split())


def shown(value: Any) -> str:
    """A cell's value fit to repeat in a reason: short, and never a number that could be
    someone's resident number."""
    text = "" if value is None else clean(str(value))
    if len(text) > 20 or _DIGITS.search(text):
        return ""
    return text


def _without_numbers(message: str) -> str:
    # The core's message carries an example number ("예: 780101-…"): a report keeps none.
    message = re.sub(r"\s*\(예:[^)]*\)", "", message)
    return re.sub(r"\d{6}-?\d{7}", "…", message)


class NotANumber(ValueError):
    """A spreadsheet number cell that is not a finite number (NaN, INF, 1E400)."""


def clean(text: str) -> str:
    """Control characters removed, runs of spaces (also line breaks) made one."""
    return " ".join(CONTROL.sub("", text).split())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotANumber
        if value.is_integer():
            value = int(value)
    return clean(str(value))


def _rrn_text(value: Any) -> str:
    # A spreadsheet may hold the number as a number: its leading zero (born 2000–2009) is lost.
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise NotANumber
        return str(int(value)).zfill(13)
    return _text(value)


def check_row(line: int, row: dict[str, Any], dongs: DongResolver) -> tuple[GoodRow | None, list[RowProblem]]:  # fmt: skip
    problems: list[RowProblem] = []

    def bad(column: str, reason: str) -> None:
        problems.append(RowProblem(line, column, reason))

    @contextmanager
    def cell(column: str) -> Iterator[None]:
        # Whatever a cell holds, a surprise in it is that cell's problem, not the list's.
        try:
            yield
        except NotANumber:
            bad(column, "숫자 칸의 값이 올바른 숫자가 아닙니다 (NaN·무한대)")
        except Exception:
            bad(column, "이 칸의 값을 읽을 수 없습니다")

    values: dict[str, str] = {}
    for column in (C.KEY, C.NAME, C.ADDRESS):
        with cell(column):
            text = _text(row.get(column))
            if not text:
                bad(column, "비어 있습니다")
            elif len(text) > C.MAX_LENGTHS[column]:
                bad(column, f"{C.MAX_LENGTHS[column]}자를 넘습니다 ({len(text)}자)")
            values[column] = text
    rrn: Rrn | None = None
    with cell(C.RRN):
        raw_rrn = _rrn_text(row.get(C.RRN))
        if not raw_rrn:
            bad(C.RRN, "비어 있습니다")
        else:
            try:
                rrn = parse_resident_number(raw_rrn)
            except RrnError as exc:
                bad(C.RRN, _without_numbers(str(exc)))
    dong_code: str | None = None
    with cell(C.DONG):
        dong = _text(row.get(C.DONG))
        if not dong:
            bad(C.DONG, "비어 있습니다")
        else:
            dong_code, reason = dongs.resolve(dong)
            if reason:
                bad(C.DONG, reason)
    phone: str | None = None
    with cell(C.PHONE):
        phone = _text(row.get(C.PHONE)) or None
        if phone and (_RRN_SHAPED.search(phone) or sum(ch.isdecimal() for ch in phone) >= 13):
            bad(C.PHONE, "주민등록번호 형태의 값입니다. 연락처 칸에는 전화번호만 적으세요")
        elif phone and not _PHONE.fullmatch(phone):
            bad(C.PHONE, "전화번호 형식이 아닙니다 (숫자와 - 로 7~20자)")
    flagged = []
    for indicator in C.INDICATORS:
        with cell(indicator.header):
            value = C.flag(row.get(indicator.header))
            if value is None:
                v = shown(row.get(indicator.header))
                bad(indicator.header, (f"'{v}'는 " if v else "") + "Y/N 또는 1/0이어야 합니다")
            elif value:
                flagged.append(indicator.key)
    if problems or rrn is None or dong_code is None or len(values) < 3:
        return None, problems
    return GoodRow(line, values[C.KEY], values[C.NAME], rrn, values[C.ADDRESS], phone, dong_code,
                   tuple(flagged)), []  # fmt: skip


def check_rows(rows: Iterator[tuple[int, dict[str, Any]]], dongs: DongResolver, *,
               progress: Callable[[int], None] | None = None) -> Checked:  # fmt: skip
    """All rows; duplicates (same resident number, or same 관리번호) among the good ones are
    reported on the later line and not imported."""
    out = Checked()
    by_rrn: dict[str, int] = {}
    by_key: dict[str, int] = {}
    for line, row in rows:
        out.rows += 1
        try:
            good, problems = check_row(line, row, dongs)
        except Exception:  # one row's surprise is that row's problem; the rest go on
            good, problems = None, [RowProblem(line, None, "이 행을 읽는 중 오류가 나서 가져오지 않았습니다")]  # fmt: skip
        if good is not None:
            first = by_rrn.get(good.rrn.canonical)
            if first is not None:
                problems = [RowProblem(line, C.RRN, f"같은 주민등록번호가 {first}번째 줄에 이미 있습니다 (중복)")]  # fmt: skip
            elif (first := by_key.get(good.national_key)) is not None:
                problems = [RowProblem(line, C.KEY, f"같은 관리번호가 {first}번째 줄에 이미 있습니다 (중복)")]  # fmt: skip
            else:
                by_rrn[good.rrn.canonical] = line
                by_key[good.national_key] = line
                out.good.append(good)
        out.problems += problems
        if progress and out.rows % 2000 == 0:
            progress(out.rows)
    return out
