"""The plugin's own English catalogue: with English chosen, the housing page and its menu entry
are in English; in Korean (the default) they stay Korean."""

from __future__ import annotations

from housing_support import housing_tenant

from tests.fixtures import csrf_from


def test_housing_page_in_english_and_korean(pack_tenant, signed_in):  # type: ignore[no-untyped-def]
    slug = housing_tenant(pack_tenant)
    c = signed_in("coordinator", slug)

    korean = c.get(f"/{slug}/p/housing/")
    assert korean.status_code == 200
    assert "케어안심주택" in korean.text
    assert "입주 대기 등록" in korean.text
    assert "Care-safe housing" not in korean.text

    c.post("/lang", data={"lang": "en", "csrf_token": csrf_from(korean.text),
                          "next": f"/{slug}/p/housing/"})  # fmt: skip
    page = c.get(f"/{slug}/p/housing/")
    assert page.status_code == 200
    assert 'lang="en"' in page.text
    assert '<h1 class="app-title">Care-safe housing</h1>' in page.text
    assert "Add to the admission queue" in page.text
    assert "케어안심주택" not in page.text  # neither the heading nor the menu entry
    assert "입주 대기 등록" not in page.text
