"""A meeting in the browser: the coordinator creates the next meeting, a case is put on its
agenda from the case page, the meeting approves it in one pass, and the minutes are signed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from dolbom import db
from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.people.models import Person
from e2e.test_journeys import sign_in
from tests.fixtures import add_consent

pytestmark = pytest.mark.e2e


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def test_coordinator_runs_a_meeting(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    with db.tenant_transaction(jeonju) as s:
        p = Person(name="회의 대상", dong_code="pyeonghwa1")
        s.add(p)
        s.flush()
        add_consent(s, p.id)
        case = Case(person_id=p.id, dong_code="pyeonghwa1", stage="meeting", source="본인")
        s.add(case)
        s.flush()
        case_id = case.id
    sign_in(page, make_user("coordinator", jeonju))
    page.get_by_role("link", name="회의").click()
    page.get_by_label("날짜").fill((today() + dt.timedelta(days=3)).isoformat())
    page.get_by_label("장소").fill("완산구청 3층 회의실")
    page.get_by_label("참석자 (한 줄에 한 명: 이름, 소속)").fill(
        "김보건, 완산구보건소\n이복지, 평화종합사회복지관"
    )
    page.get_by_test_id("create-meeting").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    meeting_url = page.url
    page.goto(f"/{jeonju}/cases/{case_id}")
    page.get_by_test_id("add-to-agenda").click()
    page.goto(meeting_url)
    row = page.get_by_test_id(f"item-{case_id}")
    expect(row).to_contain_text("회의 대상")
    row.get_by_label("결정").select_option("approve")
    row.get_by_label("의견").fill("식사 지원 우선 연계")
    shot(page, "agenda")
    page.get_by_test_id("decide").click()
    # The row's 결정 select already lists 승인: wait for the recorded decision itself.
    expect(page.get_by_test_id(f"item-{case_id}").locator("td strong")).to_have_text("승인")
    page.get_by_role("textbox", name="회의록").fill("1건 심의: 승인")
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("minutes")).to_have_text("1건 심의: 승인")
    page.goto(f"/{jeonju}/cases/{case_id}?tab=monitoring")
    expect(page.get_by_test_id("check-1")).to_be_visible()
    page.get_by_test_id("tab-timeline").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("식사 지원 우선 연계")
    shot(page, "case-after-meeting")
