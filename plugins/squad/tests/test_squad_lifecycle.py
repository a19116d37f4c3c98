"""The welfare squad's life: a volunteer registered, a safety-check order for a case, assigned,
completed with a checklist and a photo; the list, the monthly summary (page and CSV), the case
panel and the access log follow. Also: two people saving the same order, the demo seed."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from squad_testkit import (
    BASE,
    PNG,
    access_rows,
    lock_of,
    make_case,
    make_volunteer,
    new_order,
    order_id_of,
    photo,
    post,
    squad_tenant,
)

from dolbom import db
from dolbom.clock import today
from dolbom.tenancy.operations import set_plugin
from dolbom_squad.models import Assignment, Photo, Volunteer, WorkOrder
from dolbom_squad.summary import monthly


def test_volunteer_order_assign_complete_summary(pack_tenant, signed_in):
    slug = squad_tenant(pack_tenant)
    base = BASE.format(slug=slug)
    case_id = make_case(slug, "pyeonghwa1")
    client = signed_in("coordinator", slug)

    # A volunteer of 평화1동, registered through the form.
    r = post(client, f"{base}/volunteers/new", {
        "name": "한마음", "phone": "01000000123", "dong_code": "pyeonghwa1",
        "skills": ["safety", "repair"], "joined_on": "2026-01-05",
    })  # fmt: skip
    assert r.status_code == 204, r.text
    with db.tenant_session(slug) as s:
        v = s.scalar(sa.select(Volunteer).where(Volunteer.name == "한마음"))
        assert v.phone == "010-0000-0123" and v.skills == ["safety", "repair"] and v.active
    assert access_rows(slug, "squad_volunteer", v.id) == [("create", None)]
    listing = client.get(f"{base}/volunteers/?dong=pyeonghwa1")
    assert "한마음" in listing.text and "010-0000-0123" not in listing.text  # no phones in lists
    page = client.get(f"{base}/volunteers/{v.id}")
    assert "010-0000-0123" in page.text
    assert access_rows(slug, "squad_volunteer", v.id)[-1] == ("view", None)

    # A safety check for the case: the dong comes from the case.
    oid = order_id_of(new_order(client, slug, case_number=f"#{case_id}", urgency="urgent"))
    with db.tenant_session(slug) as s:
        o = s.get(WorkOrder, oid)
        assert (o.dong_code, o.case_id, o.status) == ("pyeonghwa1", case_id, "received")
        assert o.due_on == today() + dt.timedelta(days=2)
    shown = client.get(f"{base}/orders/{oid}")
    assert shown.status_code == 200 and "오금순" in shown.text and "한마음" in shown.text
    assert access_rows(slug, "case", case_id)[-1] == ("view", f"복지기동대 작업 {oid}")

    r = post(client, f"{base}/orders/{oid}/assign",
             {"volunteers": [str(v.id)], "lock_version": lock_of(slug, oid)})  # fmt: skip
    assert r.status_code == 204, r.text

    r = post(client, f"{base}/orders/{oid}/complete", {
        "completed_on": today().isoformat(), "completion_notes": "가스 호스 교체, 감지기 건전지 교체",
        "check_electric": "ok", "check_gas": "action", "check_fire": "na",
        "lock_version": lock_of(slug, oid), "photos": [photo(PNG, "현관.png")],
    }, content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 204, r.text
    with db.tenant_session(slug) as s:
        o = s.get(WorkOrder, oid)
        assert o.status == "done" and o.checklist == {
            "electric": "ok",
            "gas": "action",
            "fire": "na",
        }
        (pid,) = s.scalars(sa.select(Photo.id).where(Photo.order_id == oid)).all()
        assert s.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 1
    done = client.get(f"{base}/orders/{oid}")
    assert "조치 필요" in done.text and f"/photos/{pid}" in done.text
    img = client.get(f"{base}/orders/{oid}/photos/{pid}")
    assert img.status_code == 200 and img.mimetype == "image/png" and img.data == PNG
    assert "no-store" in img.headers["Cache-Control"]
    assert ("view", f"사진 {pid}") in access_rows(slug, "squad_order", oid)
    actions = [a for a, _ in access_rows(slug, "squad_order", oid)]
    assert actions[0] == "create" and actions.count("edit") == 2

    # Lists and the monthly summary.
    assert f"#{oid}" in client.get(f"{base}/?status=done&kind=safety&dong=pyeonghwa1").text
    assert f"#{oid}" not in client.get(f"{base}/?status=received").text
    month = today().strftime("%Y-%m")
    summary = client.get(f"{base}/summary/?month={month}")
    assert summary.status_code == 200
    row = summary.text.split('data-testid="summary-pyeonghwa1-safety"')[1].split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split('class="num">')[1:]]
    assert cells[:5] == ["1", "—", "1", "0", "1"]  # requested, cancelled, done, median days, hands
    assert "app-badge-danger" in row  # one check needing action
    csv = client.get(f"{base}/summary/{month}.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert f"{month},평화1동,노후주택 안전점검,1,0,1,0,1,1" in csv.text
    with db.tenant_session(slug) as s:
        figures = monthly(s, today().replace(day=1), None, ["pyeonghwa1"])
    assert figures.total.completed == 1 and figures.total.needs_action == 1

    # The case page shows the order with its status.
    case_page = client.get(f"/{slug}/cases/{case_id}")
    assert "복지기동대" in case_page.text and f"#{oid} 노후주택 안전점검 · 완료" in case_page.text


def test_median_days_and_volunteers_in_summary(pack_tenant):
    slug = squad_tenant(pack_tenant)
    a, b = make_volunteer(slug, "seosin", "가"), make_volunteer(slug, "seosin", "나")
    first = dt.date(2026, 9, 1)
    with db.tenant_transaction(slug) as s:
        for days, hands in ((2, [a]), (4, [a, b]), (9, [b])):
            o = WorkOrder(kind="repair", dong_code="seosin", address="예시로 1", description="x",
                          urgency="normal", requested_on=first, due_on=first, status="done",
                          completed_on=first + dt.timedelta(days=days), created_by=0)  # fmt: skip
            s.add(o)
            s.flush()
            s.add_all(Assignment(order_id=o.id, volunteer_id=h, assigned_by=0) for h in hands)
        s.add(WorkOrder(kind="repair", dong_code="seosin", address="예시로 2", description="x",
                        urgency="normal", requested_on=first, due_on=first, status="cancelled",
                        created_by=0))  # fmt: skip
    with db.tenant_session(slug) as s:
        (row,) = monthly(s, first, None, []).rows
    assert (row.requested, row.cancelled, row.completed) == (4, 1, 3)
    assert row.median_days == 4 and len(row.volunteers) == 2


def test_two_people_assign_the_same_order(pack_tenant, signed_in):
    slug = squad_tenant(pack_tenant)
    base = BASE.format(slug=slug)
    v1, v2 = make_volunteer(slug, "pyeonghwa1", "첫째"), make_volunteer(slug, "pyeonghwa1", "둘째")
    one, two = signed_in("coordinator", slug), signed_in("city_admin", slug)
    oid = order_id_of(new_order(one, slug, address="예시로 5", dong_code="pyeonghwa1"))
    loaded = lock_of(slug, oid)
    assert post(one, f"{base}/orders/{oid}/assign",
                {"volunteers": [str(v1)], "lock_version": loaded}).status_code == 204  # fmt: skip
    late = post(two, f"{base}/orders/{oid}/assign",
                {"volunteers": [str(v2)], "lock_version": loaded})  # fmt: skip
    assert late.status_code == 409 and "다른 사람이 먼저" in late.text
    assert f'value="{v2}" checked' in late.text  # the second person's choice is kept on screen
    with db.tenant_session(slug) as s:
        assert s.scalars(sa.select(Assignment.volunteer_id)).all() == [v1]


def test_cancel_needs_a_reason(pack_tenant, signed_in):
    slug = squad_tenant(pack_tenant)
    base = BASE.format(slug=slug)
    client = signed_in("coordinator", slug)
    oid = order_id_of(new_order(client, slug, address="예시로 7", dong_code="seosin"))
    r = post(client, f"{base}/orders/{oid}/cancel", {"cancel_reason": "", "lock_version": 1})
    assert r.status_code == 422 and "취소 사유를 적으세요" in r.text
    r = post(client, f"{base}/orders/{oid}/cancel",
             {"cancel_reason": "가족이 고쳤음", "lock_version": lock_of(slug, oid)})  # fmt: skip
    assert r.status_code == 204
    again = post(client, f"{base}/orders/{oid}/cancel",
                 {"cancel_reason": "다시", "lock_version": lock_of(slug, oid)})  # fmt: skip
    assert again.status_code == 422 and "지금: 취소" in again.text


def test_demo_seed_spreads_243_volunteers_over_every_dong(pack_tenant, signed_in):
    from dolbom.plugins.host import get_host
    from dolbom.plugins.services import current_dongs

    slug = pack_tenant("jeonju", plugins=("squad",))
    set_plugin(slug, "squad", True)
    with db.tenant_transaction(slug) as s:
        get_host().call("dolbom_demo_data", frozenset({"squad"}), tenant_slug=slug, session=s,
                        staff={"coordinator": 1})  # fmt: skip
    with db.tenant_transaction(slug) as s:  # a second run adds nothing
        get_host().call("dolbom_demo_data", frozenset({"squad"}), tenant_slug=slug, session=s,
                        staff={"coordinator": 1})  # fmt: skip
    with db.tenant_session(slug) as s:
        dongs = {d.code for d in current_dongs(s)}
        per = dict(s.execute(sa.select(Volunteer.dong_code, sa.func.count())
                             .group_by(Volunteer.dong_code)).all())  # fmt: skip
        statuses = set(s.scalars(sa.select(WorkOrder.status).distinct()))
        phones = s.scalars(sa.select(Volunteer.phone)).all()
    assert sum(per.values()) == 243 and set(per) == dongs and len(dongs) == 34
    assert all(p.startswith("010-0000-") for p in phones)
    assert {"received", "assigned", "done"} <= statuses
    client = signed_in("city_admin", slug)
    base = BASE.format(slug=slug)
    volunteers = client.get(f"{base}/volunteers/")
    assert volunteers.status_code == 200 and "활동 " in volunteers.text
    assert 'data-testid="next-page"' in volunteers.text  # 243 do not fit one page
    assert client.get(f"{base}/?status=done").status_code == 200
    assert client.get(f"{base}/summary/").status_code == 200
