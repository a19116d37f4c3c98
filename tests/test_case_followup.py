"""Contact records and monitoring checks: approving a case schedules checks at 1 and 3 months
(or the tenant's own intervals), checks are recorded once with their data, contacts are kept
with bad input refused at the field."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.cases.followup import add_months
from dolbom.cases.models import Case, Contact, MonitoringCheck
from dolbom.clock import today
from dolbom.people.models import Person
from dolbom.tenant_settings import set_value
from tests.fixtures import add_consent, csrf_from


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [((2026, 1, 31), 1, (2026, 2, 28)), ((2028, 1, 31), 1, (2028, 2, 29)), ((2026, 11, 30), 3, (2027, 2, 28)),
     ((2026, 3, 27), 12, (2027, 3, 27)), ((2026, 12, 15), 1, (2027, 1, 15))],
)  # fmt: skip
def test_add_months_keeps_the_day_or_takes_the_month_end(day, months, expected):
    assert add_months(dt.date(*day), months) == dt.date(*expected)


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def a_case(slug: str, stage: str) -> int:
    with db.tenant_transaction(slug) as s:
        p = Person(name="점검 시험", dong_code="pyeonghwa1")
        s.add(p)
        s.flush()
        add_consent(s, p.id)
        case = Case(person_id=p.id, dong_code="pyeonghwa1", stage=stage)
        s.add(case)
        s.flush()
        return case.id


def approve(client, slug: str, case_id: int) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(f"/{slug}/cases/{case_id}").text)
    with db.tenant_session(slug) as s:
        lock = s.get(Case, case_id).lock_version
    r = client.post(
        f"/{slug}/cases/{case_id}/step/approve", data={"csrf_token": token, "lock_version": lock}
    )
    assert r.status_code == 303


def test_approval_schedules_checks_and_they_are_recorded_once(jeonju, signed_in):
    c = signed_in("coordinator", jeonju)
    case_id = a_case(jeonju, "meeting")
    approve(c, jeonju, case_id)
    with db.tenant_session(jeonju) as s:
        checks = s.scalars(sa.select(MonitoringCheck).where(MonitoringCheck.case_id == case_id)
                           .order_by(MonitoringCheck.months)).all()  # fmt: skip
        assert [(ch.months, ch.due_on) for ch in checks] == [
            (1, add_months(today(), 1)),
            (3, add_months(today(), 3)),
        ]
        first = checks[0].id
    page = c.get(f"/{jeonju}/cases/{case_id}?tab=monitoring")
    assert 'data-testid="check-1"' in page.text and 'data-testid="check-3"' in page.text
    token = csrf_from(page.text)
    url = f"/{jeonju}/cases/{case_id}/monitoring/{first}"
    bad = c.post(url, data={"csrf_token": token, "condition": "안정적", "done_on": "2099-01-01"})
    text = html.unescape(bad.text)
    assert (
        bad.status_code == 422
        and "서비스 이용을(를) 적으세요" in text
        and "계획 변경이 필요한지 고르세요" in text
    )
    assert "앞으로의 날짜는 적을 수 없습니다" in text and "안정적" in text  # kept
    ok = c.post(url, data={"csrf_token": token, "condition": "안정적", "service_use": "주 2회 식사 배달 이용",
                           "plan_change": "no"})  # fmt: skip
    assert ok.status_code == 303
    again = c.post(
        url, data={"csrf_token": token, "condition": "x", "service_use": "y", "plan_change": "yes"}
    )
    assert again.status_code == 422 and "이미 기록한 점검입니다" in html.unescape(again.text)
    with db.tenant_session(jeonju) as s:
        check = s.get(MonitoringCheck, first)
        assert (check.done_on, check.plan_change, check.service_use) == (
            today(),
            False,
            "주 2회 식사 배달 이용",
        )


def test_the_tenant_sets_its_own_intervals(jeonju, signed_in):
    with db.tenant_transaction(jeonju) as s:
        set_value(s, "monitoring_months", [2, 6, 12])
    c = signed_in("coordinator", jeonju)
    case_id = a_case(jeonju, "meeting")
    approve(c, jeonju, case_id)
    with db.tenant_session(jeonju) as s:
        months = s.scalars(
            sa.select(MonitoringCheck.months).where(MonitoringCheck.case_id == case_id)
        ).all()
        assert sorted(months) == [2, 6, 12]


def test_contacts_are_kept_and_bad_input_refused(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = a_case(jeonju, "survey")
    token = csrf_from(worker.get(f"/{jeonju}/cases/{case_id}").text)
    url = f"/{jeonju}/cases/{case_id}/contacts"
    bad = worker.post(url, data={"csrf_token": token, "kind": "fax", "content": "", "on": "어제",
                                 "next_action": "보호자 통화"})  # fmt: skip
    text = html.unescape(bad.text)
    assert bad.status_code == 422
    for m in ("방법을 고르세요", "내용을(를) 적으세요", "날짜를 YYYY-MM-DD로 적으세요"):
        assert m in text
    assert "보호자 통화" in text
    ok = worker.post(url, data={"csrf_token": token, "kind": "visit", "content": "가정 방문, 거동 불편 확인",
                                "next_action": "보건소 방문간호 연계"})  # fmt: skip
    assert ok.status_code == 303
    page = html.unescape(worker.get(f"/{jeonju}/cases/{case_id}").text)
    assert "가정 방문, 거동 불편 확인" in page and "다음 할 일: 보건소 방문간호 연계" in page
    with db.tenant_session(jeonju) as s:
        assert (
            s.scalar(
                sa.select(sa.func.count()).select_from(Contact).where(Contact.case_id == case_id)
            )
            == 1
        )
    other = a_case(jeonju, "survey")
    with db.tenant_transaction(jeonju) as s:
        s.get(Case, other).dong_code = "jungang"
    assert worker.post(f"/{jeonju}/cases/{other}/contacts", data={"csrf_token": token, "kind": "visit",
                                                                 "content": "x"}).status_code == 404  # fmt: skip
