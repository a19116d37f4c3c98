"""Care-safe housing from building to move-out, through the screens a coordinator uses: a
building and its flats, a queue entry scored by the city's rules, the move-in linked to the
case, the case page's panel, the case closed (flagged, not moved out), the move-out."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from housing_support import (
    a_case,
    close_case,
    current_tenancy,
    entry_form,
    entry_id_from,
    entry_of_case,
    flat,
    housing_tenant,
    person_of,
    rows,
    token,
)

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.clock import today
from dolbom_housing.models import Building, Flat, QueueEntry, Tenancy


def logged(slug: str, person_id: int) -> list[tuple[str, str | None]]:
    with db.tenant_session(slug) as s:
        return [
            tuple(r)
            for r in s.execute(
                sa.select(AccessLog.action, AccessLog.detail).where(
                    AccessLog.subject_type == "person", AccessLog.subject_id == person_id
                )
            )
        ]


def test_building_to_move_out(pack_tenant, signed_in):
    slug = housing_tenant(pack_tenant)
    c = signed_in("coordinator", slug)
    home = c.get(f"/{slug}/p/housing/")
    assert home.status_code == 200
    assert (
        "아직 등록한 건물이 없습니다" in home.text and "입주를 기다리는 분이 없습니다" in home.text
    )
    assert f'href="/{slug}/p/housing/"' in home.text  # the navigation entry
    t = token(c, slug)

    # A building with its on-site services, then five flats at once.
    r = c.post(f"/{slug}/p/housing/buildings/new",
               data={"csrf_token": t, "name": "평화동 케어안심주택", "address": "전주시 완산구 평화동",
                     "dong_code": "pyeonghwa1", "kind": "remodel", "status": "open",
                     "services": "방문간호 주 2회\n생활지원사 상주\n\n공동식당"})  # fmt: skip
    assert r.status_code == 303, r.text
    (b,) = rows(slug, Building)
    assert b.services == ["방문간호 주 2회", "생활지원사 상주", "공동식당"]
    r = c.post(f"/{slug}/p/housing/buildings/{b.id}/flats",
               data={"csrf_token": t, "numbers": "101-105", "safety_bars": "1", "no_thresholds": "1"})  # fmt: skip
    assert r.status_code == 303
    flats = rows(slug, Flat)
    assert [f.number for f in flats] == ["101", "102", "103", "104", "105"]
    assert all(
        f.floor == 1 and f.safety_bars and f.no_thresholds and not f.emergency_call for f in flats
    )
    page = c.get(f"/{slug}/p/housing/buildings/{b.id}")
    assert "방문간호 주 2회" in page.text and "101호" in page.text and "안전손잡이" in page.text

    # A person discharged ten days ago, aged 86, living alone, grade 3: on the list for a case.
    case_id = a_case(slug)
    person_id = person_of(slug, case_id)
    form = c.get(f"/{slug}/p/housing/queue/new?case_id={case_id}")
    assert (
        'value="yes" selected' in form.text and 'value="3등급" selected' in form.text
    )  # from the registry
    r = c.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(case_id)})
    entry_id = entry_id_from(r)
    entry = entry_of_case(slug, case_id)
    assert entry.score == 30 + 20 + 15 + 10  # discharge ≤30 days, 85+, alone, grade 3
    assert (entry.rule_set, entry.rule_version, entry.scored_on) == (
        "jeonju-care-housing",
        1,
        today(),
    )
    assert {line["key"]: line["points"] for line in entry.breakdown}["discharge_points"] == 30
    page = c.get(f"/{slug}/p/housing/queue/{entry_id}")
    assert "75점" in page.text and "우선 입주 대상" in page.text
    assert "전주시 케어안심주택 입주자 선정 기준 (재구성)" in page.text  # each line's basis
    assert "대기 1번째" in page.text
    assert ("view", "케어안심주택 입주 대기") in logged(slug, person_id)

    case_page = c.get(f"/{slug}/cases/{case_id}")
    assert "케어안심주택" in case_page.text and "입주 대기 1번째입니다" in case_page.text

    # Move-in to 101: linked to the person's case; the flat is occupied, the entry done.
    r = c.post(f"/{slug}/p/housing/queue/{entry_id}/move-in",
               data={"csrf_token": t, "flat_id": str(flats[0].id), "moved_in_on": today().isoformat(),
                     "lock_version": str(entry.lock_version)})  # fmt: skip
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/flats/{flats[0].id}")
    tenancy = current_tenancy(slug, flats[0].id)
    assert (tenancy.person_id, tenancy.case_id, tenancy.entry_id) == (person_id, case_id, entry_id)
    assert flat(slug, flats[0].id).status == "occupied"
    assert entry_of_case(slug, case_id).status == "housed"
    case_page = c.get(f"/{slug}/cases/{case_id}")
    assert "평화동 케어안심주택 101호에 살고 있습니다" in case_page.text
    assert "방문간호 주 2회" in case_page.text and "안전손잡이" in case_page.text
    assert ("view", "케어안심주택 (사례 화면)") in logged(slug, person_id)
    home = c.get(f"/{slug}/p/housing/")
    assert 'data-testid="occupied">1 / 5<' in home.text

    # The case closes: the tenancy is flagged on the dashboard, nobody is moved out silently.
    close_case(slug, case_id)
    tenancy = current_tenancy(slug, flats[0].id)
    assert tenancy is not None and tenancy.check_flagged_on == today()
    home = c.get(f"/{slug}/p/housing/")
    assert "퇴거 확인 필요" in home.text and f'data-testid="flag-{tenancy.id}"' in home.text

    # Move-out with date and reason: the flat is free again, the flag gone, the history kept.
    flat_page = c.get(f"/{slug}/p/housing/flats/{flats[0].id}")
    assert "퇴거 확인 필요" in flat_page.text
    r = c.post(f"/{slug}/p/housing/flats/{flats[0].id}/move-out",
               data={"csrf_token": t, "moved_out_on": today().isoformat(), "reason": "facility",
                     "note": "요양원 입소", "lock_version": str(flat(slug, flats[0].id).lock_version)})  # fmt: skip
    assert r.status_code == 303, r.text
    assert current_tenancy(slug, flats[0].id) is None
    (ended,) = rows(slug, Tenancy)
    assert (ended.moved_out_on, ended.move_out_reason, ended.check_flagged_on) == (
        today(),
        "facility",
        None,
    )
    assert flat(slug, flats[0].id).status == "available"
    page = c.get(f"/{slug}/p/housing/flats/{flats[0].id}")
    assert "지난 입주 기록" in page.text and "요양원 입소" in page.text
    assert "퇴거 확인 필요" not in c.get(f"/{slug}/p/housing/").text


def test_closing_a_case_marks_a_waiting_entry_and_reopening_clears_it(pack_tenant):
    from dolbom.cases.models import Case
    from dolbom.cases.transitions import transition

    slug = housing_tenant(pack_tenant)
    case_id = a_case(slug)
    with db.tenant_transaction(slug) as s:
        from dolbom.plugins.services import case_info
        from dolbom_housing import operations as ops

        values = {"applied_on": today(), "discharge_on": None, "hospital": None, "lives_alone": None,
                  "ltc_grade": None, "income_band": None, "unsafe_housing": False, "note": None}  # fmt: skip
        ops.create_entry(s, slug, case_info(s, case_id), values, user_id=1, on=today())
    close_case(slug, case_id)
    assert entry_of_case(slug, case_id).case_closed_on == today()
    assert entry_of_case(slug, case_id).status == "waiting"  # marked, not withdrawn
    with db.tenant_transaction(slug) as s:
        case = s.get(Case, case_id)
        transition(s, case, "reopen", role="coordinator", user_id=1, form={"note": "다시 엶"},
                   lock_version=case.lock_version)  # fmt: skip
    assert entry_of_case(slug, case_id).case_closed_on is None


def test_keep_living_clears_the_flag_and_withdraw_takes_off_the_list(pack_tenant, signed_in):
    from housing_support import a_building

    slug = housing_tenant(pack_tenant)
    c = signed_in("coordinator", slug)
    t = token(c, slug)
    _b, flat_ids = a_building(slug, "201")
    case_id = a_case(slug)
    entry_id = entry_id_from(
        c.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(case_id)})
    )
    c.post(f"/{slug}/p/housing/queue/{entry_id}/move-in",
           data={"csrf_token": t, "flat_id": str(flat_ids[0]), "moved_in_on": today().isoformat(),
                 "lock_version": str(entry_of_case(slug, case_id).lock_version)})  # fmt: skip
    close_case(slug, case_id)
    r = c.post(f"/{slug}/p/housing/flats/{flat_ids[0]}/keep",
               data={"csrf_token": t, "lock_version": str(flat(slug, flat_ids[0]).lock_version)})  # fmt: skip
    assert r.status_code == 303
    assert current_tenancy(slug, flat_ids[0]).check_flagged_on is None

    other = a_case(slug, name="이복남", born=dt.date(1950, 1, 1))
    entry_id = entry_id_from(
        c.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(other)})
    )
    lock = entry_of_case(slug, other).lock_version
    r = c.post(f"/{slug}/p/housing/queue/{entry_id}/withdraw",
               data={"csrf_token": t, "reason": "", "lock_version": str(lock)})  # fmt: skip
    assert r.status_code == 422 and "취소 사유를 적으세요" in r.text
    r = c.post(f"/{slug}/p/housing/queue/{entry_id}/withdraw",
               data={"csrf_token": t, "reason": "가족과 함께 살기로 함", "lock_version": str(lock)})  # fmt: skip
    assert r.status_code == 303
    withdrawn = entry_of_case(slug, other)
    assert (withdrawn.status, withdrawn.close_reason) == ("withdrawn", "가족과 함께 살기로 함")
    assert rows(slug, QueueEntry)[-1].id == entry_id
