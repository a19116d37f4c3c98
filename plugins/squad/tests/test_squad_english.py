"""The plugin's own English catalogue: with English chosen, the squad page, its menu entry and
its form messages are in English; in Korean (the default) they stay Korean."""

from __future__ import annotations

from squad_testkit import BASE, new_order, squad_tenant

from tests.fixtures import csrf_from


def test_squad_page_in_english_and_korean(pack_tenant, signed_in):  # type: ignore[no-untyped-def]
    slug = squad_tenant(pack_tenant)
    base = BASE.format(slug=slug)
    c = signed_in("coordinator", slug)

    korean = c.get(f"{base}/")
    assert korean.status_code == 200
    assert '<h1 class="app-title">신바람 복지기동대</h1>' in korean.text
    assert "복지기동대" in korean.text and "새 작업 요청" in korean.text
    assert "Welfare squad" not in korean.text

    c.post("/lang", data={"lang": "en", "csrf_token": csrf_from(korean.text),
                          "next": f"{base}/"})  # fmt: skip
    page = c.get(f"{base}/")
    assert page.status_code == 200
    assert 'lang="en"' in page.text
    assert '<h1 class="app-title">Sinbaram welfare squad</h1>' in page.text
    assert ">Welfare squad<" in page.text  # the menu entry
    assert "New work order" in page.text
    assert "복지기동대" not in page.text  # neither the heading nor the menu entry
    assert "새 작업 요청" not in page.text

    # A refused form speaks English too, without Korean particles glued to the labels.
    r = new_order(c, slug, kind="", address="", description="")
    assert r.status_code == 422
    assert "Type of work: choose one from the list" in r.text
    assert "Request details is required" in r.text
    assert "작업 종류를 고르세요" not in r.text
