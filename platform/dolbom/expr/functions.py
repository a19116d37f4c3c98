"""Built-in functions: their static signatures and what they do at run time.

A function sees its arguments already evaluated, except `score` and `level`, which take the
name of a question or score (`score(kfrail_fatigue)`) and ask the environment for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dolbom.expr.errors import ExprError
from dolbom.expr.types import ANY, BOOL, DATE, NUMBER, TEXT, Kind, Type

if TYPE_CHECKING:
    from dolbom.expr.compiler import Env

Impl = Callable[..., Any]


@dataclass(frozen=True)
class Function:
    name: str
    min_args: int
    max_args: int | None  # None: any number
    arg_kinds: tuple[frozenset[Kind], ...]  # per position; the last repeats
    returns: Callable[[Sequence[Type]], Type]
    impl: Impl
    help: str
    takes_name: bool = False  # score(), level(): the argument is a name, not a value
    null_safe: bool = False  # the function handles None arguments itself

    def kinds_at(self, i: int) -> frozenset[Kind]:
        return self.arg_kinds[min(i, len(self.arg_kinds) - 1)]


def _const(t: Type) -> Callable[[Sequence[Type]], Type]:
    return lambda _args: t


NUM = frozenset({Kind.NUMBER})
ANYK = frozenset(Kind)
BOOLK = frozenset({Kind.BOOL})
DATEK = frozenset({Kind.DATE})
TEXTK = frozenset({Kind.TEXT})
COUNTABLE = frozenset({Kind.LIST, Kind.GRID, Kind.TEXT, Kind.ROWS})


def _numbers(args: Sequence[Any]) -> list[float]:
    out: list[float] = []
    for a in args:
        if isinstance(a, list):
            out.extend(x for x in a if isinstance(x, int | float) and not isinstance(x, bool))
        elif isinstance(a, int | float) and not isinstance(a, bool):
            out.append(a)
    return out


def _sum(*args: Any) -> float | None:
    numbers = _numbers(args)
    return sum(numbers) if numbers or not any(a is None for a in args) else None


def _count_true(*args: Any) -> int:
    return sum(1 for a in args if a is True)


def _count(collection: Any, values: Any) -> int | None:
    if collection is None:
        return None
    wanted = set(values) if isinstance(values, list) else {values}
    if isinstance(collection, dict):  # a grid answer: item → level
        return sum(1 for v in collection.values() if v in wanted)
    if isinstance(collection, list):
        return sum(1 for v in collection if v in wanted)
    return None


def _len(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return sum(1 for v in value.values() if v is not None)
    return len(value)


MAX_ROUND_DIGITS = 20


def _round(value: float, digits: float | None = 0) -> float:
    digits = int(digits or 0)
    # round(5, -10**9) computes 10**(10**9) on an int: minutes of CPU for one condition.
    if not -MAX_ROUND_DIGITS <= digits <= MAX_ROUND_DIGITS:
        raise ExprError(f"round()의 자릿수는 {-MAX_ROUND_DIGITS}~{MAX_ROUND_DIGITS}이어야 합니다")
    result = round(value, digits)
    return int(result) if digits == 0 else result


def _if(cond: Any, then: Any, otherwise: Any) -> Any:
    if cond is None:
        return None
    return then if cond else otherwise


def _coalesce(*args: Any) -> Any:
    return next((a for a in args if a is not None), None)


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ExprError(f"날짜는 'YYYY-MM-DD' 형식이어야 합니다: '{text}'") from exc


def years_between(start: dt.date, end: dt.date) -> int:
    """Whole years from start to end (a person's age in full years, 만 나이)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def _days_between(start: dt.date, end: dt.date) -> int:
    return (end - start).days


def _contains(collection: Any, value: Any) -> bool | None:
    if collection is None or value is None:
        return None
    if isinstance(collection, dict):
        return value in collection.values()
    return value in collection


def _answered(value: Any) -> bool:
    if isinstance(value, list | dict | str):
        return bool(value)
    return value is not None


def _score(env: Env, name: str) -> float | None:
    return env.score(name)


def _level(env: Env, name: str) -> str | None:
    return env.level(name)


def _first(args: Sequence[Type]) -> Type:
    return args[0] if args else ANY


def _branches(args: Sequence[Type]) -> Type:
    known = [a for a in args[1:] if a.kind not in (Kind.NULL, Kind.ANY)]
    return Type(known[0].kind) if known else ANY


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in [
        Function("answered", 1, 1, (ANYK,), _const(BOOL), _answered,
                 "답이 있으면 참: answered(q)", null_safe=True),
        Function("score", 1, 1, (ANYK,), _const(NUMBER), _score,
                 "문항의 점수, 또는 계산된 점수: score(adl)", takes_name=True),
        Function("level", 1, 1, (ANYK,), _const(TEXT), _level,
                 "계산된 점수의 단계 코드: level(kfrail) == 'frail'", takes_name=True),
        Function("count", 2, 2, (COUNTABLE, ANYK), _const(NUMBER), _count,
                 "표 문항·복수 선택에서 주어진 값의 개수: count(adl, ['partial', 'full'])",
                 null_safe=True),
        Function("count_true", 1, None, (BOOLK,), _const(NUMBER), _count_true,
                 "참인 조건의 개수: count_true(a == 'yes', b > 3)", null_safe=True),
        Function("sum", 1, None, (frozenset({Kind.NUMBER, Kind.LIST}),), _const(NUMBER), _sum,
                 "숫자의 합 (빈 값은 건너뜀): sum(a, b, c)", null_safe=True),
        Function("min", 1, None, (frozenset({Kind.NUMBER, Kind.LIST}),), _const(NUMBER),
                 lambda *a: min(_numbers(a), default=None), "가장 작은 값", null_safe=True),
        Function("max", 1, None, (frozenset({Kind.NUMBER, Kind.LIST}),), _const(NUMBER),
                 lambda *a: max(_numbers(a), default=None), "가장 큰 값", null_safe=True),
        Function("len", 1, 1, (COUNTABLE,), _const(NUMBER), _len,
                 "목록·반복 항목의 개수, 글자 수: len(medicines)", null_safe=True),
        Function("round", 1, 2, (NUM,), _const(NUMBER), _round, "반올림: round(x, 1)"),
        Function("abs", 1, 1, (NUM,), _const(NUMBER), abs, "절댓값"),
        Function("if", 3, 3, (BOOLK, ANYK, ANYK), _branches, _if,
                 "조건에 따라: if(조건, 참일 때, 거짓일 때)", null_safe=True),
        Function("coalesce", 2, None, (ANYK,), _first, _coalesce,
                 "처음으로 빈 값이 아닌 것: coalesce(a, 0)", null_safe=True),
        Function("date", 1, 1, (TEXTK,), _const(DATE), parse_date, "날짜: date('2026-03-27')"),
        Function("years_between", 2, 2, (DATEK,), _const(NUMBER), years_between,
                 "만 나이처럼 두 날짜 사이의 햇수: years_between(birth, date('2026-03-27'))"),
        Function("days_between", 2, 2, (DATEK,), _const(NUMBER), _days_between,
                 "두 날짜 사이의 일수"),
        Function("contains", 2, 2, (COUNTABLE, ANYK), _const(BOOL), _contains,
                 "목록에 값이 있으면 참: contains(diseases, 'diabetes')", null_safe=True),
    ]
}  # fmt: skip
