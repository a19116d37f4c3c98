"""YAML text → `RuleSet`, collecting every problem with its path and line instead of stopping
at the first. Expressions are not checked here (see `compile.py`): reading needs no catalogue."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from typing import Any

from dolbom.forms import yamlio
from dolbom.rules.definition import (
    ALWAYS,
    FAR_FUTURE,
    STATUSES,
    UNITS,
    Citation,
    Condition,
    Entitlement,
    Example,
    Expectation,
    Parameter,
    ParamValue,
    PathT,
    Period,
    Problem,
    Programme,
    RuleSet,
)

KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,49}")
SET_KEY_RE = re.compile(r"[a-z][a-z0-9_-]{0,49}")
_ARTICLE_RE = re.compile(r"\d{1,3}(?:의\d{1,2})?")


class _Reader:
    def __init__(self, lines: dict[yamlio.Path, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def bad(self, path: PathT, message: str) -> None:
        line = None
        for i in range(len(path), -1, -1):
            line = self.lines.get(path[:i])
            if line:
                break
        self.problems.append(Problem(path, message, line))

    def mapping(self, data: Any, path: PathT) -> dict | None:
        if not isinstance(data, dict):
            self.bad(path, "키: 값 형식이어야 합니다")
            return None
        return data

    def allowed(self, data: dict, keys: set[str], path: PathT) -> None:
        for key in data:
            if key not in keys:
                self.bad(
                    (*path, key),
                    f"알 수 없는 항목입니다 (쓸 수 있는 항목: {', '.join(sorted(keys))})",
                )

    def text(self, data: dict, key: str, path: PathT, *, required: bool = False,
             max_length: int = 300) -> str | None:  # fmt: skip
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

    def key(self, data: dict, name: str, path: PathT, pattern: re.Pattern = KEY_RE) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            shown = "" if value is None else f" '{value}'"
            self.bad(
                (*path, name), f"키{shown}는 영문 소문자로 시작하고 소문자·숫자·_만 쓸 수 있습니다"
            )
            return ""
        return value

    def date(self, data: dict, key: str, path: PathT, *, required: bool = False) -> dt.date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.bad((*path, key), "날짜가 없습니다 (YYYY-MM-DD)")
            return None
        try:
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            self.bad((*path, key), f"날짜는 YYYY-MM-DD 형식이어야 합니다 ('{value}')")
            return None

    def period(self, data: dict, path: PathT, *, required: bool = False) -> Period:
        start = self.date(data, "from", path, required=required)
        end = self.date(data, "until", path)
        if start and end and end < start:
            self.bad((*path, "until"), f"끝나는 날({end})이 시작일({start})보다 앞섭니다")
            return Period(start)
        return Period(start or ALWAYS.start, end or FAR_FUTURE)

    def listing(self, data: dict, key: str, path: PathT, *, required: bool = False) -> list:
        value = data.get(key)
        if value is None or value == []:
            if required:
                self.bad((*path, key), "하나 이상 있어야 합니다")
            return []
        if not isinstance(value, list):
            self.bad((*path, key), "목록(- …)이어야 합니다")
            return []
        return value

    def cite(self, data: dict, path: PathT, *, required: bool = True) -> Citation | None:
        raw = data.get("cite")
        where = (*path, "cite")
        if raw is None:
            if required:
                self.bad(where, "근거(cite: 조례 조·항)가 없습니다")
            return None
        if isinstance(raw, str):
            if not raw.strip():
                self.bad(where, "근거(cite)가 비어 있습니다")
                return None
            return Citation(source=raw.strip()[:200])
        d = self.mapping(raw, where)
        if d is None:
            return None
        self.allowed(d, {"source", "article", "paragraph", "item", "link", "note"}, where)
        parts = {}
        for name in ("article", "paragraph", "item"):
            value = d.get(name)
            if value is None:
                parts[name] = None
            elif isinstance(value, bool) or not _ARTICLE_RE.fullmatch(str(value)):
                self.bad((*where, name), f"'{value}'는 조·항·호 번호가 아닙니다 (예: 4, 4의2)")
                parts[name] = None
            else:
                parts[name] = str(value)
        link = self.text(d, "link", where, max_length=500)
        if link and not re.match(r"https?://", link):
            self.bad((*where, "link"), "링크는 http:// 또는 https://로 시작해야 합니다")
            link = None
        source = self.text(d, "source", where, max_length=200) or "조례"
        note = self.text(d, "note", where, max_length=200)
        return Citation(source, parts["article"], parts["paragraph"], parts["item"], link, note)

    def number(self, value: Any, path: PathT) -> float | None:
        if not is_number(value):
            self.bad(path, f"숫자여야 합니다 ('{str(value)[:40]}')")
            return None
        return value


MAX_NUMBER = 1e15  # amounts in won fit many times over; a 400-digit integer breaks formatting


def is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value) <= MAX_NUMBER  # first: math.isfinite(10**400) overflows
        and math.isfinite(value)
    )


def parse_yaml(text: str) -> tuple[RuleSet | None, list[Problem]]:
    """The rule set and every problem found; the rule set is None when it cannot be read."""
    if len(text) > 500_000:
        return None, [Problem((), "규칙 파일이 너무 큽니다 (500 KB까지)")]
    try:
        data, lines = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        return None, [Problem((), exc.message, exc.line)]
    return read_data(data, lines)


def read_data(
    data: Any, lines: dict[yamlio.Path, int] | None = None
) -> tuple[RuleSet | None, list[Problem]]:
    r = _Reader(lines or {})
    d = r.mapping(data, ())
    if d is None:
        return None, r.problems
    r.allowed(
        d, {"key", "title", "description", "ordinance", "parameters", "programmes", "examples"}, ()
    )
    key = r.key(d, "key", (), SET_KEY_RE)
    title = r.text(d, "title", (), required=True) or ""
    ordinance, link = None, None
    if d.get("ordinance") is not None:
        od = r.mapping(d["ordinance"], ("ordinance",))
        if od is not None:
            r.allowed(od, {"name", "promulgated", "link"}, ("ordinance",))
            ordinance = r.text(od, "name", ("ordinance",), required=True)
            r.date(od, "promulgated", ("ordinance",))
            link = r.text(od, "link", ("ordinance",), max_length=500)
            if link and not re.match(r"https?://", link):
                r.bad(("ordinance", "link"), "링크는 http:// 또는 https://로 시작해야 합니다")
                link = None
    params = _parameters(r, d.get("parameters"))
    programmes = tuple(
        p for i, raw in enumerate(r.listing(d, "programmes", (), required=True))
        if (p := _programme(r, raw, ("programmes", i))) is not None
    )  # fmt: skip
    seen: set[str] = set()
    for i, p in enumerate(programmes):
        if p.key in seen:
            r.bad(("programmes", i, "key"), f"사업 키 '{p.key}'가 두 번 있습니다")
        seen.add(p.key)
    examples = tuple(
        e for i, raw in enumerate(r.listing(d, "examples", ()))
        if (e := _example(r, raw, ("examples", i))) is not None
    )  # fmt: skip
    rs = RuleSet(key, title, r.text(d, "description", (), max_length=2000), ordinance, link,
                 params, programmes, examples)  # fmt: skip
    return rs, r.problems


def _parameters(r: _Reader, raw: Any) -> tuple[Parameter, ...]:
    if raw is None:
        return ()
    d = r.mapping(raw, ("parameters",))
    if d is None:
        return ()
    out = []
    for key, body in d.items():
        path: PathT = ("parameters", key)
        if not KEY_RE.fullmatch(key):
            r.bad(
                path, f"기준값 키 '{key}'는 영문 소문자로 시작하고 소문자·숫자·_만 쓸 수 있습니다"
            )
            continue
        pd = r.mapping(body, path)
        if pd is None:
            continue
        r.allowed(pd, {"label", "unit", "values"}, path)
        values = []
        for i, v in enumerate(r.listing(pd, "values", path, required=True)):
            vpath = (*path, "values", i)
            vd = r.mapping(v, vpath)
            if vd is None:
                continue
            r.allowed(vd, {"from", "until", "value", "cite"}, vpath)
            value = vd.get("value")
            if value is None or isinstance(value, list | dict):
                r.bad((*vpath, "value"), "값(value)은 숫자, 글자 또는 true/false여야 합니다")
                continue
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and not is_number(value)
            ):
                r.bad((*vpath, "value"), "쓸 수 없는 숫자입니다 (±10^15까지)")
                continue
            if isinstance(value, str) and len(value) > 200:
                r.bad((*vpath, "value"), "글자 값은 200자까지입니다")
                continue
            period = r.period(vd, vpath, required=True)
            cite = r.cite(vd, vpath)
            if cite is not None:
                values.append(ParamValue(period, value, cite))
        values.sort(key=lambda v: v.period.start)
        history = _close_history(r, values, path)
        unit = r.text(pd, "unit", path, max_length=20)
        out.append(Parameter(key, r.text(pd, "label", path, required=True) or key, unit, history))
    return tuple(out)


def _close_history(r: _Reader, values: list[ParamValue], path: PathT) -> tuple[ParamValue, ...]:
    """A parameter's values follow each other without overlap or gap: a day with two values is
    ambiguous, a day with none silently makes every rule that reads it undetermined. An
    open-ended value runs until the next one starts — the usual way to write a history."""
    kinds = {type(v.value) if not isinstance(v.value, int | float) or isinstance(v.value, bool)
             else float for v in values}  # fmt: skip
    if len(kinds) > 1:
        r.bad((*path, "values"), "값의 종류(숫자·글자·참/거짓)가 섞여 있습니다")
    out = list(values)
    for i in range(len(out) - 1):
        before, after = out[i], out[i + 1]
        if before.period.end == FAR_FUTURE and after.period.start > before.period.start:
            end = after.period.start - dt.timedelta(days=1)  # no underflow before 0001-01-02
            if end >= before.period.start:
                before = out[i] = ParamValue(
                    Period(before.period.start, end), before.value, before.cite
                )
        if before.period.end >= after.period.start:
            r.bad(
                (*path, "values"),
                f"기간이 겹칩니다: {before.period.text()} 와 {after.period.text()}",
            )
        elif before.period.end + dt.timedelta(days=1) != after.period.start:
            gap = f"{before.period.end + dt.timedelta(days=1)} ~ {after.period.start - dt.timedelta(days=1)}"
            r.bad((*path, "values"), f"기간 사이에 빈 날이 있습니다: {gap}")
    return tuple(out)


def _dated_ids(r: _Reader, items: list, path: PathT, what: str) -> None:
    """The same id may appear several times only as dated versions that do not overlap.
    Sorted by start, any overlap shows between neighbours, whatever order they are written in."""
    by_id: dict[str, list] = {}
    for i, item in enumerate(items):
        by_id.setdefault(item.id, []).append((i, item))
    for entries in by_id.values():
        entries.sort(key=lambda e: (e[1].period.start, e[0]))
        for (_i, a), (j, b) in itertools.pairwise(entries):
            if a.period.overlaps(b.period):
                r.bad(
                    (*path, j, "from"),
                    f"{what} '{b.id}'의 기간이 앞의 같은 {what}와 겹칩니다 ({a.period.text()})",
                )


def _programme(r: _Reader, raw: Any, path: PathT) -> Programme | None:
    d = r.mapping(raw, path)
    if d is None:
        return None
    r.allowed(
        d,
        {
            "key",
            "name",
            "area",
            "description",
            "from",
            "until",
            "cite",
            "eligibility",
            "entitlements",
        },
        path,
    )
    key = r.key(d, "key", path)
    name = r.text(d, "name", path, required=True) or key
    conditions = []
    for i, c in enumerate(r.listing(d, "eligibility", path, required=True)):
        cpath = (*path, "eligibility", i)
        cd = r.mapping(c, cpath)
        if cd is None:
            continue
        r.allowed(cd, {"id", "label", "when", "cite", "from", "until"}, cpath)
        cid, label = r.key(cd, "id", cpath), r.text(cd, "label", cpath, required=True)
        when = r.text(cd, "when", cpath, required=True, max_length=2000)
        period, cite = r.period(cd, cpath), r.cite(cd, cpath)
        if cid and label and when and cite:
            conditions.append(Condition(cid, label, when, cite, period, cpath))
    _dated_ids(r, conditions, (*path, "eligibility"), "조건")
    entitlements = []
    for i, e in enumerate(r.listing(d, "entitlements", path)):
        epath = (*path, "entitlements", i)
        ed = r.mapping(e, epath)
        if ed is None:
            continue
        r.allowed(
            ed, {"id", "label", "amount", "unit", "cap", "cost", "cite", "from", "until"}, epath
        )
        eid, label = r.key(ed, "id", epath), r.text(ed, "label", epath, required=True)
        amount = r.text(ed, "amount", epath, required=True, max_length=2000)
        unit = r.text(ed, "unit", epath, required=True)
        if unit and unit not in UNITS:
            r.bad((*epath, "unit"), f"단위는 {', '.join(UNITS)} 중 하나여야 합니다")
            unit = None
        cap, cost = (
            r.text(ed, "cap", epath, max_length=2000),
            r.text(ed, "cost", epath, max_length=2000),
        )
        period, cite = r.period(ed, epath), r.cite(ed, epath)
        if eid and label and amount and unit and cite:
            entitlements.append(
                Entitlement(eid, label, amount, unit, cite, cap, cost, period, epath)
            )
    _dated_ids(r, entitlements, (*path, "entitlements"), "급여")
    return Programme(key, name, r.text(d, "area", path, max_length=50), r.text(d, "description", path, max_length=2000),
                     r.period(d, path), r.cite(d, path, required=False), tuple(conditions), tuple(entitlements))  # fmt: skip


def _example(r: _Reader, raw: Any, path: PathT) -> Example | None:
    d = r.mapping(raw, path)
    if d is None:
        return None
    r.allowed(d, {"name", "as_of", "facts", "expect"}, path)
    name = r.text(d, "name", path, required=True, max_length=200)
    as_of = r.date(d, "as_of", path, required=True)
    facts = r.mapping(d.get("facts") or {}, (*path, "facts")) or {}
    expect_raw = r.mapping(d.get("expect"), (*path, "expect")) or {}
    if not expect_raw:
        r.bad((*path, "expect"), "기대하는 결과(expect)가 없습니다")
    expect: dict[str, Expectation] = {}
    for prog, want in expect_raw.items():
        wpath = (*path, "expect", prog)
        if isinstance(want, str):
            want = {"status": want}
        wd = r.mapping(want, wpath)
        if wd is None:
            continue
        status = wd.get("status")
        if status not in STATUSES:
            r.bad(
                (*wpath, "status"), f"결과는 {', '.join(STATUSES)} 중 하나여야 합니다 ('{status}')"
            )
            continue
        amounts = {}
        for k, v in wd.items():
            if k != "status" and (n := r.number(v, (*wpath, k))) is not None:
                amounts[k] = n
        expect[prog] = Expectation(status, amounts)
    if name is None or as_of is None:
        return None
    return Example(name, as_of, dict(facts), expect)
