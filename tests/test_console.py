"""The city administrator's console: profile with the readiness items, case-work settings,
districts, packs and the change log — each change recorded before → after, bad input refused
next to the field, and only city administrators get in."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.console.models import ConfigChange
from dolbom.districts.jobs import district_moves
from dolbom.districts.models import Dong
from dolbom.districts.operations import NOTHING, due_moves
from dolbom.identity.models import Membership, User
from dolbom.jobs import enqueue
from dolbom.people.models import Person
from tests.fixtures import csrf_from
from tests.test_jobs import run_worker


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


@pytest.fixture
def admin(signed_in, jeonju):  # type: ignore[no-untyped-def]
    return signed_in("city_admin", jeonju)


def post(client, url: str, data: dict, page: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(page or url).text)
    return client.post(url, data={"csrf_token": token, **data})


def entries(slug: str, area: str) -> list[ConfigChange]:
    with db.tenant_session(slug) as s:
        return list(s.scalars(sa.select(ConfigChange).where(ConfigChange.area == area)
                              .order_by(ConfigChange.id)))  # fmt: skip


def test_overview_shows_readiness_and_what_the_pack_left_to_fill(admin, jeonju):
    page = admin.get(f"/{jeonju}/console/")
    assert page.status_code == 200
    assert 'data-testid="ready-ordinance"' in page.text
    assert "전주시 노인 지역사회통합돌봄 지원에 관한 조례" in page.text  # from the pack
    assert "미비" in page.text  # the dedicated unit is not in the pack


def test_profile_saved_and_audited_before_after(admin, jeonju):
    url = f"/{jeonju}/console/profile"
    form = {"name": "전주시", "region": "전북특별자치도", "unit_name": "통합돌봄과",
            "unit_established": "2026-01-02", "staff_count": "12", "staff_as_of": "2026-03-01",
            "ordinance_title": "전주시 노인 지역사회통합돌봄 지원에 관한 조례",
            "ordinance_promulgated": "2019-08-14", "pilot_field": "elderly", "pilot_since": "2019"}  # fmt: skip
    saved = post(admin, url, form)
    assert saved.status_code == 303
    overview = admin.get(f"/{jeonju}/console/").text
    assert "통합돌봄과" in overview and "12명" in overview
    (entry,) = entries(jeonju, "profile")
    assert entry.before["unit"] is None if "unit" in entry.before else True
    assert entry.after["unit"] == {"name": "통합돌봄과", "established": "2026-01-02"}
    assert entry.after["staff"] == {"count": 12, "as_of": "2026-03-01"}
    assert entry.user_id is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "기관 이름을 적으세요"),
        ("staff_count", "-2", "0 이상의 정수"),
        ("ordinance_promulgated", "2019-02-30", "YYYY-MM-DD"),
        ("pilot_field", "children", "elderly"),
    ],
)
def test_bad_profile_input_is_refused_next_to_the_field(admin, jeonju, field, value, message):
    url = f"/{jeonju}/console/profile"
    form = {"name": "전주시", field: value}
    refused = post(admin, url, form)
    assert refused.status_code == 422
    assert message in refused.text
    assert f'id="f-{field}-msg">' in refused.text
    assert entries(jeonju, "profile") == []


def test_service_level_of_zero_days_is_refused(admin, jeonju):
    url = f"/{jeonju}/console/settings"
    data = {"level_survey": "0", "level_judgement": "30", "level_plan": "14",
            "level_meeting": "14", "months": "1, 3"}  # fmt: skip
    refused = post(admin, url, data)
    assert refused.status_code == 422 and "1일에서 365일" in refused.text
    data["level_survey"] = "10"
    data["months"] = "1, 3, 6"
    assert post(admin, url, data).status_code == 303
    levels, months = entries(jeonju, "settings")
    assert (levels.before, levels.after) == ({"survey": 7}, {"survey": 10})
    assert months.after == {"months": [1, 3, 6]}


def test_merge_in_the_console_moves_people_cases_and_scopes(admin, jeonju, make_user):
    with db.tenant_transaction(jeonju) as s:
        p = Person(name="효자 주민", dong_code="hyoja1")
        s.add(p)
        s.flush()
        s.add(Case(person_id=p.id, dong_code="hyoja1", stage="plan"))
    worker = make_user("frontline_worker", jeonju, dongs=["hyoja1"])
    url = f"/{jeonju}/console/districts/merge"
    page = f"/{jeonju}/console/districts"
    one = post(admin, url, {"sources": ["hyoja1"], "name": "효자동", "code": "hyoja",
                            "on": "2026-01-01"}, page)  # fmt: skip
    assert one.status_code == 422 and "두 개 이상" in one.text
    done = post(admin, url, {"sources": ["hyoja1", "hyoja2"], "name": "새효자동",
                             "code": "hyoja", "on": "2026-01-01"}, page)  # fmt: skip
    assert done.status_code == 303
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(Person.dong_code).where(Person.name == "효자 주민")) == "hyoja"
        assert s.scalar(sa.select(Case.dong_code)) == "hyoja"
        uid = s.scalar(sa.select(User.id).where(User.email == worker))
        assert s.scalar(sa.select(Membership.dong_codes).where(Membership.user_id == uid)) == [
            "hyoja"
        ]
        old = s.scalar(sa.select(Dong).where(Dong.code == "hyoja1"))
        assert (old.name, str(old.valid_to), old.successor_code) == (
            "효자1동",
            "2026-01-01",
            "hyoja",
        )
    (entry,) = entries(jeonju, "district")
    assert entry.action == "merge" and entry.after["moved"]["people"] == 1


def test_a_merge_ahead_of_its_date_moves_everything_on_the_day(admin, jeonju, make_user):
    """Decided now for tomorrow: nothing moves yet and the page says when; when the day has
    come, the hourly job moves people, the open case and the scope, once."""
    with db.tenant_transaction(jeonju) as s:
        p = Person(name="효자 주민", dong_code="hyoja1")
        s.add(p)
        s.flush()
        s.add(Case(person_id=p.id, dong_code="hyoja1", stage="plan"))
    worker = make_user("frontline_worker", jeonju, dongs=["hyoja2"])
    tomorrow = today() + dt.timedelta(days=1)
    done = post(admin, f"/{jeonju}/console/districts/merge", {
        "sources": ["hyoja1", "hyoja2"], "name": "새효자동", "code": "hyoja",
        "on": tomorrow.isoformat()}, f"/{jeonju}/console/districts")  # fmt: skip
    assert done.status_code == 303
    page = admin.get(f"/{jeonju}/console/districts").text
    assert f"{tomorrow}에 새효자동(으)로 옮김 예정" in page
    assert f"{tomorrow}에 옮깁니다" in page  # the flash
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(Person.dong_code).where(Person.id == p.id)) == "hyoja1"
        # Today the job has nothing to do.
        assert due_moves(s, admin_tenant_id(jeonju), today())[0] == NOTHING
    enqueue(district_moves, jeonju, "before", queue="low")
    run_worker("low")
    with db.tenant_transaction(jeonju) as s:  # the day comes
        s.execute(
            sa.update(Dong).where(Dong.code.in_(["hyoja1", "hyoja2"])).values(valid_to=today())
        )
        s.execute(sa.update(Dong).where(Dong.code == "hyoja").values(valid_from=today()))
    for key in ("on-the-day", "again"):
        enqueue(district_moves, jeonju, key, queue="low")
        run_worker("low")
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(Person.dong_code).where(Person.id == p.id)) == "hyoja"
        assert s.scalar(sa.select(Case.dong_code)) == "hyoja"
        uid = s.scalar(sa.select(User.id).where(User.email == worker))
        scope = s.scalar(sa.select(Membership.dong_codes).where(Membership.user_id == uid))
    assert scope == ["hyoja"]
    moves = [e for e in entries(jeonju, "district") if e.action == "move"]
    assert len(moves) == 1  # the second run found nothing left to move
    assert (moves[0].after["people"], moves[0].after["open_cases"], moves[0].after["staff"]) == (
        1,
        1,
        1,
    )
    assert moves[0].after["providers"] > 0  # Jeonju's providers covering 효자1·2동


def admin_tenant_id(slug: str) -> int:
    from dolbom.tenancy.models import Tenant

    with db.shared_session() as s:
        return s.scalar(sa.select(Tenant.id).where(Tenant.slug == slug))


def test_removing_a_dong_with_people_is_refused_with_counts(admin, jeonju):
    with db.tenant_transaction(jeonju) as s:
        s.add(Person(name="서신 주민", dong_code="seosin"))
    refused = post(admin, f"/{jeonju}/console/districts/remove", {"code": "seosin"},
                   f"/{jeonju}/console/districts")  # fmt: skip
    assert refused.status_code == 422
    assert "주민 1명" in refused.text
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(Dong.id).where(Dong.code == "seosin")) is not None
    assert entries(jeonju, "district") == []


def test_pack_page_shows_no_difference_then_a_change(admin, jeonju):
    page = admin.get(f"/{jeonju}/console/packs")
    # The tenant's slug is not 'jeonju': there is no shipped pack for it.
    assert page.status_code == 200 and "설정 팩이 없습니다" in page.text


def test_change_log_lists_entries_and_refuses_bad_filters(admin, jeonju):
    post(admin, f"/{jeonju}/console/settings", {"level_survey": "9", "level_judgement": "30",
         "level_plan": "14", "level_meeting": "14", "months": "1, 3"})  # fmt: skip
    log = admin.get(f"/{jeonju}/console/changes?area=settings")
    assert log.status_code == 200 and "service_levels" in log.text
    assert admin.get(f"/{jeonju}/console/changes?area=nope").status_code == 400
    assert admin.get(f"/{jeonju}/console/changes?page=x").status_code == 400


@pytest.mark.parametrize("role", ["coordinator", "frontline_worker", "provider_staff"])
def test_only_city_administrators_reach_the_console(signed_in, jeonju, role):
    client = signed_in(role, jeonju)
    for path in ("", "profile", "settings", "districts", "packs", "changes", "plugins"):
        assert client.get(f"/{jeonju}/console/{path}").status_code == 403


def test_state_changes_need_the_csrf_token(admin, jeonju):
    refused = admin.post(f"/{jeonju}/console/settings", data={"level_survey": "9"})
    assert refused.status_code == 400
