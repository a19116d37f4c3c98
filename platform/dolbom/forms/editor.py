"""Edits to a draft definition, as plain functions on its JSON document.

Sections and questions are addressed by position, not key: a draft may hold duplicate or empty
keys while it is being edited, and the editor must still reach the question at fault. Text the
administrator typed into list fields ("값 | 표시 | 점수" per line) is parsed here; a line that
cannot be read is an EditError naming the field and line. Everything else — duplicate keys,
broken conditions — is stored with the draft and shown at the question by the definition check."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dolbom.forms import yamlio
from dolbom.forms.definition import TYPES, Problem

Doc = dict[str, Any]


class EditError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


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
        return int(raw) if raw.isdigit() else 0

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
    if not raw.isdigit() or int(raw) >= length:
        raise EditError(name, "편집할 항목을 찾을 수 없습니다. 화면을 새로 고치세요.")
    return int(raw)


def _op_form(doc: Doc, values: Mapping[str, Any]) -> Selection:
    doc["title"] = _text(values, "title")
    _set(doc, "description", _text(values, "description"))
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
    s["key"] = _text(values, "key")
    s["title"] = _text(values, "title")
    _set(s, "help", _text(values, "help"))
    _set(s, "show_if", _text(values, "show_if"))
    _reorder(s, ["key", "title", "help", "show_if", "questions"])
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
    if not raw.isdigit():
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
    score: Doc = {"key": _text(values, "key"), "label": _text(values, "label")}
    _set(score, "help", _text(values, "help"))
    score["expr"] = _text(values, "expr")
    levels = []
    for _n, parts in _lines(values, "levels", 3):
        code, label, rule = ([*parts, "", "", ""])[:3]
        level: Doc = {"code": code, "label": label}
        if rule:
            number = _maybe_number(rule)
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


# -- reading the question panel ------------------------------------------------------------


def _text(values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    value = str(value).replace("\r\n", "\n").strip()
    return value or None


def _set(d: Doc, key: str, value: Any) -> None:
    if value is None or value is False:
        d.pop(key, None)
    else:
        d[key] = value


def _reorder(d: Doc, order: list[str]) -> None:
    items = {k: d.pop(k) for k in list(d)}
    for k in order:
        if k in items:
            d[k] = items.pop(k)
    d.update(items)


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _maybe_number(text: str) -> int | float | None:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    return float(text) if "." in text else int(text)


def _number(values: Mapping[str, Any], name: str) -> int | float | None:
    text = _text(values, name)
    if text is None:
        return None
    number = _maybe_number(text.replace(",", ""))
    if number is None:
        raise EditError(name, f"숫자를 입력하세요 ('{text}')")
    return number


def _lines(values: Mapping[str, Any], name: str, columns: int) -> list[tuple[int, list[str]]]:
    text = _text(values, name) or ""
    out = []
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > columns:
            raise EditError(name, f"{n}번째 줄: '|'로 나눈 칸이 {columns}개를 넘습니다")
        out.append((n, parts))
    return out


def _options(values: Mapping[str, Any], name: str, with_exclusive: bool) -> list[Doc]:
    options = []
    for n, parts in _lines(values, name, 4 if with_exclusive else 3):
        value, label, score, exclusive = ([*parts, "", "", "", ""])[:4]
        option: Doc = {"value": value, "label": label or value}
        if score:
            number = _maybe_number(score)
            if number is None:
                raise EditError(name, f"{n}번째 줄: 점수는 숫자여야 합니다 ('{score}')")
            option["score"] = number
        if exclusive:
            option["exclusive"] = True
        options.append(option)
    return options


def question_from_form(values: Mapping[str, Any]) -> Doc:
    qtype = str(values.get("type") or "text")
    if qtype not in TYPES:
        raise EditError("type", "문항 유형을 고르세요")
    q: Doc = {
        "key": _text(values, "key") or "",
        "type": qtype,
        "label": _text(values, "label") or "",
    }
    _set(q, "help", _text(values, "help"))
    _set(q, "required", values.get("required") in ("1", "on", "true", True))
    _set(q, "show_if", _text(values, "show_if"))
    if qtype in ("choice", "multi"):
        q["options"] = _options(values, "options", qtype == "multi")
    elif qtype == "grid":
        q["items"] = [
            {"key": parts[0], "label": ([*parts, ""])[1] or parts[0]}
            for _n, parts in _lines(values, "items", 2)
        ]
        q["levels"] = _options(values, "levels", False)
    elif qtype == "yesno":
        scores: Doc = {}
        _set(scores, "yes", _number(values, "yes_score"))
        _set(scores, "no", _number(values, "no_score"))
        _set(q, "scores", scores or None)
    elif qtype in ("number", "scale"):
        _set(q, "min", _number(values, "min"))
        _set(q, "max", _number(values, "max"))
        _set(q, "unit", _text(values, "unit"))
        if qtype == "number":
            _set(q, "integer", values.get("integer") in ("1", "on", "true", True))
        else:
            _set(q, "min_label", _text(values, "min_label"))
            _set(q, "max_label", _text(values, "max_label"))
    elif qtype == "date":
        _set(q, "min", _text(values, "min"))
        _set(q, "max", _text(values, "max"))
    elif qtype in ("text", "textarea"):
        limit = _number(values, "max_length")
        _set(q, "max_length", int(limit) if limit is not None else None)
        _set(q, "pattern", _text(values, "pattern"))
        _set(q, "pattern_message", _text(values, "pattern_message"))
    elif qtype == "group":
        text = _text(values, "fields") or "[]"
        try:
            fields = yamlio.load(text)[0]
        except yamlio.YamlProblem as exc:
            raise EditError(
                "fields", exc.message if exc.line is None else f"{exc.line}번째 줄: {exc.message}"
            ) from exc
        q["fields"] = fields
        for name in ("min_rows", "max_rows"):
            number = _number(values, name)
            _set(q, name, int(number) if number is not None else None)
        _set(q, "item_label", _text(values, "item_label"))
    rules = [
        {"rule": parts[0], "message": ([*parts, ""])[1]}
        for _n, parts in _lines(values, "validate", 2)
    ]
    if rules:
        q["validate"] = rules
    return q


# -- showing the question panel -------------------------------------------------------------


def panel_values(q: Doc) -> dict[str, str]:
    """A question document as the panel's text fields (the inverse of question_from_form)."""

    def opt_lines(options: Any, exclusive: bool) -> str:
        rows = []
        for o in options or []:
            if not isinstance(o, dict):
                continue
            cells = [str(o.get("value", "")), str(o.get("label", ""))]
            score = o.get("score")
            if score is not None or (exclusive and o.get("exclusive")):
                cells.append("" if score is None else _num(score))
            if exclusive and o.get("exclusive"):
                cells.append("단독")
            rows.append(" | ".join(cells))
        return "\n".join(rows)

    scores = q.get("scores") if isinstance(q.get("scores"), dict) else {}
    out = {
        "key": str(q.get("key") or ""),
        "type": str(q.get("type") or "text"),
        "label": str(q.get("label") or ""),
        "help": str(q.get("help") or ""),
        "required": "1" if q.get("required") else "",
        "show_if": str(q.get("show_if") or ""),
        "options": opt_lines(q.get("options"), q.get("type") == "multi"),
        "levels": opt_lines(q.get("levels"), False),
        "items": "\n".join(
            f"{i.get('key', '')} | {i.get('label', '')}"
            for i in q.get("items") or []
            if isinstance(i, dict)
        ),
        "yes_score": _num(scores.get("yes")),
        "no_score": _num(scores.get("no")),
        "min": _num(q.get("min")),
        "max": _num(q.get("max")),
        "unit": str(q.get("unit") or ""),
        "integer": "1" if q.get("integer") else "",
        "min_label": str(q.get("min_label") or ""),
        "max_label": str(q.get("max_label") or ""),
        "max_length": _num(q.get("max_length")),
        "pattern": str(q.get("pattern") or ""),
        "pattern_message": str(q.get("pattern_message") or ""),
        "fields": yamlio.dump(q.get("fields")) if q.get("fields") else "",
        "min_rows": _num(q.get("min_rows")),
        "max_rows": _num(q.get("max_rows")),
        "item_label": str(q.get("item_label") or ""),
        "validate": "\n".join(
            f"{r.get('rule', '')} | {r.get('message', '')}"
            for r in q.get("validate") or []
            if isinstance(r, dict)
        ),
    }
    return out


