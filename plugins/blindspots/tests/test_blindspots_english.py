"""The plugin's own English catalogue: with English chosen, the outreach page and its menu entry
are in English; in Korean (the default) they stay Korean."""

from __future__ import annotations

from blindspots_testkit import switch_on

from tests.fixtures import csrf_from


def test_blindspots_page_in_english_and_korean(pack_tenant, signed_in):  # type: ignore[no-untyped-def]
    slug = switch_on(pack_tenant("jeonju", plugins=("blindspots",)))
    c = signed_in("coordinator", slug)
    url = f"/{slug}/p/blindspots/"

    korean = c.get(url)
    assert korean.status_code == 200
    assert '<h1 class="app-title">복지사각지대 발굴</h1>' in korean.text
    assert "사각지대 발굴" in korean.text and "명단 올리기" in korean.text
    assert "Blind-spot outreach" not in korean.text

    c.post("/lang", data={"lang": "en", "csrf_token": csrf_from(korean.text), "next": url})
    page = c.get(url)
    assert page.status_code == 200
    assert 'lang="en"' in page.text
    assert '<h1 class="app-title">Blind-spot outreach</h1>' in page.text
    assert "Upload a list" in page.text
    assert "사각지대 발굴" not in page.text  # neither the heading nor the menu entry
    assert "명단 올리기" not in page.text
