"""Bad input and races: clear messages next to the field, 422 fragments for htmx, 409 when
someone else saved first, and the database's own guards (one current tenancy per flat and
per person) when two move-ins meet."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from housing_support import (
    HX,
    a_building,
    a_case,
    building,
    entry_form,
    entry_id_from,
    entry_of_case,
    flat,
    housing_tenant,
    person_of,
    rows,
    token,
)
from sqlalchemy.exc import IntegrityError

from dolbom import db
from dolbom.clock import today
from dolbom_housing.models import Flat, QueueEntry, Tenancy


@pytest.fixture
def setup(pack_tenant, signed_in):  # type: ignore[no-untyped-def]
    slug = housing_tenant(pack_tenant)
    c = signed_in("coordinator", slug)
    building_id, flat_ids = a_building(slug, "101-102")
    return slug, c, token(c, slug), building_id, flat_ids


def move_in(c, slug: str, entry_id: int, flat_id: int, lock: int, day: str | None = None):  # type: ignore[no-untyped-def]
    return c.post(f"/{slug}/p/housing/queue/{entry_id}/move-in",
                  data={"csrf_token": token(c, slug), "flat_id": str(flat_id),
                        "moved_in_on": day or today().isoformat(), "lock_version": str(lock)})  # fmt: skip


def test_double_move_in_to_an_occupied_flat_is_refused(setup):  # type: ignore[no-untyped-def]
    slug, c, t, _b, flat_ids = setup
    first, second = a_case(slug), a_case(slug, name="이순례")
    e1 = entry_id_from(
        c.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(first)})
    )
    e2 = entry_id_from(
        c.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(second)})
    )
    assert (
        move_in(c, slug, e1, flat_ids[0], entry_of_case(slug, first).lock_version).status_code
        == 303
    )
    r = move_in(c, slug, e2, flat_ids[0], entry_of_case(slug, second).lock_version)
    assert r.status_code == 422 and "101호는 지금 입주할 수 없습니다" in r.text
    assert entry_of_case(slug, second).status == "waiting"
    # The same refusal as an htmx fragment: the form alone, status 422.
    r = c.post(f"/{slug}/p/housing/queue/{e2}/move-in", headers=HX,
               data={"csrf_token": t, "flat_id": str(flat_ids[0]), "moved_in_on": today().isoformat(),
                     "lock_version": str(entry_of_case(slug, second).lock_version)})  # fmt: skip
    assert r.status_code == 422 and "<html" not in r.text and 'id="move-in"' in r.text
    # A waiting list entry for someone who lives here already is refused too.
    r = c.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(first)})
    assert r.status_code == 422 and "이미 입주해 있습니다" in r.text
    r = c.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(second)})
    assert r.status_code == 422 and "이미 대기 명단에 있습니다" in r.text


def test_the_database_allows_one_current_tenancy_per_flat_and_per_person(setup):  # type: ignore[no-untyped-def]
    slug, _c, _t, _b, flat_ids = setup
    a, b = person_of(slug, a_case(slug)), person_of(slug, a_case(slug, name="둘째"))
    with db.tenant_transaction(slug) as s:
        s.add(Tenancy(flat_id=flat_ids[0], person_id=a, case_id=1, moved_in_on=today()))
    for flat_id, person_id in ((flat_ids[0], b), (flat_ids[1], a)):
        with pytest.raises(IntegrityError), db.tenant_transaction(slug) as s:
            s.add(Tenancy(flat_id=flat_id, person_id=person_id, case_id=1, moved_in_on=today()))
    with db.tenant_transaction(slug) as s:  # a past tenancy of the same flat is fine
        s.add(Tenancy(flat_id=flat_ids[0], person_id=b, case_id=1, moved_in_on=dt.date(2024, 1, 1),
                      moved_out_on=dt.date(2024, 6, 1)))  # fmt: skip
        with pytest.raises(IntegrityError), s.begin_nested():  # moved out before moving in
            s.add(Tenancy(flat_id=flat_ids[1], person_id=b, case_id=1, moved_in_on=dt.date(2024, 6, 1),
                          moved_out_on=dt.date(2024, 5, 1)))  # fmt: skip


def test_flat_numbers(setup):  # type: ignore[no-untyped-def]
    slug, c, t, building_id, _flats = setup
    url = f"/{slug}/p/housing/buildings/{building_id}/flats"
    cases = {
        "101": "이 건물에 이미 있는 호수입니다: 101",
        "103-105, 102": "이 건물에 이미 있는 호수입니다: 102",
        "201, 201": "같은 호수를 두 번 적었습니다: 201",
        "110-105": "범위의 끝이 시작보다 작습니다",
        "1-1000": "한 번에 300호까지",
        "<b>": "호수로 쓸 수 없습니다",
        "": "호수를 적으세요",
    }
    for numbers, message in cases.items():
        r = c.post(url, data={"csrf_token": t, "numbers": numbers}, headers=HX)
        assert r.status_code == 422 and message in r.text and "<html" not in r.text, numbers
    assert [f.number for f in rows(slug, Flat)] == ["101", "102"]  # nothing half-added
    r = c.post(url, data={"csrf_token": t, "numbers": "103-105", "floor": "abc"})
    assert (
        r.status_code == 422 and "정수로 적으세요" in r.text and "<html" in r.text
    )  # the whole page
    assert c.post(url, data={"csrf_token": t, "numbers": "B01, 301"}).status_code == 303
    assert {f.number: f.floor for f in rows(slug, Flat)} == {
        "101": 1,
        "102": 1,
        "B01": None,
        "301": 3,
    }
    # Renaming a flat to a number the building already has.
    f = rows(slug, Flat)[0]
    r = c.post(f"/{slug}/p/housing/flats/{f.id}/edit",
               data={"csrf_token": t, "number": "102", "status": "available", "lock_version": str(f.lock_version)})  # fmt: skip
    assert r.status_code == 422 and "같은 호수가 이미 있습니다" in r.text


def test_building_input(setup):  # type: ignore[no-untyped-def]
    slug, c, t, _building_id, _flats = setup
    url = f"/{slug}/p/housing/buildings/new"
    r = c.post(url, headers=HX, data={"csrf_token": t, "name": "", "kind": "tower", "status": "open",
                                      "planned_flats": "-3", "dong_code": "nowhere"})  # fmt: skip
    assert r.status_code == 422 and 'id="building-form"' in r.text and "<html" not in r.text
    for message in (
        "건물 이름을 적으세요",
        "목록에서 고르세요",
        "0부터 10,000 사이의 정수로 적으세요",
    ):
        assert message in r.text
    r = c.post(
        url,
        data={"csrf_token": t, "name": "평화동 케어안심주택", "kind": "remodel", "status": "open"},
    )
    assert r.status_code == 422 and "같은 이름의 건물이 이미 있습니다" in r.text
    r = c.post(url, data={"csrf_token": t, "name": "계획 건물", "kind": "dedicated", "status": "planned",
                          "services": "\n".join(f"서비스 {i}" for i in range(25))})  # fmt: skip
    assert r.status_code == 422 and "20개까지" in r.text


def test_invalid_dates(setup):  # type: ignore[no-untyped-def]
    slug, c, t, _b, flat_ids = setup
    case_id = a_case(slug)
    url = f"/{slug}/p/housing/queue/new"
    bad = {
        "applied_on": ("2026-02-30", "YYYY-MM-DD"),
        "discharge_on": ((today() + dt.timedelta(days=200)).isoformat(), "90일 안의 예정일까지"),
    }
    for name, (value, message) in bad.items():
        r = c.post(url, headers=HX, data={"csrf_token": t, **entry_form(case_id, **{name: value})})
        assert r.status_code == 422 and message in r.text and 'id="entry-form"' in r.text, name
    r = c.post(
        url,
        data={
            "csrf_token": t,
            **entry_form(case_id, applied_on=(today() + dt.timedelta(days=1)).isoformat()),
        },
    )
    assert r.status_code == 422 and "오늘이나 그 전이어야" in r.text
    r = c.post(url, data={"csrf_token": t, **entry_form(case_id, discharge_on="")})
    assert r.status_code == 422 and "병원을 적었다면 퇴원일" in r.text
    r = c.post(url, data={"csrf_token": t, **entry_form(None)})
    assert r.status_code == 422 and "사례 번호를 적으세요" in r.text
    r = c.post(url, data={"csrf_token": t, **entry_form(999999)})
    assert r.status_code == 422 and "볼 수 있는 사례 중에 이 번호가 없습니다" in r.text
    assert rows(slug, QueueEntry) == []

    # Closed cases do not enter the list.
    closed = a_case(slug, stage="closed")
    r = c.post(url, data={"csrf_token": t, **entry_form(closed)})
    assert r.status_code == 422 and "종결된 사례" in r.text

    entry_id = entry_id_from(c.post(url, data={"csrf_token": t, **entry_form(case_id)}))
    lock = entry_of_case(slug, case_id).lock_version
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    r = move_in(c, slug, entry_id, flat_ids[0], lock, tomorrow)
    assert r.status_code == 422 and "입주일은 오늘이나 그 전이어야" in r.text
    r = move_in(c, slug, entry_id, flat_ids[0], lock, "2020-01-01")
    assert r.status_code == 422 and "대기 등록일" in r.text
    r = move_in(c, slug, entry_id, 0, lock)
    assert r.status_code == 422 and "없는 호입니다" in r.text
    assert move_in(c, slug, entry_id, flat_ids[0], lock).status_code == 303
    out = f"/{slug}/p/housing/flats/{flat_ids[0]}/move-out"
    f_lock = str(flat(slug, flat_ids[0]).lock_version)
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    for data, message in (({"moved_out_on": yesterday, "reason": "moved"}, "입주일"),
                          ({"moved_out_on": "", "reason": "moved"}, "퇴거일을 적으세요"),
                          ({"moved_out_on": today().isoformat(), "reason": ""}, "퇴거 사유를 고르세요"),
                          ({"moved_out_on": today().isoformat(), "reason": "other"}, "내용을 적으세요")):  # fmt: skip
        r = c.post(out, headers=HX, data={"csrf_token": t, "lock_version": f_lock, **data})
        assert r.status_code == 422 and message in r.text and 'id="move-out"' in r.text, data
    assert flat(slug, flat_ids[0]).status == "occupied"


def test_an_occupied_flat_keeps_its_status_until_move_out(setup):  # type: ignore[no-untyped-def]
    slug, c, t, _b, flat_ids = setup
    case_id = a_case(slug)
    entry_id = entry_id_from(
        c.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(case_id)})
    )
    move_in(c, slug, entry_id, flat_ids[0], entry_of_case(slug, case_id).lock_version)
    f = flat(slug, flat_ids[0])
    r = c.post(f"/{slug}/p/housing/flats/{f.id}/edit",
               data={"csrf_token": t, "number": "101", "status": "repair", "lock_version": str(f.lock_version)})  # fmt: skip
    assert r.status_code == 422 and "먼저 퇴거를 기록하세요" in r.text
    assert flat(slug, f.id).status == "occupied"


def test_lost_updates_get_a_conflict(setup, signed_in):  # type: ignore[no-untyped-def]
    slug, a, t, building_id, flat_ids = setup
    b = signed_in("coordinator", slug)
    tb = token(b, slug)
    f = flat(slug, flat_ids[1])
    form = {
        "number": "102",
        "floor": "1",
        "status": "available",
        "lock_version": str(f.lock_version),
    }
    assert a.post(f"/{slug}/p/housing/flats/{f.id}/edit",
                  data={"csrf_token": t, **form, "note": "욕실 손잡이 교체"}).status_code == 303  # fmt: skip
    r = b.post(f"/{slug}/p/housing/flats/{f.id}/edit", headers=HX,
               data={"csrf_token": tb, **form, "status": "repair", "note": "다른 메모"})  # fmt: skip
    assert (
        r.status_code == 409 and "다른 사람이 먼저" in r.text and "다른 메모" in r.text
    )  # input kept
    assert (flat(slug, f.id).note, flat(slug, f.id).status) == ("욕실 손잡이 교체", "available")

    bld = building(slug, building_id)
    bform = {
        "name": bld.name,
        "kind": "remodel",
        "status": "open",
        "lock_version": str(bld.lock_version),
    }
    assert a.post(f"/{slug}/p/housing/buildings/{building_id}/edit",
                  data={"csrf_token": t, **bform, "services": "공동식당"}).status_code == 303  # fmt: skip
    r = b.post(f"/{slug}/p/housing/buildings/{building_id}/edit", data={"csrf_token": tb, **bform})
    assert r.status_code == 409 and "다른 사람이 먼저" in r.text
    assert building(slug, building_id).services == ["공동식당"]

    case_id = a_case(slug)
    entry_id = entry_id_from(
        a.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(case_id)})
    )
    lock = entry_of_case(slug, case_id).lock_version
    edit = entry_form(None, note="가족 연락 됨", lock_version=str(lock))
    assert (
        a.post(
            f"/{slug}/p/housing/queue/{entry_id}/edit", data={"csrf_token": t, **edit}
        ).status_code
        == 303
    )
    r = b.post(
        f"/{slug}/p/housing/queue/{entry_id}/edit",
        data={"csrf_token": tb, **edit, "note": "다른 사람"},
    )
    assert r.status_code == 409 and "다른 사람이 먼저" in r.text
    r = move_in(b, slug, entry_id, flat_ids[0], lock)  # the move-in form was from before the edit
    assert r.status_code == 409
    assert (
        entry_of_case(slug, case_id).note == "가족 연락 됨"
        and entry_of_case(slug, case_id).status == "waiting"
    )
    with db.tenant_session(slug) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Tenancy)) == 0
