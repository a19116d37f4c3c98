"""The inputs of one question as HTML, built in Python rather than in Jinja macros.

A 120-question form has thousands of radio buttons and options; in macros each costs calls
and escapes, which took rendering past its 20 ms budget. Here everything that does not depend
on the answer — labels, ids, names, the dong list — is escaped once per compiled version and
kept; rendering a response only joins the pieces and marks what is checked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from dolbom.forms.definition import Question
from dolbom.forms.fill import choices_of

# Pieces: ("value", "<html before the checked flag>", "<html after>") per option.
Pieces = list[tuple[str, str, str]]


def _attr(value: Any) -> str:
    return str(escape(value))


class Widgets:
    """Per compiled version: cached static HTML for each question's inputs."""

    def __init__(self) -> None:
        self._pieces: dict[tuple[str, str], Pieces] = {}
        self._dongs: dict[tuple[str, tuple], Pieces] = {}

    def _choice_pieces(self, q: Question, name: str, id_: str, extra: str) -> Pieces:
        key = (name, extra)
        pieces = self._pieces.get(key)
        if pieces is None:
            kind = "checkbox" if q.type == "multi" else "radio"
            name_a, extra_s = _attr(name), (" " + extra if extra else "")
            pieces = []
            for value, label in choices_of(q):
                oid = _attr(f"{id_}-{value}")
                pieces.append(
                    (
                        value,
                        f'<div class="krds-form-check"><input type="{kind}" name="{name_a}" '
                        f'id="{oid}" value="{_attr(value)}"',
                        f'{extra_s}><label for="{oid}">{escape(label)}</label></div>',
                    )
                )
            self._pieces[key] = pieces
        return pieces

    def choices(self, q: Question, name: str, id_: str, value: Any, extra: str = "") -> Markup:
        selected = set(value) if isinstance(value, list) else {value}
        pieces = self._choice_pieces(q, name, id_, extra)
        column = q.type in ("choice", "multi") and len(pieces) > 4
        out = ['<div class="krds-check-area', " chk-column" if column else "",
               " q-scale" if q.type == "scale" else "", '">']  # fmt: skip
        if q.type == "scale" and q.min_label:
            out.append(f'<span class="q-scale-label">{escape(q.min_label)}</span>')
        for v, before, after in pieces:
            out.append(before)
            if v in selected:
                out.append(" checked")
            out.append(after)
        if q.type == "scale" and q.max_label:
            out.append(f'<span class="q-scale-label">{escape(q.max_label)}</span>')
        out.append("</div>")
        return Markup("".join(out))

    def dong(
        self, name: str, id_: str, value: str, extra: str, dongs: Sequence[Any], empty: str
    ) -> Markup:
        key = (f"{name}|{extra}", tuple(d.code for d in dongs))
        pieces = self._dongs.get(key)
        if pieces is None:
            pieces = []
            current = None
            head = (
                f'<select class="krds-form-select" id="{_attr(id_)}" name="{_attr(name)}"'
                f'{" " + extra if extra else ""}><option value="">{escape(empty)}</option>'
            )
            for d in dongs:
                if d.gu != current:
                    head += (
                        "</optgroup>" if current is not None else ""
                    ) + f'<optgroup label="{_attr(d.gu)}">'
                    current = d.gu
                pieces.append(
                    (
                        d.code,
                        head + f'<option value="{_attr(d.code)}"',
                        f">{escape(d.name)}</option>",
                    )
                )
                head = ""
            pieces.append(("", ("</optgroup>" if current is not None else "") + "</select>", ""))
            if not dongs:
                pieces.insert(0, ("", head, ""))
            self._dongs[key] = pieces
        out = []
        for code, before, after in pieces:
            out.append(before)
            if code and code == value:
                out.append(" selected")
            out.append(after)
        return Markup("".join(out))

    def field(self, q: Question, name: str, id_: str, value: Any, extra: str = "",
              dongs: Sequence[Any] = (), empty_dong: str = "") -> Markup:  # fmt: skip
        """The input(s) for a question (or a group's field) that is not a grid or a group."""
        if q.type in ("choice", "multi", "yesno", "scale"):
            return self.choices(q, name, id_, value, extra)
        if q.type == "dong":
            return self.dong(
                name, id_, value if isinstance(value, str) else "", extra, dongs, empty_dong
            )
        v = _attr(value if isinstance(value, str) else "")
        i, n = _attr(id_), _attr(name)
        x = " " + extra if extra else ""
        if q.type == "textarea":
            return Markup(
                f'<textarea class="krds-input" id="{i}" name="{n}" rows="3" '
                f'maxlength="{q.text_limit}"{x}>{v}</textarea>'
            )
        if q.type == "number":
            unit = f'<span class="q-unit">{escape(q.unit)}</span>' if q.unit else ""
            return Markup(
                f'<span class="q-number"><input type="text" inputmode="decimal" class="krds-input" '
                f'id="{i}" name="{n}" value="{v}" autocomplete="off"{x}>{unit}</span>'
            )
        if q.type == "date":
            return Markup(
                f'<input type="date" class="krds-input q-date" id="{i}" name="{n}" value="{v}"{x}>'
            )
        return Markup(
            f'<input type="text" class="krds-input" id="{i}" name="{n}" value="{v}" '
            f'maxlength="{q.text_limit}" autocomplete="off"{x}>'
        )


def widgets_for(cf: Any) -> Widgets:
    """The Widgets of a compiled form, kept with it (compiled forms are cached per version)."""
    return cf.cache.setdefault("widgets", Widgets())