def score_levels_text(score: Doc) -> str:
    rows = []
    for lv in score.get("levels") or []:
        if not isinstance(lv, dict):
            continue
        rule = _num(lv.get("min")) if lv.get("min") is not None else str(lv.get("when") or "")
        rows.append(
            " | ".join([str(lv.get("code", "")), str(lv.get("label", "")), rule]).rstrip(" |")
        )
    return "\n".join(rows)


def _num(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- where problems are -----------------------------------------------------------------------


@dataclass
class ProblemMap:
    form: list[str]
    sections: dict[int, list[str]]
    questions: dict[tuple[int, int], list[str]]
    scores: dict[int, list[str]]

    @property
    def count(self) -> int:
        return (
            len(self.form)
            + sum(map(len, self.sections.values()))
            + sum(map(len, self.questions.values()))
            + sum(map(len, self.scores.values()))
        )


def locate(problems: list[Problem]) -> ProblemMap:
    """Each problem at the section, question or score its path points into."""
    pm = ProblemMap([], {}, {}, {})
    for p in problems:
        path = p.path
        field = _field_of(path)
        text = f"{field}: {p.message}" if field else p.message
        if len(path) >= 4 and path[0] == "sections" and path[2] == "questions":
            pm.questions.setdefault((int(path[1]), int(path[3])), []).append(text)
        elif len(path) >= 2 and path[0] == "sections" and isinstance(path[1], int):
            pm.sections.setdefault(path[1], []).append(text)
        elif len(path) >= 2 and path[0] == "scores" and isinstance(path[1], int):
            pm.scores.setdefault(path[1], []).append(text)
        else:
            pm.form.append(text)
    return pm


_FIELD_LABELS = {
    "key": "키",
    "label": "문항",
    "title": "제목",
    "type": "유형",
    "options": "선택지",
    "levels": "단계",
    "items": "항목",
    "show_if": "표시 조건",
    "validate": "검증 규칙",
    "rule": "검증 규칙",
    "expr": "계산식",
    "when": "단계 조건",
    "fields": "하위 문항",
    "min": "최솟값",
    "max": "최댓값",
    "pattern": "형식",
    "questions": "문항",
    "scores": "점수",
}


def _field_of(path: tuple) -> str:
    named = [p for p in path[2:] if isinstance(p, str) and p not in ("questions",)]
    if not named:
        return ""
    return _FIELD_LABELS.get(named[-1], named[-1])
