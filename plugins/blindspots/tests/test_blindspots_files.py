"""Files that once lost rows or aborted a whole import: a quote left open, NUL bytes, spreadsheet
numbers that are not numbers, a broken sheet, a cell nobody foresaw, control characters, a
header row that is really a person, a resident number in the phone column, the same file twice.
Each is refused at the file field or reported on its line; nothing vanishes without a report."""

from __future__ import annotations

import io
import re
import zipfile

import sqlalchemy as sa
from blindspots_testkit import (
    HX,
    dongs,
    jeonju,  # noqa: F401  (fixture)
    latest_batch,
    run_worker,
    upload,
    url,
)
from openpyxl import load_workbook

from dolbom import db
from dolbom_blindspots import columns as C
from dolbom_blindspots import importing, synthetic
from dolbom_blindspots.models import Batch, Problem, Task, Upload
from dolbom_blindspots.validate import DongResolver, check_rows
from tests.fixtures import csrf_from

HEADER = ",".join(C.TEMPLATE_HEADER)


def line(key: str, name: str = "김민수", rrn: str = "780101-1234567", phone: str = "") -> str:
    return ",".join([key, name, rrn, "평화로 1", "평화1동", phone] + ["N"] * 16)


def rrn(i: int) -> str:
    return f"780101-1{i:06d}"


def refused(client, slug: str, data: bytes, name: str = "명단.csv") -> str:  # type: ignore[no-untyped-def]
    r = upload(client, slug, data, name, headers=HX)
    assert r.status_code == 422, r.text
    return r.text.split('data-testid="file-error">')[1].split("</p>")[0]


def problems(slug: str, batch_id: int) -> dict[tuple[int, str | None], str]:
    with db.tenant_session(slug) as s:
        rows = s.scalars(sa.select(Problem).where(Problem.batch_id == batch_id))
        return {(p.line, p.column): p.reason for p in rows}


