"""Ordinance rules in the browser: an administrator raises the age threshold from a date, sees
the what-if counts, is stopped from publishing by a failing example, fixes it and publishes;
a coordinator re-evaluates a case and sees both decisions with their citations."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from dolbom import db
from dolbom.cases.models import Case
from dolbom.cases.synthetic import generate
from dolbom.people.models import Person
from dolbom.rules.models import RuleSet
from e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e
KEY = "jeonju-elderly-care"


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    slug = pack_tenant("jeonju")
    with db.tenant_transaction(slug) as s:
        generate(s, slug, 80, seed=4, today=dt.date(2026, 11, 23))
    return slug


def a_72_year_old(slug: str) -> int:
    """Severely disabled, 72 on 2027-01-01: eligible for more care hours at 65, not at 75."""
    with db.tenant_transaction(slug) as s:
        p = Person(name="한옥순", birth_date=dt.date(1954, 6, 1), sex="여", dong_code="pyeonghwa1",
                   lives_alone=True, household_size=1, ltc_grade="등급외", disability="중증",
                   income_band="수급")  # fmt: skip
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code="pyeonghwa1", source="본인", stage="plan")
        s.add(case)
        s.flush()
        return case.id


def test_admin_raises_the_age_threshold_and_a_coordinator_reevaluates(
    page: Page, jeonju, make_user, shot
):  # type: ignore[no-untyped-def]
    case_id = a_72_year_old(jeonju)
    sign_in(page, make_user("city_admin", jeonju))
    page.get_by_role("link", name="조례 규칙").click()
    page.get_by_role("link", name=re.compile("전주시 노인 지역사회 통합돌봄")).click()
    expect(page.get_by_test_id("param-min_age")).to_have_text("65세")
    shot(page, "ruleset")
    page.get_by_test_id("edit").click()

    # A new value from 2027-01-01; before that day the old one still applies.
    page.get_by_label("기준값", exact=True).select_option("min_age")
    page.get_by_label("시작일").fill("2027-01-01")
    page.get_by_label("새 값").fill("75")
    page.get_by_label("근거 조").fill("4")
    page.get_by_label("근거 항").fill("1")
    page.get_by_label("메모").fill("2027년 조례 개정 (재구성)")
    page.get_by_test_id("add-value").click()
    expect(page.get_by_test_id("message")).to_contain_text("2027-01-01부터의 값을 더했습니다")

    # What-if on the day it applies: people aged 65–74 leave the programmes.
    page.get_by_label("기준일", exact=True).first.fill("2027-01-01")
    page.get_by_test_id("whatif").click()
    result = page.get_by_test_id("whatif-result")
    expect(result).to_be_visible()
    lost = page.get_by_test_id("lost-disabled_elder_care")
    expect(lost).not_to_have_text("0")
    expect(page.get_by_test_id("affected")).to_contain_text("한옥순")
    shot(page, "whatif")

    # An example written with the old threshold in mind stops the publication.
    form = page.get_by_test_id("example-form")
    form.get_by_label("예시 이름").fill("72세 중증 장애 어르신 (2027년)")
    form.get_by_label("기준일").fill("2027-03-01")
    form.get_by_label("만 나이").fill("72")
    form.get_by_label("관내 거주").select_option("true")
    form.get_by_label("장애 정도").select_option("중증")
    form.get_by_label("장애어르신 돌봄 시간 확대사업").select_option("eligible")
    page.get_by_test_id("add-example").click()
    expect(page.get_by_test_id("message")).to_contain_text("예시 '72세 중증 장애 어르신 (2027년)'")
    page.get_by_test_id("publish").click()
    failures = page.get_by_test_id("publish-failures")
    expect(failures).to_contain_text("72세 중증 장애 어르신 (2027년)")
    expect(failures).to_contain_text("기대 대상, 결과 비대상")
    shot(page, "publish-refused")

    # Fix the example: from 2027 a 72-year-old is not eligible.
    source = page.get_by_test_id("source")
    text = source.input_value()
    head, tail = text.split("72세 중증 장애 어르신 (2027년)")
    source.fill(
        head
        + "72세 중증 장애 어르신 (2027년)"
        + tail.replace("disabled_elder_care: eligible", "disabled_elder_care: not_eligible", 1)
    )
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("message")).to_have_text("저장했습니다")
    page.get_by_test_id("publish").click()
    expect(page).to_have_url(re.compile(rf"/rules/{KEY}/$"))
    expect(page.get_by_text("v2 사용 중")).to_be_visible()
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(RuleSet.current_number).where(RuleSet.key == KEY)) == 2
    page.get_by_role("button", name="로그아웃").click()

    # The coordinator evaluates the case before and on the day of the change.
    sign_in(page, make_user("coordinator", jeonju))
    page.goto(f"/{jeonju}/cases/{case_id}?tab=eligibility")
    expect(page.get_by_role("heading", name=re.compile("한옥순"))).to_be_visible()
    page.get_by_label("기준일").fill("2026-12-31")
    page.get_by_test_id("evaluate").click()
    expect(page.get_by_test_id("eligibility-message")).to_contain_text("2026-12-31 기준")
    page.get_by_label("기준일").fill("2027-01-01")
    page.get_by_test_id("evaluate").click()
    expect(page.get_by_test_id("eligibility-message")).to_contain_text("2027-01-01 기준")
    decisions = page.get_by_test_id("decision")
    expect(decisions).to_have_count(8)  # the pack's four rule sets, twice
    section = page.locator("#eligibility")
    expect(section).to_contain_text(
        "만 75세 이상 (조례 제4조 제1항; 기준값 75세: 조례 제4조 제1항 — 2027년 조례 개정 (재구성)): 72세 — 미충족"
    )
    expect(section).to_contain_text("만 65세 이상 (조례 제4조 제1항): 72세 — 충족")
    shot(page, "decisions")
    with page.expect_popup() as popup:
        section.get_by_role("link", name="통지서 인쇄").first.click()
    notice = popup.value
    expect(notice.get_by_role("heading", name="통합돌봄 대상 판정 결과 통지")).to_be_visible()
    shot(notice, "notice")


def test_a_large_tenants_whatif_runs_as_a_job_with_a_progress_bar(
    page: Page, jeonju, make_user, start_worker, app, shot
):  # type: ignore[no-untyped-def]
    app.config["RULES_WHATIF_INLINE_MAX"] = 10  # the fixture's 80 cases count as "large"
    try:
        sign_in(page, make_user("city_admin", jeonju))
        page.goto(f"/{jeonju}/rules/{KEY}/edit")
        page.get_by_label("기준일", exact=True).first.fill("2026-12-01")
        page.get_by_test_id("whatif").click()
        # No worker yet: the job waits in the queue and the page polls its progress.
        expect(page.get_by_test_id("whatif-progress")).to_be_visible()
        expect(page.get_by_test_id("whatif-progress")).to_contain_text("사례를 계산하고 있습니다")
        shot(page, "whatif-queued")
        start_worker()
        expect(page.get_by_test_id("whatif-result")).to_be_visible(timeout=30_000)
        expect(page.get_by_test_id("whatif-result")).to_contain_text(
            "2026-12-01 기준, 진행 중인 사례"
        )
    finally:
        app.config["RULES_WHATIF_INLINE_MAX"] = 2000
