"""Security headers on every route — pages, fragments, redirects, error pages, static files."""

from __future__ import annotations

import pytest

from dolbom.identity.models import Role
from dolbom.tenancy.operations import set_plugin

REQUIRED = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def check(response, what: str) -> None:  # type: ignore[no-untyped-def]
    for header, expected in REQUIRED.items():
        assert expected in response.headers.get(header, ""), f"{what}: {header}"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp, what


def urls(app, slug: str) -> list[str]:  # type: ignore[no-untyped-def]
    values = {
        "tenant": slug,
        "slug": slug,
        "plugin": "testplugin",
        "job_id": "t__x__export__y",
        "filename": "css/app.css",
        "response_id": 1,
        "key": "kfrail",
        "number": 1,
        "case_id": 1,
        "meeting_id": 1,
        "decision_id": 1,
        "complaint_id": 1,
        "document_id": 1,
        "job_key": "1-1-abc-2026-01-01",
        "referral_id": 1,
        "month": "2026-10",
        "kind": "csv",
        "token": "no-such-token",
        "user_id": 1,
        "name": "testplugin",
        "provider_key": "nowhere",
        "fmt": "csv",
        # The pilot-city plugins' parameters.
        "building_id": 1,
        "flat_id": 1,
        "entry_id": 1,
        "report_id": 1,
        "payment_id": 1,
        "volunteer_id": 1,
        "order_id": 1,
        "photo_id": 1,
        "batch_id": 1,
        "task_id": 1,
        "year": 2026,
    }
    result = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        args = {a: values[a] for a in rule.arguments}
        result.append(rule.build(args, append_unknown=False)[1])
    return sorted(set(result))


@pytest.mark.parametrize("who", ["anonymous", "member", "operator", "ministry"])
def test_every_get_route(app, make_tenant, signed_in, who):
    slug = make_tenant()
    set_plugin(slug, "testplugin", True)
    client = {
        "anonymous": lambda: app.test_client(),
        "member": lambda: signed_in("city_admin", slug),
        "operator": lambda: signed_in(platform_role=Role.PLATFORM_OPERATOR),
        "ministry": lambda: signed_in(platform_role=Role.MINISTRY_ANALYST),
    }[who]()
    statuses = set()
    for url in urls(app, slug):
        r = client.get(url)
        statuses.add(r.status_code)
        check(r, f"{who} GET {url} → {r.status_code}")
        if r.status_code >= 400 and r.mimetype == "text/html":
            assert 'class="app-error"' in r.text, url  # error pages in the app's look
    assert statuses & {200}


def test_error_pages_fragments_and_posts(app, make_tenant, signed_in):
    slug = make_tenant()
    set_plugin(slug, "testplugin", True)
    client = signed_in("coordinator", slug)
    cases = {
        "404": client.get("/nowhere-at-all/"),
        "403": signed_in("coordinator", make_tenant()).get(f"/{slug}/"),
        "500": client.get(f"/{slug}/p/testplugin/boom"),
        "405": client.post("/healthz"),
        "csrf": client.post("/lang", data={"lang": "en"}),
        "fragment": client.get(
            f"/{slug}/", headers={"HX-Request": "true", "HX-Request-Type": "partial"}
        ),
        "fragment-404": client.get(
            "/nowhere-at-all/", headers={"HX-Request": "true", "HX-Request-Type": "partial"}
        ),
        "static": client.get("/static/css/app.css"),
    }
    for name, r in cases.items():
        check(r, name)
    assert cases["500"].status_code == 500 and "일시적인 오류" in cases["500"].text
    assert cases["405"].status_code == 405 and "GET" in cases["405"].headers["Allow"]
    fragment = cases["fragment"]
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "관할 구역" in fragment.text
    assert "HX-Request-Type" in fragment.headers["Vary"]
    assert "<html" not in cases["fragment-404"].text
    assert cases["fragment-404"].status_code == 404
    full = client.get(f"/{slug}/", headers={"HX-Request": "true", "HX-Request-Type": "full"})
    assert "<html" in full.text  # boosted navigation and history restores get whole pages
    assert "private" not in cases["static"].headers.get("Cache-Control", "")
    assert cases["fragment"].headers["Cache-Control"] == "no-store"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://dolbom.example")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]


def test_error_page_when_redis_is_down(signed_in, make_tenant, settings):
    from dolbom import kv

    slug = make_tenant()
    client = signed_in("coordinator", slug)
    kv.configure("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        r = client.get(f"/{slug}/")
        health = client.get("/healthz")
    finally:
        kv.configure(settings.redis_url)
    assert r.status_code == 500 and "일시적인 오류" in r.text
    check(r, "500 with Redis down")
    assert health.status_code == 503 and health.json["redis"] == "unavailable"
    check(health, "health with Redis down")
