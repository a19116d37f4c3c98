"""The person tab: details with optimistic locking (who changed it and when, the input kept),
a move to another dong taking the open cases along, household members and consents."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.people.models import Consent, HouseholdMember, Person
from tests.fixtures import csrf_from

DETAILS = {"name": "정보 대상", "dong_code": "pyeonghwa1", "address": "전주시 완산구 평화로 1",
           "phone": "010-1234-5678", "household_size": "2", "lives_alone": "false",
           "carer_name": "김보호", "carer_relation": "딸", "carer_phone": "010-9876-5432",
           "ltc_grade": "", "disability": "", "income_band": ""}  # fmt: skip


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def a_case(slug: str, dong: str = "pyeonghwa1", stage: str = "plan") -> int:
    with db.tenant_transaction(slug) as s:
        p = Person(name="정보 대상", dong_code=dong)
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code=dong, stage=stage)
        s.add(case)
        s.flush()
        return case.id


def person_of(slug: str, case_id: int) -> Person:
    with db.tenant_session(slug) as s:
        return s.get(Case, case_id).person


def test_details_are_saved_and_a_stale_save_names_who_changed_them(jeonju, signed_in):
    a = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"], name="가담당")
    b = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"], name="나담당")
    case_id = a_case(jeonju)
    url = f"/{jeonju}/cases/{case_id}"
    pa, pb = a.get(f"{url}?tab=person").text, b.get(f"{url}?tab=person").text
    assert 'data-testid="person-form"' in pa
    lock = person_of(jeonju, case_id).lock_version
    ok = a.post(f"{url}/person", data={"csrf_token": csrf_from(pa), "person_lock": lock, **DETAILS})
    assert ok.status_code == 303 and ok.headers["Location"].endswith("?tab=person")
    p = person_of(jeonju, case_id)
    assert (p.carer_name, p.carer_relation, p.household_size, p.lives_alone) == (
        "김보호",
        "딸",
        2,
        False,
    )
    stale = b.post(f"{url}/person", data={"csrf_token": csrf_from(pb), "person_lock": lock,
                                          **DETAILS, "address": "B가 적은 주소"})  # fmt: skip
    text = html.unescape(stale.text)
    assert stale.status_code == 409 and "가담당님이" in text and "먼저 바꿨습니다" in text
    assert 'value="B가 적은 주소"' in text  # kept for re-applying
    assert person_of(jeonju, case_id).address == "전주시 완산구 평화로 1"
    with db.tenant_session(jeonju) as s:
        rows = s.scalars(sa.select(AccessLog.detail).where(AccessLog.subject_type == "person",
                                                          AccessLog.action == "edit")).all()  # fmt: skip
        assert rows == ["인적 사항 수정"]


def test_bad_details_are_refused_at_the_field_with_the_input_kept(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = a_case(jeonju)
    url = f"/{jeonju}/cases/{case_id}"
    token = csrf_from(worker.get(f"{url}?tab=person").text)
    lock = person_of(jeonju, case_id).lock_version
    bad = {**DETAILS, "name": "", "phone": "12", "household_size": "3", "lives_alone": "true",
           "dong_code": "seosin", "carer_name": "", "address": "<script>alert(1)</script>"}  # fmt: skip
    r = worker.post(f"{url}/person", data={"csrf_token": token, "person_lock": lock, **bad})
    text = html.unescape(r.text)
    assert r.status_code == 422
    for message in ("이름을 적으세요", "전화번호 형식이 아닙니다", "혼자 사신다면 가구원 수는 1명입니다",
                    "담당하는 동에서 고르세요", "보호자 연락처가 있으면 이름도 적으세요"):  # fmt: skip
        assert message in text, message
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "<script>alert(1)" not in r.text


def test_a_move_takes_the_open_cases_to_the_new_dong(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    case_id = a_case(jeonju)
    with db.tenant_transaction(jeonju) as s:
        pid = s.get(Case, case_id).person_id
        old = Case(person_id=pid, dong_code="pyeonghwa1", stage="closed")
        s.add(old)
        s.flush()
        old_id = old.id
    url = f"/{jeonju}/cases/{case_id}"
    token = csrf_from(coordinator.get(f"{url}?tab=person").text)
    lock = person_of(jeonju, case_id).lock_version
    r = coordinator.post(f"{url}/person", data={"csrf_token": token, "person_lock": lock,
                                                **DETAILS, "dong_code": "seosin"})  # fmt: skip
    assert r.status_code == 303
    with db.tenant_session(jeonju) as s:
        assert s.get(Case, case_id).dong_code == "seosin"
        assert s.get(Case, old_id).dong_code == "pyeonghwa1"  # history stays where it was
    # The worker of the old dong no longer sees the case.
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    assert worker.get(url).status_code == 404


def test_household_members_and_consents(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = a_case(jeonju)
    url = f"/{jeonju}/cases/{case_id}"
    page = worker.get(f"{url}?tab=person").text
    assert "적어 둔 가구원이 없습니다." in page and "기록된 동의가 없습니다." in page
    token = csrf_from(page)
    bad = worker.post(f"{url}/household", data={"csrf_token": token, "member_name": "박가족",
                                                "member_birth_year": "3000"})  # fmt: skip
    text = html.unescape(bad.text)
    assert bad.status_code == 422 and "관계를 적으세요" in text and "출생연도는 1900~" in text
    assert 'value="박가족"' in bad.text
    ok = worker.post(f"{url}/household", data={"csrf_token": token, "member_name": "박가족",
                                               "member_relation": "배우자", "member_birth_year": "1950"})  # fmt: skip
    assert ok.status_code == 303
    assert "박가족" in worker.get(f"{url}?tab=person").text
    future = (today() + dt.timedelta(days=1)).isoformat()
    bad = worker.post(f"{url}/consents", data={"csrf_token": token, "consent_purpose": "linkage",
                                               "consent_given_on": future, "consent_scope": "named",
                                               "consent_given_by": "본인"})  # fmt: skip
    text = html.unescape(bad.text)
    assert bad.status_code == 422 and "앞으로의 날짜는 적을 수 없습니다" in text
    assert "제공해도 되는 기관을 쉼표로 나눠 적으세요" in text
    ok = worker.post(f"{url}/consents", data={"csrf_token": token, "consent_purpose": "linkage",
                                              "consent_given_on": today().isoformat(), "consent_scope": "named",
                                              "consent_providers": "평화종합사회복지관, 전주시 보건소",
                                              "consent_given_by": "본인"})  # fmt: skip
    assert ok.status_code == 303
    with db.tenant_session(jeonju) as s:
        consent = s.scalar(sa.select(Consent))
        member = s.scalar(sa.select(HouseholdMember))
        assert consent.providers == ["평화종합사회복지관", "전주시 보건소"] and consent.in_force(
            today()
        )
    early = (consent.given_on - dt.timedelta(days=1)).isoformat()
    bad = worker.post(f"{url}/consents/{consent.id}/withdraw",
                      data={"csrf_token": token, "withdrawn_on": early})  # fmt: skip
    assert bad.status_code == 422 and "보다 앞설 수 없습니다" in html.unescape(bad.text)
    ok = worker.post(f"{url}/consents/{consent.id}/withdraw",
                     data={"csrf_token": token, "withdrawn_on": today().isoformat(), "withdrawal_note": "본인 요청"})  # fmt: skip
    assert ok.status_code == 303
    with db.tenant_session(jeonju) as s:
        assert not s.get(Consent, consent.id).in_force(today())
    again = worker.post(f"{url}/consents/{consent.id}/withdraw",
                        data={"csrf_token": token, "withdrawn_on": today().isoformat()})  # fmt: skip
    assert again.status_code == 422 and "이미 철회되었습니다" in html.unescape(again.text)
    # Another case's member cannot be removed through this one; this one's can.
    other = a_case(jeonju)
    assert worker.post(f"/{jeonju}/cases/{other}/household/{member.id}/remove",
                       data={"csrf_token": token}).status_code == 404  # fmt: skip
    assert (
        worker.post(f"{url}/household/{member.id}/remove", data={"csrf_token": token}).status_code
        == 303
    )
    # A city administrator reads but does not edit.
    admin = signed_in("city_admin", jeonju)
    page = admin.get(f"{url}?tab=person").text
    assert 'data-testid="consents"' in page and 'data-testid="consent-form"' not in page
    assert admin.post(f"{url}/consents", data={"csrf_token": csrf_from(page)}).status_code == 403


def test_a_colleagues_case_opens_only_with_a_reason_once_per_session(jeonju, signed_in, make_user):
    owner = make_user("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    with db.shared_session() as s:
        from dolbom.identity.models import User

        owner_id = s.scalar(sa.select(User.id).where(User.email == owner))
    case_id = a_case(jeonju)
    with db.tenant_transaction(jeonju) as s:
        s.get(Case, case_id).worker_id = owner_id
    colleague = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    url = f"/{jeonju}/cases/{case_id}"
    ask = colleague.get(url)
    assert ask.status_code == 200 and 'data-testid="open-reason-form"' in ask.text
    assert "정보 대상" not in ask.text  # the person is not shown before the reason
    tab = colleague.get(
        f"{url}?tab=person", headers={"HX-Request": "true", "HX-Request-Type": "partial"}
    )
    assert 'data-testid="open-reason-form"' in tab.text and "정보 대상" not in tab.text
    token = csrf_from(ask.text)
    assert (
        colleague.post(
            f"{url}/contacts", data={"csrf_token": token, "kind": "phone", "content": "x"}
        ).status_code
        == 403
    )
    empty = colleague.post(f"{url}/open", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422 and "열람 사유를 적으세요" in html.unescape(empty.text)
    ok = colleague.post(
        f"{url}/open", data={"csrf_token": token, "reason": "휴가 중인 담당자 대신 방문 일정 확인"}
    )
    assert ok.status_code == 303
    page = colleague.get(url)
    assert page.status_code == 200 and "정보 대상" in page.text
    with db.tenant_session(jeonju) as s:
        details = s.scalars(sa.select(AccessLog.detail).where(AccessLog.subject_id == case_id,
                                                             AccessLog.subject_type == "case")
                            .order_by(AccessLog.id)).all()  # fmt: skip
    assert details == ["담당 외 열람 사유: 휴가 중인 담당자 대신 방문 일정 확인", None]
    # The owner and the coordinator are never asked.
    assert "open-reason-form" not in signed_in("coordinator", jeonju).get(url).text
