"""Names are shown as text: no markup, no htmx attributes come alive."""

from __future__ import annotations

from dolbom import db
from dolbom.districts.models import Gu

IMG = "<img src=x onerror=alert(1)>"
HTMX = "<div hx-get=/admin/ hx-trigger=load>x</div>"


def test_hostile_names_are_escaped(signed_in, make_tenant):
    slug = make_tenant(name=IMG)
    with db.tenant_transaction(slug) as s:
        s.add(Gu(code="x", name=HTMX))
    client = signed_in("coordinator", slug, name=HTMX)
    page = client.get(f"/{slug}/").text
    assert IMG not in page and HTMX not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;div hx-get=/admin/ hx-trigger=load&gt;x&lt;/div&gt;" in page
