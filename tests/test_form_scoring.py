"""Scoring and visibility of the shipped instruments and city questionnaires, at every cut-off,
and how single answers are parsed from what a worker typed."""

from __future__ import annotations

import datetime as dt
import itertools
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from dolbom.forms.answers import Context, parse_answer, question_score
from dolbom.forms.compile import CompiledForm
from dolbom.forms.definition import GridItem, Option, Question
from dolbom.forms.evaluate import Evaluation, evaluate
from dolbom.forms.instruments import instrument_path
from dolbom.forms.operations import parse_yaml

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 3, 27)
CTX = Context(TODAY, dongs=("평화1동", "둔산1동"))


@cache
def form(name: str) -> CompiledForm:
    paths = {
        "jeonju_needs": ROOT / "tenants" / "jeonju" / "forms" / "jeonju_needs.yaml",
        "daejeon_needs": ROOT / "tenants" / "daejeon" / "forms" / "daejeon_needs.yaml",
    }
    path = paths.get(name) or instrument_path(name)
    return parse_yaml(path.read_text(encoding="utf-8"), path.name)[0]


def score(ev: Evaluation, key: str) -> tuple[Any, Any]:
    return ev.scores[key]["value"], ev.scores[key]["level"]


# -- K-FRAIL ------------------------------------------------------------------------------------

DISEASES = [
    "hypertension",
    "diabetes",
    "cancer",
    "lung",
    "heart_attack",
    "heart_failure",
    "angina",
    "asthma",
    "arthritis",
    "stroke",
    "kidney",
]


def kfrail_answers(fatigue: bool, resistance: bool, ambulation: bool, illness: bool,
                   weight_loss: bool, variant: int = 0) -> dict[str, Any]:  # fmt: skip
    positive = ["always", "mostly"]
    negative = ["sometimes", "rarely", "never"]
    return {
        "kf_fatigue": positive[variant % 2] if fatigue else negative[variant % 3],
        "kf_resistance": resistance,
        "kf_ambulation": ambulation,
        # The cut is at 6 diseases: one point with 6, none with 5.
        "kf_illness": DISEASES[:6] if illness else DISEASES[:5],
        "kf_weight_loss": weight_loss,
    }


def kfrail_level(total: int) -> str:
    return "frail" if total >= 3 else "prefrail" if total >= 1 else "robust"


@pytest.mark.parametrize(
    "items",
    list(itertools.product([False, True], repeat=5)),
    ids=lambda t: "".join("01"[x] for x in t),
)
def test_kfrail_every_combination(items: tuple[bool, ...]) -> None:
    total = sum(items)
    ev = evaluate(
        form("kfrail"), kfrail_answers(*items, variant=sum(i << k for k, i in enumerate(items)))
    )
    assert score(ev, "kfrail") == (total, kfrail_level(total))
    assert ev.missing == []
    assert ev.percent == 100


@pytest.mark.parametrize(
    ("total", "level"),
    [(0, "robust"), (1, "prefrail"), (2, "prefrail"), (3, "frail"), (4, "frail"), (5, "frail")],
)
def test_kfrail_boundaries(total: int, level: str) -> None:
    items = [True] * total + [False] * (5 - total)
    ev = evaluate(form("kfrail"), kfrail_answers(*items))
    assert ev.scores["kfrail"]["value"] == total
    assert ev.scores["kfrail"]["level"] == level
    labels = {"robust": "건강", "prefrail": "노쇠 전단계", "frail": "노쇠"}
    assert ev.scores["kfrail"]["level_label"] == labels[level]


@pytest.mark.parametrize("diseases", range(12))
def test_kfrail_illness_counts_only_from_six(diseases: int) -> None:
    answers = kfrail_answers(False, False, False, False, False)
    answers["kf_illness"] = DISEASES[:diseases] or ["none"]
    ev = evaluate(form("kfrail"), answers)
    assert ev.scores["kfrail"]["value"] == (1 if diseases >= 6 else 0)
    q = form("kfrail").questions["kf_illness"]
    assert question_score(q, answers["kf_illness"]) == diseases


