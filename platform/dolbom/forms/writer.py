"""The canonical document of a definition: fixed key order, defaults left out, so that
export → import → export gives the same text."""

from __future__ import annotations

from typing import Any

from dolbom.forms.definition import FormDef, Option, Question, Score, Section


def to_data(form: FormDef) -> dict[str, Any]:
    """The canonical document: fixed key order, defaults left out."""
    out: dict[str, Any] = {"key": form.key, "title": form.title}
    _put(out, "description", form.description)
    out["sections"] = [_section_data(s) for s in form.sections]
    if form.scores:
        out["scores"] = [_score_data(s) for s in form.scores]
    return out


def _put(out: dict[str, Any], key: str, value: Any, default: Any = None) -> None:
    if value is not None and value != default:
        out[key] = value


def _section_data(s: Section) -> dict[str, Any]:
    out: dict[str, Any] = {"key": s.key, "title": s.title}
    _put(out, "help", s.help)
    _put(out, "show_if", s.show_if)
    out["questions"] = [question_data(q) for q in s.questions]
    return out


def _option_data(o: Option) -> dict[str, Any]:
    out: dict[str, Any] = {"value": o.value, "label": o.label}
    _put(out, "score", o.score)
    _put(out, "exclusive", o.exclusive, False)
    return out


def question_data(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"key": q.key, "type": q.type, "label": q.label}
    _put(out, "help", q.help)
    _put(out, "required", q.required, False)
    _put(out, "show_if", q.show_if)
    if q.type in ("choice", "multi"):
        out["options"] = [_option_data(o) for o in q.options]
    if q.type == "grid":
        out["items"] = [{"key": i.key, "label": i.label} for i in q.items]
        out["levels"] = [_option_data(o) for o in q.levels]
    if q.type == "yesno" and (q.yes_score is not None or q.no_score is not None):
        scores: dict[str, Any] = {}
        _put(scores, "yes", q.yes_score)
        _put(scores, "no", q.no_score)
        out["scores"] = scores
    if q.type in ("number", "scale", "date"):
        _put(out, "min", q.min)
        _put(out, "max", q.max)
    if q.type in ("number", "scale"):
        _put(out, "unit", q.unit)
    if q.type == "number":
        _put(out, "integer", q.integer, False)
    if q.type == "scale":
        _put(out, "min_label", q.min_label)
        _put(out, "max_label", q.max_label)
    if q.type in ("text", "textarea"):
        _put(out, "max_length", q.max_length)
        _put(out, "pattern", q.pattern)
        _put(out, "pattern_message", q.pattern_message)
    if q.type == "group":
        out["fields"] = [question_data(f) for f in q.fields]
        _put(out, "min_rows", q.min_rows, 0)
        _put(out, "max_rows", q.max_rows, 50)
        _put(out, "item_label", q.item_label)
    if q.validate:
        out["validate"] = [{"rule": v.rule, "message": v.message} for v in q.validate]
    return out


def _score_data(s: Score) -> dict[str, Any]:
    out: dict[str, Any] = {"key": s.key, "label": s.label}
    _put(out, "help", s.help)
    out["expr"] = s.expr
    if s.levels:
        levels = []
        for lv in s.levels:
            d: dict[str, Any] = {"code": lv.code, "label": lv.label}
            _put(d, "min", lv.min)
            _put(d, "when", lv.when)
            levels.append(d)
        out["levels"] = levels
    return out
