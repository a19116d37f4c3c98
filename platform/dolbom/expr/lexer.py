"""Tokens: numbers, strings, (dotted) names, keywords and operators."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dolbom.expr.errors import ExprError

MAX_LENGTH = 2000
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
# Names are letters (Hangul included), digits and _, joined by dots: `adl.dressing`.
_NAME = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",")
_HINTS = {
    "=": "같은지 비교하려면 '=='를 쓰세요",
    "&": "'그리고'는 'and'로 쓰세요",
    "|": "'또는'은 'or'로 쓰세요",
    "!": "부정은 'not'으로, 다름은 '!='로 쓰세요",
}


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "str", "name", "kw", "op", "end"
    text: str
    pos: int
    value: object = None


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_LENGTH:
        raise ExprError(f"식이 너무 깁니다 ({MAX_LENGTH}자까지)", MAX_LENGTH, source)
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "'\"":
            i = _string(source, i, tokens)
            continue
        m = _NUMBER.match(source, i)
        if m and ch.isascii():
            text = m.group()
            value: object = float(text) if "." in text else int(text)
            tokens.append(Token("num", text, i, value))
            i = m.end()
            if i < n and (source[i].isalpha() or source[i] == "_"):
                raise ExprError(f"숫자 뒤에 글자가 붙어 있습니다: '{text}{source[i]}'", i, source)
            continue
        m = _NAME.match(source, i)
        if m:
            text = m.group()
            tokens.append(Token("kw" if text in KEYWORDS else "name", text, i))
            i = m.end()
            continue
        op = next((o for o in _OPERATORS if source.startswith(o, i)), None)
        if op is None:
            hint = _HINTS.get(ch)
            raise ExprError(hint or f"알 수 없는 기호입니다: '{ch}'", i, source)
        tokens.append(Token("op", op, i))
        i += len(op)
    tokens.append(Token("end", "", n))
    return tokens


def _string(source: str, start: int, tokens: list[Token]) -> int:
    quote = source[start]
    i = start + 1
    chars: list[str] = []
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source):
            chars.append(source[i + 1])
            i += 2
            continue
        if ch == quote:
            tokens.append(Token("str", source[start : i + 1], start, "".join(chars)))
            return i + 1
        chars.append(ch)
        i += 1
    raise ExprError("따옴표가 닫히지 않았습니다", start, source)