def test_kfrail_illness_exclusive_none() -> None:
    q = form("kfrail").questions["kf_illness"]
    parsed = parse_answer(q, ["none", "diabetes"], CTX)
    assert parsed.value is None
    assert parsed.error == "'해당 없음'은(는) 다른 항목과 함께 고를 수 없습니다"
    assert parse_answer(q, ["none"], CTX).value == ["none"]
    # Stored in definition order, whatever order they were ticked in.
    assert parse_answer(q, ["stroke", "diabetes"], CTX).value == ["diabetes", "stroke"]
    assert parse_answer(q, ["diabetes", "flu"], CTX).error == "선택지에 있는 값을 고르세요"
    assert parse_answer(q, [], CTX).value is None


@pytest.mark.parametrize(
    "unanswered", ["kf_fatigue", "kf_resistance", "kf_ambulation", "kf_illness", "kf_weight_loss"]
)
def test_kfrail_unanswered_item_leaves_no_score(unanswered: str) -> None:
    answers = kfrail_answers(True, True, True, True, True)
    del answers[unanswered]
    ev = evaluate(form("kfrail"), answers)
    assert score(ev, "kfrail") == (None, None)
    assert ev.scores["kfrail"]["level_label"] is None
    assert ev.missing == [unanswered]
    assert ev.answered == 4 and ev.total == 5 and ev.percent == 80


# -- ADL and IADL -----------------------------------------------------------------------------


def grid_answers(name: str, partial: int, full: int) -> dict[str, str]:
    items = [item.key for item in form(name).questions[name].items]
    levels = ["full"] * full + ["partial"] * partial
    levels += ["independent"] * (len(items) - len(levels))
    assert len(levels) == len(items)
    return dict(zip(items, levels, strict=True))


