"""Form definitions: malformed documents refused with a Problem at the right path and a Korean
message; the shipped instruments and city questionnaires load and round-trip; YAML keeps line
numbers, refuses duplicate keys and reads only true/false as booleans."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dolbom.forms import yamlio
from dolbom.forms.compile import compile_form, load_definition
from dolbom.forms.definition import DefinitionError, FormDef, Problem
from dolbom.forms.instruments import instrument_names, instrument_path
from dolbom.forms.operations import DefinitionProblems, check_definition, checksum, parse_yaml
from dolbom.forms.reader import read_definition, read_partial
from dolbom.forms.writer import to_data

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile(r"[가-힣]")
SHIPPED = [instrument_path(name) for name in instrument_names()] + [
    ROOT / "tenants" / "jeonju" / "forms" / "jeonju_needs.yaml",
    ROOT / "tenants" / "daejeon" / "forms" / "daejeon_needs.yaml",
]


def base() -> dict[str, Any]:
    """A small valid definition; each case below breaks one thing in it."""
    return {
        "key": "sample",
        "title": "표본 조사",
        "sections": [
            {
                "key": "first",
                "title": "첫째",
                "questions": [
                    {"key": "age", "type": "number", "label": "나이", "min": 0, "max": 120},
                    {
                        "key": "household",
                        "type": "choice",
                        "label": "가구",
                        "options": [
                            {"value": "alone", "label": "독거"},
                            {"value": "couple", "label": "부부"},
                        ],
                    },
                    {
                        "key": "adl",
                        "type": "grid",
                        "label": "ADL",
                        "items": [
                            {"key": "eating", "label": "식사"},
                            {"key": "bathing", "label": "목욕"},
                        ],
                        "levels": [
                            {"value": "independent", "label": "자립", "score": 0},
                            {"value": "full", "label": "완전도움", "score": 2},
                        ],
                    },
                    {"key": "note", "type": "text", "label": "메모"},
                ],
            },
            {
                "key": "second",
                "title": "둘째",
                "questions": [
                    {"key": "visits", "type": "number", "label": "방문 횟수"},
                    {
                        "key": "meds",
                        "type": "group",
                        "label": "약",
                        "fields": [{"key": "name", "type": "text", "label": "이름"}],
                    },
                ],
            },
        ],
        "scores": [
            {
                "key": "total",
                "label": "합계",
                "expr": "score(adl)",
                "levels": [
                    {"code": "high", "label": "높음", "min": 2},
                    {"code": "low", "label": "낮음"},
                ],
            }
        ],
    }


def q(data: dict[str, Any], section: int, question: int) -> dict[str, Any]:
    return data["sections"][section]["questions"][question]


def test_base_is_valid() -> None:
    assert check_definition(base()) == []
    cf = load_definition(base())
    assert [x.key for x in cf.form.questions()] == [
        "age",
        "household",
        "adl",
        "note",
        "visits",
        "meds",
    ]


Q0 = ("sections", 0, "questions", 0)  # age (number)
Q1 = ("sections", 0, "questions", 1)  # household (choice)
Q2 = ("sections", 0, "questions", 2)  # adl (grid)
Q3 = ("sections", 0, "questions", 3)  # note (text)
Q4 = ("sections", 1, "questions", 0)  # visits (number)
Q5 = ("sections", 1, "questions", 1)  # meds (group)
S0 = ("scores", 0)


def _set(path: tuple, value: Any) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        target: Any = d
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        target: Any = d
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


def _append(path: tuple, value: Any) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        target: Any = d
        for part in path:
            target = target[part]
        target.append(value)

    return mutate


def _both(*mutations: Callable[[dict], None]) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        for m in mutations:
            m(d)

    return mutate


def _question(section: int, index: int, **fields: Any) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        d["sections"][section]["questions"][index] = fields

    return mutate


GRID_FIELD = {
    "key": "inner",
    "type": "grid",
    "label": "표",
    "items": [{"key": "a", "label": "가"}],
    "levels": [{"value": "x", "label": "엑스"}],
}

# (mutation, every problem expected as (path, part of its message))
CASES: dict[str, tuple[Callable[[dict], None], list[tuple[tuple, str]]]] = {
    "missing title": (_delete(("title",)), [(("title",), "필수 항목이 비어 있습니다")]),
    "blank title": (_set(("title",), "   "), [(("title",), "필수 항목이 비어 있습니다")]),
    "title not text": (_set(("title",), ["x"]), [(("title",), "글자여야 합니다")]),
    "long title": (_set(("title",), "가" * 201), [(("title",), "200자를 넘을 수 없습니다")]),
    "missing form key": (_delete(("key",)), [(("key",), "키가 없습니다")]),
    "no sections": (
        _both(_set(("sections",), []), _delete(("scores",))),
        [(("sections",), "섹션이 하나 이상 있어야 합니다")],
    ),
    "sections not a list": (
        _both(_set(("sections",), {"a": 1}), _delete(("scores",))),
        [
            (("sections",), "목록(- …)이어야 합니다"),
            (("sections",), "섹션이 하나 이상 있어야 합니다"),
        ],
    ),
    "section not a mapping": (
        _set(("sections", 1), "둘째"),
        [(("sections", 1), "키: 값 형식이어야 합니다")],
    ),
    "empty questions": (
        _set(("sections", 1, "questions"), []),
        [(("sections", 1, "questions"), "문항이 하나 이상 있어야 합니다")],
    ),
    "unknown top-level property": (
        _set(("version",), 2),
        [(("version",), "알 수 없는 항목입니다")],
    ),
    "unknown section property": (
        _set(("sections", 0, "colour"), "red"),
        [(("sections", 0, "colour"), "알 수 없는 항목입니다")],
    ),
    "unknown type": (
        _set((*Q3, "type"), "slider"),
        [((*Q3, "type"), "문항 유형 'slider'은(는) 쓸 수 없습니다")],
    ),
    "missing type": (
        _delete((*Q3, "type")),
        [((*Q3, "type"), "문항 유형 'None'은(는) 쓸 수 없습니다")],
    ),
    "unknown property": (
        _set((*Q3, "colour"), "red"),
        [((*Q3, "colour"), "알 수 없는 항목입니다 (쓸 수 있는 항목: ")],
    ),
    "missing label": (_delete((*Q3, "label")), [((*Q3, "label"), "필수 항목이 비어 있습니다")]),
    "required not a boolean": (
        _set((*Q3, "required"), "yes"),
        [((*Q3, "required"), "true 또는 false여야 합니다")],
    ),
    "options on text": (
        _set((*Q3, "options"), [{"value": "a", "label": "가"}]),
        [((*Q3, "options"), "'options'는 짧은 글 문항에는 쓸 수 없습니다")],
    ),
    "min on choice": (
        _set((*Q1, "min"), 1),
        [((*Q1, "min"), "'min'는 하나 선택 문항에는 쓸 수 없습니다")],
    ),
    "pattern on number": (
        _set((*Q0, "pattern"), "[0-9]+"),
        [((*Q0, "pattern"), "'pattern'는 숫자 문항에는 쓸 수 없습니다")],
    ),
    "items on choice": (
        _set((*Q1, "items"), [{"key": "a", "label": "가"}]),
        [((*Q1, "items"), "'items'는 하나 선택 문항에는 쓸 수 없습니다")],
    ),
    "duplicate question key": (
        _set((*Q4, "key"), "age"),
        [((*Q4, "key"), "키 'age'가 이미 쓰였습니다 (sections[0].questions[0].key)")],
    ),
    "section key equals an earlier question key": (
        _set(("sections", 1, "key"), "age"),
        [(("sections", 1, "key"), "키 'age'가 이미 쓰였습니다 (sections[0].questions[0].key)")],
    ),
    "section key equals its own question key": (
        _set(("sections", 0, "key"), "age"),
        [((*Q0, "key"), "키 'age'가 이미 쓰였습니다 (sections[0].key)")],
    ),
    "score key equals a question key": (
        _set((*S0, "key"), "visits"),
        [((*S0, "key"), "키 'visits'가 이미 쓰였습니다 (sections[1].questions[0].key)")],
    ),
    "score key equals a section key": (
        _set((*S0, "key"), "first"),
        [((*S0, "key"), "키 'first'가 이미 쓰였습니다 (sections[0].key)")],
    ),
    "duplicate grid item": (
        _set((*Q2, "items", 1, "key"), "eating"),
        [
            (
                (*Q2, "items", 1, "key"),
                "키 'adl.eating'가 이미 쓰였습니다 (sections[0].questions[2].items[0].key)",
            )
        ],
    ),
    "duplicate group field": (
        _set((*Q5, "fields"), [{"key": "name", "type": "text", "label": "가"}] * 2),
        [((*Q5, "fields", 1, "key"), "하위 문항 키 'name'가 중복됩니다")],
    ),
    "upper-case key": (
        _set((*Q3, "key"), "Note"),
        [((*Q3, "key"), "키 'Note'는 영문 소문자로 시작하고 소문자·숫자·_만 쓸 수 있습니다")],
    ),
    "key starting with a digit": (
        _set((*Q3, "key"), "1note"),
        [((*Q3, "key"), "영문 소문자로 시작하고")],
    ),
    "key with a hyphen": (_set((*Q3, "key"), "my-note"), [((*Q3, "key"), "소문자·숫자·_만")]),
    "key with a dot": (_set((*Q3, "key"), "a.b"), [((*Q3, "key"), "소문자·숫자·_만")]),
    "key in Hangul": (_set((*Q3, "key"), "메모"), [((*Q3, "key"), "소문자·숫자·_만")]),
    "key too long": (_set((*Q3, "key"), "n" * 51), [((*Q3, "key"), "50자까지")]),
    "key not text": (_set((*Q3, "key"), 5), [((*Q3, "key"), "키 '5'는 영문 소문자로")]),
    "grid item key invalid": (
        _set((*Q2, "items", 0, "key"), "Eat"),
        [((*Q2, "items", 0, "key"), "영문 소문자로 시작하고")],
    ),
    "choice with empty options": (
        _set((*Q1, "options"), []),
        [((*Q1, "options"), "선택지가 하나 이상 있어야 합니다")],
    ),
    "choice without options": (
        _delete((*Q1, "options")),
        [((*Q1, "options"), "선택지가 하나 이상 있어야 합니다")],
    ),
    "duplicate option values": (
        _set((*Q1, "options", 1, "value"), "alone"),
        [((*Q1, "options", 1, "value"), "값 'alone'가 중복됩니다")],
    ),
    "option value with spaces": (
        _set((*Q1, "options", 1, "value"), "living alone"),
        [((*Q1, "options", 1, "value"), "값은 영문·숫자·_·- 50자까지여야 합니다")],
    ),
    "option value boolean": (
        _set((*Q1, "options", 1, "value"), True),
        [((*Q1, "options", 1, "value"), "값은 영문·숫자·_·- 50자까지여야 합니다")],
    ),
    "option score not a number": (
        _set((*Q1, "options", 0, "score"), "high"),
        [((*Q1, "options", 0, "score"), "숫자여야 합니다 ('high')")],
    ),
    "grid with no items": (
        _set((*Q2, "items"), []),
        [((*Q2, "items"), "항목이 하나 이상 있어야 합니다")],
    ),
    "grid with no levels": (
        _set((*Q2, "levels"), []),
        [
            ((*Q2, "levels"), "단계가 하나 이상 있어야 합니다"),
            # With no levels the grid has no score, so the score expression fails as well.
            ((*S0, "expr"), "'adl'에는 점수가 없습니다"),
        ],
    ),
    "scale without min and max": (
        _question(0, 3, key="note", type="scale", label="척도"),
        [(Q3, "척도에는 min과 max가 있어야 합니다")],
    ),
    "scale without max": (
        _question(0, 3, key="note", type="scale", label="척도", min=1),
        [(Q3, "척도에는 min과 max가 있어야 합니다")],
    ),
    "scale too wide": (
        _question(0, 3, key="note", type="scale", label="척도", min=0, max=21),
        [((*Q3, "max"), "척도는 정수 min~max, 21단계까지입니다")],
    ),
    "scale not whole": (
        _question(0, 3, key="note", type="scale", label="척도", min=0, max=4.5),
        [((*Q3, "max"), "21단계까지")],
    ),
    "number min > max": (
        _both(_set((*Q0, "min"), 130)),
        [((*Q0, "max"), "max는 min보다 작을 수 없습니다")],
    ),
    "scale min > max": (
        _question(0, 3, key="note", type="scale", label="척도", min=5, max=1),
        [((*Q3, "max"), "max는 min보다 작을 수 없습니다")],
    ),
    "number bound not a number": (
        _set((*Q0, "max"), "많이"),
        [((*Q0, "max"), "숫자여야 합니다 ('많이')")],
    ),
    "bad date bound": (
        _question(0, 3, key="note", type="date", label="날짜", min="2026-13-01"),
        [((*Q3, "min"), "날짜는 YYYY-MM-DD 또는 today여야 합니다")],
    ),
    "date bound as a word": (
        _question(0, 3, key="note", type="date", label="날짜", max="yesterday"),
        [((*Q3, "max"), "날짜는 YYYY-MM-DD 또는 today여야 합니다")],
    ),
    "bad regex pattern": (
        _set((*Q3, "pattern"), "[0-9"),
        [((*Q3, "pattern"), "정규식 오류")],
    ),
    "max_length out of range": (
        _set((*Q3, "max_length"), 0),
        [((*Q3, "max_length"), "1~10000 사이의 정수여야 합니다")],
    ),
    "group with grid inside": (
        _set((*Q5, "fields"), [GRID_FIELD]),
        [
            ((*Q5, "fields", 0, "type"), "문항 유형 'grid'은(는) 쓸 수 없습니다"),
        ],
    ),
    "group inside a group": (
        _set((*Q5, "fields"), [{"key": "inner", "type": "group", "label": "안", "fields": []}]),
        [((*Q5, "fields", 0, "type"), "문항 유형 'group'은(는) 쓸 수 없습니다")],
    ),
    "group without fields": (
        _set((*Q5, "fields"), []),
        [((*Q5, "fields"), "반복 항목에는 하위 문항이 하나 이상 있어야 합니다")],
    ),
    "group field with show_if": (
        _set((*Q5, "fields", 0, "show_if"), "visits > 1"),
        [((*Q5, "fields", 0, "show_if"), "반복 항목 안의 문항에는 조건을 둘 수 없습니다")],
    ),
    "group rows reversed": (
        _both(_set((*Q5, "min_rows"), 5), _set((*Q5, "max_rows"), 2)),
        [((*Q5, "max_rows"), "max_rows는 min_rows보다 작을 수 없습니다")],
    ),
    "group rows out of range": (
        _set((*Q5, "max_rows"), 501),
        [((*Q5, "max_rows"), "0~500 사이의 정수여야 합니다")],
    ),
    "levels not in descending min order": (
        _set(
            (*S0, "levels"),
            [
                {"code": "low", "label": "낮음", "min": 0},
                {"code": "high", "label": "높음", "min": 2},
            ],
        ),
        [((*S0, "levels"), "min 단계는 큰 값부터 차례로 적어야 합니다")],
    ),
    "level without condition not last": (
        _set(
            (*S0, "levels"),
            [{"code": "low", "label": "낮음"}, {"code": "high", "label": "높음", "min": 2}],
        ),
        [((*S0, "levels", 0), "조건(min 또는 when)이 없는 단계는 마지막에만 둘 수 있습니다")],
    ),
    "level with min and when": (
        _set((*S0, "levels", 0, "when"), "total > 1"),
        [((*S0, "levels", 0), "단계에는 min과 when 중 하나만 쓰세요")],
    ),
    "duplicate level codes": (
        _set((*S0, "levels", 1, "code"), "high"),
        [((*S0, "levels"), "단계 코드가 중복됩니다")],
    ),
    "level code invalid": (
        _set((*S0, "levels", 1, "code"), "낮음"),
        [((*S0, "levels", 1, "code"), "단계 코드는 영문·숫자·_·- 50자까지여야 합니다")],
    ),
    "score without expression": (
        _delete((*S0, "expr")),
        [((*S0, "expr"), "필수 항목이 비어 있습니다")],
    ),
    "condition naming a missing question": (
        _set((*Q4, "show_if"), "agee >= 65"),
        [
            (
                (*Q4, "show_if"),
                "식 오류 — 1번째 글자: 'agee'라는 문항이나 값이 없습니다 — 혹시 'age'인가요?",
            )
        ],
    ),
    "condition with a syntax error": (
        _set((*Q4, "show_if"), "age = 65"),
        [((*Q4, "show_if"), "식 오류 — 5번째 글자: 같은지 비교하려면 '=='를 쓰세요")],
    ),
    "condition with an unknown option": (
        _set((*Q4, "show_if"), "household == 'alon'"),
        [((*Q4, "show_if"), "선택지에 'alon'가 없습니다")],
    ),
    "condition not boolean": (
        _set((*Q4, "show_if"), "age + 1"),
        [((*Q4, "show_if"), "결과가 참/거짓여야 하는데 숫자입니다")],
    ),
    "condition referring to a later question": (
        _set((*Q1, "show_if"), "visits > 1"),
        [
            (
                (*Q1, "show_if"),
                "조건에는 앞에 있는 문항만 쓸 수 있습니다 ('visits'는 이 문항과 같거나 뒤에 있습니다)",
            )
        ],
    ),
    "condition referring to itself": (
        _set((*Q1, "show_if"), "household == 'alone'"),
        [((*Q1, "show_if"), "'household'는 이 문항과 같거나 뒤에 있습니다")],
    ),
    "condition referring to a later grid item": (
        _set((*Q1, "show_if"), "adl.eating == 'full'"),
        [((*Q1, "show_if"), "'adl.eating'는 이 문항과 같거나 뒤에 있습니다")],
    ),
    "section condition referring to its own question": (
        _set(("sections", 1, "show_if"), "visits > 1"),
        [(("sections", 1, "show_if"), "'visits'는 이 섹션과 같거나 뒤에 있습니다")],
    ),
    "score in a condition depending on a later question": (
        _set((*Q1, "show_if"), "total >= 2"),
        [
            (
                (*Q1, "show_if"),
                "점수 'total'는 이 문항보다 뒤에 있는 문항(adl)을 쓰므로 조건에 쓸 수 없습니다",
            )
        ],
    ),
    "score() of a later question in a condition": (
        _set((*Q1, "show_if"), "score(adl) >= 2"),
        [((*Q1, "show_if"), "'adl'는 이 문항과 같거나 뒤에 있습니다")],
    ),
    "level() of a score depending on a later question": (
        _set((*Q1, "show_if"), "level(total) == 'high'"),
        [((*Q1, "show_if"), "점수 'total'는 이 문항보다 뒤에 있는 문항(adl)을")],
    ),
    "score through another score depending on a later question": (
        _both(
            _append(("scores",), {"key": "double", "label": "두 배", "expr": "total * 2"}),
            _set((*Q1, "show_if"), "double > 2"),
        ),
        [((*Q1, "show_if"), "점수 'double'는 이 문항보다 뒤에 있는 문항(adl)을")],
    ),
    "score using a later score": (
        _both(
            _set((*S0, "expr"), "double + 1"),
            _append(("scores",), {"key": "double", "label": "두 배", "expr": "score(adl) * 2"}),
        ),
        [((*S0, "expr"), "'double'라는 문항이나 값이 없습니다")],
    ),
    "score expression not numeric": (
        _set((*S0, "expr"), "age > 65"),
        [((*S0, "expr"), "점수 식의 결과는 숫자여야 합니다")],
    ),
    "score expression of text": (
        _set((*S0, "expr"), "household"),
        [((*S0, "expr"), "점수 식의 결과는 숫자여야 합니다")],
    ),
    "level condition not boolean": (
        _set((*S0, "levels", 1), {"code": "low", "label": "낮음", "when": "total + 1"}),
        [((*S0, "levels", 1, "when"), "결과가 참/거짓여야 하는데 숫자입니다")],
    ),
    "validate rule not boolean": (
        _set((*Q4, "validate"), [{"rule": "visits + 1", "message": "확인"}]),
        [((*Q4, "validate", 0, "rule"), "결과가 참/거짓여야 하는데 숫자입니다")],
    ),
    "validate rule naming a missing question": (
        _set((*Q4, "validate"), [{"rule": "visit <= 30", "message": "확인"}]),
        [((*Q4, "validate", 0, "rule"), "혹시 'visits'인가요?")],
    ),
    "validate rule without a message": (
        _set((*Q4, "validate"), [{"rule": "visits <= 30"}]),
        [((*Q4, "validate", 0, "message"), "필수 항목이 비어 있습니다")],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_definition_is_refused(case: str) -> None:
    mutate, expected = CASES[case]
    data = base()
    mutate(data)
    problems = check_definition(data)
    assert problems, "the definition was accepted"
    found = [(p.path, p.message) for p in problems]
    # Exactly the expected problems, each at its path with the expected words.
    assert sorted(p.path for p in problems) == sorted(path for path, _ in expected), found
    for path, words in expected:
        assert any(p.path == path and words in p.message for p in problems), (path, words, found)
    for p in problems:
        assert HANGUL.search(p.message), p.message
    with pytest.raises(DefinitionError) as info:
        load_definition(data)
    assert info.value.problems == problems
    # The message of the exception names every problem's place.
    for p in problems:
        assert f"{p.where()}: {p.message}" in str(info.value)


def test_problems_name_their_question() -> None:
    data = base()
    _set((*Q4, "show_if"), "agee >= 65")(data)
    _set((*Q1, "options", 1, "value"), "alone")(data)
    problems = {p.path: p for p in check_definition(data)}
    assert problems[(*Q4, "show_if")].question == "visits"
    assert problems[(*Q1, "options", 1, "value")].question == "household"


def test_every_problem_is_reported_at_once() -> None:
    data = base()
    _delete(("title",))(data)
    _set((*Q1, "options"), [])(data)
    _set((*Q4, "show_if"), "agee > 1")(data)
    _set((*S0, "expr"), "age > 65")(data)
    paths = {p.path for p in check_definition(data)}
    assert paths == {("title",), (*Q1, "options"), (*Q4, "show_if"), (*S0, "expr")}


def test_not_a_mapping() -> None:
    form, problems = read_partial(["key: x"])
    assert form is None
    assert problems == [Problem((), "키: 값 형식이어야 합니다")]
    assert problems[0].where() == "(전체)"
    with pytest.raises(DefinitionError):
        load_definition("just text")


def test_too_many_questions() -> None:
    data = base()
    data["sections"][1]["questions"] = [
        {"key": f"q{i}", "type": "yesno", "label": "질문"} for i in range(600)
    ]
    problems = check_definition(data)
    assert [(p.path, p.message) for p in problems] == [
        (("sections",), "문항은 600개까지입니다 (604개)")
    ]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("sections", 0, "questions", 1, "key"), "sections[0].questions[1].key"),
        (("title",), "title"),
        (("scores", 2), "scores[2]"),
        ((), "(전체)"),
    ],
)
def test_problem_where(path: tuple, text: str) -> None:
    assert Problem(path, "x").where() == text


# -- the shipped definitions ----------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_definition_loads(path: Path) -> None:
    data, lines = yamlio.load(path.read_text(encoding="utf-8"))
    assert check_definition(data) == []
    cf = load_definition(data)
    assert cf.form.key == path.stem
    assert cf.form.title and HANGUL.search(cf.form.title)
    assert cf.form.questions()
    assert lines[()] >= 1


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_definition_round_trips(path: Path) -> None:
    form = read_definition(yamlio.load(path.read_text(encoding="utf-8"))[0])
    data = to_data(form)
    text = yamlio.dump(data)
    again, _lines = yamlio.load(text)
    assert again == data
    form2 = read_definition(again)
    assert isinstance(form2, FormDef)
    assert form2 == form
    assert yamlio.dump(to_data(form2)) == text  # export → import → export: the same text
    assert checksum(to_data(form2)) == checksum(data)
    compile_form(form2)  # and it still compiles


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_parse_yaml_gives_the_canonical_document(path: Path) -> None:
    cf, data = parse_yaml(path.read_text(encoding="utf-8"), path.name)
    assert data == to_data(cf.form)
    assert cf.form == read_definition(data)


def test_instruments_are_listed() -> None:
    names = instrument_names()
    assert {"kfrail", "adl", "iadl"} <= set(names)
    assert all(instrument_path(name).is_file() for name in names)


def test_checksum_ignores_key_order() -> None:
    assert checksum({"a": 1, "b": [1, "가"]}) == checksum({"b": [1, "가"], "a": 1})
    assert checksum({"a": 1}) != checksum({"a": 2})


# -- YAML ---------------------------------------------------------------------------------------


def test_yaml_keeps_line_numbers() -> None:
    text = "# comment\nkey: f\ntitle: 제목\nsections:\n- key: s\n  title: 섹션\n  questions:\n  - key: q\n    type: yesno\n"
    data, lines = yamlio.load(text)
    assert data["sections"][0]["questions"][0]["type"] == "yesno"
    assert lines[("key",)] == 2
    assert lines[("sections",)] == 5
    assert lines[("sections", 0, "title")] == 6
    assert lines[("sections", 0, "questions", 0)] == 8
    assert lines[("sections", 0, "questions", 0, "type")] == 9


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "a"),
        ("a:\n  x: 1\n  y: 2\n  x: 3\nb: 1\n", 4, "x"),
        ("items:\n- key: a\n  label: 가\n  key: b\n", 4, "key"),
        ("1: a\n'1': b\n", 2, "1"),
    ],
)
def test_yaml_duplicate_key_reports_its_line(text: str, line: int, key: str) -> None:
    with pytest.raises(yamlio.YamlProblem) as info:
        yamlio.load(text)
    assert info.value.line == line
    assert info.value.message == f"키 '{key}'가 두 번 있습니다"
    assert str(info.value) == f"{line}행: 키 '{key}'가 두 번 있습니다"


def test_yaml_booleans_are_only_true_and_false() -> None:
    data, _ = yamlio.load(
        "a: yes\nb: no\nc: true\nd: false\ne: on\nf: off\ng: y\nh: n\ni: 'yes'\nj: [yes, no, true]\n"
    )
    assert data == {
        "a": "yes",
        "b": "no",
        "c": True,
        "d": False,
        "e": "on",
        "f": "off",
        "g": "y",
        "h": "n",
        "i": "yes",
        "j": ["yes", "no", True],
    }


def test_yaml_keys_yes_no_stay_text() -> None:
    data, _ = yamlio.load("scores:\n  yes: 1\n  no: 0\n")
    assert data == {"scores": {"yes": 1, "no": 0}}


def test_yaml_dates_stay_text() -> None:
    data, _ = yamlio.load("max: 2026-03-27\nmin: today\n")
    assert data == {"max": "2026-03-27", "min": "today"}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 3),
        ("a: 1\n  b: 2\n", 2),
        ("a: 'unclosed\n", 2),
    ],
)
def test_yaml_syntax_error_has_a_line(text: str, line: int) -> None:
    with pytest.raises(yamlio.YamlProblem) as info:
        yamlio.load(text)
    assert info.value.line == line
    assert info.value.message.startswith("YAML 형식 오류: ")


def test_yaml_refuses_non_text_keys() -> None:
    with pytest.raises(yamlio.YamlProblem) as info:
        yamlio.load("a: 1\ntrue: 2\n")
    assert info.value.line == 2
    assert info.value.message == "키는 글자여야 합니다"


def test_yaml_empty_document() -> None:
    assert yamlio.load("") == (None, {})
    assert yamlio.load("# only a comment\n") == (None, {})


def test_yaml_dump_is_canonical() -> None:
    data = {"b": "둘", "a": ["yes", "no", True], "text": "줄 하나\n줄 둘\n", "n": 1.5}
    text = yamlio.dump(data)
    assert list(yamlio.load(text)[0]) == ["b", "a", "text", "n"]  # key order kept
    assert yamlio.load(text)[0] == data
    assert "둘" in text  # unicode written as is
    assert "text: |" in text  # multi-line text as a block


# -- parse_yaml: problems with file and line --------------------------------------------------

BROKEN = """\
key: broken
title: 고장난 정의
sections:
- key: first
  title: 첫째
  questions:
  - key: age
    type: number
    label: 나이
    min: 100
    max: 10
  - key: household
    type: choice
    label: 가구
    show_if: agee > 1
    options:
    - value: alone
      label: 독거
    - value: alone
      label: 중복
  - key: note
    type: text
    label: 메모
    options: []
  - key: hobby
    type: slider
    label: 취미
