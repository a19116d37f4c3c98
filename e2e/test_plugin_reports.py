"""위기가구 신고 in the browser: a resident files a report in a fresh browser context (first
without consent: the form comes back with the message beside the box and everything typed
kept); a coordinator triages it into a new application; the meeting approves the case; a real
worker records the reward; the ledger shows ₩50,000 with its citation. A screenshot of each
screen."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from dolbom import db
from dolbom.cases.models import Case
from dolbom.cases.transitions import transition
from dolbom.plugins.api import set_setting
from dolbom.tenancy.operations import set_plugin
from dolbom_reports.models import Payment, Report
from e2e.test_journeys import sign_in
from tests.fixtures import add_consent

pytestmark = pytest.mark.e2e


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    slug = pack_tenant("jeonju", plugins=("reports",))
    set_plugin(slug, "reports", True)
    with db.tenant_transaction(slug) as s:
        set_setting(s, "reports.reward_rule_set", "jeonju-crisis-reward")
    return slug


def approve(slug: str, case_id: int) -> None:
    """The integrated support meeting approves (the core's transition, as its page does)."""
    with db.tenant_transaction(slug) as s:
        case = s.get(Case, case_id)
        case.stage = "meeting"
        add_consent(s, case.person_id)
        s.flush()
        transition(s, case, "approve", role="coordinator", user_id=1, form={},
                   lock_version=case.lock_version)  # fmt: skip


def wait_for_payment(slug: str) -> None:
    deadline = time.monotonic() + 90
    while True:
        with db.tenant_session(slug) as s:
            if s.scalar(sa.select(sa.func.count()).select_from(Payment)):
                return
        assert time.monotonic() < deadline, "the worker never recorded the reward"
        time.sleep(0.2)


def test_resident_report_becomes_a_paid_reward(
    page: Page, new_context, jeonju, make_user, start_worker, shot
):  # type: ignore[no-untyped-def]
    # 1. A resident, not signed in, in a browser of their own.
    resident = new_context().new_page()
    resident.goto(f"/{jeonju}/p/reports/public/")
    expect(resident.get_by_role("heading", name="위기가구 신고")).to_be_visible()
    expect(resident.get_by_test_id("reward-info")).to_contain_text("₩50,000")
    expect(resident.locator(".app-nav")).to_have_count(0)
    resident.get_by_label("동", exact=False).first.select_option(label="평화1동")
    resident.get_by_label("주소 또는 장소").fill("평화동 주공아파트 105동 뒤 단독주택 2층")
    resident.get_by_label("그 분의 이름 (아는 경우)").fill("오금순")
    resident.get_by_text("끼니 거름", exact=True).click()  # KRDS: the label is the box
    resident.get_by_text("고립·은둔", exact=True).click()
    resident.get_by_label("본 것·들은 것").fill(
        "혼자 사시는 할머니가 며칠째 밖에 나오지 않고 우편물이 쌓여 있습니다."
    )
    resident.get_by_label("이름 (필수)", exact=True).fill("김이웃")
    resident.get_by_label("전화번호").fill("010-5550-0101")
    resident.get_by_label("그 가구와의 관계").select_option(label="이웃")
    resident.get_by_test_id("submit-report").click()  # without consent
    expect(resident.get_by_test_id("form-errors")).to_be_visible()
    expect(resident.get_by_test_id("error-consent")).to_contain_text("동의해야")
    expect(resident.get_by_label("주소 또는 장소")).to_have_value(
        "평화동 주공아파트 105동 뒤 단독주택 2층"
    )
    expect(resident.get_by_label("끼니 거름")).to_be_checked()
    shot(resident, "public-form-missing-consent")
    resident.get_by_text("위 내용을 읽었고 개인정보 수집·이용에 동의합니다").click()
    resident.get_by_test_id("submit-report").click()
    expect(resident.get_by_role("heading", name="신고가 접수되었습니다")).to_be_visible()
    receipt = resident.get_by_test_id("receipt").inner_text()
    assert re.fullmatch(r"\d{4}-[A-Z2-9]{6}", receipt)
    assert "5550" not in resident.url and "김이웃" not in resident.url
    shot(resident, "public-received")

    # 2. The coordinator triages it into a new application.
    sign_in(page, make_user("coordinator", jeonju, name="한조정"))
    page.get_by_role("link", name="위기가구 신고").click()
    expect(page.get_by_test_id(f"report-{receipt}")).to_contain_text("접수")
    shot(page, "staff-list")
    page.get_by_role("link", name=receipt).click()
    expect(page.get_by_test_id("reporter")).to_contain_text("010-5550-0101")
    expect(page.get_by_test_id("no-duplicates")).to_be_visible()
    shot(page, "staff-triage")
    form = page.get_by_test_id("form-apply")
    expect(form.get_by_label("이름 (새로 등록할 때)")).to_have_value("오금순")
    page.get_by_test_id("do-apply").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("신규 신청")
    shot(page, "staff-applied")
    with db.tenant_session(jeonju) as s:
        case_id = s.scalar(sa.select(Report.case_id).where(Report.receipt_no == receipt))

    # 3. The meeting approves; the worker records the reward once.
    approve(jeonju, case_id)
    start_worker()
    wait_for_payment(jeonju)
    page.reload()
    expect(page.get_by_test_id("reward")).to_contain_text("₩50,000")
    page.get_by_test_id("case-link").click()
    expect(page.get_by_text("위기가구 신고로 접수")).to_be_visible()
    shot(page, "case-panel")

    # 4. The ledger: ₩50,000 with its citation, then marked paid.
    page.goto(f"/{jeonju}/p/reports/ledger")
    row = page.get_by_test_id(f"payment-{receipt}")
    expect(row.get_by_test_id("amount")).to_have_text("₩50,000")
    expect(row.get_by_test_id("citation")).to_contain_text(
        "전주시 위기가구 신고 포상금 지급 기준 (재구성)"
    )
    expect(page.get_by_test_id("total-due")).to_contain_text("₩50,000")
    shot(page, "ledger")
    row.get_by_test_id("mark-paid").click()
    expect(page.get_by_test_id(f"payment-{receipt}")).to_contain_text("지급 완료")
    expect(page.get_by_test_id("total-paid")).to_contain_text("₩50,000")
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    assert download.value.suggested_filename.endswith(".csv")
    shot(page, "ledger-paid")
