"""Every role against tenant URLs it has no membership for; unknown and malformed slugs."""

from __future__ import annotations

import pytest

from dolbom.identity.models import Role

TENANT_ROLES = ["city_admin", "coordinator", "frontline_worker", "provider_staff"]


@pytest.fixture
def two_tenants(make_tenant):  # type: ignore[no-untyped-def]
    return make_tenant(), make_tenant()


@pytest.mark.parametrize("role", TENANT_ROLES)
def test_member_of_one_tenant_gets_403_in_another(signed_in, two_tenants, role):
    mine, other = two_tenants
    client = signed_in(role, mine)
    assert client.get(f"/{mine}/").status_code == 200
    for url in (f"/{other}/", f"/{other}/p/testplugin/", f"/{other}/p/testplugin/boom"):
        r = client.get(url)
        assert r.status_code == 403, url
        assert "접근 권한이 없습니다" in r.text
        assert other not in r.text.replace(f"/{other}/", "")  # not even its name


@pytest.mark.parametrize("platform_role", [Role.PLATFORM_OPERATOR, Role.MINISTRY_ANALYST])
def test_platform_roles_do_not_enter_tenants(signed_in, two_tenants, platform_role):
    client = signed_in(platform_role=platform_role)
    for slug in two_tenants:
        assert client.get(f"/{slug}/").status_code == 403


def test_ministry_and_operator_areas_are_separate(signed_in, two_tenants):
    ministry = signed_in(platform_role=Role.MINISTRY_ANALYST)
    operator = signed_in(platform_role=Role.PLATFORM_OPERATOR)
    worker = signed_in("frontline_worker", two_tenants[0])
    assert ministry.get("/ministry/").status_code == 200
    assert ministry.get("/admin/").status_code == 403
    assert operator.get("/admin/").status_code == 200
    assert operator.get("/ministry/").status_code == 403
    assert worker.get("/admin/").status_code == 403
    assert worker.get("/ministry/").status_code == 403
    assert worker.get("/metrics").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, two_tenants):
    r = client.get(f"/{two_tenants[0]}/")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "slug", ["nosuchcity", "Jeonju", "a", "1abc", "x" * 40, "ab_c", "%EC%A0%84%EC%A3%BC"]
)
def test_unknown_and_malformed_slugs_are_404(signed_in, two_tenants, slug):
    client = signed_in("coordinator", two_tenants[0])
    r = client.get(f"/{slug}/")
    assert r.status_code == 404
    assert "페이지를 찾을 수 없습니다" in r.text


@pytest.mark.parametrize("slug", ["admin", "ministry", "static", "login", "api", "healthz", "p"])
def test_reserved_slugs_never_reach_a_tenant(client, slug):
    from dolbom.tenancy.slugs import SlugError, check_slug

    with pytest.raises(SlugError):
        check_slug(slug)
    r = client.get(f"/{slug}/")
    assert r.status_code in (302, 404, 200)  # platform pages or not found — never a tenant page
    assert "관할 구역" not in r.text


def test_dong_scoped_worker_sees_their_scope(signed_in, make_tenant):
    from pathlib import Path

    from dolbom.tenancy.packs import read_pack

    pack = read_pack(Path(__file__).parents[1] / "tenants" / "jeonju")
    slug = make_tenant()
    pack.slug = slug
    from dolbom import db
    from dolbom.tenancy.packs import load_pack

    with db.tenant_transaction(slug) as s:
        load_pack(s, pack)
    client = signed_in("frontline_worker", slug, dongs=["pyeonghwa1"])
    r = client.get(f"/{slug}/")
    assert "평화1동" in r.text
    assert "완산구" in r.text and "덕진구" in r.text
