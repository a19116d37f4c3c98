"""Issue 6 in the browser: a worker refers a planned service, the provider accepts it and
records three meals, the fourth over the monthly entitlement is refused, and the coordinator
records it with a reason. A screenshot of each screen."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from dolbom import db
from dolbom.clock import today
from dolbom.identity.models import Membership, User
from e2e.test_journeys import sign_in
from tests.test_referrals import _case, _decision, _providers

pytestmark = pytest.mark.e2e


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def test_refer_accept_record_refuse_over_the_cap_and_override(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    worker = make_user("frontline_worker", jeonju, dongs=["pyeonghwa1"], name="김창구")
    coordinator = make_user("coordinator", jeonju, name="이조정")
    provider = _providers(jeonju)[0]
    staff = make_user("provider_staff", jeonju, name="박제공")
    with db.shared_session() as s, s.begin():
        uid = s.scalar(sa.select(User.id).where(User.email == staff))
        s.execute(
            sa.update(Membership).where(Membership.user_id == uid).values(provider_id=provider.id)
        )
    case_id = _case(jeonju, "최말순")
    _decision(jeonju, case_id, 3)
    case_url = f"/{jeonju}/cases/{case_id}"

    sign_in(page, worker)
    page.goto(f"{case_url}?tab=referrals")
    service = page.get_by_test_id("service-meal_support")
    expect(service.get_by_test_id("cap-meal_support")).to_have_text("3식")
    form = page.get_by_test_id("refer-meal_support")
    form.locator(
        f"label[for=pv-meal_support-{provider.id}]"
    ).click()  # KRDS draws the radio on the label
    form.get_by_label("기관에 전달할 내용 (필요한 것만)").fill("당뇨식, 오전 배달")
    shot(page, "1-worker-chooses-a-provider")
    form.get_by_role("button", name="의뢰").click()
    expect(page.locator("[data-testid^=referral-status-]")).to_have_text("의뢰")
    shot(page, "2-referral-sent")

    page.context.clear_cookies()
    sign_in(page, staff)
    page.get_by_role("link", name="의뢰함").click()
    expect(page.get_by_test_id("inbox")).to_contain_text("최말순")
    shot(page, "3-provider-inbox")
    page.get_by_test_id("inbox").get_by_role("link", name="최말순").click()
    expect(page.get_by_test_id("person")).to_contain_text("******")
    page.get_by_test_id("step-accept").click()
    expect(page.get_by_test_id("status")).to_have_text("수락")
    day = today().isoformat()
    for i in range(3):
        page.get_by_label(f"{i + 1}번째 제공일").fill(day)
        page.get_by_label(f"{i + 1}번째 수량").fill("1")
        page.get_by_label(f"{i + 1}번째 메모").fill("도시락 배달")
    shot(page, "4-three-meals-entered")
    page.get_by_role("button", name="기록 저장").click()
    expect(page.get_by_test_id("status")).to_have_text("서비스 중")
    expect(page.get_by_test_id("usage")).to_contain_text("3식 / 상한 3식")
    page.get_by_label("1번째 제공일").fill(day)
    page.get_by_label("1번째 수량").fill("1")
    page.get_by_role("button", name="기록 저장").click()
    expect(page.get_by_test_id("records-message")).to_contain_text("남은 양은 0식입니다")
    expect(page.get_by_label("1번째 수량")).to_have_value("1")  # nothing lost
    shot(page, "5-fourth-meal-refused")

    page.context.clear_cookies()
    sign_in(page, coordinator)
    page.goto(f"{case_url}?tab=referrals")
    page.get_by_text("서비스 기록 (시군구)").click()
    grid = page.locator("[data-testid^=records-form-]")
    grid.get_by_label("1번째 제공일").fill(day)
    grid.get_by_label("1번째 수량").fill("1")
    grid.get_by_label("급여 상한 초과 사유 (상한을 넘을 때만)").fill("퇴원 직후 추가 식사 필요")
    shot(page, "6-coordinator-overrides")
    grid.get_by_role("button", name="기록 저장").click()
    expect(page.get_by_test_id("used-meal_support")).to_have_text("4식")
    page.get_by_test_id("tab-timeline").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("급여 상한 초과 승인")
    shot(page, "7-timeline")
