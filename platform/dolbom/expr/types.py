"""Static types of expression values."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    NUMBER = "number"
    TEXT = "text"
    BOOL = "bool"
    DATE = "date"
    LIST = "list"  # a multiple choice answer or a list literal
    GRID = "grid"  # a grid question: items × levels; `grid.item` is each item's level
    ROWS = "rows"  # a repeating group's rows
    NULL = "null"
    ANY = "any"


KIND_LABELS = {
    Kind.NUMBER: "숫자",
    Kind.TEXT: "문자",
    Kind.BOOL: "참/거짓",
    Kind.DATE: "날짜",
    Kind.LIST: "목록",
    Kind.GRID: "표 문항",
    Kind.ROWS: "반복 항목",
    Kind.NULL: "값 없음",
    Kind.ANY: "값",
}


@dataclass(frozen=True)
class Type:
    kind: Kind
    # For choice answers: the option values a comparison may use (catches typos like 'yse').
    options: frozenset[str] | None = None
    # What a name stands for, for score()/level(): "question", "score", "fact", ...
    role: str = "value"
    scored: bool = False  # score() applies
    levelled: bool = False  # level() applies

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def accepts(self, other: Type) -> bool:
        return (
            self.kind == Kind.ANY or other.kind in (Kind.ANY, Kind.NULL) or self.kind == other.kind
        )


NUMBER = Type(Kind.NUMBER)
TEXT = Type(Kind.TEXT)
BOOL = Type(Kind.BOOL)
DATE = Type(Kind.DATE)
LIST = Type(Kind.LIST)
NULL = Type(Kind.NULL)
ANY = Type(Kind.ANY)
