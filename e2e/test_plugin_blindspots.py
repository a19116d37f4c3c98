"""복지사각지대 발굴 in the browser: a coordinator first uploads a list with a wrong header (the
message comes back beside the file field), then a small list with two bad rows, watches the
progress bar while a real worker imports it, reads the report and downloads the return file; a
frontline worker opens a task of their dong, records the visit as 신규 신청 and the new case
opens. A screenshot of each screen."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from dolbom import db
from dolbom.cases.models import Case
from dolbom.plugins.api import set_setting
from dolbom.tenancy.operations import set_plugin
from dolbom_blindspots import columns as C
from dolbom_blindspots import synthetic
from e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e
CSV = "text/csv"


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    slug = pack_tenant("jeonju", plugins=("blindspots",))
    set_plugin(slug, "blindspots", True)
    with db.tenant_transaction(slug) as s:
        set_setting(s, "blindspots.rule_set", "jeonju-blindspot-risk")
    return slug


def test_list_upload_progress_report_visit_and_export(
    page: Page, jeonju, make_user, start_worker, shot
):  # type: ignore[no-untyped-def]
    rows = synthetic.make_rows(14, ["pyeonghwa1", "pyeonghwa1", "seosin", "hyoja1"], seed=5)
    synthetic.spoil(rows, (4, 9))  # lines 6 and 11: a bad resident number, an unknown dong
    good = synthetic.to_bytes(rows, "cp949")
    coordinator = make_user("coordinator", jeonju, name="김조정")
    worker = make_user("frontline_worker", jeonju, dongs=["pyeonghwa1"], name="박창구")

    sign_in(page, coordinator)
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="사각지대 발굴").click()
    expect(page.get_by_role("heading", name="복지사각지대 발굴")).to_be_visible()
    expect(page.get_by_test_id("batches-empty")).to_be_visible()
    shot(page, "index-empty")

    # A header the list does not have: refused at once, the message beside the file field.
    wrong = good.decode("cp949").replace("단수", "단수여부", 1).encode("cp949")
    page.get_by_test_id("upload-file").set_input_files(
        {"name": "명단.csv", "mimeType": CSV, "buffer": wrong}
    )
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("file-error")).to_contain_text("없는 열: 단수")
    expect(page.get_by_test_id("file-error")).to_contain_text("알 수 없는 열: 단수여부")
    shot(page, "upload-refused")

    page.get_by_label("명단 이름").fill("2026년 9~10월 발굴 명단")
    page.get_by_test_id("upload-file").set_input_files(
        {"name": "발굴명단.csv", "mimeType": CSV, "buffer": good}
    )
    page.get_by_test_id("upload-submit").click()
    expect(page).to_have_url(re.compile(r"/p/blindspots/batches/\d+$"))
    body = page.get_by_test_id("batch-body")
    expect(body).to_have_attribute("data-status", "queued")
    shot(page, "batch-queued")
    start_worker()
    # The bar polls by itself (htmx every 1 s) and stops once the import has finished.
    expect(body).to_have_attribute("data-status", "imported", timeout=60_000)
    expect(page.get_by_test_id("imported")).to_have_text("12")
    expect(page.get_by_test_id("bad")).to_have_text("2")
    expect(page.get_by_test_id("problem-line-6")).to_contain_text(C.RRN)
    expect(page.get_by_test_id("problem-line-11")).to_contain_text("현재 행정동이 아닙니다")
    expect(page.get_by_test_id("summary")).to_contain_text("CP949")
    shot(page, "batch-imported")
    batch_url = page.url

    # Leave and come back: the page shows the settled batch.
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="사각지대 발굴").click()
    expect(page.get_by_test_id("batches")).to_contain_text("2026년 9~10월 발굴 명단")
    expect(page.get_by_test_id("batches")).to_contain_text("완료")
    shot(page, "index-with-batch")
    page.get_by_role("button", name="로그아웃").click()

    # The frontline worker: their dong's tasks, highest risk first.
    sign_in(page, worker)
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="사각지대 발굴").click()
    expect(page.get_by_role("heading", name="발굴 방문 목록")).to_be_visible()
    tasks = page.get_by_test_id("tasks")
    expect(tasks).to_contain_text("평화1동")
    expect(tasks).not_to_contain_text("서신동")
    shot(page, "worklist")
    tasks.locator("tbody tr").first.get_by_role("link").first.click()
    expect(page.get_by_test_id("registry-none")).to_be_visible()
    shot(page, "task")
    page.get_by_label("신규 신청").check(force=True)  # KRDS draws the radio under its label
    page.get_by_test_id("visited-on").fill("2026-11-20")
    page.get_by_test_id("note").fill("방문 상담 후 통합돌봄 신청 접수")
    page.get_by_test_id("save-outcome").click()
    expect(page.get_by_test_id("outcome-message")).to_contain_text("저장했습니다")
    expect(page.get_by_test_id("outcome-value")).to_have_text("신규 신청")
    shot(page, "task-applied")
    page.get_by_test_id("outcome-case").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+"))
    case_id = int(page.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0])
    with db.tenant_session(jeonju) as s:
        case = s.get(Case, case_id)
        assert (case.source, case.stage, case.dong_code) == (
            "발굴명단",
            "application",
            "pyeonghwa1",
        )
    expect(page.get_by_text("복지사각지대 발굴 명단").first).to_be_visible()
    shot(page, "case-opened")
    page.get_by_role("button", name="로그아웃").click()

    # The coordinator downloads the return file: the visit is in it, no name, no number.
    sign_in(page, coordinator)
    page.goto(batch_url)
    page.get_by_test_id("export-csv").click()  # the download asks why first
    page.get_by_test_id("export-reason").fill("사회보장정보시스템 결과 회신")
    shot(page, "export-reason")
    with page.expect_download() as download:
        page.get_by_test_id("export-download").click()
    data = open(download.value.path(), "rb").read()  # noqa: SIM115
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == [C.KEY, C.DONG, "방문일", "결과", "연계 내용"] and len(table) == 13
    assert [r[1:4] for r in table[1:] if r[3] == "신규 신청"] == [
        ["평화1동", "2026-11-20", "신규 신청"]
    ]
    text = data.decode("utf-8-sig")
    assert all(r[C.NAME] not in text and r[C.RRN][:6] not in text for r in rows)
    with db.tenant_session(jeonju) as s:
        assert (
            s.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.source == "발굴명단"))
            == 1
        )
