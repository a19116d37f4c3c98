"""Assessments in the browser: a worker fills in Jeonju's questionnaire through its conditional
second stage, reloads half-way, loses the connection, and submits; an administrator publishes a
second version while the first version's response stays as it was."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from dolbom import db
from dolbom.forms.models import FormResponse
from e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def saved(page: Page, key: str) -> Callable[[], object]:
    """A context manager that waits for the autosave of `key` to come back."""
    return page.expect_response(
        lambda r: r.url.endswith(f"/answer/{key}") and r.request.method == "POST"
    )


def pick(page: Page, key: str, label: str) -> None:
    with saved(page, key):
        page.locator(f"#q-{key}").get_by_text(label, exact=True).click()


def type_in(page: Page, key: str, value: str) -> None:
    with saved(page, key):
        page.locator(f"#f-{key}").fill(value)
        page.locator(f"#f-{key}").press("Tab")


def answers(slug: str, rid: int) -> dict:
    with db.tenant_session(slug) as s:
        return s.scalar(sa.select(FormResponse.answers).where(FormResponse.id == rid)) or {}


def start(page: Page, slug: str, form_title: str) -> int:
    page.goto(f"/{slug}/assessments/")
    page.get_by_test_id("new-response").click()
    page.get_by_text(form_title, exact=False).first.click()
    page.get_by_label("대상자 거주 행정동").select_option(label="평화1동")
    page.get_by_test_id("start").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    # The URL changes when the response arrives; keys pressed before htmx has initialised the
    # page (DOMContentLoaded) would change a field without saving it.
    page.wait_for_load_state("load")
    return int(page.url.rstrip("/").split("/")[-1])


def test_worker_fills_jeonju_questionnaire_through_stage_two(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    sign_in(page, make_user("frontline_worker", jeonju, dongs=["pyeonghwa1"]))
    rid = start(page, jeonju, "전주시 통합돌봄 욕구조사표")
    stage2 = page.locator("#sec-stage2_medical")
    expect(stage2).to_be_hidden()

    type_in(page, "survey_date", "2026-11-20")
    with saved(page, "residence_dong"):
        page.locator("#f-residence_dong").select_option(label="평화1동")
    pick(page, "residence_matches", "예")
    pick(page, "household", "혼자 삶 (독거)")  # living alone flags stage 2
    expect(stage2).to_be_visible()
    expect(page.get_by_test_id("score-stage1_flags")).to_contain_text("2단계 조사 대상")
    pick(page, "ltc_grade", "등급외·미신청")

    # A wrong value gets a message at the field and stays as typed.
    type_in(page, "illness_count", "넷")
    expect(page.locator("#msg-illness_count")).to_have_text(re.compile("숫자로 입력하세요"))
    type_in(page, "illness_count", "4")
    expect(page.locator("#msg-illness_count")).to_be_empty()
    expect(page.get_by_test_id("last-saved")).not_to_be_empty()

    # Half-way: the tab is reloaded; everything is still there.
    page.reload()
    expect(page.locator("#f-illness_count")).to_have_value("4")
    expect(page.locator("#q-household").get_by_label("혼자 삶 (독거)")).to_be_checked()
    expect(stage2).to_be_visible()

    for key in ("gds_satisfied", "cog_memory"):
        pick(page, key, "예")
    for key in (
        "gds_bored",
        "gds_helpless",
        "gds_home",
        "gds_worthless",
        "cog_date",
        "cog_objects",
    ):
        pick(page, key, "아니오")
    with saved(page, "chronic_diseases"):
        page.locator("#q-chronic_diseases").get_by_text("고혈압", exact=True).click()
    with saved(page, "chronic_diseases"):
        page.locator("#q-chronic_diseases").get_by_text("당뇨병", exact=True).click()
    with saved(page, "medicines"):
        page.locator("#f-medicines-0-name").fill("아스피린 100mg")
        page.locator("#f-medicines-0-name").press("Tab")
    type_in(page, "admissions_last_year", "1")
    pick(page, "recent_discharge", "아니오")
    pick(page, "unmet_medical", "아니오")

    # Submitting early lists what is missing, with links to each question.
    page.get_by_test_id("submit").click()
    incomplete = page.get_by_test_id("incomplete")
    expect(incomplete).to_contain_text("빠진 필수 문항")
    expect(
        incomplete.get_by_role("link", name="다음 일상 활동을 혼자서 할 수 있습니까?")
    ).to_be_visible()

    grid = page.locator("#q-care_adl")
    for item in (
        "eating",
        "bathing",
        "dressing",
        "toilet",
        "moving",
        "going_out",
        "meals",
        "medication",
    ):
        level = "partial" if item in ("bathing", "going_out") else "independent"
        with saved(page, "care_adl"):
            grid.locator(f"label[for='f-care_adl-{item}-{level}']").click()
    type_in(page, "meals_per_day", "2")
    with saved(page, "housing_hazards"):
        page.locator("#q-housing_hazards").get_by_text(
            "욕실에 안전 손잡이가 없음", exact=True
        ).click()
    pick(page, "carer_available", "가끔 가능")
    expect(page.get_by_test_id("score-risk_points")).to_contain_text("중위험")
    shot(page, "filled")

    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("read-view")).to_be_visible()
    expect(page.get_by_test_id("score-risk_points")).to_contain_text("중위험")
    shot(page, "submitted")
    stored = answers(jeonju, rid)
    assert stored["illness_count"] == 4 and stored["household"] == "alone"
    assert stored["care_adl"]["bathing"] == "partial"
    assert stored["medicines"] == [{"name": "아스피린 100mg"}]

    # A correction: conditions follow what is typed there too, and a reason is required.
    page.get_by_role("link", name="정정").click()
    stage2 = page.locator("#sec-stage2_medical")
    expect(stage2).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/correct/check")):
        page.locator("#q-household").get_by_text("부부만 삶", exact=True).click()
    with page.expect_response(lambda r: r.url.endswith("/correct/check")):
        page.locator("#f-illness_count").fill("1")
        page.locator("#f-illness_count").press("Tab")
    expect(stage2).to_be_hidden()
    page.get_by_label("정정 사유").fill("가구 형태를 잘못 적음")
    page.get_by_role("button", name="정정 저장").click()
    expect(page.get_by_test_id("revision")).to_contain_text("가구 형태를 잘못 적음")
    expect(page.get_by_test_id("score-risk_points")).to_contain_text("저위험")
    assert answers(jeonju, rid)["household"] == "couple"


def test_answers_typed_while_offline_are_saved_when_the_connection_returns(
    page: Page, jeonju, make_user
):  # type: ignore[no-untyped-def]
    sign_in(page, make_user("coordinator", jeonju))
    rid = start(page, jeonju, "K-FRAIL 노쇠 선별")
    page.context.set_offline(True)
    page.locator("#q-kf_fatigue").get_by_text("대부분", exact=True).click()
    expect(page.locator("#fill-status [data-conn]")).to_contain_text("저장하지 못한 답 1개")
    # The tab is closed while offline; the worker comes back later in a new one.
    context = page.context
    page.close()
    context.set_offline(False)
    again = context.new_page()
    with again.expect_response(lambda r: r.url.endswith("/answer/kf_fatigue")):
        again.goto(f"/{jeonju}/assessments/{rid}")
    expect(again.locator("#fill-status [data-conn]")).to_be_hidden()
    assert answers(jeonju, rid) == {"kf_fatigue": "mostly"}


def test_admin_publishes_version_two_and_version_one_response_stays(
    page: Page, jeonju, make_user, shot
):  # type: ignore[no-untyped-def]
    worker = make_user("coordinator", jeonju)
    sign_in(page, worker)
    rid = start(page, jeonju, "K-FRAIL 노쇠 선별")
    pick(page, "kf_fatigue", "항상")
    for key in ("kf_resistance", "kf_weight_loss"):
        pick(page, key, "예")
    pick(page, "kf_ambulation", "아니오")
    with saved(page, "kf_illness"):
        page.locator("#q-kf_illness").get_by_text("해당 없음", exact=True).click()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("read-view")).to_be_visible()  # the redirect, before signing out
    expect(page.get_by_test_id("score-kfrail")).to_contain_text("노쇠")
    page.get_by_role("button", name="로그아웃").click()

    sign_in(page, make_user("city_admin", jeonju))
    page.goto(f"/{jeonju}/forms/")
    page.get_by_role("link", name="K-FRAIL 노쇠 선별").click()
    page.get_by_test_id("edit").click()
    page.get_by_role("link", name=re.compile("지난 4주 동안 피곤하다고")).click()
    page.get_by_label("문항", exact=True).fill("지난 한 달 동안 자주 피곤했습니까?")
    page.get_by_label("표시 조건").fill("kf_nosuch == true")
    page.get_by_test_id("save-question").click()
    expect(page.get_by_test_id("question-problems")).to_contain_text(
        "'kf_nosuch'라는 문항이나 값이 없습니다"
    )
    expect(page.get_by_test_id("publish")).to_be_disabled()
    page.get_by_label("표시 조건").fill("")
    page.get_by_test_id("save-question").click()
    expect(page.get_by_test_id("question-problems")).to_have_count(0)
    expect(page.get_by_test_id("preview")).to_contain_text("지난 한 달 동안 자주 피곤했습니까?")
    # Keyboard reordering: move the edited question one down with its button.
    page.locator(".ed-q").first.get_by_role("button", name=re.compile("아래로")).click()
    expect(page.locator(".ed-q .ed-sel").nth(1)).to_contain_text(
        "지난 한 달 동안 자주 피곤했습니까?"
    )
    shot(page, "editor")
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("versions")).to_contain_text("v2")

    page.goto(f"/{jeonju}/assessments/{rid}")
    expect(page.get_by_test_id("version-number")).to_have_text("1")
    expect(page.get_by_test_id("read-view")).to_contain_text(
        "지난 4주 동안 피곤하다고 느낀 적이 얼마나 자주 있었습니까?"
    )
    expect(page.get_by_test_id("read-view")).not_to_contain_text(
        "지난 한 달 동안 자주 피곤했습니까?"
    )
    expect(page.get_by_test_id("score-kfrail")).to_contain_text("3")
    shot(page, "version-one-response")


def test_keyboard_only_on_a_tablet(page: Page, jeonju, make_user, shot):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, make_user("coordinator", jeonju))
    rid = start(page, jeonju, "K-FRAIL 노쇠 선별")
    page.locator("#f-kf_fatigue-always").focus()
    with saved(page, "kf_fatigue"):
        page.keyboard.press("ArrowDown")  # moves the choice to 대부분
    with saved(page, "kf_resistance"):
        page.keyboard.press("Tab")  # into the next question's radio group
        page.keyboard.press("Space")
    with saved(page, "kf_resistance"):
        page.keyboard.press("ArrowRight")  # 예 → 아니오
    shot(page, "tablet")
    assert answers(jeonju, rid) == {"kf_fatigue": "mostly", "kf_resistance": False}
