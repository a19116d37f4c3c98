"""The people registry: resident numbers read, encrypted and indexed; application with a
duplicate check; masked display and logged, reasoned unmasking; nothing in plaintext."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from dolbom import db, kv
from dolbom.audit.access import AccessLog
from dolbom.cases.models import Case
from dolbom.people import pii
from dolbom.people.models import Person
from dolbom.people.rrn import RrnError, mask, parse_rrn
from tests.fixtures import csrf_from
from tests.test_forms_fill import HX

TODAY = dt.date(2026, 11, 24)
# With the dash: hex digests never contain one, so this finds numbers, not hashes.
RRN_PATTERN = re.compile(r"\d{6}-[1-8]\d{6}")


@given(st.dates(dt.date(1900, 1, 1), TODAY), st.sampled_from("12345678"), st.integers(0, 999_999))
@settings(max_examples=200, deadline=None, derandomize=True, database=None)
def test_birth_date_and_sex_come_from_the_number(birth, first, rest):
    digit = (
        first if birth.year < 2000 else str(int(first) + 2 if int(first) in (1, 2, 5, 6) else first)
    )
    if (birth.year >= 2000) != (digit in "3478"):
        return
    text = f"{birth:%y%m%d}-{digit}{rest:06d}"
    rrn = parse_rrn(text, today=TODAY)
    assert rrn.birth_date == birth
    assert rrn.sex == ("남" if digit in "1357" else "여")
    assert rrn.masked == text[:8] + "******" == mask(rrn.canonical)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("780101-123456", "숫자 13자리"),
        ("78010112345678", "숫자 13자리"),
        ("ab0101-1234567", "숫자 13자리"),
        ("780230-1234567", "올바른 생년월일이 아닙니다"),
        ("301231-3234567", "생년월일이 오늘보다 뒤입니다"),
    ],
)
def test_malformed_numbers_are_refused_in_korean(text, message):
    with pytest.raises(RrnError, match=message):
        parse_rrn(text, today=TODAY)


def test_encryption_is_bound_to_the_tenant_and_indexes_differ_per_tenant():
    c = pii.cipher()
    a, b = c.encrypt("jeonju", "780101-1234567"), c.encrypt("jeonju", "780101-1234567")
    assert a != b and b"780101" not in a  # a new nonce every time, nothing readable
    assert c.decrypt("jeonju", a) == "780101-1234567"
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        c.decrypt("daejeon", a)
    assert c.blind_index("jeonju", "780101-1234567") == c.blind_index("jeonju", "780101-1234567")
    assert c.blind_index("jeonju", "780101-1234567") != c.blind_index("daejeon", "780101-1234567")


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def intake(client, slug: str, **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(f"/{slug}/cases/new").text)
    data = {"csrf_token": token, "name": "김영숙", "rrn": "450315-2123456", "dong_code": "pyeonghwa1",
            "source": "본인", "lives_alone": "true", **fields}  # fmt: skip
    return client.post(f"/{slug}/cases/new", data=data)


def test_application_registers_encrypted_and_finds_duplicates(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    first = intake(worker, jeonju)
    assert first.status_code == 303
    with db.tenant_session(jeonju) as s:
        p = s.scalar(sa.select(Person).where(Person.name == "김영숙"))
        assert (p.birth_date, p.sex, p.rrn_masked) == (dt.date(1945, 3, 15), "여", "450315-2******")
        assert b"450315" not in p.rrn_cipher and p.rrn_index and len(p.rrn_index) == 64
    page = worker.get(first.headers["Location"]).text
    assert "450315-2******" in page and "450315-2123456" not in page
    # The same number again: offered as a duplicate, nothing created yet.
    again = intake(worker, jeonju, name="김영숙")
    assert again.status_code == 200 and 'data-testid="duplicates"' in again.text
    assert 'value="450315-2123456"' in again.text  # the entry is kept for the next step
    with db.tenant_session(jeonju) as s:
        assert (
            s.scalar(sa.select(sa.func.count()).select_from(Person).where(Person.name == "김영숙"))
            == 1
        )
        shown = s.scalar(
            sa.select(sa.func.count()).select_from(AccessLog).where(AccessLog.detail == "중복 확인")
        )
        assert shown == 1
    # Chosen: a second case for the same person.
    chosen = intake(worker, jeonju, person_id=str(p.id))
    assert chosen.status_code == 303
    # Same name and birth date, another number: still a candidate; "another person" registers.
    other = intake(worker, jeonju, rrn="450315-2765432")
    assert 'data-testid="duplicates"' in other.text
    assert intake(worker, jeonju, rrn="450315-2765432", confirm_new="1").status_code == 303
    with db.tenant_session(jeonju) as s:
        assert (
            s.scalar(sa.select(sa.func.count()).select_from(Person).where(Person.name == "김영숙"))
            == 2
        )
        assert (
            s.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.person_id == p.id))
            == 2
        )


def test_application_bad_input_is_shown_at_the_fields(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    r = intake(worker, jeonju, name="", rrn="450230-2123456", dong_code="jungang", phone="12345",
               source="직권", household_size="3")  # fmt: skip
    assert r.status_code == 422
    text = html.unescape(r.text)
    for message in ("이름을 적으세요", "올바른 생년월일이 아닙니다", "담당하는 동에서 고르세요",
                    "전화번호 형식이 아닙니다", "직권 신청은 사유가 있어야 합니다",
                    "혼자 사신다면 가구원 수는 1명입니다"):  # fmt: skip
        assert message in text, message
    assert 'value="450230-2123456"' in r.text  # nothing typed is lost
    ok = intake(worker, jeonju, source="직권", initiative_reason="crisis", source_note="단전 통보")
    assert ok.status_code == 303
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(Case.source_note).order_by(Case.id.desc()).limit(1)) == (
            "긴급복지지원법상 위기 상황 — 단전 통보"
        )


def test_unmasking_needs_a_reason_and_is_logged(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_url = intake(worker, jeonju).headers["Location"]
    case_id = int(case_url.rstrip("/").split("/")[-1])
    token = csrf_from(worker.get(case_url).text)
    no_reason = worker.post(f"{case_url}/rrn", data={"csrf_token": token, "reason": ""}, headers=HX)
    assert no_reason.status_code == 422 and "열람 사유를 2~150자로 적으세요" in no_reason.text
    shown = worker.post(
        f"{case_url}/rrn", data={"csrf_token": token, "reason": "건강보험 자격 조회"}, headers=HX
    )
    assert shown.status_code == 200 and "450315-2123456" in shown.text
    with db.tenant_session(jeonju) as s:
        details = list(
            s.scalars(sa.select(AccessLog.detail).where(AccessLog.subject_type == "person"))
        )
        assert "주민등록번호 열람: 건강보험 자격 조회" in details
    admin = signed_in("city_admin", jeonju)
    assert admin.post(f"/{jeonju}/cases/{case_id}/rrn", data={"csrf_token": csrf_from(admin.get(case_url).text),
                                                              "reason": "궁금함"}).status_code == 403  # fmt: skip


def test_no_resident_number_in_plaintext_anywhere(jeonju, signed_in, caplog):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    numbers = [f"5{i}0101-1{i}23456" for i in range(3)]
    for i, number in enumerate(numbers):
        assert intake(worker, jeonju, name=f"검사{i}", rrn=number).status_code == 303
    # The numbers as entered, and without the dash, must appear nowhere either.
    exact = re.compile("|".join(re.escape(n) + "|" + n.replace("-", "") for n in numbers))
    schema = db.schema_for(jeonju)
    hits = []
    with db.get_engine().connect() as conn:
        tables = conn.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
        )
        for (table,) in tables.all():
            for (row,) in conn.execute(sa.text(f'SELECT t::text FROM "{schema}"."{table}" t')):
                hits += [f"{table}: {m}" for m in RRN_PATTERN.findall(row) + exact.findall(row)]
    r = kv.get_redis()
    for key in r.scan_iter():
        if r.type(key) == b"string":
            text = (r.get(key) or b"").decode("utf-8", "replace")
            hits += RRN_PATTERN.findall(text) + exact.findall(text)
    hits += RRN_PATTERN.findall(caplog.text) + exact.findall(caplog.text)
    assert hits == []
