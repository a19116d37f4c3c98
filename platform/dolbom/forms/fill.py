"""What the filling-in screen shows, built from a response and its compiled definition:
each question's current input (what was typed when it could not be taken, else the stored
answer), its message, whether it shows, and each section's progress. Also the reverse: the
raw input for one question from a submitted form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from dolbom.forms.answers import Raw, display
from dolbom.forms.compile import CompiledForm
from dolbom.forms.definition import Question, Section
from dolbom.forms.evaluate import Evaluation, SectionProgress

MAX_ROW_INDEX = 500


@dataclass
class QState:
    q: Question
    value: Any  # what the inputs show: str, list[str], dict[str, str] or list[dict[str, str]]
    stored: Any
    error: str | None = None
    details: dict[str, str] = field(default_factory=dict)  # "row:field" or "item:" → message
    visible: bool = True
    missing: bool = False

    @property
    def key(self) -> str:
        return self.q.key

    @property
    def shown_value(self) -> str:
        return display(self.q, self.stored)

    def rows(self) -> list[dict[str, Any]]:
        return self.value if isinstance(self.value, list) else []

    def detail(self, a: Any, b: str = "") -> str | None:
        return self.details.get(f"{a}:{b}")


@dataclass
class SState:
    section: Section
    visible: bool
    progress: SectionProgress
    questions: list[QState]


@dataclass
class Page:
    sections: list[SState]
    evaluation: Evaluation
    scores: tuple[Any, ...] = ()  # the form's score definitions (key, label, levels)

    def questions(self) -> list[QState]:
        return [q for s in self.sections for q in s.questions]

    def label(self, key: str) -> str:
        return next((q.q.label for q in self.questions() if q.key == key), key)


def input_value(q: Question, stored: Any) -> Any:
    """A stored answer in the shape the inputs use (all text)."""
    if stored is None:
        return [] if q.type in ("multi", "group") else ({} if q.type == "grid" else "")
    if q.type == "yesno":
        return "yes" if stored else "no"
    if q.type == "multi":
        return list(stored)
    if q.type == "grid":
        return dict(stored)
    if q.type == "group":
        return [{f.key: input_value(f, row.get(f.key)) for f in q.fields} for row in stored]
    if isinstance(stored, float) and stored.is_integer():
        return str(int(stored))
    return str(stored)


def build_page(
    cf: CompiledForm,
    answers: Mapping[str, Any],
    pending: Mapping[str, Any],
    evaluation: Evaluation,
    *,
    errors: Mapping[str, str] | None = None,
    missing: set[str] | None = None,
    raw: Mapping[str, Raw] | None = None,
) -> Page:
    """`raw` (a re-shown correction form) overrides stored answers; `errors` and `missing`
    come from a refused submission."""
    errors = errors or {}
    missing = missing or set()
    by_section = {p.key: p for p in evaluation.sections}
    sections: list[SState] = []
    for section in cf.form.sections:
        states = []
        for q in section.questions:
            stored = answers.get(q.key)
            entry = pending.get(q.key)
            value: Any
            if raw is not None:
                value = _shape(q, raw.get(q.key))
            elif entry is not None:
                value = _shape(q, entry.get("raw"))
            else:
                value = input_value(q, stored)
            error = (
                errors.get(q.key) or (entry or {}).get("error") or evaluation.rule_errors.get(q.key)
            )
            states.append(
                QState(
                    q=q,
                    value=value,
                    stored=stored,
                    error=error,
                    details=(entry or {}).get("details") or {},
                    visible=q.key in evaluation.visible,
                    missing=q.key in missing,
                )
            )
        sections.append(
            SState(
                section,
                section.key not in evaluation.hidden_sections,
                by_section[section.key],
                states,
            )
        )
    return Page(sections, evaluation, cf.form.scores)


def _shape(q: Question, raw: Any) -> Any:
    """Raw input as kept in `pending` into the inputs' shape (it was stored as received)."""
    if q.type in ("multi", "group"):
        return raw if isinstance(raw, list) else []
    if q.type == "grid":
        return raw if isinstance(raw, dict) else {}
    if isinstance(raw, list):
        return raw[-1] if raw else ""
    return "" if raw is None else str(raw)


def raw_from_form(q: Question, form: MultiDict[str, str]) -> Raw:
    """One question's raw input from submitted fields: `key`, `key.item` (grid rows) or
    `key.row.field` (group rows)."""
    name = q.key
    if q.type == "multi":
        return [v for v in form.getlist(name) if v]
    if q.type == "grid":
        return {item.key: form.get(f"{name}.{item.key}", "") for item in q.items}
    if q.type == "group":
        rows: dict[int, dict[str, Any]] = {}
        prefix = name + "."
        multi_fields = {f.key for f in q.fields if f.type == "multi"}
        for field_name in form:
            if not field_name.startswith(prefix):
                continue
            index, _, fkey = field_name[len(prefix) :].partition(".")
            if not index.isdecimal() or int(index) > MAX_ROW_INDEX or not fkey:
                continue
            row = rows.setdefault(int(index), {})
            row[fkey] = form.getlist(field_name) if fkey in multi_fields else form.get(field_name)
        return [rows[i] for i in sorted(rows)]
    return form.get(name)


def raw_answers(cf: CompiledForm, form: MultiDict[str, str]) -> dict[str, Raw]:
    return {key: raw_from_form(q, form) for key, q in cf.questions.items()}


def choices_of(q: Question) -> list[tuple[str, str]]:
    """(value, label) pairs for the radio buttons or check boxes of a question."""
    from flask_babel import gettext as _

    if q.type == "yesno":
        return [("yes", _("예")), ("no", _("아니오"))]
    if q.type == "scale":
        return [(str(n), str(n)) for n in range(int(q.min or 0), int(q.max or 0) + 1)]
    return [(o.value, o.label) for o in q.options]


def numbering(cf: CompiledForm) -> dict[str, int]:
    return {q.key: i for i, q in enumerate(cf.form.questions(), start=1)}


@dataclass
class Ctx:
    """What the question templates need besides the question: the mode, where answers go,
    the dong list, the widget cache and the few interface strings (translated once)."""

    mode: str  # "fill", "plain" or "preview"
    answer_url: str  # ends with "/answer/": the question key is appended
    dongs: Sequence[Any]
    widgets: Any
    t: dict[str, str]

    def url(self, key: str) -> str:
        return self.answer_url + key


def make_ctx(mode: str, cf: CompiledForm | None, dongs: Sequence[Any], answer_url: str = "") -> Ctx:
    from flask_babel import get_locale
    from flask_babel import gettext as _

    from dolbom.forms.widgets import Widgets, widgets_for

    t = {
        "required": _("필수"),
        "dong": _("행정동 선택"),
        "item": _("항목"),
        "add": _("추가"),
        "remove": _("삭제"),
        "clear": _("선택 지우기"),
        "condition": _("조건"),
        "required_missing": _("필수 문항입니다"),
    }
    widgets = widgets_for(cf, str(get_locale())) if cf is not None else Widgets()
    return Ctx(mode, answer_url, dongs, widgets, t)