def test_an_unclosed_quote_is_refused_with_its_line(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    lines = [HEADER] + [line(f"K{i}", '"김민수' if i == 5 else "김민수", rrn(i)) for i in range(1, 400)]  # fmt: skip
    message = refused(c, slug, ("\n".join(lines) + "\n").encode())
    assert "6번째 줄의 따옴표" in message  # the header is line 1
    # A quote closed far below: the "cell" swallows many rows — refused, not one long name.
    lines[5] = line("K5", "김민수", rrn(5))
    lines[6] = line("K6", '"김민수', rrn(6))  # file line 7 opens a quote…
    lines[30] = line("K30", '"', rrn(30))  # …that line 31 closes
    assert "7번째 줄의 따옴표" in refused(c, slug, ("\n".join(lines) + "\n").encode())
    assert latest_batch(slug) is None
    # A quoted address on two lines is fine, and the lines after it keep their numbers.
    good = [HEADER, line("A1", rrn=rrn(1)).replace("평화로 1", '"평화로 1\n2층"'),
            line("A2", rrn="991301-1234567")]  # fmt: skip
    assert upload(c, slug, ("\n".join(good) + "\n").encode()).status_code == 303
    run_worker()
    batch = latest_batch(slug)
    assert (batch.imported_count, batch.bad_count) == (1, 1)
    assert list(problems(slug, batch.id)) == [(4, C.RRN)]


def test_nul_anywhere_is_refused_at_upload(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    lines = [HEADER] + [line(f"K{i}", rrn=rrn(i)) for i in range(1, 100)] + [line("KNUL", "김\x00수", rrn(999))]  # fmt: skip
    data = ("\n".join(lines) + "\n").encode()
    assert data.index(b"\x00") > 4096
    assert "101번째 줄에 NUL" in refused(c, slug, data)
    assert latest_batch(slug) is None


def _book(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, member: str, change) -> bytes:  # type: ignore[no-untyped-def]
    zin, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            zout.writestr(info, change(body) if info.filename == member else body)
    return out.getvalue()


def _xlsx_rows() -> list[list[object]]:
    person = ["평화로 1", "평화1동", None]
    return [list(C.TEMPLATE_HEADER),
            ["K1", "김일", 7801011000001, *person, *[0] * 16],
            ["K2", "김이", 7801011000002, *person, *[0] * 16],
            ["K3", "김삼", 7801011000003, *person, *[0] * 16],
            ["K4", "김사", 7801011000004, *person, 1, *[0] * 15]]  # fmt: skip


def test_spreadsheet_numbers_that_are_not_numbers_are_row_problems(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    sheet = "xl/worksheets/sheet1.xml"
    data = _rewrite(_book(_xlsx_rows()), sheet, lambda b: b.replace(b"<v>7801011000002</v>", b"<v>NaN</v>")
                    .replace(b"<v>7801011000003</v>", b"<v>1E400</v>"))  # fmt: skip
    data = _rewrite(
        data, sheet, lambda b: re.sub(rb'(<c r="G5"[^>]*>)<v>1</v>', rb"\1<v>INF</v>", b)
    )
    assert upload(c, slug, data, "명단.xlsx").status_code == 303
    run_worker()
    batch = latest_batch(slug)
    assert (batch.status, batch.imported_count, batch.bad_count) == ("imported", 1, 3)
    got = problems(slug, batch.id)
    assert set(got) == {(3, C.RRN), (4, C.RRN), (5, C.INDICATORS[0].header)}
    assert got[(3, C.RRN)] == "주민등록번호는 숫자 13자리입니다"  # "NaN" read as its text
    assert "올바른 숫자가 아닙니다" in got[(4, C.RRN)]  # 1E400: infinite


def test_a_broken_sheet_is_refused_at_upload_and_fails_the_job_clearly(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    good = _book(_xlsx_rows())
    broken = _rewrite(good, "xl/worksheets/sheet1.xml", lambda b: b[: len(b) * 3 // 4])
    assert "XLSX 파일의" in refused(c, slug, broken, "명단.xlsx")
    assert latest_batch(slug) is None
    # Stored anyway (a file that passed an older check): the job fails with the reason.
    with db.tenant_transaction(slug) as s:
        batch = Batch(label="깨진 시트", file_name="명단.xlsx", file_kind="xlsx", size_bytes=len(broken),
                      sha256="0" * 64, status="queued", uploaded_by=0, uploaded_at=importing._utcnow())  # fmt: skip
        s.add(batch)
        s.flush()
        s.add(Upload(batch_id=batch.id, content=importing.seal_upload(slug, batch.id, broken)))
        batch_id = batch.id
    assert importing.run_import(slug, batch_id) == {"status": "failed"}
    failed = latest_batch(slug)
    assert (
        failed.status == "failed" and "XLSX 파일의" in failed.message and "손상" in failed.message
    )


class Surprise:
    def __str__(self) -> str:
        raise RuntimeError("no text")


def test_an_unforeseen_cell_is_that_rows_problem(jeonju):  # noqa: F811
    rows = synthetic.make_rows(5, dongs(jeonju), seed=4)
    rows[2][C.ADDRESS] = Surprise()  # type: ignore[assignment]
    from dolbom.plugins.api import current_dongs

    with db.tenant_session(jeonju) as s:
        resolver = DongResolver(current_dongs(s))
    checked = check_rows(iter(enumerate(rows, start=2)), resolver)
    assert len(checked.good) == 4
    assert [(p.line, p.column) for p in checked.problems] == [(4, C.ADDRESS)]


def test_control_characters_are_dropped_and_the_xlsx_export_works(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    lines = [HEADER, line("K\x011", "김\x07민수", rrn(1)), line("K2", rrn=rrn(2))]
    assert upload(c, slug, ("\n".join(lines) + "\n").encode()).status_code == 303
    run_worker()
    with db.tenant_session(slug) as s:
        tasks = {t.national_key: t for t in s.scalars(sa.select(Task))}
    assert set(tasks) == {"K1", "K2"} and tasks["K1"].name == "김민수"
    page = c.get(url(slug, f"/tasks/{tasks['K2'].id}"))
    r = c.post(url(slug, f"/tasks/{tasks['K2'].id}"), headers=HX,
               data={"csrf_token": csrf_from(page.text), "lock_version": "1", "outcome": "no_need",
                     "visited_on": "2026-01-02", "note": "=방문\x07 상담"})  # fmt: skip
    assert r.status_code == 200
    batch = latest_batch(slug)
    form = c.get(url(slug, f"/batches/{batch.id}/export.xlsx"))
    xlsx = c.post(url(slug, f"/batches/{batch.id}/export.xlsx"),
                  data={"csrf_token": csrf_from(form.text), "reason": "회신"})  # fmt: skip
    assert xlsx.status_code == 200
    cells = [r for r in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True)]
    assert ("K2", "평화1동", "2026-01-02", "불필요", "=방문 상담") in cells  # text, no ' shown
    csv_file = c.post(url(slug, f"/batches/{batch.id}/export.csv"),
                      data={"csrf_token": csrf_from(form.text), "reason": "회신"})  # fmt: skip
    assert "'=방문 상담" in csv_file.data.decode("utf-8-sig")  # the CSV keeps its formula guard


def test_a_header_refusal_never_echoes_a_person(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    no_header = "\n".join([line("K1", "홍길동", "780101-1234567", "010-1234-5678"), line("K2", rrn=rrn(2))])  # fmt: skip
    message = refused(c, slug, no_header.encode())
    assert "알 수 없는 열" in message and "3번째 열" in message
    assert "780101" not in message and "1234567" not in message


def test_a_resident_number_in_the_phone_column_is_refused_without_echo(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    lines = [HEADER, line("K1", rrn=rrn(1), phone="780101-2345678"), line("K2", rrn=rrn(2), phone="7801012345678"),
             line("K3", rrn=rrn(3), phone="010-1234-5678")]  # fmt: skip
    assert upload(c, slug, ("\n".join(lines) + "\n").encode()).status_code == 303
    run_worker()
    batch = latest_batch(slug)
    got = problems(slug, batch.id)
    assert set(got) == {(2, C.PHONE), (3, C.PHONE)} and batch.imported_count == 1
    assert all("주민등록번호 형태" in r and not re.search(r"\d{6}", r) for r in got.values())


def test_the_same_file_twice_is_refused_until_the_first_is_discarded(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    data = ("\n".join([HEADER, line("K1", rrn=rrn(1)), line("K2", rrn=rrn(2))]) + "\n").encode()
    assert upload(c, slug, data).status_code == 303
    first = latest_batch(slug)
    message = refused(c, slug, data)
    assert "같은 파일을" in message and first.uploaded_at.strftime("%Y-") in message
    with db.tenant_session(slug) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Batch)) == 1
    page = c.get(url(slug, f"/batches/{first.id}"))
    r = c.post(url(slug, f"/batches/{first.id}/discard"), data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    assert upload(c, slug, data).status_code == 303  # a discarded list may come again
    run_worker()
    assert latest_batch(slug).imported_count == 2


def test_an_xlsx_list_is_counted_from_its_xml_and_a_too_long_one_refused(monkeypatch):
    from dolbom_blindspots import reading

    rows = _xlsx_rows()
    data = _book([*rows, [None] * len(rows[0])])  # a trailing blank row does not count
    sniffed, count = reading.check(data)
    assert (sniffed.kind, count) == ("xlsx", 4)
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    try:
        reading.check(data)
    except reading.FileRefused as exc:
        assert "나누어 올리세요" in str(exc)
    else:
        raise AssertionError("a list over the limit was taken")
