"""Form definitions as data: the typed model of a questionnaire.

`reader.read_definition(data)` turns a parsed YAML/JSON document into a `FormDef`, collecting
every problem (path, message) instead of stopping at the first; `writer.to_data(form)` is the
canonical document again. Expressions (conditions, validation rules, scores) are checked by
`dolbom.forms.compile`, which needs the whole definition to know the names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TYPES = {
    "text": "짧은 글",
    "textarea": "긴 글",
    "number": "숫자",
    "date": "날짜",
    "choice": "하나 선택",
    "multi": "여러 개 선택",
    "yesno": "예/아니오",
    "scale": "척도",
    "grid": "표 (항목 × 단계)",
    "group": "반복 항목",
    "dong": "행정동 선택",
}
GROUP_FIELD_TYPES = frozenset(TYPES) - {"grid", "group"}
KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,49}")
VALUE_RE = re.compile(r"[A-Za-z0-9_-]{1,50}")
MAX_QUESTIONS = 600
MAX_OPTIONS = 100
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 4000}

PathT = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: PathT
    message: str
    question: str | None = None  # the key of the question at fault, for the editor

    def where(self) -> str:
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out or "(전체)"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    score: float | None = None
    exclusive: bool = False  # "해당 없음": cannot be combined with other choices


@dataclass(frozen=True)
class GridItem:
    key: str
    label: str


@dataclass(frozen=True)
class Rule:
    rule: str
    message: str


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    label: str
    help: str | None = None
    required: bool = False
    show_if: str | None = None
    options: tuple[Option, ...] = ()  # choice, multi; grid levels live in `levels`
    yes_score: float | None = None  # yesno
    no_score: float | None = None
    unit: str | None = None  # number
    min: float | str | None = None  # number, scale, date (ISO or "today")
    max: float | str | None = None
    integer: bool = False
    min_label: str | None = None  # scale
    max_label: str | None = None
    max_length: int | None = None  # text, textarea
    pattern: str | None = None
    pattern_message: str | None = None
    items: tuple[GridItem, ...] = ()  # grid
    levels: tuple[Option, ...] = ()
    fields: tuple[Question, ...] = ()  # group
    min_rows: int = 0
    max_rows: int = 50
    item_label: str | None = None
    validate: tuple[Rule, ...] = ()
    # Where it stood in the document. Items that could not be read are left out of a partial
    # definition, so counting positions in it would point messages at the wrong question.
    pos: int = field(default=-1, compare=False, repr=False)

    @property
    def scored(self) -> bool:
        if self.type in ("choice", "multi"):
            return any(o.score is not None for o in self.options)
        if self.type == "grid":
            return any(level.score is not None for level in self.levels)
        if self.type == "yesno":
            return self.yes_score is not None or self.no_score is not None
        return self.type == "scale"

    @property
    def text_limit(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.type, 200)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    help: str | None = None
    show_if: str | None = None
    questions: tuple[Question, ...] = ()
    pos: int = field(default=-1, compare=False, repr=False)


@dataclass(frozen=True)
class Level:
    code: str
    label: str
    min: float | None = None
    when: str | None = None


@dataclass(frozen=True)
class Score:
    key: str
    label: str
    expr: str
    levels: tuple[Level, ...] = ()
    help: str | None = None
    pos: int = field(default=-1, compare=False, repr=False)


@dataclass(frozen=True)
class FormDef:
    key: str
    title: str
    description: str | None = None
    sections: tuple[Section, ...] = ()
    scores: tuple[Score, ...] = ()

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions() if q.key == key), None)


class DefinitionError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{p.where()}: {p.message}" for p in problems))
