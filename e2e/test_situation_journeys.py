"""The situation room in the browser: the coordinator reads the board, follows a count to the
matching caseload, registers a complaint (a mistake first, corrected in place), handles it and
closes it without leaving the page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from dolbom import db
from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.people.models import Person
from e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def seed(slug: str) -> int:
    spread = [("pyeonghwa1", "application", -2), ("pyeonghwa1", "application", 3),
              ("pyeonghwa1", "survey", None), ("jungang", "plan", -1), ("seosin", "monitoring", 20),
              ("hyoja1", "meeting", 2), ("jungang", "provision", None)]  # fmt: skip
    with db.tenant_transaction(slug) as s:
        for i, (dong, stage, due) in enumerate(spread):
            p = Person(name=f"상황판 {i}", dong_code=dong)
            s.add(p)
            s.flush()
            s.add(Case(person_id=p.id, dong_code=dong, stage=stage, source="본인",
                       opened_on=today() - dt.timedelta(days=i * 2),
                       due_on=None if due is None else today() + dt.timedelta(days=due)))  # fmt: skip
        s.flush()
        return s.scalars(sa.select(Case.id).where(Case.stage == "plan")).one()


def test_coordinator_watches_the_board_and_handles_a_complaint(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    case_id = seed(jeonju)
    sign_in(page, make_user("coordinator", jeonju))
    page.get_by_role("link", name="상황실").click()
    expect(page.get_by_test_id("tile-open")).to_have_text("7")
    expect(page.get_by_test_id("tile-overdue")).to_have_text("2")
    shot(page, "board")
    page.get_by_test_id("tile-overdue").click()
    expect(page.get_by_test_id("caseload-total")).to_contain_text("2건")
    page.go_back()
    page.get_by_test_id("dong-pyeonghwa1").get_by_role("link", name="2", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cases/\?stage=application&dong=pyeonghwa1$"))
    expect(page.get_by_test_id("caseload-total")).to_contain_text("2건")

    page.get_by_role("link", name="민원").click()
    page.get_by_test_id("new-complaint").click()
    page.get_by_label("민원인 (익명이면 비워 두세요)").fill("주민 한 명")
    page.get_by_label("내용", exact=True).fill("방문 요양 시간이 자주 바뀐다는 항의")
    page.get_by_label("관련 사례 번호").fill("99999")
    page.get_by_test_id("create-complaint").click()
    # htmx swapped the form with the messages; what was typed is still there.
    expect(page.locator("#c-subject-msg")).to_have_text("제목을(를) 적으세요")
    expect(page.locator("#c-case_number-msg")).to_contain_text("찾을 수 없습니다")
    expect(page.get_by_label("민원인 (익명이면 비워 두세요)")).to_have_value("주민 한 명")
    shot(page, "complaint-errors")
    page.get_by_label("제목").fill("요양보호사 방문 시간 변경")
    page.get_by_label("관련 사례 번호").fill(str(case_id))
    page.get_by_test_id("create-complaint").click()
    expect(page).to_have_url(re.compile(r"/complaints/\d+$"))
    expect(page.get_by_test_id("case-link")).to_contain_text(f"#{case_id}")
    expect(page.locator("#complaint-status")).to_have_text("접수")

    page.get_by_label("처리 내용").fill("제공기관과 통화, 고정 시간으로 조정")
    page.get_by_test_id("handle").click()
    expect(page.get_by_test_id("handling")).to_have_text("제공기관과 통화, 고정 시간으로 조정")
    expect(page.locator("#complaint-status")).to_have_text("처리")  # swapped out of band
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("closed-on")).to_have_text(today().isoformat())
    expect(page.locator("#complaint-status")).to_have_text("종결")
    shot(page, "complaint-closed")
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="민원").click()
    expect(page.get_by_test_id("complaints")).to_contain_text("요양보호사 방문 시간 변경")
    expect(page.get_by_test_id("complaints")).not_to_contain_text("주민 한 명")  # no complainant
    shot(page, "complaints")

    page.get_by_role("link", name="상황실").click()
    expect(page.get_by_test_id("complaints-closed")).to_contain_text("1")
    shot(page, "board-after")
