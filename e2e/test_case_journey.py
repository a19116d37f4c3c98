"""The whole way of one case in the browser, as issue 5 tells it: a frontline worker registers a
person and records the consents, runs the preliminary survey, enters the judgement, records a
home visit and drafts the plan; the coordinator approves it in a meeting; the monitoring checks
appear at 1 and 3 months; the case is closed and reopened. A screenshot of each screen."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from dolbom.cases.followup import add_months
from dolbom.clock import today
from e2e.test_forms_journeys import pick, saved
from e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def take(page: Page, action: str) -> None:
    page.get_by_test_id(f"action-{action}").get_by_role("button").click()


def test_one_case_from_application_to_reopening(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    worker = make_user("frontline_worker", jeonju, dongs=["pyeonghwa1"], name="김창구")
    coordinator = make_user("coordinator", jeonju, name="이조정")
    sign_in(page, worker)

    # 접수
    page.get_by_role("link", name="사례").click()
    page.get_by_test_id("new-case").click()
    page.get_by_label("이름").fill("최말순")
    page.get_by_label("주민등록번호", exact=True).fill("410203-2345678")
    page.get_by_label("거주 동").select_option(label="완산구 평화1동")
    page.get_by_label("혼자 사심").select_option("true")
    page.get_by_label("어떻게 접수되었나요").select_option("기관")
    page.get_by_label("메모 (의뢰 기관, 동의 여부 등)").fill("전북대병원 퇴원 예정, 본인 동의")
    page.get_by_test_id("intake-submit").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    expect(page.get_by_test_id("next-deadline")).to_contain_text(
        (today() + dt.timedelta(days=7)).isoformat()
    )
    shot(page, "journey-1-application")

    # Consents on the person tab: collection for the survey, linkage for the services.
    page.get_by_test_id("tab-person").click()
    for purpose in ("collection", "linkage"):
        form = page.get_by_test_id("consent-form")
        form.get_by_label("동의 목적").select_option(purpose)
        form.get_by_label("동의한 사람 (본인 또는 보호자 이름)").fill("본인")
        form.get_by_label("제공 범위").select_option("all")
        form.get_by_role("button").click()
    expect(page.get_by_test_id("consents")).to_contain_text("서비스 연계를 위한 제공기관 정보 제공")
    shot(page, "journey-2-person")

    # 사전조사: K-FRAIL from the case.
    take(page, "start_survey")
    page.get_by_label("사전조사 서식").select_option(label="K-FRAIL 노쇠 선별")
    page.get_by_test_id("start-survey").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    page.wait_for_load_state("load")
    pick(page, "kf_fatigue", "항상")
    for key in ("kf_resistance", "kf_weight_loss"):
        pick(page, key, "예")
    pick(page, "kf_ambulation", "아니오")
    with saved(page, "kf_illness"):
        page.locator("#q-kf_illness").get_by_text("해당 없음", exact=True).click()
    page.get_by_test_id("submit").click()
    # The fill page's own score panel already says 노쇠: wait for the submitted read view, or
    # the screenshot lands in the middle of the redirect.
    expect(page.get_by_test_id("read-view")).to_be_visible()
    expect(page.get_by_test_id("score-kfrail")).to_contain_text("노쇠")
    shot(page, "journey-3-survey")

    # 통합판정: requested, then the result entered.
    page.goto(case_url)
    take(page, "request_judgement")
    expect(page.locator("#actions")).to_contain_text("통합판정")
    page.get_by_test_id("action-record_judgement").get_by_label("판정 결과").select_option(
        "general"
    )
    take(page, "record_judgement")
    expect(page).to_have_url(re.compile(r"tab=plan$"))

    # A home visit on the timeline.
    page.get_by_test_id("tab-timeline").click()
    form = page.get_by_test_id("contact-form")
    form.get_by_label("방법").select_option("visit")
    form.get_by_label("내용").fill(
        "가정 방문: 퇴원 후 혼자 식사 준비가 어려움, 문턱에 걸려 넘어질 뻔함"
    )
    form.get_by_label("다음 할 일", exact=True).fill("보호자(딸)와 통화")
    form.get_by_label("다음 할 일 기한 (적으면 할 일 목록에 올라갑니다)").fill(
        (today() + dt.timedelta(days=2)).isoformat()
    )
    form.get_by_role("button").click()
    expect(page.get_by_test_id("contacts")).to_contain_text("퇴원 후 혼자 식사 준비가 어려움")
    expect(page.get_by_test_id("case-tasks")).to_contain_text("보호자(딸)와 통화")
    shot(page, "journey-4-visit")

    # 지원계획, put to the meeting.
    page.get_by_test_id("tab-plan").click()
    form = page.get_by_test_id("plan-form")
    form.get_by_label("지원 목표").fill("끼니를 거르지 않고 낙상 없이 집에서 지낸다")
    form.get_by_label("시작일").fill(today().isoformat())
    form.get_by_label("종료일").fill(add_months(today(), 6).isoformat())
    form.get_by_label("서비스 1", exact=True).select_option(label="영양·식사 지원")
    form.get_by_label("횟수·시간 1", exact=True).fill("주 5회")
    form.get_by_label("제공기관 1", exact=True).fill("평화종합사회복지관")
    form.get_by_test_id("save-plan").click()
    expect(page.get_by_label("지원 목표")).to_have_value(
        "끼니를 거르지 않고 낙상 없이 집에서 지낸다"
    )
    shot(page, "journey-5-plan")
    take(page, "submit_plan")
    expect(page.locator("h1")).to_contain_text("통합지원회의")
    page.get_by_test_id("add-to-agenda").click()
    expect(page.get_by_role("alert")).to_contain_text("예정된 회의가 없습니다")
    page.get_by_role("button", name="로그아웃").click()

    # The coordinator holds the meeting and approves.
    sign_in(page, coordinator)
    page.get_by_role("link", name="회의").click()
    page.get_by_label("날짜").fill((today() + dt.timedelta(days=1)).isoformat())
    page.get_by_label("장소").fill("완산구청 3층 회의실")
    page.get_by_label("참석자 (한 줄에 한 명: 이름, 소속)").fill("김보건, 완산구보건소")
    page.get_by_test_id("create-meeting").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    meeting_url = page.url
    page.goto(case_url)
    page.get_by_test_id("add-to-agenda").click()
    page.goto(meeting_url)
    case_id = int(case_url.rstrip("/").split("/")[-1])
    row = page.get_by_test_id(f"item-{case_id}")
    row.get_by_label("결정").select_option("approve")
    row.get_by_label("의견").fill("식사 지원 우선 연계")
    page.get_by_test_id("decide").click()
    # The row's 결정 select already lists 승인: wait for the recorded decision itself.
    expect(page.get_by_test_id(f"item-{case_id}").locator("td strong")).to_have_text("승인")
    shot(page, "journey-6-meeting")

    # Monitoring at 1 and 3 months.
    page.goto(f"{case_url}?tab=monitoring")
    expect(page.get_by_test_id("check-1")).to_contain_text(add_months(today(), 1).isoformat())
    expect(page.get_by_test_id("check-3")).to_contain_text(add_months(today(), 3).isoformat())
    expect(page.get_by_test_id("next-deadline")).to_contain_text(add_months(today(), 1).isoformat())
    shot(page, "journey-7-monitoring")

    # Closed, then reopened.
    close = page.get_by_test_id("action-close")
    close.get_by_label("종결 사유").select_option("moved")
    close.get_by_label("사후관리일").fill((today() + dt.timedelta(days=30)).isoformat())
    take(page, "close")
    expect(page.locator("h1")).to_contain_text("종결")
    page.get_by_test_id("action-reopen").get_by_label("사유·의견").fill("전입 취소로 다시 지원")
    take(page, "reopen")
    expect(page.locator("h1")).to_contain_text("접수")
    timeline = page.get_by_test_id("timeline")
    for step in (
        "사전조사 시작",
        "통합판정 요청",
        "판정 결과 입력",
        "통합지원회의 상정",
        "승인",
        "종결",
        "재개",
    ):
        expect(timeline).to_contain_text(step)
    shot(page, "journey-8-reopened")


def test_a_contact_is_recorded_from_the_caseload(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    from dolbom import db
    from dolbom.cases.models import Case
    from dolbom.people.models import Person

    with db.tenant_transaction(jeonju) as s:
        p = Person(name="목록 기록", dong_code="pyeonghwa1")
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code="pyeonghwa1", stage="provision")
        s.add(case)
        s.flush()
        case_id = case.id
    sign_in(page, make_user("frontline_worker", jeonju, dongs=["pyeonghwa1"]))
    page.goto(f"/{jeonju}/cases/")
    list_url = page.url
    page.get_by_test_id(f"quick-{case_id}").click()
    form = page.get_by_test_id(f"quick-form-{case_id}")
    form.get_by_label("방법").select_option("phone")
    form.get_by_role("button").click()
    expect(form.get_by_text("내용을(를) 적으세요")).to_be_visible()  # refused in the row
    form.get_by_label("내용").fill("안부 전화: 식사 잘 하심")
    form.get_by_role("button").click()
    expect(page.get_by_test_id(f"quick-saved-{case_id}")).to_contain_text(
        f"사례 #{case_id}에 기록했습니다"
    )
    assert page.url == list_url  # never left the list
    shot(page, "quick-contact")
    page.get_by_test_id(f"quick-saved-{case_id}").get_by_role("link").click()
    expect(page.get_by_test_id("contacts")).to_contain_text("안부 전화: 식사 잘 하심")
