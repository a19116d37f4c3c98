"""Input no form check anticipated: NUL bytes, superscript digits, numbers beyond what a column
holds. Each gets a 4xx page in the app's look, never a 500."""

from __future__ import annotations

from dolbom.tenancy.operations import set_plugin
from tests.fixtures import csrf_from


def test_a_nul_byte_is_refused_before_any_form_reads_it(app, make_tenant, signed_in):
    slug = make_tenant()
    client = signed_in("coordinator", slug)
    token = csrf_from(client.get(f"/{slug}/cases/").text)
    page = client.post(f"/{slug}/cases/new", data={"csrf_token": token, "name": "김\x00순자"})
    assert page.status_code == 400 and 'class="app-error"' in page.text
    assert "NUL" in page.text
    assert client.get(f"/{slug}/cases/?q=a%00b").status_code == 400


def test_superscript_digits_are_not_numbers(make_tenant, signed_in):
    slug = make_tenant()
    client = signed_in("coordinator", slug)
    # "²".isdigit() is true but int("²") fails: the page parameter falls back to page 1.
    assert client.get(f"/{slug}/cases/?page=%C2%B2").status_code == 200


def test_a_number_the_database_cannot_hold_is_a_bad_request(make_tenant, signed_in):
    slug = make_tenant()
    set_plugin(slug, "testplugin", True)
    client = signed_in("coordinator", slug)
    assert client.get(f"/{slug}/p/testplugin/item?id=1").text == "seeded"
    page = client.get(f"/{slug}/p/testplugin/item?id=99999999999999999999")
    assert page.status_code == 400 and "허용 범위" in page.text
    assert client.get(f"/{slug}/").status_code == 200  # the session is usable again
