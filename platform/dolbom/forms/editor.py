"""Edits to a draft definition, as plain functions on its JSON document.

Sections and questions are addressed by position, not key: a draft may hold duplicate or empty
keys while it is being edited, and the editor must still reach the question at fault. Text the
administrator typed into list fields is read by `panel`; a line that cannot be read is an
EditError naming the field and line. Everything else — duplicate keys, broken conditions — is
stored with the draft and shown at the question by the definition check."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dolbom.forms.definition import TYPES
from dolbom.forms.panel import (
    EditError,
    lines_of,
    maybe_number,
    question_from_form,
    reorder,
    set_or_drop,
    text_of,
)

Doc = dict[str, Any]


@dataclass(frozen=True)
class Selection:
    kind: str  # "form", "section", "question", "score", "yaml"
    section: int = 0
    index: int = 0

    def token(self) -> str:
        if self.kind == "question":
            return f"q-{self.section}-{self.index}"
        if self.kind in ("section", "score"):
            return f"{self.kind[:2]}-{self.index}"
        return self.kind

    @classmethod
    def parse(cls, token: str | None) -> Selection:
        parts = (token or "form").split("-")
        try:
            if parts[0] == "q" and len(parts) == 3:
                return cls("question", int(parts[1]), int(parts[2]))
            if parts[0] in ("se", "sc") and len(parts) == 2:
                return cls("section" if parts[0] == "se" else "score", index=int(parts[1]))
        except ValueError:
            pass
        return cls("yaml") if parts[0] == "yaml" else cls("form")


def _sections(doc: Doc) -> list[Doc]:
    sections = doc.get("sections")
    if not isinstance(sections, list):
        sections = doc["sections"] = []
    return sections


def _questions(section: Doc) -> list[Doc]:
    questions = section.get("questions")
    if not isinstance(questions, list):
        questions = section["questions"] = []
    return questions


def _all_keys(doc: Doc) -> set[str]:
    keys = {str(s.get("key")) for s in _sections(doc) if isinstance(s, dict)}
    for s in _sections(doc):
        if isinstance(s, dict):
            keys |= {str(q.get("key")) for q in _questions(s) if isinstance(q, dict)}
    keys |= {str(s.get("key")) for s in doc.get("scores") or [] if isinstance(s, dict)}
    return keys


def fresh_key(doc: Doc, prefix: str) -> str:
    keys = _all_keys(doc)
    n = 1
    while f"{prefix}{n}" in keys:
        n += 1
    return f"{prefix}{n}"


_DEFAULTS: dict[str, dict[str, Any]] = {
    "choice": {
        "options": [{"value": "a", "label": "선택지 1"}, {"value": "b", "label": "선택지 2"}]
    },
    "multi": {
        "options": [{"value": "a", "label": "선택지 1"}, {"value": "b", "label": "선택지 2"}]
    },
    "scale": {"min": 1, "max": 5},
    "grid": {
        "items": [{"key": "item1", "label": "항목 1"}],
        "levels": [
            {"value": "independent", "label": "자립", "score": 0},
            {"value": "partial", "label": "부분도움", "score": 1},
            {"value": "full", "label": "완전도움", "score": 2},
        ],
    },
    "group": {"fields": [{"key": "name", "type": "text", "label": "이름", "required": True}]},
}


# -- operations -----------------------------------------------------------------------------


def target_of(op: str, values: Mapping[str, Any]) -> Selection:
    """What an edit was aimed at, to show it again with its message when the edit is refused."""

    def number(name: str) -> int:
        raw = str(values.get(name, ""))
        return int(raw) if raw.isdecimal() else 0

    if op.startswith("question_") and op != "question_add":
        return Selection("question", number("section"), number("question"))
    if op.startswith("section_") and op != "section_add":
        return Selection("section", index=number("section"))
    if op.startswith("score_") and op != "score_add":
        return Selection("score", index=number("score"))
    return Selection("yaml") if op == "yaml" else Selection("form")


def apply(doc: Doc, op: str, values: Mapping[str, Any]) -> tuple[Doc, Selection]:
    """A new document with the edit applied, and what to select next."""
    doc = copy.deepcopy(doc)
    handler = _OPS.get(op)
    if handler is None:
        raise EditError("op", "알 수 없는 편집입니다")
    return doc, handler(doc, values)


def _index(values: Mapping[str, Any], name: str, length: int) -> int:
    raw = str(values.get(name, ""))
    if not raw.isdecimal() or int(raw) >= length:
        raise EditError(name, "편집할 항목을 찾을 수 없습니다. 화면을 새로 고치세요.")
    return int(raw)


def _op_form(doc: Doc, values: Mapping[str, Any]) -> Selection:
    doc["title"] = text_of(values, "title")
    set_or_drop(doc, "description", text_of(values, "description"))
    return Selection("form")


def _op_section_add(doc: Doc, values: Mapping[str, Any]) -> Selection:
    sections = _sections(doc)
    key = fresh_key(doc, "section")
    question = {"key": fresh_key(doc, "q"), "type": "text", "label": "새 문항"}
    sections.append({"key": key, "title": "새 섹션", "questions": [question]})
    return Selection("section", index=len(sections) - 1)


def _op_section_update(doc: Doc, values: Mapping[str, Any]) -> Selection:
    sections = _sections(doc)
    i = _index(values, "section", len(sections))
    s = sections[i]
    s["key"] = text_of(values, "key")
    s["title"] = text_of(values, "title")
    set_or_drop(s, "help", text_of(values, "help"))
    set_or_drop(s, "show_if", text_of(values, "show_if"))
    reorder(s, ["key", "title", "help", "show_if", "questions"])
    return Selection("section", index=i)


def _op_section_move(doc: Doc, values: Mapping[str, Any]) -> Selection:
    sections = _sections(doc)
    i = _index(values, "section", len(sections))
    j = i - 1 if values.get("direction") == "up" else i + 1
    if 0 <= j < len(sections):
        sections[i], sections[j] = sections[j], sections[i]
        i = j
    return Selection("section", index=i)


def _op_section_delete(doc: Doc, values: Mapping[str, Any]) -> Selection:
    sections = _sections(doc)
    i = _index(values, "section", len(sections))
    del sections[i]
    return Selection("form")


def _op_question_add(doc: Doc, values: Mapping[str, Any]) -> Selection:
    sections = _sections(doc)
    i = _index(values, "section", len(sections))
    qtype = str(values.get("type", "text"))
    if qtype not in TYPES:
        raise EditError("type", "문항 유형을 고르세요")
    question = {"key": fresh_key(doc, "q"), "type": qtype, "label": f"새 {TYPES[qtype]} 문항"}
    question.update(copy.deepcopy(_DEFAULTS.get(qtype, {})))
    questions = _questions(sections[i])
    questions.append(question)
    return Selection("question", i, len(questions) - 1)


def _op_question_move(doc: Doc, values: Mapping[str, Any]) -> Selection:
    """Up/down (keyboard), or to a position in any section (drag and drop)."""
    sections = _sections(doc)
    i = _index(values, "section", len(sections))
    questions = _questions(sections[i])
    j = _index(values, "question", len(questions))
    if values.get("direction") in ("up", "down"):
        k = j - 1 if values["direction"] == "up" else j + 1
        if 0 <= k < len(questions):
            questions[j], questions[k] = questions[k], questions[j]
            return Selection("question", i, k)
        if values["direction"] == "up" and i > 0:  # past the top: end of the previous section
            _questions(sections[i - 1]).append(questions.pop(j))
            return Selection("question", i - 1, len(_questions(sections[i - 1])) - 1)
        if values["direction"] == "down" and i + 1 < len(sections):
            _questions(sections[i + 1]).insert(0, questions.pop(j))
            return Selection("question", i + 1, 0)
        return Selection("question", i, j)
    to_s = _index(values, "to_section", len(sections))
    target = _questions(sections[to_s])
    raw = str(values.get("to_question", ""))
    if not raw.isdecimal():
        raise EditError("to_question", "옮길 위치를 찾을 수 없습니다")
    moved = questions.pop(j)
    position = min(int(raw), len(target))
    target.insert(position, moved)
    return Selection("question", to_s, position)


def _op_question_delete(doc: Doc, values: Mapping[str, Any]) -> Selection:
    sections = _sections(doc)
    i = _index(values, "section", len(sections))
    questions = _questions(sections[i])
    j = _index(values, "question", len(questions))
    del questions[j]
    return Selection("section", index=i)


def _op_question_update(doc: Doc, values: Mapping[str, Any]) -> Selection:
    sections = _sections(doc)
    i = _index(values, "section", len(sections))
    questions = _questions(sections[i])
    j = _index(values, "question", len(questions))
    new = question_from_form(values)
    old = questions[j] if isinstance(questions[j], dict) else {}
    if old.get("type") != new["type"]:
        # A new type starts from sensible options rather than an error the admin must fix.
        for key, default in _DEFAULTS.get(new["type"], {}).items():
            if not new.get(key):
                new[key] = copy.deepcopy(default)
    questions[j] = new
    return Selection("question", i, j)


def _op_score_add(doc: Doc, values: Mapping[str, Any]) -> Selection:
    scores = doc.setdefault("scores", [])
    scores.append({"key": fresh_key(doc, "score"), "label": "새 점수", "expr": "0"})
    return Selection("score", index=len(scores) - 1)


def _op_score_update(doc: Doc, values: Mapping[str, Any]) -> Selection:
    scores = doc.setdefault("scores", [])
    i = _index(values, "score", len(scores))
    score: Doc = {"key": text_of(values, "key"), "label": text_of(values, "label")}
    set_or_drop(score, "help", text_of(values, "help"))
    score["expr"] = text_of(values, "expr")
    levels = []
    for _n, parts in lines_of(values, "levels", 3):
        code, label, rule = ([*parts, "", "", ""])[:3]
        level: Doc = {"code": code, "label": label}
        if rule:
            number = maybe_number(rule)
            if number is not None:
                level["min"] = number
            else:
                level["when"] = rule
        levels.append(level)
    if levels:
        score["levels"] = levels
    scores[i] = score
    return Selection("score", index=i)


def _op_score_delete(doc: Doc, values: Mapping[str, Any]) -> Selection:
    scores = doc.setdefault("scores", [])
    i = _index(values, "score", len(scores))
    del scores[i]
    if not scores:
        doc.pop("scores")
    return Selection("form")


def _op_score_move(doc: Doc, values: Mapping[str, Any]) -> Selection:
    scores = doc.setdefault("scores", [])
    i = _index(values, "score", len(scores))
    j = i - 1 if values.get("direction") == "up" else i + 1
    if 0 <= j < len(scores):
        scores[i], scores[j] = scores[j], scores[i]
        i = j
    return Selection("score", index=i)


_OPS = {
    "form": _op_form,
    "section_add": _op_section_add,
    "section_update": _op_section_update,
    "section_move": _op_section_move,
    "section_delete": _op_section_delete,
    "question_add": _op_question_add,
    "question_move": _op_question_move,
    "question_delete": _op_question_delete,
    "question_update": _op_question_update,
    "score_add": _op_score_add,
    "score_update": _op_score_update,
    "score_delete": _op_score_delete,
    "score_move": _op_score_move,
}
