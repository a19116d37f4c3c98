"""Reading an uploaded list: what kind of file it is, its text encoding, its header, its rows.

The upload is checked at once (`check`): a file that is empty, too large, neither CSV nor XLSX,
neither UTF-8 nor CP949, or whose header is not the list's is refused with a message that says
why. The job then reads the rows (`rows`) of a file that passed. The encoding is detected, never
guessed: UTF-8 (with or without BOM) is tried strictly first, then CP949 strictly; a file that is
neither is refused, and the batch shows which one was read."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dolbom.plugins.api import sniff_upload
from dolbom_blindspots import columns as C

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 60_000
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and other compound files
ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "cp949": "CP949 (EUC-KR)"}


class FileRefused(ValueError):
    """Why an upload cannot be taken, in Korean for the file field."""


@dataclass(frozen=True)
class Sniffed:
    kind: str  # csv / xlsx
    encoding: str | None  # for csv: utf-8, utf-8-sig or cp949


def sniff(data: bytes) -> Sniffed:
    if not data or not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FileRefused("빈 파일입니다. 명단 파일을 고르세요.")
    if len(data) > MAX_BYTES:
        raise FileRefused(f"파일이 너무 큽니다 ({len(data) / 1048576:.1f}MB). {MAX_BYTES // 1048576}MB까지 올릴 수 있습니다.")  # fmt: skip
    if data[:4] == b"PK\x03\x04":
        return Sniffed("xlsx", None)
    if data[:8] == OLE:
        raise FileRefused("엑셀 97-2003 형식(.xls)은 받지 않습니다. 엑셀에서 XLSX 또는 CSV로 저장해 올리세요.")  # fmt: skip
    proven = sniff_upload(data[:16])
    if proven is not None or b"\x00" in data[:4096]:
        raise FileRefused("CSV나 XLSX 파일이 아닙니다. 사회보장정보시스템에서 받은 명단을 CSV 또는 XLSX로 올리세요.")  # fmt: skip
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    for candidate in (encoding, "cp949"):
        try:
            data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return Sniffed("csv", candidate)
    raise FileRefused("글자 인코딩을 알 수 없습니다. UTF-8 또는 CP949(EUC-KR)로 저장한 CSV만 받습니다.")  # fmt: skip


def _csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each record; `line` is where the record starts in the file."""
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileRefused(f"{start}번째 줄부터 CSV로 읽을 수 없습니다 ({exc}).") from exc


def _open_sheet(data: bytes):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused("XLSX 파일을 열 수 없습니다. 엑셀에서 다시 저장해 올리세요.") from exc
    if not book.worksheets:
        book.close()
        raise FileRefused("XLSX 파일에 시트가 없습니다.")
    return book, book.worksheets[0]


def _xlsx_records(data: bytes, sizes: list[int] | None = None) -> Iterator[tuple[int, list[Any]]]:
    book, sheet = _open_sheet(data)
    try:
        if sizes is not None:
            sizes.append(max(1, (sheet.max_row or 2) - 1))
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        book.close()


def records(data: bytes, sniffed: Sniffed) -> Iterator[tuple[int, list[Any]]]:
    if sniffed.kind == "xlsx":
        return _xlsx_records(data)
    return _csv_records(data.decode(sniffed.encoding or "utf-8"))


def _blank(cells: list[Any]) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


def header_problem(header: list[Any]) -> str | None:
    """What is wrong with a header row, naming the columns; None when it is the list's."""
    names = [C.clean_header(c) for c in header]
    while names and not names[-1]:
        names.pop()
    problems = []
    missing = [c for c in C.REQUIRED if c not in names]
    unknown = [n for n in names if n and n not in C.KNOWN]
    doubled = sorted({n for n in names if n and names.count(n) > 1})
    unnamed = [str(i) for i, n in enumerate(names, start=1) if not n]
    if missing:
        problems.append("없는 열: " + ", ".join(missing))
    if unknown:
        problems.append("알 수 없는 열: " + ", ".join(u[:30] for u in unknown[:10]))
    if doubled:
        problems.append("두 번 나온 열: " + ", ".join(doubled))
    if unnamed:
        problems.append("이름 없는 열: " + ", ".join(unnamed[:10]) + "번째")
    if not problems:
        return None
    return "머리글(첫 줄)이 명단 양식과 다릅니다 — " + "; ".join(problems) + ". 양식 파일의 열 이름을 그대로 쓰세요."  # fmt: skip


def check(data: bytes) -> tuple[Sniffed, int]:
    """The upload-time check: kind, encoding, header and at least one data row. Returns the
    kind and about how many data rows the file holds (for the progress bar)."""
    sniffed = sniff(data)
    sizes: list[int] = []
    if sniffed.kind == "xlsx":
        it = _xlsx_records(data, sizes)
    else:
        it = records(data, sniffed)
        sizes.append(max(1, data.count(b"\n")))
    first = next((r for r in it if not _blank(r[1])), None)
    if first is None:
        raise FileRefused("빈 파일입니다. 머리글과 명단이 있는 파일을 올리세요.")
    problem = header_problem(first[1])
    if problem:
        raise FileRefused(problem)
    if next((r for r in it if not _blank(r[1])), None) is None:
        raise FileRefused("머리글만 있고 명단이 없습니다.")
    it.close()  # type: ignore[attr-defined]  # the workbook, at once
    return sniffed, sizes[0]


def rows(data: bytes, sniffed: Sniffed) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, {header: cell}) of each non-blank data row of a file that passed `check`."""
    it = records(data, sniffed)
    header: list[str] | None = None
    count = 0
    for line, cells in it:
        if _blank(cells):
            continue
        if header is None:
            header = [C.clean_header(c) for c in cells]
            continue
        count += 1
        if count > MAX_ROWS:
            raise FileRefused(f"명단이 {MAX_ROWS:,}줄을 넘습니다. 나누어 올리세요.")
        yield line, {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(header) if h}
