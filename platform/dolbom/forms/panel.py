"""The editor's question panel: its text fields read into a question document ("값 | 표시 |
점수" per line, numbers, YAML for a group's fields) and a question document shown as those
fields again; and where each definition problem belongs (section, question or score)."""

from __future__ import annotations

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


def text_of(values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    value = str(value).replace("\r\n", "\n").strip()
    return value or None


def set_or_drop(d: Doc, key: str, value: Any) -> None:
    if value is None or value is False:
        d.pop(key, None)
    else:
        d[key] = value


def reorder(d: Doc, order: list[str]) -> None:
    items = {k: d.pop(k) for k in list(d)}
    for k in order:
        if k in items:
            d[k] = items.pop(k)
    d.update(items)


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def maybe_number(text: str) -> int | float | None:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    return float(text) if "." in text else int(text)


def _number(values: Mapping[str, Any], name: str) -> int | float | None:
    text = text_of(values, name)
    if text is None:
        return None
    number = maybe_number(text.replace(",", ""))
    if number is None:
        raise EditError(name, f"숫자를 입력하세요 ('{text}')")
    return number


def lines_of(values: Mapping[str, Any], name: str, columns: int) -> list[tuple[int, list[str]]]:
    text = text_of(values, name) or ""
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
    for n, parts in lines_of(values, name, 4 if with_exclusive else 3):
        value, label, score, exclusive = ([*parts, "", "", "", ""])[:4]
        option: Doc = {"value": value, "label": label or value}
        if score:
            number = maybe_number(score)
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
        "key": text_of(values, "key") or "",
        "type": qtype,
        "label": text_of(values, "label") or "",
    }
    set_or_drop(q, "help", text_of(values, "help"))
    set_or_drop(q, "required", values.get("required") in ("1", "on", "true", True))
    set_or_drop(q, "show_if", text_of(values, "show_if"))
    if qtype in ("choice", "multi"):
        q["options"] = _options(values, "options", qtype == "multi")
    elif qtype == "grid":
        q["items"] = [
            {"key": parts[0], "label": ([*parts, ""])[1] or parts[0]}
            for _n, parts in lines_of(values, "items", 2)
        ]
        q["levels"] = _options(values, "levels", False)
    elif qtype == "yesno":
        scores: Doc = {}
        set_or_drop(scores, "yes", _number(values, "yes_score"))
        set_or_drop(scores, "no", _number(values, "no_score"))
        set_or_drop(q, "scores", scores or None)
    elif qtype in ("number", "scale"):
        set_or_drop(q, "min", _number(values, "min"))
        set_or_drop(q, "max", _number(values, "max"))
        set_or_drop(q, "unit", text_of(values, "unit"))
        if qtype == "number":
            set_or_drop(q, "integer", values.get("integer") in ("1", "on", "true", True))
        else:
            set_or_drop(q, "min_label", text_of(values, "min_label"))
            set_or_drop(q, "max_label", text_of(values, "max_label"))
    elif qtype == "date":
        set_or_drop(q, "min", text_of(values, "min"))
        set_or_drop(q, "max", text_of(values, "max"))
    elif qtype in ("text", "textarea"):
        limit = _number(values, "max_length")
        set_or_drop(q, "max_length", int(limit) if limit is not None else None)
        set_or_drop(q, "pattern", text_of(values, "pattern"))
        set_or_drop(q, "pattern_message", text_of(values, "pattern_message"))
    elif qtype == "group":
        text = text_of(values, "fields") or "[]"
        try:
            fields = yamlio.load(text)[0]
        except yamlio.YamlProblem as exc:
            raise EditError(
                "fields", exc.message if exc.line is None else f"{exc.line}번째 줄: {exc.message}"
            ) from exc
        q["fields"] = fields
        for name in ("min_rows", "max_rows"):
            number = _number(values, name)
            set_or_drop(q, name, int(number) if number is not None else None)
        set_or_drop(q, "item_label", text_of(values, "item_label"))
    rules = [
        {"rule": parts[0], "message": ([*parts, ""])[1]}
        for _n, parts in lines_of(values, "validate", 2)
    ]
    if rules:
        q["validate"] = rules
    return q


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
