"""One answer: from what the worker typed to a stored (JSON) value, with a Korean message when
it cannot be taken; and from the stored value to what expressions read.

Stored shapes: text/choice/dong → str; number/scale → int or float; date → "YYYY-MM-DD";
yesno → bool; multi → [str]; grid → {item: level}; group → [{field: value}]."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from dolbom.forms.definition import Question

_PLAIN_NUMBER = re.compile(r"[-+]?(\d{1,15}(\.\d{0,10})?|\.\d{1,10})")

Raw = str | list[str] | dict[str, str] | list[dict[str, Any]] | None


@dataclass(frozen=True)
class Context:
    """What checking an answer needs beyond the question: today's date, the tenant's dongs."""

    today: dt.date
    dongs: Collection[str] = ()


@dataclass(frozen=True)
class Parsed:
    value: Any  # JSON-ready; None when empty or invalid
    error: str | None = None
    # For a group: {(row, field): message}; for a grid: {(item, ""): message}
    details: Mapping[tuple[Any, str], str] | None = None


def _fmt(n: float | str | None) -> str:
    if isinstance(n, float) and n.is_integer():
        return f"{int(n):,}"
    return f"{n:,}" if isinstance(n, int | float) else str(n)


def _blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | dict):
        return not raw
    return False


@lru_cache(maxsize=512)
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source)


def parse_answer(q: Question, raw: Raw, ctx: Context) -> Parsed:
    if q.type == "grid":
        return _grid(q, raw if isinstance(raw, dict) else {})
    if q.type == "group":
        return _group(q, raw if isinstance(raw, list) else [], ctx)
    if q.type == "multi":
        values = raw if isinstance(raw, list) else ([] if _blank(raw) else [str(raw)])
        return _multi(q, [v for v in values if v])
    if isinstance(raw, list):
        raw = raw[-1] if raw else None
    if _blank(raw):
        return Parsed(None)
    text = str(raw).strip()
    return _PARSERS[q.type](q, text, ctx)


def _text(q: Question, text: str, _ctx: Context) -> Parsed:
    if len(text) > q.text_limit:
        return Parsed(None, f"{q.text_limit:,}자까지 입력할 수 있습니다 (지금 {len(text):,}자)")
    if q.pattern and not _pattern(q.pattern).fullmatch(text):
        return Parsed(None, q.pattern_message or "입력 형식이 맞지 않습니다")
    return Parsed(text)


def _number(q: Question, text: str, _ctx: Context) -> Parsed:
    cleaned = text.replace(",", "").replace(" ", "")
    try:
        # Plain decimals only: Decimal would also take "1e400000", a number of 400,000 digits.
        if not _PLAIN_NUMBER.fullmatch(cleaned):
            raise InvalidOperation
        number = Decimal(cleaned)
    except InvalidOperation:
        return Parsed(None, "숫자로 입력하세요" + (f" (단위: {q.unit})" if q.unit else ""))
    whole = number == number.to_integral_value()
    if q.integer and not whole:
        return Parsed(None, "정수로 입력하세요")
    value: int | float = int(number) if whole else float(number)
    low, high = q.min, q.max
    if (low is not None and value < low) or (high is not None and value > high):  # type: ignore[operator]
        unit = q.unit or ""
        if low is not None and high is not None:
            return Parsed(None, f"{_fmt(low)}{unit}에서 {_fmt(high)}{unit} 사이로 입력하세요")
        if low is not None:
            return Parsed(None, f"{_fmt(low)}{unit} 이상으로 입력하세요")
        return Parsed(None, f"{_fmt(high)}{unit} 이하로 입력하세요")
    return Parsed(value)


def _date(q: Question, text: str, ctx: Context) -> Parsed:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return Parsed(None, "날짜를 YYYY-MM-DD 형식으로 입력하세요 (예: 2026-03-27)")
    low = _bound(q.min, ctx)
    high = _bound(q.max, ctx)
    if low and day < low:
        return Parsed(None, f"{low.isoformat()} 이후 날짜여야 합니다")
    if high and day > high:
        return Parsed(
            None,
            "오늘 이후 날짜는 입력할 수 없습니다"
            if q.max == "today"
            else f"{high.isoformat()} 이전 날짜여야 합니다",
        )
    return Parsed(day.isoformat())


def _bound(value: float | str | None, ctx: Context) -> dt.date | None:
    if value is None:
        return None
    if value == "today":
        return ctx.today
    return dt.date.fromisoformat(str(value))


def _choice(q: Question, text: str, _ctx: Context) -> Parsed:
    if text not in {o.value for o in q.options}:
        return Parsed(None, "선택지에 있는 값을 고르세요")
    return Parsed(text)


def _multi(q: Question, values: list[str]) -> Parsed:
    options = {o.value: o for o in q.options}
    if any(v not in options for v in values):
        return Parsed(None, "선택지에 있는 값을 고르세요")
    chosen = [o.value for o in q.options if o.value in set(values)]  # definition order
    exclusive = [v for v in chosen if options[v].exclusive]
    if exclusive and len(chosen) > 1:
        return Parsed(
            None, f"'{options[exclusive[0]].label}'은(는) 다른 항목과 함께 고를 수 없습니다"
        )
    return Parsed(chosen or None)


def _yesno(q: Question, text: str, _ctx: Context) -> Parsed:
    if text in ("yes", "true", "1"):
        return Parsed(True)
    if text in ("no", "false", "0"):
        return Parsed(False)
    return Parsed(None, "예 또는 아니오를 고르세요")


def _scale(q: Question, text: str, ctx: Context) -> Parsed:
    parsed = _number(q, text, ctx)
    if parsed.error:
        low, high = _fmt(q.min), _fmt(q.max)
        return Parsed(None, f"{low}에서 {high} 사이에서 고르세요")
    return parsed


def _dong(q: Question, text: str, ctx: Context) -> Parsed:
    if text not in ctx.dongs:
        return Parsed(None, "목록에 있는 행정동을 고르세요")
    return Parsed(text)


_PARSERS = {
    "text": _text,
    "textarea": _text,
    "number": _number,
    "date": _date,
    "choice": _choice,
    "yesno": _yesno,
    "scale": _scale,
    "dong": _dong,
}


def _grid(q: Question, raw: dict[str, str]) -> Parsed:
    levels = {level.value for level in q.levels}
    value: dict[str, str] = {}
    details: dict[tuple[Any, str], str] = {}
    for item in q.items:
        chosen = raw.get(item.key)
        if _blank(chosen):
            continue
        if chosen not in levels:
            details[(item.key, "")] = "단계 중에서 고르세요"
            continue
        value[item.key] = str(chosen)
    if details:
        return Parsed(value or None, "고를 수 없는 단계가 있습니다", details)
    return Parsed(value or None)


def _group(q: Question, rows: list[dict[str, Any]], ctx: Context) -> Parsed:
    out: list[dict[str, Any]] = []
    details: dict[tuple[Any, str], str] = {}
    for i, row in enumerate(rows):
        values: dict[str, Any] = {}
        for f in q.fields:
            parsed = parse_answer(f, row.get(f.key), ctx)
            if parsed.error:
                details[(i, f.key)] = parsed.error
            elif parsed.value is not None:
                values[f.key] = parsed.value
            elif f.required and any(not _blank(v) for v in row.values()):
                details[(i, f.key)] = "필수 항목입니다"
        out.append(values)
    # A row left entirely empty is dropped, not stored.
    kept = [r for r in out if r]
    if len(kept) > q.max_rows:
        return Parsed(kept, f"{q.max_rows}개까지 입력할 수 있습니다", details or None)
    if details:
        return Parsed(kept or None, "확인이 필요한 칸이 있습니다", details)
    return Parsed(kept or None)


def runtime(q: Question, stored: Any) -> Any:
    """What expressions see for a stored answer."""
    if stored is None:
        return None
    if q.type == "date":
        try:
            return dt.date.fromisoformat(stored)
        except (TypeError, ValueError):
            return None
    return stored


def question_score(q: Question, stored: Any) -> float | None:
    if stored is None:
        return None
    if q.type == "choice":
        return next((o.score for o in q.options if o.value == stored), None)
    if q.type == "multi":
        scores = [o.score for o in q.options if o.value in stored and o.score is not None]
        return sum(scores) if scores else (0 if q.scored else None)
    if q.type == "yesno":
        return q.yes_score if stored is True else q.no_score
    if q.type == "scale":
        return stored
    if q.type == "grid":
        by_value = {level.value: level.score for level in q.levels}
        scores = [by_value.get(v) for v in stored.values()]
        known = [s for s in scores if s is not None]
        return sum(known) if known else None
    return None


def item_score(q: Question, level: str | None) -> float | None:
    if level is None:
        return None
    return next((lv.score for lv in q.levels if lv.value == level), None)


def display(q: Question, stored: Any) -> str:
    """The answer as a person reads it (read-only and print views)."""
    if stored is None or stored == [] or stored == {}:
        return "—"
    if q.type == "choice":
        return next((o.label for o in q.options if o.value == stored), str(stored))
    if q.type == "multi":
        return ", ".join(o.label for o in q.options if o.value in stored)
    if q.type == "yesno":
        return "예" if stored else "아니오"
    if q.type in ("number", "scale"):
        return f"{_fmt(stored)}{(' ' + q.unit) if q.unit else ''}"
    return str(stored)
