"""접수 in the browser: a frontline worker registers a person, is shown the possible duplicate
on a second application, picks the same person, and reveals the resident number with a reason."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.test_journeys import sign_in
from tests.fixtures import add_consent

pytestmark = pytest.mark.e2e


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def fill_intake(page: Page, rrn: str) -> None:
    page.get_by_label("이름").fill("박순자")
    page.get_by_label("주민등록번호", exact=True).fill(rrn)
    page.get_by_label("거주 동").select_option(label="완산구 평화1동")
    page.get_by_label("전화번호").fill("010-2345-6789")
    page.get_by_label("혼자 사심").select_option("true")
    page.get_by_label("장기요양등급").select_option("등급외")
    page.get_by_label("어떻게 접수되었나요").select_option("본인")


def test_worker_registers_a_person_and_meets_the_duplicate(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    sign_in(page, make_user("frontline_worker", jeonju, dongs=["pyeonghwa1"]))
    page.get_by_role("link", name="사례").click()
    page.get_by_test_id("new-case").click()
    fill_intake(page, "440101-2345678")
    page.get_by_label("주민등록번호", exact=True).fill("440230-2345678")  # 30 February
    page.get_by_test_id("intake-submit").click()
    expect(page.locator("#rrn-msg")).to_have_text("앞 6자리가 올바른 생년월일이 아닙니다")
    expect(page.get_by_label("이름")).to_have_value("박순자")  # nothing typed is lost
    page.get_by_label("주민등록번호", exact=True).fill("440101-2345678")
    shot(page, "intake")
    page.get_by_test_id("intake-submit").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    first_case = page.url
    page.get_by_test_id("tab-person").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+\?tab=person$"))  # the URL keeps the tab
    expect(page.get_by_test_id("rrn-masked")).to_have_text("440101-2******")

    page.goto(f"/{jeonju}/cases/new")
    fill_intake(page, "440101-2345678")
    page.get_by_test_id("intake-submit").click()
    expect(page.get_by_test_id("duplicates")).to_contain_text("박순자")
    expect(page.get_by_test_id("duplicates")).to_contain_text("440101-2******")
    shot(page, "duplicates")
    # Enter in a field submits the form's own button: the duplicate question is asked again,
    # nothing is attached to the existing person by accident.
    page.get_by_label("이름").press("Enter")
    expect(page.get_by_test_id("duplicates")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/cases/new$"))
    page.get_by_role("button", name="이 사람으로 접수").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    assert page.url != first_case

    page.get_by_test_id("tab-person").click()
    page.get_by_label("열람 사유").fill("건강보험 자격 확인")
    page.get_by_test_id("reveal").click()
    expect(page.get_by_test_id("rrn-full")).to_have_text("440101-2345678")
    shot(page, "case")


def test_steps_are_offered_by_stage_and_role_and_recorded(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    sign_in(page, make_user("frontline_worker", jeonju, dongs=["pyeonghwa1"], name="이창구"))
    page.goto(f"/{jeonju}/cases/new")
    fill_intake(page, "440101-2345678")
    page.get_by_test_id("intake-submit").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    expect(page.get_by_test_id("action-close")).to_have_count(0)  # closing is the 시군구's
    page.get_by_test_id("action-start_survey").get_by_role("button").click()
    expect(page.locator("#actions")).to_contain_text("사전조사")
    page.get_by_test_id("action-request_judgement").get_by_role("button").click()
    expect(page.get_by_test_id("action-message")).to_have_text(
        "통합판정을 요청하려면 완료된 사전조사가 있어야 합니다"
    )
    expect(page.get_by_test_id("start-survey")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text("이창구")
    expect(page.get_by_test_id("timeline")).to_contain_text("사전조사 시작")
    shot(page, "case-survey")
    page.get_by_role("button", name="로그아웃").click()

    sign_in(page, make_user("coordinator", jeonju))
    page.goto(case_url)
    close = page.get_by_test_id("action-close")
    close.get_by_role("button").click()
    expect(close.locator(".form-hint-invalid").first).to_have_text(
        "종결 사유을(를) 적거나 고르세요"
    )
    close = page.get_by_test_id("action-close")
    close.get_by_label("종결 사유").select_option("refusal")
    close.get_by_label("사유·의견").fill("본인이 서비스를 원하지 않음")
    close.get_by_role("button").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("서비스 거부")
    expect(page.get_by_test_id("action-reopen")).to_be_visible()
    shot(page, "case-closed")


def test_caseload_filters_in_place_and_the_url_follows(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    from dolbom import db
    from dolbom.cases.synthetic import generate

    with db.tenant_transaction(jeonju) as s:
        generate(s, jeonju, 120, seed=5)
    sign_in(page, make_user("coordinator", jeonju))
    page.goto(f"/{jeonju}/cases/")
    expect(page.get_by_test_id("cases")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("이름 또는 주민등록번호").fill("김")
    expect(page).to_have_url(re.compile(r"[?&]q=%EA%B9%80"))
    for name in page.get_by_test_id("cases").locator("tbody td:nth-child(2)").all_inner_texts():
        assert "김" in name
    page.get_by_test_id("stage-provision").click()
    expect(page).to_have_url(re.compile(r"stage=provision"))
    expect(page.get_by_test_id("stage-provision")).to_have_class(re.compile("is-active"))
    for stage in page.get_by_test_id("cases").locator("tbody td:nth-child(5)").all_inner_texts():
        assert stage == "서비스 제공"
    assert page.evaluate("window.__sameDocument") is True  # filtered without a page load
    shot(page, "caseload")
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"stage=provision"))
    expect(page.get_by_test_id("stage-open")).to_have_class(re.compile("is-active"))


def test_approval_schedules_monitoring_and_a_visit_is_recorded(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    from dolbom import db
    from dolbom.cases.models import Case
    from dolbom.people.models import Person

    with db.tenant_transaction(jeonju) as s:
        p = Person(name="모니터링 대상", dong_code="pyeonghwa1")
        s.add(p)
        s.flush()
        add_consent(s, p.id)
        case = Case(person_id=p.id, dong_code="pyeonghwa1", stage="meeting", source="본인")
        s.add(case)
        s.flush()
        case_id = case.id
    sign_in(page, make_user("coordinator", jeonju))
    page.goto(f"/{jeonju}/cases/{case_id}")
    page.get_by_test_id("action-approve").get_by_role("button").click()
    expect(page.get_by_test_id("check-1")).to_contain_text("1개월 점검")
    expect(page.get_by_test_id("check-3")).to_contain_text("3개월 점검")
    page.get_by_test_id("tab-timeline").click()
    form = page.get_by_test_id("contact-form")
    form.get_by_label("방법").select_option("visit")
    form.get_by_label("내용").fill("가정 방문: 식사 배달 첫 주, 만족함")
    form.get_by_label("다음 할 일", exact=True).fill("1개월 점검 때 체중 확인")
    form.get_by_role("button").click()
    expect(page.get_by_test_id("contacts")).to_contain_text("가정 방문: 식사 배달 첫 주, 만족함")
    page.get_by_test_id("tab-monitoring").click()
    check = page.get_by_test_id("check-1")
    check.get_by_label("대상자 상태").fill("안정적")
    check.get_by_label("서비스 이용").fill("식사 배달 주 5회")
    check.get_by_label("계획 변경이 필요한가요").select_option("no")
    check.get_by_role("button").click()
    expect(page.get_by_test_id("check-1")).to_contain_text("완료")
    shot(page, "monitoring")


def test_worker_drafts_the_plan_and_puts_it_to_the_meeting(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    from dolbom import db
    from dolbom.cases.models import Case
    from dolbom.people.models import Person

    with db.tenant_transaction(jeonju) as s:
        p = Person(name="계획 대상", dong_code="pyeonghwa1")
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code="pyeonghwa1", stage="plan", source="본인")
        s.add(case)
        s.flush()
        case_id = case.id
    sign_in(page, make_user("frontline_worker", jeonju, dongs=["pyeonghwa1"]))
    page.goto(f"/{jeonju}/cases/{case_id}?tab=plan")
    form = page.get_by_test_id("plan-form")
    form.get_by_label("지원 목표").fill("혼자서도 끼니를 거르지 않고, 낙상 없이 지낸다")
    form.get_by_label("시작일").fill("2026-12-01")
    form.get_by_label("종료일").fill("2027-05-31")
    form.get_by_label("서비스 1", exact=True).select_option(label="영양·식사 지원")
    form.get_by_label("횟수·시간 1", exact=True).fill("주 5회")
    form.get_by_label("제공기관 1", exact=True).fill("평화종합사회복지관")
    form.get_by_label("서비스 2", exact=True).select_option(label="주거환경 개선 (집수리)")
    form.get_by_label("횟수·시간 2", exact=True).fill("1회 (문턱 제거)")
    shot(page, "plan-draft")
    form.get_by_test_id("save-plan").click()
    expect(page.get_by_label("지원 목표")).to_have_value(
        "혼자서도 끼니를 거르지 않고, 낙상 없이 지낸다"
    )
    page.get_by_test_id("action-submit_plan").get_by_role("button").click()
    expect(page.get_by_test_id("plan-services")).to_contain_text(
        "영양·식사 지원 · 주 5회 · 평화종합사회복지관"
    )
    expect(page.locator("#actions")).to_contain_text("통합지원회의")
    shot(page, "plan-submitted")
