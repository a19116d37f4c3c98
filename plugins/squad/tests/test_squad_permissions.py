"""Who may use the squad's screens: city administrators and coordinators every dong, frontline
workers their own dongs (volunteers and orders alike), provider staff nothing (403), members
of another tenant nothing (403), anonymous visitors the sign-in page. And where the plugin is
off, it leaves no trace: routes 404, no menu entry, no case panel, no tables."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from squad_testkit import (
    BASE,
    lock_of,
    make_case,
    make_volunteer,
    new_order,
    order_id_of,
    post,
    squad_tenant,
)

from dolbom import db
from dolbom.tenancy.operations import set_plugin
from dolbom_squad.models import Volunteer, WorkOrder


def _routes(slug: str, oid: int, vid: int) -> list[str]:
    base = BASE.format(slug=slug)
    return [f"{base}/", f"{base}/orders/new", f"{base}/orders/{oid}", f"{base}/orders/{oid}/pick",
            f"{base}/volunteers/", f"{base}/volunteers/new", f"{base}/volunteers/{vid}",
            f"{base}/summary/", f"{base}/summary/2026-10.csv"]  # fmt: skip


def _an_order(slug: str, dong: str = "pyeonghwa1") -> int:
    with db.tenant_transaction(slug) as s:
        import datetime as dt

        o = WorkOrder(kind="repair", dong_code=dong, address="예시로 1", description="문고리",
                      urgency="normal", requested_on=dt.date(2026, 10, 1),
                      due_on=dt.date(2026, 10, 15), status="received", created_by=0)  # fmt: skip
        s.add(o)
        s.flush()
        return o.id


@pytest.mark.parametrize("role", ["city_admin", "coordinator"])
def test_city_staff_see_every_dong(pack_tenant, signed_in, role):
    slug = squad_tenant(pack_tenant)
    oid, vid = _an_order(slug, "songcheon1"), make_volunteer(slug, "songcheon1")
    client = signed_in(role, slug)
    for url in _routes(slug, oid, vid):
        assert client.get(url).status_code == 200, url
    assert f'href="/{slug}/p/squad/"' in client.get(f"/{slug}/").text  # menu entry


def test_provider_staff_other_tenants_and_anonymous_are_kept_out(pack_tenant, signed_in, app):
    slug = squad_tenant(pack_tenant)
    other = squad_tenant(pack_tenant)
    oid, vid = _an_order(slug), make_volunteer(slug)
    provider = signed_in("provider_staff", slug)
    stranger = signed_in("coordinator", other)
    anonymous = app.test_client()
    for url in _routes(slug, oid, vid):
        assert provider.get(url).status_code == 403, url
        assert stranger.get(url).status_code == 403, url
        r = anonymous.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"], url
    base = BASE.format(slug=slug)
    r = post(provider, f"{base}/orders/{oid}/assign", {"volunteers": [str(vid)], "lock_version": 1})
    assert r.status_code == 403
    assert "복지기동대" not in provider.get(f"/{slug}/").text  # no menu entry for providers
    with db.tenant_session(slug) as s:
        assert s.get(WorkOrder, oid).status == "received"


def test_frontline_worker_only_their_dongs(pack_tenant, signed_in):
    slug = squad_tenant(pack_tenant)
    base = BASE.format(slug=slug)
    mine, theirs = _an_order(slug, "pyeonghwa1"), _an_order(slug, "songcheon1")
    my_v, their_v = make_volunteer(slug, "pyeonghwa1", "우리동"), make_volunteer(slug, "songcheon1", "남의동")  # fmt: skip
    worker = signed_in("frontline_worker", slug, dongs=["pyeonghwa1"])

    assert worker.get(f"{base}/orders/{mine}").status_code == 200
    assert worker.get(f"{base}/orders/{theirs}").status_code == 404
    listing = worker.get(f"{base}/").text
    assert f"#{mine}" in listing and f"#{theirs}" not in listing
    assert worker.get(f"{base}/volunteers/{my_v}").status_code == 200
    assert worker.get(f"{base}/volunteers/{their_v}").status_code == 404
    vols = worker.get(f"{base}/volunteers/").text
    assert "우리동" in vols and "남의동" not in vols and "송천1동" not in vols
    assert post(worker, f"{base}/orders/{theirs}/assign",
                {"volunteers": [str(their_v)], "lock_version": 1}).status_code == 404  # fmt: skip

    # Creating in another dong is refused beside the field, input kept.
    r = new_order(worker, slug, address="예시로 9", dong_code="songcheon1")
    assert r.status_code == 422 and "담당하는 동만" in r.text and "예시로 9" in r.text
    other_case = make_case(slug, "songcheon1", "남의사례")
    r = new_order(worker, slug, case_number=str(other_case))
    assert r.status_code == 422 and f"사례 #{other_case}을(를) 찾을 수 없습니다" in r.text
    r = post(worker, f"{base}/volunteers/new", {"name": "새봉사", "phone": "010-0000-1111",
                                                "dong_code": "songcheon1", "skills": ["repair"]})  # fmt: skip
    assert r.status_code == 422 and "담당하는 동만" in r.text and "새봉사" in r.text
    # Moving one of their volunteers out of their dongs is refused too.
    r = post(worker, f"{base}/volunteers/{my_v}", {
        "name": "우리동", "phone": "010-0000-9999", "dong_code": "songcheon1", "skills": ["safety"],
        "joined_on": "2025-01-02", "active": "1", "lock_version": 1,
    })  # fmt: skip
    assert r.status_code == 422
    with db.tenant_session(slug) as s:
        assert s.get(Volunteer, my_v).dong_code == "pyeonghwa1"

    # Their own dong works end to end, and the summary counts only their dongs.
    oid = order_id_of(new_order(worker, slug, address="예시로 3", dong_code="pyeonghwa1"))
    r = post(worker, f"{base}/orders/{oid}/assign",
             {"volunteers": [str(my_v)], "lock_version": lock_of(slug, oid)})  # fmt: skip
    assert r.status_code == 204
    summary = worker.get(f"{base}/summary/?month=2026-10").text
    assert "송천1동" not in summary


def test_switched_off_tenant_shows_no_trace(pack_tenant, make_tenant, signed_in):
    on = squad_tenant(pack_tenant)
    off = pack_tenant("jeonju", plugins=())  # the same pack, plugin never switched on
    case_on, case_off = make_case(on), make_case(off)
    oid = _an_order(on)
    client = signed_in("coordinator", tenants=[on, off])

    assert _table(off, "squad_order") is None and _table(off, "squad_volunteer") is None
    for url in _routes(off, oid, 1):
        assert client.get(url).status_code == 404, url
    assert "복지기동대" not in client.get(f"/{off}/").text
    off_case = client.get(f"/{off}/cases/{case_off}")
    assert off_case.status_code == 200 and "복지기동대" not in off_case.text
    assert "case-plugin-panel" not in off_case.text

    assert "case-plugin-panel" in client.get(f"/{on}/cases/{case_on}").text  # the control
    set_plugin(on, "squad", False)
    assert client.get(f"{BASE.format(slug=on)}/").status_code == 404
    assert "case-plugin-panel" not in client.get(f"/{on}/cases/{case_on}").text
    assert "복지기동대" not in client.get(f"/{on}/").text
    assert _table(on, "squad_order") is None


def _table(slug: str, table: str) -> object:
    with db.get_engine().connect() as conn:
        return conn.execute(
            sa.text("SELECT to_regclass(:t)"), {"t": f"{db.schema_for(slug)}.{table}"}
        ).scalar()
