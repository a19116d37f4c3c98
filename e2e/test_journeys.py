"""What a person does in the browser, with screenshots kept in test-artifacts/e2e/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dolbom.identity.models import Role
from tests.fixtures import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def jeonju_like(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()


def test_operator_exports_a_tenant_with_a_live_progress_bar(
    page: Page, jeonju_like, make_user, start_worker, shot
):
    email = make_user(platform_role=Role.PLATFORM_OPERATOR)
    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name=re.compile("기관"))).to_be_visible()
    expect(page.get_by_test_id(f"tenant-{jeonju_like}")).to_contain_text("전주시")
    shot(page, "tenants")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name=re.compile("Tenants"))).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "tenants-en")
    page.get_by_role("button", name="한국어").click()
    expect(page.get_by_role("heading", name=re.compile("기관"))).to_be_visible()

    page.get_by_test_id(f"export-{jeonju_like}").click()
    progress = page.locator("#job-progress")
    expect(progress).to_contain_text("대기 중")  # no worker yet: queued
    shot(page, "export-queued")
    start_worker()
    # The bar polls by itself (htmx every 1 s) and stops once the job has finished.
    expect(progress).to_have_attribute("data-status", "finished", timeout=30_000)
    expect(page.get_by_test_id("download")).to_contain_text(jeonju_like)
    shot(page, "export-finished")

    # Leave and come back: the job is still there with its outcome.
    page.get_by_role("link", name="기관").first.click()
    page.get_by_role("link", name=re.compile("최근: 완료")).click()
    expect(page.locator("#job-progress")).to_have_attribute("data-status", "finished")

    page.get_by_role("button", name="로그아웃").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("로그아웃했습니다.")).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_frontline_worker_sees_their_tenant_and_nothing_else(
    page: Page, jeonju_like, make_tenant, make_user, shot
):
    other = make_tenant(name="대전광역시")
    email = make_user("frontline_worker", jeonju_like, dongs=["pyeonghwa1"])
    sign_in(page, email)
    expect(page).to_have_url(re.compile(rf"/{jeonju_like}/$"))
    expect(page.get_by_test_id("tenant-name")).to_have_text("전주시")
    expect(page.get_by_text("담당 동: 평화1동")).to_be_visible()
    rows = page.get_by_test_id("gu-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="덕진구")).to_contain_text("15")  # 금암1·2동 merged in 2025
    shot(page, "landing")

    page.goto(f"/{other}/")
    expect(page.get_by_role("heading", name="접근 권한이 없습니다")).to_be_visible()
    expect(page.get_by_text("대전광역시")).to_have_count(0)
    shot(page, "forbidden")
    page.goto("/no-such-city/")
    expect(page.get_by_role("heading", name="페이지를 찾을 수 없습니다")).to_be_visible()
    shot(page, "not-found")


def test_sign_in_mistakes_are_explained(page: Page, shot):
    page.goto("/login")
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_text("이메일을 입력하세요.")).to_be_visible()
    page.get_by_label("이메일").fill("nobody@nowhere.kr")
    page.get_by_label("비밀번호").fill("wrong")
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("alert")).to_have_text("이메일 또는 비밀번호가 올바르지 않습니다.")
    shot(page, "login-error")
