"""Reading a definition document into the typed model, every problem collected with its path."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from dolbom.forms.definition import (
    GROUP_FIELD_TYPES,
    KEY_RE,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    TYPES,
    VALUE_RE,
    DefinitionError,
    FormDef,
    GridItem,
    Level,
    Option,
    PathT,
    Problem,
    Question,
    Rule,
    Score,
    Section,
)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.question: str | None = None

    def bad(self, path: PathT, message: str) -> None:
        self.problems.append(Problem(path, message, self.question))

    def mapping(self, data: Any, path: PathT) -> dict | None:
        if not isinstance(data, dict):
            self.bad(path, "키: 값 형식이어야 합니다")
            return None
        return data

    def unknown(self, data: dict, allowed: set[str], path: PathT) -> None:
        for key in data:
            if key not in allowed:
                self.bad(
                    (*path, key),
                    f"알 수 없는 항목입니다 (쓸 수 있는 항목: {', '.join(sorted(allowed))})",
                )

    def text(self, data: dict, key: str, path: PathT, *, required: bool = False,
             max_length: int = 500) -> str | None:  # fmt: skip
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.bad((*path, key), "필수 항목이 비어 있습니다")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.bad((*path, key), "글자여야 합니다")
            return None
        value = str(value).strip()
        if len(value) > max_length:
            self.bad((*path, key), f"{max_length}자를 넘을 수 없습니다 ({len(value)}자)")
            return None
        return value

    def key(self, data: dict, path: PathT, name: str = "key") -> str:
        value = data.get(name)
        if value is None or value == "":
            self.bad((*path, name), "키가 없습니다")
            return ""
        if not isinstance(value, str) or not KEY_RE.fullmatch(value):
            self.bad(
                (*path, name),
                f"키 '{value}'는 영문 소문자로 시작하고 소문자·숫자·_만 쓸 수 있습니다 (50자까지)",
            )
            return ""
        return value

    def number(self, data: dict, key: str, path: PathT) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad((*path, key), f"숫자여야 합니다 ('{value}')")
            return None
        if not math.isfinite(value) or abs(value) > 1e15:
            self.bad((*path, key), f"쓸 수 없는 숫자입니다 ('{value}')")
            return None
        return value

    def flag(self, data: dict, key: str, path: PathT) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.bad((*path, key), "true 또는 false여야 합니다")
            return False
        return value

    def count(self, data: dict, key: str, path: PathT, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 500:
            self.bad((*path, key), "0~500 사이의 정수여야 합니다")
            return default
        return value

    def listing(self, data: dict, key: str, path: PathT) -> list:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad((*path, key), "목록(- …)이어야 합니다")
            return []
        return value


_QUESTION_KEYS = {
    "key", "type", "label", "help", "required", "show_if", "options", "scores", "unit", "min",
    "max", "integer", "min_label", "max_label", "max_length", "pattern", "pattern_message",
    "items", "levels", "fields", "min_rows", "max_rows", "item_label", "validate",
}  # fmt: skip


def read_definition(data: Any) -> FormDef:
    """The typed definition, or DefinitionError with every structural problem."""
    form, problems = read_partial(data)
    if problems:
        raise DefinitionError(problems)
    assert form is not None
    return form


def read_partial(data: Any) -> tuple[FormDef | None, list[Problem]]:
    """What could be read, and the problems: lets expression checks run on the rest, so an
    administrator sees every mistake at once rather than one round at a time."""
    r = _Reader()
    form = _read_form(r, data)
    return form, r.problems


def _read_form(r: _Reader, data: Any) -> FormDef | None:
    top = r.mapping(data, ())
    if top is None:
        return None
    r.unknown(top, {"key", "title", "description", "sections", "scores"}, ())
    key = r.key(top, ())
    title = r.text(top, "title", (), required=True, max_length=200) or ""
    description = r.text(top, "description", (), max_length=2000)
    sections = []
    raw_sections = r.listing(top, "sections", ())
    if not raw_sections:
        r.bad(("sections",), "섹션이 하나 이상 있어야 합니다")
    for i, raw in enumerate(raw_sections):
        section = _read_section(r, raw, ("sections", i))
        if section is not None:
            sections.append(section)
    scores = []
    for i, raw in enumerate(r.listing(top, "scores", ())):
        score = _read_score(r, raw, ("scores", i))
        if score is not None:
            scores.append(score)
    form = FormDef(key, title, description, tuple(sections), tuple(scores))
    _check_keys(r, form)
    return form


def _read_section(r: _Reader, data: Any, path: PathT) -> Section | None:
    r.question = None
    d = r.mapping(data, path)
    if d is None:
        return None
    r.unknown(d, {"key", "title", "help", "show_if", "questions"}, path)
    questions = []
    raw_questions = r.listing(d, "questions", path)
    if not raw_questions:
        r.bad((*path, "questions"), "문항이 하나 이상 있어야 합니다")
    for i, raw in enumerate(raw_questions):
        q = _read_question(r, raw, (*path, "questions", i))
        if q is not None:
            questions.append(q)
    r.question = None
    return Section(
        pos=int(path[-1]),
        key=r.key(d, path),
        title=r.text(d, "title", path, required=True, max_length=200) or "",
        help=r.text(d, "help", path, max_length=2000),
        show_if=r.text(d, "show_if", path, max_length=2000),
        questions=tuple(questions),
    )


def _read_question(r: _Reader, data: Any, path: PathT, in_group: bool = False) -> Question | None:
    d = r.mapping(data, path)
    if d is None:
        return None
    key = r.key(d, path)
    if not in_group:
        r.question = key or None
    r.unknown(d, _QUESTION_KEYS, path)
    qtype = d.get("type")
    allowed = GROUP_FIELD_TYPES if in_group else frozenset(TYPES)
    if qtype not in allowed:
        names = ", ".join(sorted(allowed))
        r.bad(
            (*path, "type"), f"문항 유형 '{qtype}'은(는) 쓸 수 없습니다 (쓸 수 있는 유형: {names})"
        )
        return None
    q: dict[str, Any] = {
        "key": key,
        "type": qtype,
        "label": r.text(d, "label", path, required=True, max_length=500) or "",
        "help": r.text(d, "help", path, max_length=2000),
        "required": r.flag(d, "required", path),
        "show_if": r.text(d, "show_if", path, max_length=2000),
    }
    if in_group and q["show_if"]:
        r.bad((*path, "show_if"), "반복 항목 안의 문항에는 조건을 둘 수 없습니다")
    if qtype in ("choice", "multi"):
        q["options"] = _read_options(r, d, "options", path)
    elif qtype == "grid":
        q["items"] = _read_items(r, d, path)
        q["levels"] = _read_options(r, d, "levels", path)
    elif qtype == "yesno":
        scores = d.get("scores")
        if scores is not None:
            s = r.mapping(scores, (*path, "scores"))
            if s is not None:
                r.unknown(s, {"yes", "no"}, (*path, "scores"))
                q["yes_score"] = r.number(s, "yes", (*path, "scores"))
                q["no_score"] = r.number(s, "no", (*path, "scores"))
    elif qtype in ("number", "scale"):
        q["min"] = r.number(d, "min", path)
        q["max"] = r.number(d, "max", path)
        q["unit"] = r.text(d, "unit", path, max_length=20)
        q["integer"] = r.flag(d, "integer", path) or qtype == "scale"
        if qtype == "scale":
            q["min_label"] = r.text(d, "min_label", path, max_length=50)
            q["max_label"] = r.text(d, "max_label", path, max_length=50)
            if q["min"] is None or q["max"] is None:
                r.bad(path, "척도에는 min과 max가 있어야 합니다")
            elif q["max"] - q["min"] > 20 or q["max"] != int(q["max"]) or q["min"] != int(q["min"]):
                r.bad((*path, "max"), "척도는 정수 min~max, 21단계까지입니다")
        if q["min"] is not None and q["max"] is not None and q["min"] > q["max"]:
            r.bad((*path, "max"), "max는 min보다 작을 수 없습니다")
    elif qtype == "date":
        for bound in ("min", "max"):
            value = d.get(bound)
            if value is None:
                continue
            if value != "today" and not _is_iso_date(value):
                r.bad((*path, bound), "날짜는 YYYY-MM-DD 또는 today여야 합니다")
            else:
                q[bound] = str(value)
    elif qtype in ("text", "textarea"):
        limit = d.get("max_length")
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10000:
                r.bad((*path, "max_length"), "1~10000 사이의 정수여야 합니다")
            else:
                q["max_length"] = limit
        pattern = r.text(d, "pattern", path, max_length=200)
        if pattern is not None:
            try:
                re.compile(pattern)
                q["pattern"] = pattern
            except re.error as exc:
                r.bad((*path, "pattern"), f"정규식 오류: {exc}")
        q["pattern_message"] = r.text(d, "pattern_message", path, max_length=200)
    elif qtype == "group":
        q["fields"] = _read_fields(r, d, path)
        q["min_rows"] = r.count(d, "min_rows", path, 0)
        q["max_rows"] = r.count(d, "max_rows", path, 50)
        q["item_label"] = r.text(d, "item_label", path, max_length=50)
        if q["min_rows"] > q["max_rows"]:
            r.bad((*path, "max_rows"), "max_rows는 min_rows보다 작을 수 없습니다")
    _refuse_misplaced(r, d, qtype, path)
    rules = []
    for i, raw in enumerate(r.listing(d, "validate", path)):
        rp = (*path, "validate", i)
        rd = r.mapping(raw, rp)
        if rd is None:
            continue
        r.unknown(rd, {"rule", "message"}, rp)
        rule = r.text(rd, "rule", rp, required=True, max_length=2000)
        message = r.text(rd, "message", rp, required=True, max_length=200)
        if rule and message:
            rules.append(Rule(rule, message))
    q["validate"] = tuple(rules)
    return Question(**q, pos=int(path[-1]))


_ONLY_FOR = {
    "options": {"choice", "multi"},
    "levels": {"grid"},
    "items": {"grid"},
    "scores": {"yesno"},
    "unit": {"number", "scale"},
    "integer": {"number"},
    "min_label": {"scale"},
    "max_label": {"scale"},
    "max_length": {"text", "textarea"},
    "pattern": {"text", "textarea"},
    "pattern_message": {"text", "textarea"},
    "fields": {"group"},
    "min_rows": {"group"},
    "max_rows": {"group"},
    "item_label": {"group"},
    "min": {"number", "scale", "date"},
    "max": {"number", "scale", "date"},
}


def _refuse_misplaced(r: _Reader, d: dict, qtype: str, path: PathT) -> None:
    for key, types in _ONLY_FOR.items():
        if key in d and qtype not in types:
            r.bad((*path, key), f"'{key}'는 {TYPES[qtype]} 문항에는 쓸 수 없습니다")


def _is_iso_date(value: Any) -> bool:
    try:
        dt.date.fromisoformat(str(value))
        return True
    except ValueError:
        return False


def _read_options(r: _Reader, d: dict, name: str, path: PathT) -> tuple[Option, ...]:
    raw = r.listing(d, name, path)
    what = "선택지" if name == "options" else "단계"
    if not raw:
        r.bad((*path, name), f"{what}가 하나 이상 있어야 합니다")
        return ()
    if len(raw) > MAX_OPTIONS:
        r.bad((*path, name), f"{what}는 {MAX_OPTIONS}개까지입니다")
    out: list[Option] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        p = (*path, name, i)
        od = r.mapping(item, p)
        if od is None:
            continue
        r.unknown(od, {"value", "label", "score", "exclusive"}, p)
        value = od.get("value")
        if (
            isinstance(value, bool)
            or not isinstance(value, str | int)
            or not VALUE_RE.fullmatch(str(value))
        ):
            r.bad((*p, "value"), "값은 영문·숫자·_·- 50자까지여야 합니다")
            continue
        value = str(value)
        if value in seen:
            r.bad((*p, "value"), f"값 '{value}'가 중복됩니다")
        seen.add(value)
        out.append(
            Option(
                value=value,
                label=r.text(od, "label", p, required=True, max_length=200) or value,
                score=r.number(od, "score", p),
                exclusive=r.flag(od, "exclusive", p),
            )
        )
    return tuple(out)


def _read_items(r: _Reader, d: dict, path: PathT) -> tuple[GridItem, ...]:
    raw = r.listing(d, "items", path)
    if not raw:
        r.bad((*path, "items"), "항목이 하나 이상 있어야 합니다")
    out = []
    for i, item in enumerate(raw):
        p = (*path, "items", i)
        idata = r.mapping(item, p)
        if idata is None:
            continue
        r.unknown(idata, {"key", "label"}, p)
        out.append(GridItem(r.key(idata, p), r.text(idata, "label", p, required=True) or ""))
    return tuple(out)


def _read_fields(r: _Reader, d: dict, path: PathT) -> tuple[Question, ...]:
    raw = r.listing(d, "fields", path)
    if not raw:
        r.bad((*path, "fields"), "반복 항목에는 하위 문항이 하나 이상 있어야 합니다")
    out = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        f = _read_question(r, item, (*path, "fields", i), in_group=True)
        if f is None:
            continue
        if f.key in seen:
            r.bad((*path, "fields", i, "key"), f"하위 문항 키 '{f.key}'가 중복됩니다")
        seen.add(f.key)
        out.append(f)
    return tuple(out)


def _read_score(r: _Reader, data: Any, path: PathT) -> Score | None:
    r.question = None
    d = r.mapping(data, path)
    if d is None:
        return None
    r.unknown(d, {"key", "label", "expr", "levels", "help"}, path)
    levels = []
    raw_levels = r.listing(d, "levels", path)
    for i, raw in enumerate(raw_levels):
        p = (*path, "levels", i)
        ld = r.mapping(raw, p)
        if ld is None:
            continue
        r.unknown(ld, {"code", "label", "min", "when"}, p)
        code = ld.get("code")
        if not isinstance(code, str) or not VALUE_RE.fullmatch(code):
            r.bad((*p, "code"), "단계 코드는 영문·숫자·_·- 50자까지여야 합니다")
            code = ""
        level = Level(
            code=code,
            label=r.text(ld, "label", p, required=True, max_length=100) or "",
            min=r.number(ld, "min", p),
            when=r.text(ld, "when", p, max_length=2000),
        )
        if level.min is not None and level.when is not None:
            r.bad(p, "단계에는 min과 when 중 하나만 쓰세요")
        if level.min is None and level.when is None and i != len(raw_levels) - 1:
            r.bad(p, "조건(min 또는 when)이 없는 단계는 마지막에만 둘 수 있습니다")
        levels.append(level)
    mins = [lv.min for lv in levels if lv.min is not None]
    if mins != sorted(mins, reverse=True):
        r.bad((*path, "levels"), "min 단계는 큰 값부터 차례로 적어야 합니다")
    codes = [lv.code for lv in levels]
    if len(codes) != len(set(codes)):
        r.bad((*path, "levels"), "단계 코드가 중복됩니다")
    return Score(
        pos=int(path[-1]),
        key=r.key(d, path),
        label=r.text(d, "label", path, required=True, max_length=200) or "",
        expr=r.text(d, "expr", path, required=True, max_length=2000) or "",
        levels=tuple(levels),
        help=r.text(d, "help", path, max_length=2000),
    )


def _check_keys(r: _Reader, form: FormDef) -> None:
    """Keys are names in expressions: unique across sections, questions, grid items, scores."""
    seen: dict[str, PathT] = {}
    total = 0

    def claim(key: str, path: PathT, question: str | None) -> None:
        if not key:
            return
        if key in seen:
            r.problems.append(
                Problem(path, f"키 '{key}'가 이미 쓰였습니다 ({_where(seen[key])})", question)
            )
        else:
            seen[key] = path

    for s in form.sections:
        claim(s.key, ("sections", s.pos, "key"), None)
        for q in s.questions:
            total += 1
            path = ("sections", s.pos, "questions", q.pos)
            claim(q.key, (*path, "key"), q.key)
            for k, item in enumerate(q.items):
                claim(f"{q.key}.{item.key}", (*path, "items", k, "key"), q.key)
    for score in form.scores:
        claim(score.key, ("scores", score.pos, "key"), None)
    if total > MAX_QUESTIONS:
        r.problems.append(Problem(("sections",), f"문항은 {MAX_QUESTIONS}개까지입니다 ({total}개)"))


def _where(path: PathT) -> str:
    return Problem(path, "").where()
