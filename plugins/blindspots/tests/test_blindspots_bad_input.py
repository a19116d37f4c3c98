"""Malformed lists: refused at once with a message beside the file field (wrong columns, wrong
encoding, empty, not CSV/XLSX, too large, no rules), or imported with a report of the bad rows
(duplicates, invalid resident numbers, unknown dongs, bad indicator values) — never half."""

from __future__ import annotations

import re

import sqlalchemy as sa
from blindspots_testkit import (
    HX,
    dongs,
    jeonju,  # noqa: F401  (fixture)
    latest_batch,
    run_worker,
    small_file,
    switch_on,
    upload,
)

from dolbom import db
from dolbom.plugins.api import DongInfo, set_setting
from dolbom_blindspots import columns as C
from dolbom_blindspots import reading, synthetic
from dolbom_blindspots.models import Problem, Task
from dolbom_blindspots.validate import DongResolver, check_row


def refused(client, slug: str, data: bytes, name: str = "명단.csv") -> str:  # type: ignore[no-untyped-def]
    r = upload(client, slug, data, name, headers=HX)
    assert r.status_code == 422, r.text
    assert "<html" not in r.text  # the upload section only, swapped in place
    assert latest_batch(slug) is None  # nothing stored
    return r.text.split('data-testid="file-error">')[1].split("</p>")[0]


