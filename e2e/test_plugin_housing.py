"""케어안심주택 in the browser: a coordinator puts a woman discharged from hospital ten days ago
on the waiting list for her case (a wrong date first: the message beside the field, the rest
kept), reads the score's explanation, moves her into a flat, finds the flat and the building's
on-site services on her case page, and sees the occupancy change on the dashboard. A screenshot
of each screen."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from dolbom import db
from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.people.models import Person
from dolbom.tenancy.operations import set_plugin
from dolbom_housing import operations as ops
from dolbom_housing.models import Flat
from e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    slug = pack_tenant("jeonju", plugins=("housing",))
    set_plugin(slug, "housing", True)
    return slug


def buildings(slug: str) -> None:
    """평화동's renovated flats (five of them here) and the planned 285-flat building."""
    with db.tenant_transaction(slug) as s:
        services = ["방문간호 주 2회", "생활지원사 상주 (평일 9~18시)", "공동식당 점심"]
        b = ops.save_building(s, None, {"name": "평화동 케어안심주택", "dong_code": "pyeonghwa1",
                                        "address": "전주시 완산구 평화동 영구임대아파트", "kind": "remodel",
                                        "status": "open", "planned_flats": None, "services": services,
                                        "note": None}, user_id=1)  # fmt: skip
        ops.add_flats(s, b, {"numbers": ["101", "102", "103", "201", "202"], "floor": None,
                             "safety_bars": True, "no_thresholds": True, "emergency_call": True})  # fmt: skip
        ops.save_building(s, None, {"name": "전주 케어안심주택 전용 건물 (계획)", "dong_code": None,
                                    "address": None, "kind": "dedicated", "status": "planned",
                                    "planned_flats": 285, "services": [], "note": None}, user_id=1)  # fmt: skip


def a_case(slug: str, name: str = "김순자", born: dt.date = dt.date(1940, 5, 1)) -> int:
    with db.tenant_transaction(slug) as s:
        p = Person(name=name, birth_date=born, sex="여", dong_code="pyeonghwa1",
                   lives_alone=True, household_size=1, ltc_grade="3등급", income_band="차상위")  # fmt: skip
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code="pyeonghwa1", source="기관", stage="provision",
                    services_started_on=today())  # fmt: skip
        s.add(case)
        s.flush()
        return case.id


def test_coordinator_moves_a_discharged_person_in(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    buildings(jeonju)
    case_id = a_case(jeonju)
    with db.tenant_transaction(jeonju) as s:  # someone else already waiting, with fewer points
        from dolbom.plugins.services import case_info

        other = case_info(s, a_case(jeonju, "이복례", dt.date(1952, 8, 15)))
        ops.create_entry(s, jeonju, other, {"applied_on": today() - dt.timedelta(days=20),
                                            "discharge_on": None, "hospital": None, "lives_alone": True,
                                            "ltc_grade": None, "income_band": "수급", "unsafe_housing": True,
                                            "note": None}, user_id=1, on=today())  # fmt: skip
    sign_in(page, make_user("coordinator", jeonju, name="정조정"))

    # The dashboard: 0 of 5 flats occupied, 285 planned, nobody waiting.
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="케어안심주택").click()
    expect(page.get_by_role("heading", name="케어안심주택", exact=True)).to_be_visible()
    expect(page.get_by_test_id("total-occupied")).to_contain_text("0")
    expect(page.get_by_test_id("total-planned")).to_contain_text("285")
    expect(page.get_by_test_id("queue")).to_contain_text("이복례")
    shot(page, "dashboard-before")

    # From her case page: the panel offers the waiting list, the form starts from the registry.
    page.goto(f"/{jeonju}/cases/{case_id}")
    panel = page.get_by_test_id("case-plugin-panel").filter(has_text="케어안심주택")
    expect(panel).to_contain_text("입주 기록도 대기 기록도 없습니다")
    panel.get_by_role("link", name="입주 대기 등록").click()
    expect(page.get_by_label("사례 번호")).to_have_value(str(case_id))
    expect(page.get_by_label("혼자 사는지")).to_have_value("yes")
    expect(page.get_by_label("장기요양등급")).to_have_value("3등급")
    expect(page.get_by_label("소득 구간")).to_have_value("차상위")
    # A discharge date far ahead is refused beside the field, the rest kept.
    page.get_by_label("퇴원일 (예정일)").fill((today() + dt.timedelta(days=200)).isoformat())
    page.get_by_label("병원 이름").fill("전북대학교병원")
    page.get_by_test_id("save-entry").click()
    expect(page.get_by_test_id("error-discharge_on")).to_contain_text("90일 안의 예정일까지")
    expect(page.get_by_label("병원 이름")).to_have_value("전북대학교병원")  # kept
    shot(page, "entry-refused")
    page.get_by_label("퇴원일 (예정일)").fill((today() - dt.timedelta(days=10)).isoformat())
    page.get_by_test_id("save-entry").click()

    # The score and where each point comes from.
    expect(page).to_have_url(re.compile(r"/p/housing/queue/\d+$"))
    expect(page.get_by_test_id("entry-title")).to_have_text("김순자")
    expect(page.get_by_test_id("entry-score")).to_have_text("85점")  # 30 + 20 + 15 + 10 + 10
    expect(page.get_by_test_id("priority")).to_be_visible()
    expect(page.get_by_test_id("line-discharge_points")).to_contain_text("30점")
    expect(page.get_by_test_id("score-explanation")).to_contain_text(
        "전주시 케어안심주택 입주자 선정 기준 (재구성)"
    )
    expect(page.get_by_test_id("position")).to_have_text("대기 1번째")  # ahead of 35 points
    shot(page, "entry-score")

    # Move-in to 101.
    with db.tenant_session(jeonju) as s:
        flat_101 = s.scalar(sa.select(Flat.id).where(Flat.number == "101"))
    page.get_by_test_id("flat-choice").select_option(str(flat_101))
    page.get_by_test_id("move-in").click()
    expect(page).to_have_url(re.compile(r"/p/housing/flats/\d+$"))
    expect(page.get_by_test_id("flat-title")).to_have_text("평화동 케어안심주택 101호")
    expect(page.get_by_test_id("tenant-name")).to_have_text("김순자")
    shot(page, "flat")

    # Her case page shows the flat, the building and its on-site services.
    page.get_by_test_id("tenant-case").click()
    panel = page.get_by_test_id("case-plugin-panel").filter(has_text="케어안심주택")
    expect(panel).to_contain_text("평화동 케어안심주택 101호에 살고 있습니다")
    expect(panel).to_contain_text("방문간호 주 2회")
    expect(panel).to_contain_text("안전손잡이")
    shot(page, "case-panel")

    # The dashboard: one of five occupied now.
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="케어안심주택").click()
    expect(page.get_by_test_id("total-occupied")).to_contain_text("1")
    expect(page.get_by_test_id("occupancy").get_by_test_id("occupied").first).to_have_text("1 / 5")
    expect(page.get_by_test_id("total-vacant")).to_contain_text("4")
    shot(page, "dashboard-after")
    page.get_by_test_id("occupancy").get_by_role("link", name="평화동 케어안심주택").click()
    expect(page.get_by_test_id("flat-101")).to_contain_text("김순자")
    expect(page.get_by_test_id("services")).to_contain_text("공동식당 점심")
    shot(page, "building")
