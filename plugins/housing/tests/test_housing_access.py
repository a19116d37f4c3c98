"""Who may do what, and the tenant without the plugin: no routes, no menu entry, silent hooks,
no tables."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from housing_support import (
    a_building,
    a_case,
    close_case,
    entry_form,
    entry_id_from,
    entry_of_case,
    housing_tenant,
    token,
)

from dolbom import db
from dolbom.clock import today
from dolbom.tenancy.operations import set_plugin
from tests.fixtures import csrf_from

TABLES = ("housing_building", "housing_flat", "housing_queue_entry", "housing_tenancy")


def table_exists(slug: str, table: str) -> bool:
    with db.get_engine().connect() as conn:
        found = conn.execute(
            sa.text("SELECT to_regclass(:t)"), {"t": f"{db.schema_for(slug)}.{table}"}
        )
        return found.scalar() is not None


def get_urls(slug: str, building_id: int, flat_id: int, entry_id: int) -> list[str]:
    base = f"/{slug}/p/housing"
    return [f"{base}/", f"{base}/buildings/{building_id}", f"{base}/flats/{flat_id}", f"{base}/queue/",
            f"{base}/queue/{entry_id}", f"{base}/buildings/new", f"{base}/queue/new"]  # fmt: skip


@pytest.fixture
def world(pack_tenant, signed_in):  # type: ignore[no-untyped-def]
    slug = housing_tenant(pack_tenant)
    building_id, flat_ids = a_building(slug, "101-103")
    case_id = a_case(slug)
    c = signed_in("coordinator", slug)
    entry_id = entry_id_from(
        c.post(
            f"/{slug}/p/housing/queue/new",
            data={"csrf_token": token(c, slug), **entry_form(case_id)},
        )
    )
    return {
        "slug": slug,
        "building": building_id,
        "flats": flat_ids,
        "case": case_id,
        "entry": entry_id,
    }


def test_roles(world, signed_in, app, make_tenant):  # type: ignore[no-untyped-def]
    slug = world["slug"]
    urls = get_urls(slug, world["building"], world["flats"][0], world["entry"])
    for role in ("city_admin", "coordinator"):
        c = signed_in(role, slug)
        assert [c.get(u).status_code for u in urls] == [200] * len(urls), role
        t = csrf_from(c.get(urls[1]).text)
        r = c.post(f"/{slug}/p/housing/buildings/{world['building']}/flats",
                   data={"csrf_token": t, "numbers": f"9{len(role)}1"})  # fmt: skip
        assert r.status_code == 303, role

    # A frontline worker reads, and puts people of their own dongs on the list; no management.
    worker = signed_in("frontline_worker", slug, dongs=["pyeonghwa1"])
    assert [worker.get(u).status_code for u in urls[:5]] == [200] * 5
    assert worker.get(urls[5]).status_code == 403  # new building
    assert "건물 추가" not in worker.get(urls[0]).text
    t = csrf_from(worker.get(urls[6]).text)
    flat_id = world["flats"][1]
    posts = {
        f"/{slug}/p/housing/buildings/new": {"name": "x", "kind": "remodel", "status": "open"},
        f"/{slug}/p/housing/buildings/{world['building']}/flats": {"numbers": "999"},
        f"/{slug}/p/housing/buildings/{world['building']}/edit": {"name": "x"},
        f"/{slug}/p/housing/flats/{flat_id}/edit": {"number": "1", "status": "repair"},
        f"/{slug}/p/housing/flats/{flat_id}/move-out": {"moved_out_on": today().isoformat()},
        f"/{slug}/p/housing/queue/{world['entry']}/move-in": {"flat_id": str(flat_id)},
        f"/{slug}/p/housing/queue/{world['entry']}/withdraw": {"reason": "x"},
        f"/{slug}/p/housing/queue/recompute": {},
    }
    for url, data in posts.items():
        assert worker.post(url, data={"csrf_token": t, **data}).status_code == 403, url
    own = a_case(slug, name="박옥순")
    r = worker.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(own)})
    assert r.status_code == 303
    elsewhere = a_case(slug, name="최말순", dong="hyoja1")
    r = worker.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(elsewhere)})
    assert r.status_code == 422 and "볼 수 있는 사례 중에 이 번호가 없습니다" in r.text
    assert entry_of_case(slug, elsewhere) is None

    # Out of the worker's dongs: the entry is not theirs to open, the queue does not list it.
    coordinator = signed_in("coordinator", slug)
    other_entry = entry_id_from(coordinator.post(
        f"/{slug}/p/housing/queue/new", data={"csrf_token": csrf_from(coordinator.get(urls[6]).text),
                                              **entry_form(elsewhere)}))  # fmt: skip
    assert worker.get(f"/{slug}/p/housing/queue/{other_entry}").status_code == 404
    assert "최말순" not in worker.get(f"/{slug}/p/housing/queue/").text
    assert "최말순" in coordinator.get(f"/{slug}/p/housing/queue/").text

    # Provider staff: nothing here, no menu entry.
    provider = signed_in("provider_staff", slug)
    assert {provider.get(u).status_code for u in urls} == {403}
    assert "케어안심주택" not in provider.get(f"/{slug}/").text

    # A member of another tenant, and someone not signed in.
    outsider = signed_in("coordinator", make_tenant())
    assert {outsider.get(u).status_code for u in urls} == {403}
    anonymous = app.test_client()
    for u in urls:
        r = anonymous.get(u)
        assert r.status_code == 302 and "/login" in r.headers["Location"], u
    r = anonymous.post(f"/{slug}/p/housing/queue/recompute")
    assert r.status_code in (302, 400)


def test_names_of_other_dongs_stay_hidden_from_a_worker(pack_tenant, signed_in):
    slug = housing_tenant(pack_tenant)
    building_id, flat_ids = a_building(slug, "101", dong="hyoja1", name="효자동 케어안심주택")
    case_id = a_case(slug, name="정가을", dong="hyoja1")
    c = signed_in("coordinator", slug)
    t = token(c, slug)
    entry_id = entry_id_from(
        c.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(case_id)})
    )
    c.post(f"/{slug}/p/housing/queue/{entry_id}/move-in",
           data={"csrf_token": t, "flat_id": str(flat_ids[0]), "moved_in_on": today().isoformat(),
                 "lock_version": str(entry_of_case(slug, case_id).lock_version)})  # fmt: skip
    assert "정가을" in c.get(f"/{slug}/p/housing/buildings/{building_id}").text
    worker = signed_in("frontline_worker", slug, dongs=["pyeonghwa1"])
    page = worker.get(f"/{slug}/p/housing/buildings/{building_id}")
    assert page.status_code == 200 and "정가을" not in page.text and "담당 동 밖" in page.text
    flat_page = worker.get(f"/{slug}/p/housing/flats/{flat_ids[0]}")
    assert "정가을" not in flat_page.text and "이름은 보이지 않습니다" in flat_page.text


def test_tenant_without_the_plugin_shows_no_trace(pack_tenant, make_tenant, signed_in):
    on = housing_tenant(pack_tenant)
    off = make_tenant()  # never switched on (whatever the Jeonju pack lists)
    c = signed_in("coordinator", tenants=[on, off])
    assert all(table_exists(on, t) for t in TABLES)
    assert not any(table_exists(off, t) for t in TABLES)
    base = f"/{off}/p/housing"
    for url in (f"{base}/", f"{base}/buildings/1", f"{base}/flats/1", f"{base}/queue/", f"{base}/queue/1",
                f"{base}/queue/new", f"{base}/buildings/new"):  # fmt: skip
        assert c.get(url).status_code == 404, url
    t = csrf_from(c.get(f"/{off}/").text)
    assert c.post(f"{base}/queue/new", data={"csrf_token": t, **entry_form(1)}).status_code == 404
    assert "케어안심주택" not in c.get(f"/{off}/").text  # neither the menu entry nor the panel
    assert "케어안심주택" in c.get(f"/{on}/").text
    case_id = a_case(off)
    page = c.get(f"/{off}/cases/{case_id}")
    assert page.status_code == 200 and "케어안심주택" not in page.text  # no case panel
    close_case(off, case_id)  # the transition hook is not called: nothing to write anywhere
    assert not any(table_exists(off, t) for t in TABLES)
    assert "케어안심주택" in c.get(f"/{on}/cases/{a_case(on)}").text

    # Switched off again: the data is parked, routes and panels go with it.
    set_plugin(on, "housing", False)
    assert c.get(f"/{on}/p/housing/").status_code == 404
    assert not any(table_exists(on, t) for t in TABLES)
    assert "케어안심주택" not in c.get(f"/{on}/cases/{a_case(on)}").text
