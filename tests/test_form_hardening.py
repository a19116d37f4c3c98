"""Hostile or odd definitions and answers found by review: each refused with a message, never
an exception, a hang or a problem reported at the wrong question."""

from __future__ import annotations

import datetime as dt

import pytest

from dolbom.forms import yamlio
from dolbom.forms.answers import Context, parse_answer
from dolbom.forms.compile import load_definition
from dolbom.forms.definition import DefinitionError, Question
from dolbom.forms.operations import DefinitionProblems, parse_yaml

CTX = Context(dt.date(2026, 11, 23), ())


def test_expression_problems_point_at_the_right_question_after_a_dropped_one():
    data = {
        "key": "f",
        "title": "서식",
        "sections": [
            {
                "key": "s",
                "title": "섹션",
                "questions": [
                    {"key": "a", "type": "slider", "label": "가"},
                    {"key": "b", "type": "yesno", "label": "나"},
                    {"key": "c", "type": "yesno", "label": "다", "show_if": "bb == true"},
                ],
            }
        ],
    }
    with pytest.raises(DefinitionError) as caught:
        load_definition(data)
    paths = {p.path for p in caught.value.problems}
    assert ("sections", 0, "questions", 0, "type") in paths
    assert ("sections", 0, "questions", 2, "show_if") in paths


@pytest.mark.parametrize("text", ["1e400000", "1E5", "0x10", "1_000", "Infinity", "NaN", "9" * 40])
def test_numbers_are_plain_decimals(text: str):
    q = Question(key="n", type="number", label="수")
    parsed = parse_answer(q, text, CTX)
    assert parsed.value is None and parsed.error and "숫자" in parsed.error


def test_a_scale_bound_that_is_not_a_number_is_a_problem_not_a_crash():
    data = yamlio.load(
        "key: f\ntitle: t\nsections:\n- key: s\n  title: s\n  questions:\n"
        "  - key: q\n    type: scale\n    label: l\n    min: .nan\n    max: 5\n"
    )[0]
    with pytest.raises(DefinitionError) as caught:
        load_definition(data)
    assert any(p.path[-1] == "min" for p in caught.value.problems)


def test_deep_yaml_is_refused():
    with pytest.raises(yamlio.YamlProblem, match="깊게"):
        yamlio.load("[" * 5000 + "]" * 5000)


def test_yaml_aliases_are_refused_before_they_expand():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b]\n"
    with pytest.raises(yamlio.YamlProblem) as caught:
        yamlio.load(bomb)
    assert caught.value.line == 2 and "별칭" in caught.value.message
    with pytest.raises(DefinitionProblems) as refused:
        parse_yaml(bomb, "bomb.yaml")
    assert refused.value.messages() == ["bomb.yaml:2: (전체): 별칭(*)과 앵커(&)는 쓸 수 없습니다"]
