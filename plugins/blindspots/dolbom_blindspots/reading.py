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

from flask_babel import gettext as _

from dolbom.plugins.api import sniff_upload
from dolbom_blindspots import columns as C
from dolbom_blindspots.validate import shown

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 60_000
# A quoted cell may hold a line break (an address written on two lines), but no column of the
# list is longer than 200 characters: a "cell" running over more lines or characters is a
# quote left open that swallowed the rows after it — refused, never read as one long cell.
MAX_RECORD_LINES = 5
MAX_CELL = max(C.MAX_LENGTHS.values())
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
        raise FileRefused(_("빈 파일입니다. 명단 파일을 고르세요."))
    if len(data) > MAX_BYTES:
        raise FileRefused(_("파일이 너무 큽니다 (%(size)sMB). %(max)dMB까지 올릴 수 있습니다.", size=f"{len(data) / 1048576:.1f}", max=MAX_BYTES // 1048576))  # fmt: skip
    if data[:4] == b"PK\x03\x04":
        return Sniffed("xlsx", None)
    if data[:8] == OLE:
        raise FileRefused(_("엑셀 97-2003 형식(.xls)은 받지 않습니다. 엑셀에서 XLSX 또는 CSV로 저장해 올리세요."))  # fmt: skip
    proven = sniff_upload(data[:16])
    if proven is not None or b"\x00" in data[:4096]:
        raise FileRefused(_("CSV나 XLSX 파일이 아닙니다. 사회보장정보시스템에서 받은 명단을 CSV 또는 XLSX로 올리세요."))  # fmt: skip
    nul = data.find(b"\x00")
    if nul >= 0:  # a text file never holds one; the database would refuse it later
        raise FileRefused(_("%(line)s번째 줄에 NUL 문자(\\0)가 있습니다. 파일이 손상되었을 수 있습니다. 엑셀에서 CSV로 다시 저장해 올리세요.", line=data.count(b"\n", 0, nul) + 1))  # fmt: skip
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    for candidate in (encoding, "cp949"):
        try:
            data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return Sniffed("csv", candidate)
    raise FileRefused(_("글자 인코딩을 알 수 없습니다. UTF-8 또는 CP949(EUC-KR)로 저장한 CSV만 받습니다."))  # fmt: skip


def _csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each record; `line` is where the record starts in the file."""
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    # strict: a quote left open is an error, not a cell that silently swallows the rest.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for cells in reader:
            end = reader.line_num
            if end - start + 1 > MAX_RECORD_LINES or (
                end > start and any(len(c) > MAX_CELL for c in cells)
            ):
                raise FileRefused(_unclosed(start))
            yield start, cells
            start = end + 1
    except csv.Error as exc:
        raise FileRefused(_unclosed(start)) from exc


def _unclosed(line: int) -> str:
    return _("%(line)s번째 줄의 따옴표(\")가 닫히지 않아 그 뒤의 줄을 읽을 수 없습니다. 따옴표를 고치거나 지우고 다시 올리세요.", line=line)  # fmt: skip


def _open_sheet(data: bytes):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused(_("XLSX 파일을 열 수 없습니다. 엑셀에서 다시 저장해 올리세요.")) from exc
    if not book.worksheets:
        book.close()
        raise FileRefused(_("XLSX 파일에 시트가 없습니다."))
    return book, book.worksheets[0]


def _tolerant_parser():  # type: ignore[no-untyped-def]
    """openpyxl's sheet parser, but a cell it cannot convert (a number cell holding "NaN" or
    "INF", a bad shared-string index) is read as its text: the row check then reports that
    cell, instead of the whole sheet stopping at it. (openpyxl's reader is private API: pinned
    by the tests of this module.)"""
    from openpyxl.worksheet._reader import WorkSheetParser

    class Tolerant(WorkSheetParser):
        def parse_cell(self, element):  # type: ignore[no-untyped-def]
            counter = self.col_counter
            try:
                return super().parse_cell(element)
            except (ValueError, IndexError, OverflowError, TypeError):
                self.col_counter = counter
                element.set("t", "str")
                return super().parse_cell(element)

    return Tolerant


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    book, sheet = _open_sheet(data)
    number = 0
    try:
        with sheet._get_source() as src:
            parser = _tolerant_parser()(
                src, sheet._shared_strings, data_only=True, epoch=book.epoch,
                date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
            )  # fmt: skip
            rows = parser.parse()
            while True:
                try:
                    number, cells = next(rows)
                except StopIteration:
                    return
                except Exception as exc:  # broken sheet XML
                    raise FileRefused(_("XLSX 파일의 %(row)s행 근처를 읽을 수 없습니다 (시트가 손상됨). 엑셀에서 다시 저장해 올리세요.", row=number + 1)) from exc  # fmt: skip
                values: list[Any] = [None] * max((c["column"] for c in cells), default=0)
                for c in cells:
                    values[c["column"] - 1] = c["value"]
                yield number, values
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
    # An unknown cell is named only if it is short and holds no number: a file without its
    # header row would otherwise echo someone's name or resident number.
    unknown = [shown(n) or _("%(n)d번째 열", n=i)
               for i, n in enumerate(names, start=1) if n and n not in C.KNOWN]  # fmt: skip
    doubled = sorted({n for n in names if n in C.KNOWN and names.count(n) > 1})
    unnamed = [str(i) for i, n in enumerate(names, start=1) if not n]
    if missing:
        problems.append(_("없는 열: %(cols)s", cols=", ".join(missing)))
    if unknown:
        problems.append(_("알 수 없는 열: %(cols)s", cols=", ".join(unknown[:10])))
    if doubled:
        problems.append(_("두 번 나온 열: %(cols)s", cols=", ".join(doubled)))
    if unnamed:
        problems.append(_("이름 없는 열: %(cols)s번째", cols=", ".join(unnamed[:10])))
    if not problems:
        return None
    return _("머리글(첫 줄)이 명단 양식과 다릅니다 — %(problems)s. 양식 파일의 열 이름을 그대로 쓰세요.",
             problems="; ".join(problems))  # fmt: skip


def check(data: bytes) -> tuple[Sniffed, int]:
    """The upload-time check: kind, encoding, header, at least one data row, and every record
    readable to the end. Returns the kind and how many data rows the file holds (for the
    progress bar)."""
    sniffed = sniff(data)
    it = records(data, sniffed)
    first = next((r for r in it if not _blank(r[1])), None)
    if first is None:
        raise FileRefused(_("빈 파일입니다. 머리글과 명단이 있는 파일을 올리세요."))
    problem = header_problem(first[1])
    if problem:
        raise FileRefused(problem)
    if next((r for r in it if not _blank(r[1])), None) is None:
        raise FileRefused(_("머리글만 있고 명단이 없습니다."))
    if sniffed.kind == "xlsx":
        it.close()  # type: ignore[attr-defined]
        return sniffed, _xlsx_row_count(data)
    # Read to the end: a quote left open or too many rows is refused now, beside the file
    # field, rather than failing the import later.
    count = 1
    for _line, cells in it:
        count += not _blank(cells)
        if count > MAX_ROWS:
            it.close()  # type: ignore[attr-defined]
            raise FileRefused(_too_many())
    return sniffed, count


def _first_sheet_path(z: zipfile.ZipFile) -> str:
    """The first sheet's part name, from the workbook and its relationships."""
    from xml.etree.ElementTree import fromstring

    book = fromstring(z.read("xl/workbook.xml"))
    sheet = next(el for el in book.iter() if el.tag.endswith("}sheet"))
    rid = next(v for k, v in sheet.attrib.items() if k.endswith("}id"))
    rels = fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = next(el.get("Target", "") for el in rels if el.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _xlsx_row_count(data: bytes) -> int:
    """The data rows of the first sheet, read as bare XML to the end: a damaged sheet or too
    many rows is refused at upload without converting every cell (openpyxl took seconds for
    20,000 rows). Converting is the job's work, and cell problems are row problems there."""
    from xml.etree.ElementTree import ParseError, iterparse

    rows, last = 0, 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z, z.open(_first_sheet_path(z)) as src:
            for _event, el in iterparse(src, events=("end",)):
                if el.tag.endswith("}row"):
                    last = int(el.get("r") or last + 1)
                    # A row with any value (<v> or an inline string) counts; styled blanks do not.
                    rows += any(child.tag.endswith(("}v", "}is")) for c in el for child in c)
                    el.clear()
                    if rows > MAX_ROWS + 1:
                        raise FileRefused(_too_many())
    except FileRefused:
        raise
    except (ParseError, ValueError, KeyError, StopIteration, zipfile.BadZipFile, OSError) as exc:
        raise FileRefused(_("XLSX 파일의 %(row)s행 근처를 읽을 수 없습니다 (시트가 손상됨). 엑셀에서 다시 저장해 올리세요.", row=last + 1)) from exc  # fmt: skip
    return max(rows - 1, 1)  # the header is not a data row


def _too_many() -> str:
    return _("명단이 %(n)s줄을 넘습니다. 나누어 올리세요.", n=f"{MAX_ROWS:,}")


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
            raise FileRefused(_too_many())
        yield line, {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(header) if h}