def test_files_refused_at_once(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    good, _rows, _ = small_file(slug, 3)
    text = good.decode("utf-8-sig")
    header, rest = text.split("\r\n", 1)

    wrong = header.replace(",단수,", ",단수여부,").replace(",재난,", ",") + ",비고"
    message = refused(c, slug, (wrong + "\r\n" + rest).encode())
    assert "없는 열: 단수, 재난" in message and "알 수 없는 열: 단수여부, 비고" in message
    assert "두 번 나온 열: 성명" in refused(c, slug, (header + ",성명\r\n" + rest).encode())
    assert "빈 파일" in refused(c, slug, b"")
    assert "빈 파일" in refused(c, slug, b"\xef\xbb\xbf\r\n\r\n")
    assert "머리글만" in refused(c, slug, (header + "\r\n").encode())
    assert "인코딩" in refused(c, slug, good + b"\xff\xff,\xff\r\n")  # neither UTF-8 nor CP949
    assert "CSV나 XLSX" in refused(c, slug, text.encode("utf-16"))
    assert "CSV나 XLSX" in refused(c, slug, b"%PDF-1.7\n" + b"x" * 100, "명단.pdf")
    assert "CSV나 XLSX" in refused(c, slug, b"\x89PNG\r\n\x1a\n" + b"x" * 100, "명단.png")
    assert ".xls" in refused(c, slug, reading.OLE + b"x" * 100, "명단.xls")
    assert "XLSX 파일을 열 수 없습니다" in refused(c, slug, b"PK\x03\x04broken", "명단.xlsx")
    assert "너무 큽니다" in refused(c, slug, good + b"," * (reading.MAX_BYTES + 1))
    r = upload(c, slug, b"", "", headers=HX)  # no file chosen at all
    assert r.status_code == 422 and "명단 파일을 고르세요" in r.text
    # A plain form post gets the whole page again, with the message at the field.
    r = upload(c, slug, wrong.encode(), "명단.csv")
    assert r.status_code == 422 and "<html" in r.text and "없는 열: 단수" in r.text


def test_without_published_rules_nothing_is_taken(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    with db.tenant_transaction(slug) as s:
        set_setting(s, "blindspots.rule_set", "no-such-rules")
    c = signed_in("coordinator", slug)
    assert "no-such-rules" in c.get(f"/{slug}/p/blindspots/").text
    good, _rows, _ = small_file(slug, 3)
    assert "no-such-rules" in refused(c, slug, good)


def test_cp949_and_bom_are_detected_and_shown(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    data, _rows, _ = small_file(slug, 5, kind="cp949")
    assert upload(c, slug, data).status_code == 303
    run_worker()
    batch = latest_batch(slug)
    assert (batch.status, batch.encoding, batch.imported_count) == ("imported", "cp949", 5)
    assert "CP949 (EUC-KR)" in c.get(f"/{slug}/p/blindspots/batches/{batch.id}").text


def test_bad_rows_are_reported_with_line_column_and_reason(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    rows = synthetic.make_rows(12, dongs(slug), seed=3)
    rows[1][C.RRN] = "123"  # line 3
    rows[2][C.RRN] = "991231-3123456"  # line 4: born 2099
    rows[3][C.DONG] = "없는동"  # line 5
    rows[4][C.INDICATORS[0].header] = "2"  # line 6
    rows[5][C.INDICATORS[1].header] = "4401011234567"  # line 7: a number that must not be echoed
    rows[6][C.RRN] = rows[0][C.RRN]  # line 8: a duplicate of line 2
    rows[7][C.KEY] = rows[0][C.KEY]  # line 9: the same national key
    rows[8][C.NAME] = ""  # line 10
    rows[9][C.PHONE] = "전화없음"  # line 11
    c = signed_in("coordinator", slug)
    assert upload(c, slug, synthetic.to_bytes(rows, "utf-8")).status_code == 303
    run_worker()
    batch = latest_batch(slug)
    assert (batch.status, batch.imported_count, batch.bad_count) == ("imported", 3, 9)
    with db.tenant_session(slug) as s:
        got = {(p.line, p.column): p.reason for p in s.scalars(sa.select(Problem))}
        assert s.scalar(sa.select(sa.func.count()).select_from(Task)) == 3
    assert got[(3, C.RRN)] == "주민등록번호는 숫자 13자리입니다"
    assert "오늘보다 뒤" in got[(4, C.RRN)]
    assert got[(5, C.DONG)] == "'없는동'은 이 기관의 현재 행정동이 아닙니다"
    assert got[(6, C.INDICATORS[0].header)] == "'2'는 Y/N 또는 1/0이어야 합니다"
    assert got[(7, C.INDICATORS[1].header)] == "Y/N 또는 1/0이어야 합니다"
    assert got[(8, C.RRN)] == "같은 주민등록번호가 2번째 줄에 이미 있습니다 (중복)"
    assert got[(9, C.KEY)] == "같은 관리번호가 2번째 줄에 이미 있습니다 (중복)"
    assert got[(10, C.NAME)] == "비어 있습니다"
    assert (11, C.PHONE) in got
    assert not any(re.search(r"\d{6}", r) for r in got.values())  # no resident number repeated


def test_dong_by_code_name_and_gu(pack_tenant):  # type: ignore[no-untyped-def]
    slug = switch_on(pack_tenant("daejeon", plugins=("blindspots",)), "daejeon")
    from dolbom.plugins.api import current_dongs

    with db.tenant_session(slug) as s:
        resolver = DongResolver(current_dongs(s))
    assert resolver.resolve("dunsan1") == ("dunsan1", None)
    assert resolver.resolve("둔산1동")[0] == "dunsan1"
    assert resolver.resolve("서구 둔산1동")[0] == "dunsan1"
    assert resolver.resolve("둔산 1동")[0] == "dunsan1"  # spaces do not matter
    # A name two gu share needs its gu (as 중앙동 in many cities).
    twice = DongResolver(
        [DongInfo("a-jungang", "중앙동", "동구"), DongInfo("b-jungang", "중앙동", "중구")]
    )
    code, reason = twice.resolve("중앙동")
    assert code is None and "여러 구" in (reason or "")
    assert twice.resolve("중구 중앙동") == ("b-jungang", None)
    row = dict(synthetic.make_rows(1, ["dunsan1"])[0])
    row[C.INDICATORS[2].header] = True  # spreadsheet booleans and numbers are read too
    row[C.RRN] = 4401011234567  # a number cell that lost its hyphen
    good, problems = check_row(2, row, resolver)
    assert problems == [] and good is not None and good.rrn.masked == "440101-1******"


def test_the_documented_sample_and_template_read_clean(jeonju):  # noqa: F811
    from pathlib import Path

    from dolbom.plugins.api import current_dongs
    from dolbom_blindspots.exporting import template_csv
    from dolbom_blindspots.validate import check_rows

    sample = (Path(__file__).parents[1] / "docs" / "sample.csv").read_bytes()
    sniffed, _estimate = reading.check(sample)
    with db.tenant_session(jeonju) as s:
        checked = check_rows(reading.rows(sample, sniffed), DongResolver(current_dongs(s)))
    assert (len(checked.good), checked.problems) == (3, [])
    assert reading.header_problem(template_csv().decode("utf-8-sig").strip().split(",")) is None
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert all(f"`{h}`" in readme for h in C.TEMPLATE_HEADER)  # every column documented
