"""The welfare squad (신바람 복지기동대) in the browser: a 평화1·2동 worker opens a safety check of
an old house from a case page, tries a 평화2동 volunteer on the 평화1동 order and reads why not,
assigns the right one, completes it with the checklist and a photo, and sees the month's
figures. A screenshot of each screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dolbom.tenancy.operations import set_plugin
from dolbom_squad.demo import tiny_png
from e2e.test_journeys import sign_in
from plugins.squad.tests.squad_testkit import make_case, make_volunteer

pytestmark = pytest.mark.e2e


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    slug = pack_tenant("jeonju", plugins=("squad",))
    set_plugin(slug, "squad", True)
    return slug


def test_worker_runs_a_safety_check_from_order_to_summary(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    case_id = make_case(jeonju, "pyeonghwa1", "오금순")
    make_volunteer(jeonju, "pyeonghwa1", "한마음")
    make_volunteer(jeonju, "pyeonghwa1", "이웃사랑")
    make_volunteer(jeonju, "pyeonghwa2", "박이웃")
    worker = make_user(
        "frontline_worker", jeonju, dongs=["pyeonghwa1", "pyeonghwa2"], name="김창구"
    )
    sign_in(page, worker)

    # 1. From the case page's panel to a new order for the case.
    page.goto(f"/{jeonju}/cases/{case_id}")
    panel = page.get_by_test_id("case-plugin-panel").filter(has_text="복지기동대")
    expect(panel).to_contain_text("이 사례의 작업 요청이 없습니다.")
    panel.get_by_role("link", name="작업 요청 등록").click()
    form = page.get_by_test_id("order-form")
    expect(form.get_by_label("사례 번호")).to_have_value(str(case_id))
    form.get_by_label("작업 종류").select_option(label="노후주택 안전점검")
    form.get_by_label("요청 내용").fill(
        "1970년대 단독주택. 가스 냄새가 난다고 하심. 누전 차단기도 확인 요청."
    )
    form.get_by_label("긴급도").select_option(label="긴급")
    shot(page, "squad-01-new-order")
    form.get_by_test_id("create-order").click()
    expect(page).to_have_url(re.compile(r"/p/squad/orders/\d+$"))
    expect(page.get_by_test_id("order-facts")).to_contain_text("오금순")
    expect(page.get_by_test_id("order-dong")).to_have_text("평화1동")

    # 2. A volunteer of 평화2동 on a 평화1동 order: refused, the reason beside the field.
    assign = page.get_by_test_id("assign-form")
    assign.get_by_test_id("pick-dong").select_option(label="평화2동")
    expect(assign.get_by_text("박이웃")).to_be_visible()
    assign.locator("label", has_text="박이웃").click()
    assign.get_by_test_id("assign").click()
    message = page.get_by_test_id("msg-volunteers")
    expect(message).to_have_text(
        "박이웃 봉사자는 평화2동 소속이라 평화1동 작업에 배정할 수 없습니다. 평화1동 봉사자를 고르세요"
    )
    shot(page, "squad-02-other-dong-refused")

    # 3. The right one: back to 평화1동, 한마음.
    assign = page.get_by_test_id("assign-form")
    assign.get_by_test_id("pick-dong").select_option(label="평화1동 (작업 동)")
    expect(assign.get_by_text("한마음")).to_be_visible()
    assign.locator("label", has_text="한마음").click()
    assign.get_by_test_id("assign").click()
    expect(page.get_by_test_id("assigned")).to_contain_text("한마음")
    expect(page.get_by_role("heading", level=1).get_by_test_id("status")).to_have_text("배정")

    # 4. Completion: notes, the checklist, a photo.
    done = page.get_by_test_id("complete-form")
    done.get_by_label("작업 내용").fill("가스 호스 교체, 누전 차단기 정상. 감지기 건전지 교체.")
    done.locator("label[for=sc-check_electric-ok]").click()
    done.locator("label[for=sc-check_gas-action]").click()
    done.locator("label[for=sc-check_fire-ok]").click()
    done.get_by_label("사진").set_input_files(
        files=[
            {"name": "가스호스.png", "mimeType": "image/png", "buffer": tiny_png((90, 140, 200))}
        ]
    )
    shot(page, "squad-03-completion-form")
    done.get_by_test_id("complete").click()
    result = page.get_by_test_id("order-result")
    expect(result).to_be_visible()
    expect(result.get_by_test_id("checklist")).to_contain_text("조치 필요")
    expect(result.get_by_role("img", name="완료 사진 1")).to_be_visible()
    shot(page, "squad-04-completed")

    # 5. The list and the month's figures.
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="복지기동대").click()
    expect(page.get_by_test_id("orders")).to_contain_text("노후주택 안전점검")
    shot(page, "squad-05-orders")
    page.get_by_role("link", name="월별 실적").click()
    row = page.get_by_test_id("summary-pyeonghwa1-safety")
    expect(row).to_contain_text("평화1동")
    expect(row.locator("td").nth(3)).to_have_text("1")  # completed
    expect(page.get_by_test_id("summary-total")).to_contain_text("합계")
    shot(page, "squad-06-summary")
    page.get_by_role("link", name="봉사자", exact=True).click()
    expect(page.get_by_test_id("dong-counts")).to_contain_text("평화2동")
    shot(page, "squad-07-volunteers")


def test_city_admin_sees_the_demo_squad(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    from dolbom import db
    from dolbom.plugins.host import get_host

    with db.tenant_transaction(jeonju) as s:
        get_host().call("dolbom_demo_data", frozenset({"squad"}), tenant_slug=jeonju, session=s,
                        staff={"coordinator": 1})  # fmt: skip
    sign_in(page, make_user("city_admin", jeonju, name="정관리"))
    page.goto(f"/{jeonju}/p/squad/volunteers/")
    expect(page.get_by_test_id("volunteer-total")).to_contain_text("34개 동")
    shot(page, "squad-demo-volunteers")
    page.get_by_role("link", name="작업 요청", exact=True).click()
    expect(page.get_by_test_id("orders")).to_be_visible()
    page.get_by_test_id("status-done").click()
    expect(page.get_by_test_id("status-done")).to_have_attribute("aria-current", "page")
    shot(page, "squad-demo-orders")
    page.get_by_role("link", name="월별 실적").click()
    expect(page.get_by_test_id("summary")).to_be_visible()
    shot(page, "squad-demo-summary")
