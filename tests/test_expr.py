"""The expression language: parsing, precedence, three-valued logic, functions, static checks
with positions, limits, and a fuzz test that nothing but ExprError ever escapes."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from dolbom.expr import (
    Catalogue,
    Compiled,
    Env,
    ExprError,
    Kind,
    Type,
    check,
    compile_expr,
    compile_source,
    names_in,
    parse,
)
from dolbom.expr import nodes as n
from dolbom.expr.functions import FUNCTIONS
from dolbom.expr.lexer import MAX_LENGTH
from dolbom.expr.parser import MAX_DEPTH, MAX_TREE_DEPTH

HANGUL = re.compile(r"[가-힣]")

CATALOGUE = Catalogue(
    {
        "age": Type(Kind.NUMBER, role="question"),
        "count_visits": Type(Kind.NUMBER, role="question"),
        "a": Type(Kind.BOOL),
        "b": Type(Kind.BOOL),
        "c": Type(Kind.BOOL),
        "x": Type(Kind.NUMBER),
        "y": Type(Kind.NUMBER),
        "z": Type(Kind.NUMBER),
        "name": Type(Kind.TEXT),
        "birth": Type(Kind.DATE),
        "living_alone": Type(Kind.BOOL, role="question", scored=True),
        "household": Type(Kind.TEXT, frozenset({"alone", "couple", "other"}), role="question"),
        "diseases": Type(Kind.LIST, frozenset({"diabetes", "stroke", "none"}), role="question"),
        "adl": Type(Kind.GRID, frozenset({"independent", "partial", "full"}), scored=True),
        "adl.eating": Type(Kind.TEXT, frozenset({"independent", "partial", "full"})),
        "medicines": Type(Kind.ROWS),
        "total": Type(Kind.NUMBER, role="score", scored=True, levelled=True),
        "plain_score": Type(Kind.NUMBER, role="score", scored=True),
    }
)


def run(source: str, values: dict | None = None, **env_kwargs):  # type: ignore[no-untyped-def]
    compiled = compile_source(source, CATALOGUE)
    return compiled.evaluate(Env(values or {}, **env_kwargs))


def refusal(source: str, catalogue: Catalogue = CATALOGUE, expect: Kind | None = None) -> ExprError:
    with pytest.raises(ExprError) as info:
        compile_source(source, catalogue, expect)
    exc = info.value
    assert HANGUL.search(exc.message), exc.message
    assert str(exc).startswith(f"{exc.pos + 1}번째 글자: ")
    return exc


# -- parsing and precedence -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),  # left-associative
        ("100 / 10 / 5", 2),
        ("2 * 3 % 4", 2),
        ("2 + 3 % 2", 3),
        ("-2 * 3", -6),
        ("- -2", 2),
        ("-(1 + 2)", -3),
        ("7 / 2", 3.5),
        ("10 % 4", 2),
        ("1 / 0", None),  # undetermined, not an exception
        ("5 % 0", None),
        ("1.5 + 1", 2.5),
        ("'돌' + '봄'", "돌봄"),
        ("not true or true", True),  # not binds tighter than or
        ("not (true or true)", False),
        ("true or false and false", True),  # and binds tighter than or
        ("(true or false) and false", False),
        ("not 1 == 2", True),  # comparison binds tighter than not
        ("1 + 1 == 2 and 3 > 2", True),
        ("2 * 3 >= 6", True),
        ("1 == 1.0", True),
        ("'a' != 'b'", True),
        ("'a' < 'b'", True),
        ("2 in [1, 2, 3]", True),
        ("4 in [1, 2, 3]", False),
        ("4 not in [1, 2, 3]", True),
        ("'bc' in 'abcd'", True),
        ("null", None),
        ("[1, null, 2]", [1, None, 2]),
        ("[]", []),
        ("'it\\'s'", "it's"),
        ('"둘"', "둘"),
    ],
)
def test_evaluates_with_precedence(source: str, expected: object) -> None:
    assert run(source) == expected


def test_parse_tree_shape_and_spans() -> None:
    node = parse("a or b and not c")
    assert isinstance(node, n.Logical) and node.op == "or"
    first, second = node.operands
    assert isinstance(first, n.Name) and first.name == "a"
    assert isinstance(second, n.Logical) and second.op == "and"
    assert isinstance(second.operands[1], n.Unary) and second.operands[1].op == "not"
    assert (node.pos, node.end) == (0, len("a or b and not c"))

    chain = parse("1 - 2 - 3")
    assert isinstance(chain, n.Binary) and chain.op == "-"
    assert isinstance(chain.left, n.Binary)  # (1 - 2) - 3
    assert isinstance(chain.right, n.Literal) and chain.right.value == 3

    grouped = parse("  (x + 1) * 2")
    assert isinstance(grouped, n.Binary) and grouped.op == "*"
    # The parentheses belong to the operand's span, for explanations that quote it.
    assert (grouped.left.pos, grouped.left.end) == (2, 9)

    call = parse("count(adl, ['partial'])")
    assert isinstance(call, n.Call) and call.func == "count" and len(call.args) == 2
    assert (call.pos, call.end) == (0, len("count(adl, ['partial'])"))

    not_in = parse("x not in [1]")
    assert isinstance(not_in, n.Binary) and not_in.op == "not in"


def test_names_in() -> None:
    node = parse("score(living_alone) + count(adl, ['full']) + level(total) == adl.eating")
    assert names_in(node) == {"living_alone", "adl", "total", "adl.eating"}
    assert names_in(parse("1 + 2")) == set()


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("1", "num"),
        ("2.5", "num"),
        ("'x'", "str"),
        ("true", "kw"),
        ("adl.eating", "name"),
        ("나이", "name"),
    ],
)
def test_tokens(source: str, kind: str) -> None:
    from dolbom.expr.lexer import tokenize

    tokens = tokenize(source)
    assert [t.kind for t in tokens] == [kind, "end"]


# -- three-valued logic -----------------------------------------------------------------------

TRUTH = (True, False, None)


def _kleene_and(p: bool | None, q: bool | None) -> bool | None:
    if p is False or q is False:
        return False
    if p is None or q is None:
        return None
    return True


def _kleene_or(p: bool | None, q: bool | None) -> bool | None:
    if p is True or q is True:
        return True
    if p is None or q is None:
        return None
    return False


@pytest.mark.parametrize(("p", "q"), list(itertools.product(TRUTH, TRUTH)))
def test_kleene_and_or(p: bool | None, q: bool | None) -> None:
    values = {"a": p, "b": q}
    assert run("a and b", values) is _kleene_and(p, q)
    assert run("a or b", values) is _kleene_or(p, q)
    assert compile_source("a and b", CATALOGUE).truth(Env(values)) is (_kleene_and(p, q) is True)


@pytest.mark.parametrize(("p", "expected"), [(True, False), (False, True), (None, None)])
def test_not_is_three_valued(p: bool | None, expected: bool | None) -> None:
    assert run("not a", {"a": p}) is expected


@pytest.mark.parametrize(
    "source",
    ["x == 1", "x != 1", "x < 1", "x >= 1", "x + 1", "-x", "x in [1]", "name in 'abc'", "x / 2"],
)
def test_unknown_spreads(source: str) -> None:
    env = Env({})
    assert compile_source(source, CATALOGUE).evaluate(env) is None
    assert env.missing == {"x"} or env.missing == {"name"}


def test_missing_names_are_collected() -> None:
    cond = compile_source("x > 1 or a", CATALOGUE)
    env = Env({"x": 2})
    assert cond.evaluate(env) is True
    assert env.missing == set()  # decided by x: a was never read

    env = Env({"x": 0})
    assert cond.evaluate(env) is None
    assert env.missing == {"a"}

    env = Env({})
    assert cond.evaluate(env) is None
    assert env.missing == {"x", "a"}
    assert cond.truth(Env({})) is False  # unknown counts as not met

    env = Env({"x": 0, "a": True})
    assert cond.evaluate(env) is True
    assert env.missing == set()


def test_missing_scores_and_levels_are_collected() -> None:
    expr = compile_source("score(total) + score(living_alone)", CATALOGUE)
    env = Env({}, scores={"total": 3})
    assert expr.evaluate(env) is None
    assert env.missing == {"living_alone"}
    env = Env({}, scores={"total": 3, "living_alone": 1})
    assert expr.evaluate(env) == 4
    assert env.missing == set()

    cond = compile_source("level(total) == 'high'", CATALOGUE)
    env = Env({}, levels={})
    assert cond.evaluate(env) is None
    assert env.missing == {"total"}
    assert cond.evaluate(Env({}, levels={"total": "high"})) is True


# -- functions --------------------------------------------------------------------------------

GRID = {"eating": "partial", "bathing": "full", "dressing": "independent", "toilet": "full"}


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("count(adl, ['partial', 'full'])", {"adl": GRID}, 3),
        ("count(adl, 'full')", {"adl": GRID}, 2),
        ("count(adl, ['independent'])", {"adl": GRID}, 1),
        ("count(adl, ['partial'])", {"adl": {}}, 0),
        ("count(adl, ['partial'])", {}, None),
        ("count(diseases, ['diabetes', 'stroke'])", {"diseases": ["diabetes", "stroke"]}, 2),
        ("count(diseases, 'none')", {"diseases": ["diabetes"]}, 0),
        ("count_true(a, b, c)", {"a": True, "b": True, "c": False}, 2),
        ("count_true(a, b, c)", {"a": True}, 1),  # unknown is not true
        ("count_true(a, b, c)", {}, 0),
        ("count_true(x > 1, name == 'kim')", {"x": 5, "name": "kim"}, 2),
        ("sum(x, y, z)", {"x": 1, "y": 2, "z": 3}, 6),
        ("sum(x, y, z)", {"x": 1, "z": 3}, 4),  # nulls are skipped
        ("sum(x, y, z)", {}, None),  # all unknown: unknown, not 0
        ("sum(x, 1)", {}, 1),
        ("sum([1, 2], 3)", {}, 6),
        ("sum(x, 0.5)", {"x": 1}, 1.5),
        ("min(x, y, 3)", {"x": 5, "y": 2}, 2),
        ("max(x, y, 3)", {"x": 5}, 5),
        ("min(x)", {}, None),
        ("if(a, 1, 2)", {"a": True}, 1),
        ("if(a, 1, 2)", {"a": False}, 2),
        ("if(a, 1, 2)", {}, None),
        ("if(x > 1, 'big', 'small')", {"x": 1}, "small"),
        ("if(true, x, 0)", {}, None),
        ("coalesce(x, 0)", {}, 0),
        ("coalesce(x, 0)", {"x": 7}, 7),
        ("coalesce(x, y, 3)", {"y": 2}, 2),
        ("coalesce(x, y)", {}, None),
        ("len(diseases)", {"diseases": ["diabetes", "stroke"]}, 2),
        ("len(diseases)", {"diseases": []}, 0),
        ("len(diseases)", {}, None),
        ("len(name)", {"name": "돌봄"}, 2),
        ("len(medicines)", {"medicines": [{"name": "a"}, {"name": "b"}]}, 2),
        ("len(adl)", {"adl": {"eating": "full", "bathing": None}}, 1),
        ("contains(diseases, 'stroke')", {"diseases": ["stroke"]}, True),
        ("contains(diseases, 'stroke')", {"diseases": ["diabetes"]}, False),
        ("contains(diseases, 'stroke')", {}, None),
        ("contains(adl, 'full')", {"adl": GRID}, True),
        ("'stroke' in diseases", {"diseases": ["stroke"]}, True),
        ("'full' in adl", {"adl": GRID}, True),
        ("'full' not in adl", {"adl": {"eating": "partial"}}, True),
        ("adl.eating == 'partial'", {"adl.eating": "partial"}, True),
        ("answered(name)", {"name": ""}, False),
        ("answered(name)", {"name": "김"}, True),
        ("answered(diseases)", {"diseases": []}, False),
        ("answered(x)", {"x": 0}, True),
        ("answered(x)", {}, False),
        ("round(2.345, 2)", {}, 2.35),
        ("round(2.6)", {}, 3),
        ("round(x)", {}, None),
        ("abs(-3)", {}, 3),
        ("abs(x)", {"x": -2.5}, 2.5),
        ("date('2026-03-27')", {}, dt.date(2026, 3, 27)),
        ("days_between(date('2026-03-01'), date('2026-03-27'))", {}, 26),
        ("birth < date('2000-01-01')", {"birth": dt.date(1950, 1, 1)}, True),
    ],
)
def test_functions(source: str, values: dict, expected: object) -> None:
    result = run(source, values)
    assert result == expected
    assert type(result) is type(expected)


def test_score_and_level_read_the_environment() -> None:
    assert run("score(total) * 2", scores={"total": 4}) == 8
    assert run("level(total)", levels={"total": "frail"}) == "frail"
    assert run("score(adl)", scores={"adl": 7}) == 7


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        ("1950-03-27", "2026-03-26", 75),  # the day before the birthday
        ("1950-03-27", "2026-03-27", 76),  # the birthday itself
        ("1950-03-27", "2026-03-28", 76),
        ("1950-12-31", "2026-01-01", 75),
        ("1948-02-29", "2026-02-28", 77),  # born on a leap day
        ("1948-02-29", "2026-03-01", 78),
        ("1948-02-29", "2028-02-29", 80),
        ("2026-03-27", "2026-03-27", 0),
    ],
)
def test_years_between_birthday_boundary(birth: str, on: str, age: int) -> None:
    source = f"years_between(birth, date('{on}'))"
    assert run(source, {"birth": dt.date.fromisoformat(birth)}) == age
    assert run(source + " >= 76", {"birth": dt.date.fromisoformat(birth)}) is (age >= 76)


def test_years_between_unknown_birth() -> None:
    env = Env({})
    assert (
        compile_source("years_between(birth, date('2026-03-27'))", CATALOGUE).evaluate(env) is None
    )
    assert env.missing == {"birth"}


def test_date_arithmetic_is_refused_at_run_time() -> None:
    # Static types allow '-' only on numbers; a date arriving where a number was expected is a
    # clash of stored data, reported as an ExprError.
    with pytest.raises(ExprError, match="days_between"):
        compile_source("x - y", CATALOGUE).evaluate(
            Env({"x": dt.date(2026, 1, 1), "y": dt.date(2025, 1, 1)})
        )


@pytest.mark.parametrize(
    ("values", "source"),
    [
        ({"x": "text"}, "x - 1"),
        ({"x": "text"}, "x < 3"),
        ({"name": 5}, "len(name)"),
        ({"diseases": 5}, "contains(diseases, 'stroke')"),
        ({"birth": "1950-01-01"}, "years_between(birth, date('2026-01-01'))"),
        ({"x": [1, 2]}, "x * 100000000000000"),  # would repeat the list: refused, not allocated
        ({"x": "ab"}, "3 * x"),
        ({"x": 10**400}, "x / 3"),
    ],
)
def test_run_time_clash_is_an_expr_error(values: dict, source: str) -> None:
    with pytest.raises(ExprError):
        compile_source(source, CATALOGUE).evaluate(Env(values))


def test_round_digits_are_bounded() -> None:
    # round(5, -10**9) would compute 10**(10**9): refused instead of running for minutes.
    with pytest.raises(ExprError, match="자릿수"):
        run("round(5, -1000000000)")
    assert run("round(1234, -2)") == 1200


# -- static checks, with positions ------------------------------------------------------------


def test_unknown_name_suggests_a_close_one() -> None:
    exc = refusal("agee >= 65 and living_alone")
    assert exc.pos == 0
    assert "'agee'라는 문항이나 값이 없습니다" in exc.message
    assert "혹시 'age'인가요?" in exc.message

    exc = refusal("age >= 65 and livng_alone")
    assert exc.pos == len("age >= 65 and ")
    assert "혹시 'living_alone'" in exc.message

    exc = refusal("age > 1 and qqqqqq")
    assert exc.pos == len("age > 1 and ")
    assert "혹시" not in exc.message


def test_unknown_function_suggests_a_close_one() -> None:
    exc = refusal("1 + cout(adl, 'full')")
    assert exc.pos == 4
    assert "'cout'라는 함수가 없습니다" in exc.message
    assert "혹시 'count'" in exc.message


@pytest.mark.parametrize(
    ("source", "literal"),
    [
        ("household == 'alon'", "'alon'"),
        ("'alon' == household", "'alon'"),
        ("household != 'aloen'", "'aloen'"),
        ("household in ['alone', 'coupel']", "'coupel'"),
        ("count(adl, ['partial', 'ful'])", "'ful'"),
        ("contains(diseases, 'diabetis')", "'diabetis'"),
        ("'strok' in diseases", "'strok'"),
        ("adl.eating == 'partal'", "'partal'"),
    ],
)
def test_choice_literal_must_be_an_option(source: str, literal: str) -> None:
    exc = refusal(source)
    value = literal.strip("'")
    assert f"선택지에 '{value}'가 없습니다" in exc.message
    assert "있는 값:" in exc.message
    assert exc.pos == source.index(literal)


def test_choice_literal_among_options_is_accepted() -> None:
    assert run("household == 'alone'", {"household": "alone"}) is True
    assert run("household in ['alone', 'couple']", {"household": "other"}) is False


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("if(a, 1)", "if()에는 값이 3개 있어야 하는데 2개입니다"),
        ("if(a, 1, 2, 3)", "if()에는 값이 3개 있어야 하는데 4개입니다"),
        ("count(adl)", "count()에는 값이 2개 있어야 하는데 1개입니다"),
        ("coalesce(x)", "coalesce()에는 값이 2개 이상 있어야 하는데 1개입니다"),
        ("round(1, 2, 3)", "round()에는 값이 1~2개 있어야 하는데 3개입니다"),
        ("sum()", "sum()에는 값이 1개 이상 있어야 하는데 0개입니다"),
        ("score()", "score()에는 값이 1개 있어야 하는데 0개입니다"),
    ],
)
def test_wrong_arity(source: str, message: str) -> None:
    exc = refusal(source)
    assert message in exc.message


def test_wrong_arity_position() -> None:
    exc = refusal("x + if(a, 1)")
    assert exc.pos == 4


@pytest.mark.parametrize(
    ("source", "message", "pos"),
    [
        ("age == 'old'", "숫자와 문자는 비교할 수 없습니다", 0),
        ("x + 1 != name", "숫자와 문자는 비교할 수 없습니다", 0),
        ("age < 'x'", "숫자와 문자는 크기를 비교할 수 없습니다", 0),
        ("a < true", "'<'에는", 0),
        ("age + 'x'", "'+'에는 문자 값이 와야 하는데 숫자입니다", 0),
        ("1 + 2 - name", "'-'에는 숫자 값이 와야 하는데 문자입니다", 8),
        ("age and true", "'and'에는 참/거짓 값이 와야 하는데 숫자입니다", 0),
        ("a or name", "'or'에는 참/거짓 값이 와야 하는데 문자입니다", 5),
        ("not age", "'not'에는 참/거짓 값이 와야 하는데 숫자입니다", 4),
        ("-name", "'-'에는 숫자 값이 와야 하는데 문자입니다", 1),
        ("x in 5", "'in'의 오른쪽", 5),
        ("[1, 'a']", "목록 안의 값은 종류가 같아야 합니다", 0),
        ("years_between(age, birth)", "years_between()의 1번째 값에는 날짜 값이 와야", 14),
        ("abs(name)", "abs()의 1번째 값에는 숫자 값이 와야", 4),
        ("date('2026-02-30')", "날짜는 'YYYY-MM-DD' 형식이어야 합니다", 5),
        ("date(name)", "date()에는 'YYYY-MM-DD' 형식의 글자를 직접 쓰세요", 5),
        ("date(null)", "date()에는 'YYYY-MM-DD' 형식의 글자를 직접 쓰세요", 5),
        ("score(x)", "'x'에는 점수가 없습니다", 6),
        ("score(1)", "score()에는 문항이나 점수의 이름을 넣으세요", 6),
        ("score(nothing_here)", "'nothing_here'라는 문항이나 값이 없습니다", 6),
        ("level(plain_score)", "'plain_score'에는 단계(levels)가 없습니다", 6),
        ("level(living_alone)", "단계(levels)가 없습니다", 6),
    ],
)
def test_type_errors_with_position(source: str, message: str, pos: int) -> None:
    exc = refusal(source)
    assert message in exc.message
    assert exc.pos == pos
    assert exc.source == source


def test_expected_result_kind() -> None:
    exc = refusal("age + 1", expect=Kind.BOOL)
    assert "결과가 참/거짓여야 하는데 숫자입니다" in exc.message
    exc = refusal("a", expect=Kind.NUMBER)
    assert "결과가 숫자여야 하는데 참/거짓입니다" in exc.message
    # Unknown-typed results pass: null, and names of any type.
    assert compile_source("null", CATALOGUE, Kind.BOOL).type.kind == Kind.NULL
    assert compile_source("age > 1", CATALOGUE, Kind.BOOL).type.kind == Kind.BOOL


def test_check_returns_types() -> None:
    assert check(parse("age + 1"), CATALOGUE).kind == Kind.NUMBER
    assert check(parse("name + '!'"), CATALOGUE).kind == Kind.TEXT
    assert check(parse("count(adl, 'full') > 1"), CATALOGUE).kind == Kind.BOOL
    assert check(parse("[1, 2]"), CATALOGUE).kind == Kind.LIST
    assert check(parse("if(a, 1, 2)"), CATALOGUE).kind == Kind.NUMBER
    assert check(parse("date('2026-01-01')"), CATALOGUE).kind == Kind.DATE
    assert check(parse("level(total)"), CATALOGUE).kind == Kind.TEXT


@pytest.mark.parametrize(
    ("source", "message", "pos"),
    [
        ("1 < age < 3", "비교를 이어 쓸 수 없습니다", 8),
        ("age == 1 == true", "비교를 이어 쓸 수 없습니다", 9),
        ("age = 65", "같은지 비교하려면 '=='를 쓰세요", 4),
        ("a & b", "'and'로 쓰세요", 2),
        ("a | b", "'or'로 쓰세요", 2),
        ("!a", "'not'으로", 0),
        ("age @ 3", "알 수 없는 기호입니다: '@'", 4),
        ("name == 'kim", "따옴표가 닫히지 않았습니다", 8),
        ("(age + 1", "')'가 있어야 합니다", 8),
        ("count(adl, 'full'", "')'가 있어야 합니다", 17),
        ("[1, 2", "']'가 있어야 합니다", 5),
        ("age 65", "식이 끝나야 할 곳에 '65'가 있습니다", 4),
        ("age +", "식이 중간에 끝났습니다", 5),
        ("and a", "'and' 앞에 값이 있어야 합니다", 0),
        ("age * )", "여기에는 값이 와야 하는데 ')'가 있습니다", 6),
        ("65세", "숫자 뒤에 글자가 붙어 있습니다", 2),
        ("   ", "식이 비어 있습니다", 0),
        ("", "식이 비어 있습니다", 0),
    ],
)
def test_syntax_errors_with_position(source: str, message: str, pos: int) -> None:
    with pytest.raises(ExprError) as info:
        parse(source)
    assert message in info.value.message
    assert info.value.pos == pos


def test_source_must_be_text() -> None:
    with pytest.raises(ExprError, match="문자열"):
        parse(65)  # type: ignore[arg-type]


# -- limits -----------------------------------------------------------------------------------


def test_nesting_depth_limit() -> None:
    shallow = "(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1)
    assert run(shallow) == 1
    deep = "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH
    with pytest.raises(ExprError, match="너무 깊게"):
        parse(deep)


@pytest.mark.parametrize(
    "source",
    [
        "(" * 900 + "1" + ")" * 900,
        "(" * 1500,
        "not " * 450 + "true",
        "-" * 1999 + "1",
        "- " * 900 + "1",
        "abs(" * 390 + "1" + ")" * 390,
        "[" * 900 + "]" * 900,
        "if(a, " * 150 + "1" + ", 2)" * 150,
        "1+" * 999 + "1",  # a loop in the parser, but a left-deep tree
        "1*" * 999 + "1",
        "x-" * 660 + "x",
        "(1+" * 300 + "1" + ")" * 300,
        "sum(" + "1+" * 990 + "1)",
        "'a'+" * 499 + "'a'",
        "a and " * 300 + "a",
    ],
)
def test_deep_or_long_expressions_are_expr_errors_not_recursion(source: str) -> None:
    assert len(source) <= MAX_LENGTH
    try:
        compiled = compile_source(source, CATALOGUE)
    except ExprError:
        return
    # What is accepted must evaluate without RecursionError too.
    compiled.evaluate(Env({"a": True, "x": 1}))


def test_tree_depth_limit() -> None:
    ok = "+".join(["1"] * (MAX_TREE_DEPTH - 1))
    assert run(ok) == MAX_TREE_DEPTH - 1
    too_long = "+".join(["1"] * (MAX_TREE_DEPTH + 1))
    with pytest.raises(ExprError, match="sum"):
        parse(too_long)
    # sum() takes any number of arguments without growing the tree.
    assert run("sum(" + ", ".join(["1"] * 300) + ")") == 300


def test_long_boolean_chains_are_flat() -> None:
    source = " and ".join(["a"] * 300)
    assert run(source, {"a": True}) is True
    assert run(" or ".join(["a"] * 300), {"a": False}) is False


def test_length_limit() -> None:
    assert run("1" * MAX_LENGTH) == int("1" * MAX_LENGTH)
    with pytest.raises(ExprError, match="너무 깁니다") as info:
        parse("1" * (MAX_LENGTH + 1))
    assert info.value.pos == MAX_LENGTH
    assert f"{MAX_LENGTH}자까지" in info.value.message


def test_unchecked_trees_still_only_raise_expr_error() -> None:
    # compile_expr is public: a tree that check() would refuse must not crash it either.
    for source in ("score()", "level()", "1 + 'a'", "-'a'", "date(5)", "'a' * 99999999999"):
        node = parse(source)
        compiled = Compiled(source, node, Type(Kind.ANY), compile_expr(node))
        with contextlib.suppress(ExprError):
            compiled.evaluate(Env({}))
    with pytest.raises(ExprError, match="nosuch"):
        compile_expr(parse("nosuch(1)"))


# -- fuzzing ----------------------------------------------------------------------------------

NAMES = sorted(CATALOGUE.names)
FUNCTION_NAMES = sorted(FUNCTIONS)
TOKENS = [
    *NAMES,
    "agee",
    "adl.",
    "adl.nothing",
    ".",
    "0",
    "1",
    "2",
    "65",
    "2.5",
    "0.0",
    "99999999999999999999999",
    "1e5",
    "'alone'",
    "'full'",
    "'partial'",
    "'2026-03-27'",
    "'2026-02-30'",
    "''",
    "'",
    '"',
    "\\",
    "and",
    "or",
    "not",
    "in",
    "true",
    "false",
    "null",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "(",
    ")",
    "[",
    "]",
    ",",
    "&",
    "|",
    "!",
    "나이",
    *(f"{f}(" for f in (*FUNCTION_NAMES, "nosuch")),
]

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["alone", "couple", "full", "partial", "independent", "stroke", "none"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.lists(st.sampled_from(["diabetes", "stroke", "none", "x"]), max_size=4),
    st.lists(st.integers(-5, 5) | st.none(), max_size=4),
    st.dictionaries(
        st.sampled_from(["eating", "bathing"]),
        st.sampled_from(["independent", "partial", "full"]) | st.none(),
    ),
    st.lists(
        st.dictionaries(st.sampled_from(["name", "per_day"]), st.text(max_size=3)), max_size=3
    ),
)


@st.composite
def environments(draw: st.DrawFn) -> Env:
    """Mostly values of the right kind, sometimes of any kind (stale data), often missing."""
    values = {name: draw(VALUES) for name in draw(st.sets(st.sampled_from(NAMES)))}
    scores = {name: draw(VALUES) for name in draw(st.sets(st.sampled_from(NAMES)))}
    levels = {name: draw(VALUES) for name in draw(st.sets(st.sampled_from(NAMES)))}
    return Env(values, scores, levels)


def _leaf() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NAMES),
        st.integers(-1000, 10**25).map(str),
        st.sampled_from(["true", "false", "null", "'alone'", "'full'", "'x'", "2.5", "0"]),
    )


def _grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(
        inner,
        st.sampled_from(
            ["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "and", "or", "in", "not in"]
        ),
        inner,
    ).map(lambda t: f"{t[0]} {t[1]} {t[2]}")
    call = st.tuples(
        st.sampled_from(FUNCTION_NAMES),
        st.lists(inner, max_size=4),
    ).map(lambda t: f"{t[0]}({', '.join(t[1])})")
    return st.one_of(
        binary,
        call,
        inner.map(lambda s: f"({s})"),
        inner.map(lambda s: f"not {s}"),
        inner.map(lambda s: f"-{s}"),
        st.lists(inner, max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
    )


WELL_FORMED = st.recursive(_leaf(), _grow, max_leaves=12)
TOKEN_SOUP = st.lists(st.sampled_from(TOKENS), max_size=25)


def _only_expr_errors(source: str, env: Env) -> None:
    """parse → check → compile → evaluate: nothing but ExprError may come out. Unchecked trees
    are compiled and evaluated too, since compile_expr is public."""
    try:
        node = parse(source)
    except ExprError as exc:
        assert isinstance(exc.message, str) and exc.pos >= 0
        return
    try:
        compiled = compile_source(source, CATALOGUE)
    except ExprError:
        compiled = None
    if compiled is None:
        try:
            compiled = Compiled(source, node, Type(Kind.ANY), compile_expr(node))
        except ExprError:
            return
    try:
        compiled.evaluate(env)
        compiled.truth(env)
    except ExprError:
        pass


FUZZ = fuzz_settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(source=st.text(max_size=60), env=environments())
def test_fuzz_arbitrary_text(source: str, env: Env) -> None:
    _only_expr_errors(source, env)


@FUZZ
@given(tokens=TOKEN_SOUP, spaced=st.booleans(), env=environments())
def test_fuzz_token_soup(tokens: list[str], spaced: bool, env: Env) -> None:
    _only_expr_errors((" " if spaced else "").join(tokens), env)


@FUZZ
@given(source=WELL_FORMED, env=environments())
def test_fuzz_well_formed(source: str, env: Env) -> None:
    _only_expr_errors(source, env)
