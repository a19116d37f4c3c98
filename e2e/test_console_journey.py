"""Issue 7 in the browser: a city administrator adds a programme linked to a published
eligibility rule and an assessment form, assigns a provider to it and invites a frontline
worker; the worker sets a password with the one-time link, signs in and puts the new programme
in a support plan; the change log shows who created the programme and invited the worker.
A screenshot of each screen."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from dolbom import db
from dolbom.cases.followup import add_months
from dolbom.cases.models import Case
from dolbom.catalogue.models import Programme, Provider
from dolbom.clock import today
from dolbom.identity.models import Membership, User
from dolbom.people.models import Person
from e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e

KEY = "walking_buddy"
NAME = "걷기 동행 운동 (낙상 예방)"
PROVIDER = "평화종합사회복지관 (예시)"
WORKER = "박새봄"
NEW_PASSWORD = "봄날 아침 걷기 동행 2026"


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def a_case_at_the_plan_stage(slug: str) -> int:
    """An 80-year-old in 평화1동, judged and waiting for a support plan."""
    with db.tenant_transaction(slug) as s:
        p = Person(name="오금순", birth_date=dt.date(1946, 3, 14), sex="여", dong_code="pyeonghwa1",
                   lives_alone=True, household_size=1, ltc_grade="등급외", income_band="차상위")  # fmt: skip
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code="pyeonghwa1", source="본인", stage="plan")
        s.add(case)
        s.flush()
        return case.id


def console_menu(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="설정 메뉴").get_by_role("link", name=label).click()


def test_admin_adds_a_programme_and_a_worker_who_plans_with_it(
    page: Page, new_context, jeonju, make_user, shot
):  # type: ignore[no-untyped-def]
    case_id = a_case_at_the_plan_stage(jeonju)
    admin = make_user("city_admin", jeonju, name="정관리")
    email = f"saebom-{jeonju}@test.kr"

    # 1. 설정 › 프로그램: a new programme linked to the rule set's 이동 지원 and to K-FRAIL.
    sign_in(page, admin)
    page.get_by_role("link", name="설정", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("설정 · 전주시"))).to_be_visible()
    console_menu(page, "프로그램")
    expect(page.get_by_role("heading", name="프로그램", exact=True)).to_be_visible()
    page.get_by_test_id("new-programme").click()
    form = page.get_by_test_id("programme-form")
    form.get_by_label("키").fill(KEY)
    form.get_by_label("프로그램 이름").fill(NAME)
    form.get_by_label("분야").select_option(label="건강관리")
    form.get_by_label("재원").select_option(label="시 자체")
    form.get_by_label("연 예산 (₩)").fill("36,000,000")
    form.get_by_label("제공 단위").select_option(label="회")
    form.get_by_label("단가 (₩, 단위당)").fill("25,000")
    form.get_by_label("설명").fill(
        "300m를 혼자 걷기 어려운 어르신과 주 2회 동네를 함께 걸으며 근력 운동을 합니다."
    )
    form.get_by_label("대상 기준·급여 연결").select_option(
        label="이동 지원 (병원 동행) — 병원 동행 (회/월)"
    )
    form.get_by_label("조사 서식").select_option(label="K-FRAIL 노쇠 선별")
    form.get_by_test_id("save-programme").click()
    # htmx follows HX-Redirect to the programme's page: wait for what only that page has.
    expect(page).to_have_url(re.compile(rf"/console/programmes/{KEY}/$"))
    expect(page.get_by_test_id("assignments")).to_be_visible()
    expect(page.get_by_text(f"'{NAME}' 프로그램을 만들었습니다")).to_be_visible()
    expect(page.get_by_test_id("programme-key")).to_have_text(KEY)
    expect(page.get_by_label("대상 기준·급여 연결")).to_have_value(
        "jeonju-elderly-care/mobility_support/trips"
    )
    shot(page, "console-01-programme")

    # 2. A provider for it, with its monthly places.
    assign = page.get_by_test_id("assign-provider-form")
    assign.get_by_label("기관 더하기").select_option(label=PROVIDER)
    assign.get_by_label("월 정원").fill("20")
    assign.get_by_test_id("assign").click()
    expect(page.get_by_test_id("assign-message")).to_have_text(
        f"{PROVIDER}을(를) 월 20명으로 지정했습니다"
    )
    row = page.get_by_test_id("assignment-pyeonghwa_welfare")
    expect(row.get_by_label(f"{PROVIDER} 월 정원")).to_have_value("20")
    shot(page, "console-02-provider")
    with db.tenant_session(jeonju) as s:
        offered = s.scalar(
            sa.select(Provider.key)
            .join(Provider.offers)
            .join(Programme)
            .where(Programme.key == KEY)
        )
    assert offered == "pyeonghwa_welfare"

    # 3. 설정 › 직원: a frontline worker for 평화1동, and the one-time set-up link.
    page.get_by_role("link", name="설정", exact=True).click()
    console_menu(page, "직원")
    expect(page.get_by_role("heading", name="직원 계정")).to_be_visible()
    page.get_by_test_id("invite-staff").click()
    invite = page.get_by_test_id("invite-form")
    invite.get_by_label("이름").fill(WORKER)
    invite.get_by_label("이메일").fill(email)
    invite.get_by_label("역할").select_option(label="읍면동 통합돌봄 창구")
    invite.locator("label[for=inv-dong-pyeonghwa1]").click()  # KRDS draws the box on the label
    expect(invite.get_by_label("평화1동", exact=True)).to_be_checked()
    invite.get_by_test_id("invite-submit").click()
    card = page.get_by_test_id("setup-link")
    expect(card.get_by_role("status")).to_have_text(f"{WORKER}님의 계정을 만들었습니다.")
    link = card.get_by_test_id("invite-link").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/invite/[A-Za-z0-9_-]+", link), link
    shot(page, "console-03-invite")
    page.get_by_role("button", name="로그아웃").click()
    expect(page.get_by_text("로그아웃했습니다.")).to_be_visible()

    # 4. The worker, in a browser of their own: the link, a password, and the case's plan.
    worker = new_context().new_page()
    worker.goto(link)
    expect(worker.get_by_test_id("setup-email")).to_have_text(email)
    expect(worker.get_by_text(f"{WORKER}님, 돌봄 통합지원 플랫폼에서")).to_be_visible()
    shot(worker, "console-04-setup")
    worker.get_by_label("새 비밀번호", exact=True).fill(NEW_PASSWORD)
    worker.get_by_label("새 비밀번호 확인").fill(NEW_PASSWORD)
    worker.get_by_test_id("setup-submit").click()
    expect(worker.get_by_text("비밀번호를 정했습니다.")).to_be_visible()
    worker.get_by_label("이메일").fill(email)
    worker.get_by_label("비밀번호").fill(NEW_PASSWORD)
    worker.get_by_role("button", name="로그인").click()
    expect(worker.get_by_test_id("user-name")).to_have_text(WORKER)
    expect(worker.get_by_text("담당 동: 평화1동")).to_be_visible()
    worker.get_by_role("link", name="사례").click()
    worker.get_by_test_id("cases").get_by_role("link", name="오금순").click()
    expect(worker.get_by_role("heading", name=re.compile("오금순"))).to_be_visible()
    worker.get_by_test_id("tab-plan").click()
    plan = worker.get_by_test_id("plan-form")
    plan.get_by_label("지원 목표").fill("낙상 없이 동네 병원과 시장까지 혼자 걸어 다닌다")
    plan.get_by_label("시작일").fill(today().isoformat())
    plan.get_by_label("종료일").fill(add_months(today(), 6).isoformat())
    plan.get_by_label("서비스 1", exact=True).select_option(label=NAME)
    plan.get_by_label("횟수·시간 1", exact=True).fill("주 2회")
    plan.get_by_label("제공기관 1", exact=True).fill(PROVIDER)
    plan.get_by_test_id("save-plan").click()
    # The form already shows what was typed: wait for the saved plan's byline.
    expect(worker.locator("#plan-title")).to_contain_text(WORKER)
    expect(worker.get_by_label("서비스 1", exact=True)).to_have_value(KEY)
    shot(worker, "console-05-plan")
    worker.get_by_test_id("action-submit_plan").get_by_role("button").click()
    expect(worker.locator("h1")).to_contain_text("통합지원회의")
    worker.goto(f"/{jeonju}/cases/{case_id}?tab=plan")
    expect(worker.get_by_test_id("plan-services")).to_contain_text(f"{NAME} · 주 2회 · {PROVIDER}")
    shot(worker, "console-06-plan-submitted")
    with db.shared_session() as s:
        uid = s.scalar(sa.select(User.id).where(User.email == email))
        role, dongs = s.execute(
            sa.select(Membership.role, Membership.dong_codes).where(Membership.user_id == uid)
        ).one()
    assert (role, dongs) == ("frontline_worker", ["pyeonghwa1"])

    # 5. The change log: the programme and the invitation, both by the administrator.
    sign_in(page, admin)
    page.get_by_role("link", name="설정", exact=True).click()
    console_menu(page, "변경 기록")
    changes = page.get_by_test_id("changes")
    # One row per change, newest first: the subject in <code>, before → after per field.
    created = changes.locator("tr", has=page.locator(f"code:text-is('{KEY}')")).filter(
        has_text=f"— → {NAME}"
    )
    expect(created).to_contain_text("정관리")
    invited = changes.locator("tr", has=page.locator(f"code:text-is('{email}')"))
    expect(invited).to_contain_text("정관리")
    expect(invited).to_contain_text(f"— → {WORKER}")
    shot(page, "console-07-changes")
