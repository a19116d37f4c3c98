"""Documents in the browser: a frontline worker tries a web page renamed to .pdf (refused at the
field, the choices kept), keeps a signed consent form, and downloads it again by its name."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.test_journeys import sign_in
from tests.test_case_followup import a_case

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def test_worker_keeps_a_consent_form_with_the_case(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    case_id = a_case(jeonju, "application")
    sign_in(page, make_user("frontline_worker", jeonju, dongs=["pyeonghwa1"]))
    page.goto(f"/{jeonju}/cases/{case_id}")
    page.get_by_test_id("tab-documents").click()
    section = page.get_by_test_id("documents")
    expect(section).to_contain_text("보관된 문서가 없습니다.")

    page.get_by_label("종류").select_option(label="동의서")
    page.get_by_label("메모").fill("본인 서명, 2026-03 상담")
    page.get_by_label("파일", exact=True).set_input_files(
        {"name": "동의서.pdf", "mimeType": "application/pdf", "buffer": b"<html><script>x</script>"}
    )
    page.get_by_test_id("upload-document").click()
    expect(page.locator("#document-file-msg")).to_contain_text("PDF, JPEG, PNG 파일만")
    expect(page.get_by_label("종류")).to_have_value("consent")  # nothing chosen is lost
    expect(page.get_by_label("메모")).to_have_value("본인 서명, 2026-03 상담")
    shot(page, "refused")

    page.get_by_label("파일", exact=True).set_input_files(
        {"name": "동의서.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_test_id("upload-document").click()
    expect(page.get_by_test_id("documents-message")).to_contain_text("문서를 보관했습니다")
    expect(page.get_by_test_id("document-list")).to_contain_text("동의서.pdf")
    expect(page.get_by_test_id("document-list")).to_contain_text("본인 서명, 2026-03 상담")
    expect(page.locator("#document-file-msg")).to_be_empty()
    whole = shot(page, "kept")
    page.locator("#documents").screenshot(path=str(whole.with_name(whole.stem + "-section.png")))

    with page.expect_download() as info:
        page.get_by_role("link", name="내려받기").click()
    download = info.value
    assert download.suggested_filename == "동의서.pdf"
    assert download.path().read_bytes() == PDF
