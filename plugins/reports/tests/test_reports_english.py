"""The plugin's own English catalogue: with English chosen, the reports page and its menu entry
are in English; in Korean (the default) they stay Korean. The ledger file stays Korean."""

from __future__ import annotations

from reports_helpers import switch_on

from tests.fixtures import csrf_from


def test_reports_page_in_english_and_korean(pack_tenant, signed_in):  # type: ignore[no-untyped-def]
    slug = switch_on(pack_tenant("jeonju", plugins=("reports",)))
    c = signed_in("coordinator", slug)

    korean = c.get(f"/{slug}/p/reports/")
    assert korean.status_code == 200
    assert '<h1 class="app-title">위기가구 신고</h1>' in korean.text
    assert "주민 신고 양식 보기" in korean.text
    assert "Crisis-household reports" not in korean.text

    c.post("/lang", data={"lang": "en", "csrf_token": csrf_from(korean.text),
                          "next": f"/{slug}/p/reports/"})  # fmt: skip
    page = c.get(f"/{slug}/p/reports/")
    assert page.status_code == 200
    assert 'lang="en"' in page.text
    assert '<h1 class="app-title">Crisis-household reports</h1>' in page.text
    assert "report form" in page.text and "View the residents" in page.text
    assert "위기가구 신고" not in page.text  # neither the heading nor the menu entry
    assert "주민 신고 양식 보기" not in page.text

    # The ledger file is a Korean record whatever the page's language.
    csv = c.get(f"/{slug}/p/reports/ledger/2026/csv")
    assert csv.status_code == 200
    assert csv.data.decode("utf-8-sig").startswith("접수번호,승인일,동,")
