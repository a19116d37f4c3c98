"""A ministry analyst compares Jeonju and Daejeon: the comparison table with its suppression
rule, both cities side by side with their readiness over time, a city's chart against its
peers, and the XLSX of what is on screen."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from dolbom import db
from dolbom.cases.synthetic import generate
from dolbom.clock import today
from dolbom.identity.models import Role
from dolbom.ministry import jobs
from dolbom.ministry.publish import publish_all
from dolbom.tenant_settings import get as setting
from dolbom.tenant_settings import set_value
from e2e.test_journeys import sign_in
from tests.test_ministry import _referrals, _tenant_id


@pytest.fixture
def published(pack_tenant):  # type: ignore[no-untyped-def]
    slugs = pack_tenant("jeonju"), pack_tenant("daejeon")
    for slug, n in zip(slugs, (150, 60), strict=True):
        with db.tenant_transaction(slug) as s:
            generate(s, slug, n, seed=len(slug) + n)
            # Jeonju's pack leaves its 65+ population to the city; here the city has entered it.
            profile = dict(setting(s, "profile", None) or {})
            profile.setdefault("population_65", 118_000)
            set_value(s, "profile", profile)
        _referrals(slug, 10)
        assert jobs.rollup_tenant(_tenant_id(slug), slug, today())
    publish_all()
    return slugs


def test_the_analyst_compares_jeonju_and_daejeon_and_exports(
    page: Page, published, make_user, shot
):  # type: ignore[no-untyped-def]
    jeonju, daejeon = published
    sign_in(page, make_user(platform_role=Role.MINISTRY_ANALYST))
    page.goto("/ministry/")
    table = page.get_by_test_id("comparison")
    expect(table.get_by_role("link", name="전주시")).to_be_visible()
    expect(table.get_by_role("link", name="대전광역시")).to_be_visible()
    expect(page.get_by_test_id("suppression-rule")).to_contain_text("<5")
    expect(page.locator("#chart-kpi canvas")).to_have_attribute("data-chart-ready", "1")
    shot(page, "ministry-01-comparison")

    # Sort by people in service, most first: the header says so.
    table.get_by_role("link", name=re.compile("^서비스 이용자")).first.click()
    expect(page.locator('th a[aria-sort="descending"]')).to_contain_text("서비스 이용자")

    # Both cities side by side, with readiness over time.
    compare = page.get_by_test_id("compare-form")
    compare.get_by_label(re.compile("지자체 골라 비교")).select_option([jeonju, daejeon])
    compare.get_by_role("button", name="비교").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("대전광역시 · 전주시"))
    expect(page.locator("#chart-readiness canvas")).to_have_attribute("data-chart-ready", "1")
    expect(page.get_by_test_id("compare")).to_contain_text("준비도")
    shot(page, "ministry-02-compare-readiness")

    # Jeonju's page: readiness items and the chart against similar cities.
    page.goto(f"/ministry/city/{jeonju}")
    expect(page.get_by_test_id("readiness")).to_contain_text("조례 제정")
    expect(page.locator("#chart-peers canvas")).to_have_attribute("data-chart-ready", "1")
    page.locator("#chart-peers").get_by_text("표로 보기").click()
    expect(page.locator("#chart-peers table.chart-data")).to_be_visible()
    shot(page, "ministry-03-city-peers")

    # The export holds exactly the table on screen.
    page.goto("/ministry/?sort=in_service&dir=desc")
    names = page.get_by_test_id("comparison").locator("tbody th").all_inner_texts()
    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    download = info.value
    assert re.fullmatch(r"dolbom-comparison-\d{4}-\d{2}\.xlsx", download.suggested_filename)
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    exported = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]]
    assert exported == [n.replace("집계 실패", "").strip() for n in names]