scores:
- key: total
  label: 합계
  expr: age > 3
"""


def test_parse_yaml_reports_file_line_path_and_message() -> None:
    with pytest.raises(DefinitionProblems) as info:
        parse_yaml(BROKEN, "broken.yaml")
    messages = info.value.messages()
    assert messages == [
        "broken.yaml:11: sections[0].questions[0].max: max는 min보다 작을 수 없습니다",
        "broken.yaml:19: sections[0].questions[1].options[1].value: 값 'alone'가 중복됩니다",
        "broken.yaml:24: sections[0].questions[2].options: 'options'는 짧은 글 문항에는 쓸 수 없습니다",
        "broken.yaml:26: sections[0].questions[3].type: 문항 유형 'slider'은(는) 쓸 수 없습니다 "
        "(쓸 수 있는 유형: choice, date, dong, grid, group, multi, number, scale, text, textarea, yesno)",
        # Expressions are checked after the structure: scores first, then conditions.
        "broken.yaml:31: scores[0].expr: 점수 식의 결과는 숫자여야 합니다",
        "broken.yaml:15: sections[0].questions[1].show_if: 식 오류 — 1번째 글자: "
        "'agee'라는 문항이나 값이 없습니다 — 혹시 'age'인가요?",
    ]
    assert str(info.value) == "\n".join(messages)
    assert info.value.file == "broken.yaml"


def test_parse_yaml_missing_value_points_at_its_parent() -> None:
    text = "key: f\ntitle: 제목\nsections:\n- key: s\n  title: 섹션\n  questions:\n  - key: q\n    type: yesno\n"
    with pytest.raises(DefinitionProblems) as info:
        parse_yaml(text, "f.yaml")
    # `label` is missing: the line is that of the question it belongs to.
    assert info.value.messages() == [
        "f.yaml:7: sections[0].questions[0].label: 필수 항목이 비어 있습니다"
    ]


def test_parse_yaml_duplicate_key_and_syntax_error() -> None:
    with pytest.raises(DefinitionProblems) as info:
        parse_yaml("key: f\ntitle: 가\ntitle: 나\n", "dup.yaml")
    assert info.value.messages() == ["dup.yaml:3: (전체): 키 'title'가 두 번 있습니다"]

    with pytest.raises(DefinitionProblems) as info:
        parse_yaml("key: f\nsections: [\n", "bad.yaml")
    (message,) = info.value.messages()
    assert message.startswith("bad.yaml:3: (전체): YAML 형식 오류: ")


def test_parse_yaml_without_a_file_name() -> None:
    with pytest.raises(DefinitionProblems) as info:
        parse_yaml("key: f\nsections: []\n")
    assert info.value.messages() == [
        "정의:1: title: 필수 항목이 비어 있습니다",
        "정의:2: sections: 섹션이 하나 이상 있어야 합니다",
    ]


def test_round_trip_of_every_question_type() -> None:
    data = base()
    data["description"] = "설명\n두 줄"
    data["sections"][0]["show_if"] = None
    data["sections"][1]["show_if"] = "age >= 65"
    data["sections"][1]["help"] = "도움말"
    data["sections"][1]["questions"] += [
        {"key": "born", "type": "date", "label": "생일", "min": "1900-01-01", "max": "today"},
        {"key": "feel", "type": "scale", "label": "기분", "min": 1, "max": 5, "min_label": "나쁨"},
        {"key": "alone", "type": "yesno", "label": "독거", "scores": {"yes": 1, "no": 0}},
        {
            "key": "sick",
            "type": "multi",
            "label": "질환",
            "required": True,
            "options": [
                {"value": "a", "label": "가", "score": 1},
                {"value": "none", "label": "없음", "exclusive": True},
            ],
        },
        {"key": "dong", "type": "dong", "label": "동"},
        {
            "key": "phone",
            "type": "text",
            "label": "전화",
            "max_length": 13,
            "pattern": r"\d{2,3}-\d{3,4}-\d{4}",
            "pattern_message": "000-0000-0000",
        },
        {"key": "story", "type": "textarea", "label": "이야기", "help": "길게"},
        {
            "key": "count",
            "type": "number",
            "label": "수",
            "integer": True,
            "unit": "개",
            "validate": [{"rule": "count <= age", "message": "나이보다 적게"}],
        },
    ]
    data["sections"][1]["questions"][1].update(min_rows=1, max_rows=5, item_label="약")
    data["sections"][0]["show_if"] = None
    del data["sections"][0]["show_if"]
    form = load_definition(data).form
    canonical = to_data(form)
    again = yamlio.load(yamlio.dump(canonical))[0]
    assert again == canonical
    assert read_definition(again) == form
    # Defaults are left out of the canonical document.
    assert "required" not in canonical["sections"][0]["questions"][0]
    assert canonical["sections"][1]["questions"][1]["min_rows"] == 1
    assert "integer" not in canonical["sections"][0]["questions"][0]


def test_definition_is_not_changed_by_reading() -> None:
    data = base()
    before = copy.deepcopy(data)
    load_definition(data)
    assert data == before