@pytest.mark.parametrize(
    ("dependent", "level"),
    [
        (0, "independent"),
        (1, "mild"),
        (2, "mild"),
        (3, "moderate"),
        (6, "moderate"),
        (7, "severe"),
        (12, "severe"),
    ],
)
@pytest.mark.parametrize("kind", ["partial", "full", "mixed"])
def test_adl_dependent_levels(dependent: int, level: str, kind: str) -> None:
    full = {"partial": 0, "full": dependent, "mixed": dependent // 2}[kind]
    answers = {"adl": grid_answers("adl", dependent - full, full)}
    ev = evaluate(form("adl"), answers)
    assert score(ev, "adl_dependent") == (dependent, level)
    assert ev.scores["adl_total"]["value"] == (dependent - full) + 2 * full
    assert ev.scores["adl_total"]["level"] is None  # adl_total has no levels


@pytest.mark.parametrize("total", range(25))
def test_adl_total(total: int) -> None:
    answers = {"adl": grid_answers("adl", total % 2, total // 2)}
    ev = evaluate(form("adl"), answers)
    assert ev.scores["adl_total"]["value"] == total
    assert ev.scores["adl_dependent"]["value"] == total % 2 + total // 2


def test_adl_partly_answered_grid() -> None:
    ev = evaluate(form("adl"), {"adl": {"dressing": "full", "eating": "partial"}})
    assert score(ev, "adl_dependent") == (2, "mild")
    assert ev.scores["adl_total"]["value"] == 3
    assert ev.missing == ["adl"]  # a required grid with items left open is not complete
    assert ev.answered == 0


def test_adl_unanswered() -> None:
    ev = evaluate(form("adl"), {})
    assert score(ev, "adl_dependent") == (None, None)
    assert score(ev, "adl_total") == (None, None)
    assert ev.missing == ["adl"]
    assert ev.total == 2 and ev.percent == 0


@pytest.mark.parametrize(
    ("dependent", "level"),
    [(0, "independent"), (1, "some_help"), (2, "some_help"), (3, "dependent"), (10, "dependent")],
)
def test_iadl_dependent_levels(dependent: int, level: str) -> None:
    answers = {"iadl": grid_answers("iadl", dependent, 0)}
    ev = evaluate(form("iadl"), answers)
    assert score(ev, "iadl_dependent") == (dependent, level)
    answers = {"iadl": grid_answers("iadl", 0, dependent)}
    assert score(evaluate(form("iadl"), answers), "iadl_dependent") == (dependent, level)


# -- Jeonju: two stages --------------------------------------------------------------------------

STAGE2 = {"stage2_medical", "stage2_care"}


def jeonju_stage1(**changes: Any) -> dict[str, Any]:
    """Stage 1 and basic answers that raise no flag."""
    answers: dict[str, Any] = {
        "survey_date": "2026-03-20",
        "residence_dong": "평화1동",
        "residence_matches": True,
        "household": "couple",
        "ltc_grade": "none",
        "illness_count": 2,
        "gds_satisfied": True,  # satisfied: 0 points
        "gds_bored": False,
        "gds_helpless": False,
        "gds_home": False,
        "gds_worthless": False,
        "cog_memory": False,
        "cog_date": False,
        "cog_objects": False,
    }
    answers.update(changes)
    return answers


def jeonju_stage2(**changes: Any) -> dict[str, Any]:
    """Stage 2 answers that add no risk point."""
    answers: dict[str, Any] = {
        "chronic_diseases": ["hypertension"],
        "admissions_last_year": 0,
        "recent_discharge": False,
        "unmet_medical": False,
        "care_adl": {"eating": "independent", "bathing": "independent"},
        "meals_per_day": 3,
        "housing_hazards": ["none"],
        "carer_available": "yes_daily",
    }
    answers.update(changes)
    return answers


# Stage 2 answers that would add every risk point: 2 + 1 + 1 + 1 + 1 + 1 + 1 = 8.
RISKY = jeonju_stage2(
    chronic_diseases=["hypertension", "diabetes", "stroke"],
    admissions_last_year=2,
    unmet_medical=True,
    unmet_reason="cost",
    care_adl={"eating": "partial", "bathing": "full"},
    meals_per_day=1,
    housing_hazards=["thresholds"],
    carer_available="none",
    mental_health_service=True,
)

FLAGS = {
    "living alone": {"household": "alone"},
    "not living at the registered address": {"residence_matches": False},
    "three illnesses": {"illness_count": 3},
    "depression suspected": {"gds_satisfied": False, "gds_bored": True},
    "cognition suspected": {"cog_memory": True, "cog_objects": True},
}

NEAR_FLAGS = {
    "two illnesses": {"illness_count": 2},
    "one depression point": {"gds_bored": True},
    "one cognition point": {"cog_date": True},
    "other household": {"household": "other"},
    "with children": {"household": "with_children"},
}


@pytest.mark.parametrize("changes", list(NEAR_FLAGS.values()), ids=list(NEAR_FLAGS))
def test_jeonju_stage2_hidden_without_a_flag(changes: dict[str, Any]) -> None:
    ev = evaluate(form("jeonju_needs"), {**jeonju_stage1(**changes), **RISKY})
    assert score(ev, "stage1_flags") == (0, "not_flagged")
    assert ev.hidden_sections == STAGE2
    assert not {p.key: p.visible for p in ev.sections}["stage2_care"]
    # Hidden answers count as unanswered: in scores...
    assert score(ev, "care_dependent") == (None, None)
    assert score(ev, "risk_points") == (0, "low")
    # ... and in completeness.
    stage2_questions = {
        q.key for s in form("jeonju_needs").form.sections if s.key in STAGE2 for q in s.questions
    }
    assert not stage2_questions & ev.visible
    assert not stage2_questions & set(ev.missing)
    assert ev.missing == []
    by_section = {p.key: p for p in ev.sections}
    assert by_section["stage2_medical"].total == 0 and by_section["stage2_medical"].answered == 0
    assert ev.total == 14 + 3  # basic + stage 1 + wishes
    assert ev.answered == 14


@pytest.mark.parametrize("changes", list(FLAGS.values()), ids=list(FLAGS))
def test_jeonju_stage2_shown_with_any_one_flag(changes: dict[str, Any]) -> None:
    ev = evaluate(form("jeonju_needs"), {**jeonju_stage1(**changes), **RISKY})
    assert score(ev, "stage1_flags") == (1, "flagged")
    assert ev.hidden_sections == set()
    assert {"chronic_diseases", "care_adl", "carer_available"} <= ev.visible
    # The same stage 2 answers now count.
    assert score(ev, "care_dependent") == (2, None)
    assert score(ev, "risk_points") == (1 + 8, "high")


def test_jeonju_stage2_shown_but_unanswered_is_missing() -> None:
    ev = evaluate(form("jeonju_needs"), jeonju_stage1(household="alone"))
    assert ev.hidden_sections == set()
    assert ev.missing == [
        "chronic_diseases",
        "admissions_last_year",
        "recent_discharge",
        "unmet_medical",
        "care_adl",
        "meals_per_day",
        "housing_hazards",
        "carer_available",
    ]
    # Unanswered stage 2 items add nothing; the flag alone is counted.
    assert score(ev, "risk_points") == (1, "low")


def test_jeonju_all_flags() -> None:
    changes: dict[str, Any] = {}
    for c in FLAGS.values():
        changes.update(c)
    ev = evaluate(form("jeonju_needs"), jeonju_stage1(**changes))
    assert score(ev, "stage1_flags") == (5, "flagged")
    assert score(ev, "gds5") == (2, "suspected")
    assert score(ev, "cognition") == (2, "suspected")


@pytest.mark.parametrize(
    ("flags", "stage2", "points", "level"),
    [
        (dict(household="alone"), {}, 1, "low"),
        (dict(household="alone"), dict(unmet_medical=True), 2, "low"),
        (dict(household="alone", illness_count=4), {}, 2, "low"),
        (dict(household="alone"), dict(unmet_medical=True, meals_per_day=1), 3, "medium"),
        (dict(household="alone", illness_count=4, residence_matches=False), {}, 3, "medium"),
        (
            dict(household="alone"),
            dict(
                care_adl={"eating": "partial", "bathing": "full"},
                unmet_medical=True,
                meals_per_day=0,
            ),
            5,
            "medium",
        ),
        (
            dict(household="alone"),
            dict(
                care_adl={"eating": "partial", "bathing": "full"},
                unmet_medical=True,
                meals_per_day=0,
                carer_available="none",
            ),
            6,
            "high",
        ),
        (
            dict(household="alone", illness_count=3),
            dict(
                admissions_last_year=3,
                chronic_diseases=["hypertension", "diabetes", "stroke"],
                housing_hazards=["no_lift"],
            ),
            5,
            "medium",
        ),
        (
            dict(household="alone", illness_count=3),
            dict(
                admissions_last_year=3,
                chronic_diseases=["hypertension", "diabetes", "stroke"],
                housing_hazards=["no_lift", "basement"],
                carer_available="none",
            ),
            6,
            "high",
        ),
        # Thresholds of each part: one dependent activity, two diseases, one admission, two meals.
        (
            dict(household="alone"),
            dict(
                care_adl={"eating": "partial", "bathing": "independent"},
                chronic_diseases=["hypertension", "diabetes"],
                admissions_last_year=1,
                meals_per_day=2,
            ),
            1,
            "low",
        ),
    ],
)
def test_jeonju_risk_points(flags: dict, stage2: dict, points: int, level: str) -> None:
    ev = evaluate(form("jeonju_needs"), {**jeonju_stage1(**flags), **jeonju_stage2(**stage2)})
    assert ev.hidden_sections == set()
    assert score(ev, "risk_points") == (points, level)


def test_jeonju_question_conditions_and_rules() -> None:
    answers = {**jeonju_stage1(household="alone"), **jeonju_stage2()}
    ev = evaluate(form("jeonju_needs"), answers)
    assert "discharge_date" not in ev.visible
    assert "unmet_reason" not in ev.visible
    assert "mental_health_service" not in ev.visible  # GDS-5 below 2

    answers.update(recent_discharge=True, discharge_date="2026-03-25", unmet_medical=True)
    answers.update(gds_satisfied=False, gds_home=True)
    ev = evaluate(form("jeonju_needs"), answers)
    assert {"discharge_date", "unmet_reason", "mental_health_service"} <= ev.visible
    # Discharged after the survey date: the rule fails.
    assert ev.rule_errors == {"discharge_date": "퇴원일은 조사일보다 늦을 수 없습니다"}
    answers["discharge_date"] = "2026-03-20"
    assert evaluate(form("jeonju_needs"), answers).rule_errors == {}


# -- Daejeon: the priority level through `when` ---------------------------------------------------


def daejeon(**changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "survey_date": "2026-03-20",
        "residence_dong": "둔산1동",
        "referral_route": "dong",
        "lives_alone": False,
        "self_rated_health": 3,
        "walks_alone": True,
        "discharged_recently": False,
        "need_temp_care": "no",
        "need_housing": ["none"],
        "need_mobility": "no",
        "need_meals": False,
        "need_short_stay": False,
        "smart_device_consent": True,
    }
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "value", "level"),
    [
        ({}, 0, "none"),
        (dict(need_meals=True), 1, "standard"),
        (dict(need_temp_care="urgent", need_mobility="monthly"), 3, "standard"),
        (dict(need_temp_care="urgent", need_mobility="weekly"), 4, "priority"),
        (
            dict(
                need_temp_care="soon",
                need_meals=True,
                need_short_stay=True,
                need_housing=["grab_bar"],
            ),
            4,
            "priority",
        ),
        (dict(lives_alone=True, discharged_recently=True), 0, "priority"),
        (dict(lives_alone=True, discharged_recently=False), 0, "none"),
        (dict(lives_alone=False, discharged_recently=True, need_meals=True), 1, "standard"),
        (dict(lives_alone=True, discharged_recently=True, need_mobility="weekly"), 2, "priority"),
        # Unknown living situation: the `when` is unknown, so not met — unless the points decide.
        (dict(lives_alone=None, discharged_recently=True), 0, "none"),
        (dict(lives_alone=None, need_temp_care="urgent", need_mobility="weekly"), 4, "priority"),
    ],
)
def test_daejeon_priority(changes: dict[str, Any], value: int, level: str) -> None:
    ev = evaluate(form("daejeon_needs"), daejeon(**changes))
    assert score(ev, "service_need") == (value, level)


def test_daejeon_conditions() -> None:
    ev = evaluate(form("daejeon_needs"), daejeon())
    assert not {"temp_care_reason", "hospital_visits", "meals_skipped"} & ev.visible
    ev = evaluate(
        form("daejeon_needs"),
        daejeon(need_temp_care="soon", need_mobility="weekly", need_meals=True),
    )
    assert {"temp_care_reason", "hospital_visits", "meals_skipped"} <= ev.visible


# -- single answers -------------------------------------------------------------------------------

# As read_definition builds a scale: always whole numbers.
SCALE = Question(key="s", type="scale", label="척도", min=1, max=5, integer=True)
NUMBER = Question(key="n", type="number", label="수", min=0, max=30, unit="개", integer=True)


@pytest.mark.parametrize(
    ("question", "raw", "value", "error"),
    [
        (NUMBER, "12", 12, None),
        (NUMBER, " 12 ", 12, None),
        (NUMBER, "0", 0, None),
        (NUMBER, "30", 30, None),
        (NUMBER, "2.0", 2, None),
        (NUMBER, "2.5", None, "정수로 입력하세요"),
        (NUMBER, "31", None, "0개에서 30개 사이로 입력하세요"),
        (NUMBER, "-1", None, "0개에서 30개 사이로 입력하세요"),
        (NUMBER, "열두", None, "숫자로 입력하세요 (단위: 개)"),
        (NUMBER, "", None, None),
        (NUMBER, "   ", None, None),
        (NUMBER, None, None, None),
        (Question(key="n", type="number", label="수"), "1,234", 1234, None),
        (Question(key="n", type="number", label="수"), "1,234.5", 1234.5, None),
        (Question(key="n", type="number", label="수"), "-0.25", -0.25, None),
        (Question(key="n", type="number", label="수"), "12abc", None, "숫자로 입력하세요"),
        (Question(key="n", type="number", label="수"), "NaN", None, "숫자로 입력하세요"),
        (Question(key="n", type="number", label="수"), "Infinity", None, "숫자로 입력하세요"),
        (Question(key="n", type="number", label="수"), "1" * 21, None, "숫자로 입력하세요"),
        (Question(key="n", type="number", label="수", min=1), "0", None, "1 이상으로 입력하세요"),
        (
            Question(key="n", type="number", label="수", max=1000),
            "1,001",
            None,
            "1,000 이하로 입력하세요",
        ),
        (
            Question(key="n", type="number", label="수", min=0.5, max=2.5, unit="kg"),
            "3",
            None,
            "0.5kg에서 2.5kg 사이로 입력하세요",
        ),
        (
            Question(key="n", type="number", label="소득", min=0, max=10_000_000, unit="원"),
            "10,000,001",
            None,
            "0원에서 10,000,000원 사이로 입력하세요",
        ),
        (SCALE, "5", 5, None),
        (SCALE, "6", None, "1에서 5 사이에서 고르세요"),
        (SCALE, "2.5", None, "1에서 5 사이에서 고르세요"),
    ],
)
def test_parse_number(question: Question, raw: Any, value: Any, error: str | None) -> None:
    parsed = parse_answer(question, raw, CTX)
    assert parsed.error == error
    assert parsed.value == value
    assert type(parsed.value) is type(value)


DATE = Question(key="d", type="date", label="날짜", max="today")


@pytest.mark.parametrize(
    ("question", "raw", "value", "error"),
    [
        (DATE, "2026-03-27", "2026-03-27", None),  # today is allowed
        (DATE, " 2026-03-26 ", "2026-03-26", None),
        (DATE, "2026-03-28", None, "오늘 이후 날짜는 입력할 수 없습니다"),
        (DATE, "2026-02-30", None, "날짜를 YYYY-MM-DD 형식으로 입력하세요 (예: 2026-03-27)"),
        (DATE, "어제", None, "날짜를 YYYY-MM-DD 형식으로 입력하세요 (예: 2026-03-27)"),
        (
            Question(key="d", type="date", label="날짜", min="2020-01-01"),
            "2019-12-31",
            None,
            "2020-01-01 이후 날짜여야 합니다",
        ),
        (
            Question(key="d", type="date", label="날짜", min="2020-01-01"),
            "2020-01-01",
            "2020-01-01",
            None,
        ),
        (
            Question(key="d", type="date", label="날짜", max="2030-12-31"),
            "2031-01-01",
            None,
            "2030-12-31 이전 날짜여야 합니다",
        ),
        (
            Question(key="d", type="date", label="날짜", min="today"),
            "2026-03-26",
            None,
            "2026-03-27 이후 날짜여야 합니다",
        ),
    ],
)
def test_parse_date(question: Question, raw: str, value: str | None, error: str | None) -> None:
    parsed = parse_answer(question, raw, CTX)
    assert (parsed.value, parsed.error) == (value, error)


def test_date_max_today_follows_the_context() -> None:
    assert parse_answer(DATE, "2026-03-28", Context(dt.date(2026, 3, 28))).value == "2026-03-28"


PHONE = Question(
    key="p",
    type="text",
    label="전화",
    pattern=r"\d{2,3}-\d{3,4}-\d{4}",
    pattern_message="010-0000-0000처럼 쓰세요",
)


@pytest.mark.parametrize(
    ("question", "raw", "value", "error"),
    [
        (
            Question(key="t", type="text", label="글", max_length=5),
            "가나다라마",
            "가나다라마",
            None,
        ),
        (
            Question(key="t", type="text", label="글", max_length=5),
            "가나다라마바",
            None,
            "5자까지 입력할 수 있습니다 (지금 6자)",
        ),
        (Question(key="t", type="text", label="글"), "가" * 200, "가" * 200, None),
        (
            Question(key="t", type="text", label="글"),
            "가" * 201,
            None,
            "200자까지 입력할 수 있습니다 (지금 201자)",
        ),
        (
            Question(key="t", type="textarea", label="글"),
            "가" * 4001,
            None,
            "4,000자까지 입력할 수 있습니다 (지금 4,001자)",
        ),
        (Question(key="t", type="text", label="글"), "  앞뒤 공백  ", "앞뒤 공백", None),
        (PHONE, "010-1234-5678", "010-1234-5678", None),
        (PHONE, "010-1234-5678x", None, "010-0000-0000처럼 쓰세요"),  # the whole text must match
        (PHONE, "01012345678", None, "010-0000-0000처럼 쓰세요"),
        (
            Question(key="t", type="text", label="글", pattern=r"[A-Z]+"),
            "abc",
            None,
            "입력 형식이 맞지 않습니다",
        ),
    ],
)
def test_parse_text(question: Question, raw: str, value: str | None, error: str | None) -> None:
    parsed = parse_answer(question, raw, CTX)
    assert (parsed.value, parsed.error) == (value, error)


CHOICE = Question(
    key="c",
    type="choice",
    label="가구",
    options=(Option("alone", "독거"), Option("couple", "부부")),
)


@pytest.mark.parametrize(
    ("question", "raw", "value", "error"),
    [
        (CHOICE, "alone", "alone", None),
        (CHOICE, ["couple"], "couple", None),
        (CHOICE, "alon", None, "선택지에 있는 값을 고르세요"),
        (CHOICE, "독거", None, "선택지에 있는 값을 고르세요"),
        (Question(key="y", type="yesno", label="예"), "yes", True, None),
        (Question(key="y", type="yesno", label="예"), "no", False, None),
        (Question(key="y", type="yesno", label="예"), "maybe", None, "예 또는 아니오를 고르세요"),
        (Question(key="g", type="dong", label="동"), "평화1동", "평화1동", None),
        (
            Question(key="g", type="dong", label="동"),
            "서울동",
            None,
            "목록에 있는 행정동을 고르세요",
        ),
    ],
)
def test_parse_choices(question: Question, raw: Any, value: Any, error: str | None) -> None:
    parsed = parse_answer(question, raw, CTX)
    assert (parsed.value, parsed.error) == (value, error)


def test_parse_group_rows() -> None:
    medicines = form("jeonju_needs").questions["medicines"]
    parsed = parse_answer(
        medicines,
        [
            {"name": "아스피린", "per_day": "1", "purpose": "심장"},
            {"name": "", "per_day": "2", "purpose": ""},  # name is required
            {"name": "", "per_day": "", "purpose": ""},  # an empty row is dropped
            {"name": "혈압약", "per_day": "11"},  # out of range
        ],
        CTX,
    )
    assert parsed.error == "확인이 필요한 칸이 있습니다"
    assert parsed.details == {
        (1, "name"): "필수 항목입니다",
        (3, "per_day"): "1회에서 10회 사이로 입력하세요",
    }
    assert parsed.value == [
        {"name": "아스피린", "per_day": 1, "purpose": "심장"},
        {"per_day": 2},
        {"name": "혈압약"},
    ]


def test_parse_group_without_problems_and_row_limit() -> None:
    medicines = form("jeonju_needs").questions["medicines"]
    ok = parse_answer(medicines, [{"name": "아스피린", "per_day": "2"}], CTX)
    assert (ok.value, ok.error, ok.details) == ([{"name": "아스피린", "per_day": 2}], None, None)
    assert parse_answer(medicines, [{"name": " "}], CTX).value is None
    many = parse_answer(medicines, [{"name": f"약{i}"} for i in range(31)], CTX)
    assert many.error == "30개까지 입력할 수 있습니다"
    assert len(many.value) == 31


def test_parse_grid() -> None:
    adl = form("adl").questions["adl"]
    parsed = parse_answer(adl, {"eating": "full", "bathing": "sometimes", "toilet": ""}, CTX)
    assert parsed.error == "고를 수 없는 단계가 있습니다"
    assert parsed.details == {("bathing", ""): "단계 중에서 고르세요"}
    assert parsed.value == {"eating": "full"}  # the valid choice is kept
    ok = parse_answer(adl, {"eating": "full", "unknown_item": "full"}, CTX)
    assert (ok.value, ok.error) == ({"eating": "full"}, None)
    assert parse_answer(adl, {}, CTX).value is None


@pytest.mark.parametrize(
    ("question", "stored", "expected"),
    [
        (CHOICE, "alone", None),  # options without scores
        (
            Question(
                key="c", type="choice", label="c", options=(Option("a", "가", 2), Option("b", "나"))
            ),
            "a",
            2,
        ),
        (Question(key="y", type="yesno", label="y", yes_score=1, no_score=0), True, 1),
        (Question(key="y", type="yesno", label="y", yes_score=1, no_score=0), False, 0),
        (Question(key="y", type="yesno", label="y", yes_score=1, no_score=0), None, None),
        (Question(key="s", type="scale", label="s", min=1, max=5), 4, 4),
        (
            Question(
                key="g",
                type="grid",
                label="g",
                items=(GridItem("a", "가"), GridItem("b", "나")),
                levels=(Option("x", "엑스", 1), Option("y", "와이", 3)),
            ),
            {"a": "x", "b": "y"},
            4,
        ),
    ],
)
def test_question_score(question: Question, stored: Any, expected: Any) -> None:
    assert question_score(question, stored) == expected
