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
        self._heads: dict[tuple[str, str, int | None], _Head] = {}

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

    def question(self, st: Any, c: Any, number: int | None = None, oob: bool = False,
                 add_row: bool = False) -> Markup:  # fmt: skip
        """A whole question: its wrapper (with autosave in fill mode), title, inputs, message."""
        q = st.q
        hkey = (q.key, c.mode, number)
        head = self._heads.get(hkey)
        if head is None:
            head = self._heads[hkey] = _head(q, c.mode, number, c.t)
        key = _attr(q.key)
        error = bool(st.error)
        out = [
            '<div class="q', " is-error" if error else "", " is-missing" if st.missing else "",
            f'" id="q-{key}" data-key="{key}"', "" if st.visible else " hidden",
            ' hx-swap-oob="true"' if oob else "",
            head.attrs.replace("{url}", _attr(c.url(q.key))) if head.attrs else "",
            ">", head.label,
            '<div class="form-conts', " is-error" if error else "", '">',
        ]  # fmt: skip
        if q.type == "grid":
            out.append(self._grid(q, st))
        elif q.type == "group":
            out.append(self._group(q, st, c, add_row))
        else:
            extra = ""
            if q.type not in _GROUPED:
                helps = f" help-{key}" if q.help else ""
                extra = f'aria-describedby="msg-{key}{helps}"' + (
                    ' aria-invalid="true"' if error or st.missing else ""
                )
            out.append(self.field(q, q.key, f"f-{q.key}", st.value, extra, c.dongs, c.t["dong"]))
        out.append("</div>")
        message = st.error or (c.t["required_missing"] if st.missing else "")
        out.append(
            f'<p class="q-msg{" form-hint-invalid" if st.error else ""}" id="msg-{key}">{escape(message)}</p>'
        )
        if (
            c.mode == "fill"
            and q.type in ("choice", "yesno", "scale")
            and st.stored is not None
            and not q.required
        ):
            out.append(
                f'<button type="button" class="krds-btn xsmall text q-clear" name="_clear" value="1" '
                f'hx-post="{_attr(c.url(q.key))}" hx-target="closest .q" hx-swap="outerHTML">'
                f"{escape(c.t['clear'])}</button>"
            )
        out.append(head.close)
        out.append("</div>")
        return Markup("".join(out))

    def _grid(self, q: Question, st: Any) -> str:
        pieces = self._pieces.get((q.key, "#grid"))
        if pieces is None:
            pieces = []
            key = _attr(q.key)
            head = '<div class="q-grid-wrap"><table class="q-grid"><thead><tr><th scope="col"></th>'
            head += "".join(f'<th scope="col">{escape(lv.label)}</th>' for lv in q.levels)
            head += "</tr></thead><tbody>"
            for item in q.items:
                ik = _attr(item.key)
                row = f'<tr data-item="{ik}"><th scope="row">{escape(item.label)}</th>'
                for j, lv in enumerate(q.levels):
                    rid = f"f-{key}-{ik}-{_attr(lv.value)}"
                    before = (head if not pieces else "") + (row if j == 0 else "")
                    before += (
                        f'<td><div class="krds-form-check q-grid-cell"><input type="radio" '
                        f'name="{key}.{ik}" value="{_attr(lv.value)}" id="{rid}"'
                    )
                    after = (
                        f'><label for="{rid}"><span class="sr-only">{escape(item.label)}: '
                        f"{escape(lv.label)}</span></label></div></td>"
                    )
                    if j == len(q.levels) - 1:
                        after += "</tr>"
                    pieces.append((f"{item.key}\x00{lv.value}", before, after))
            pieces.append(("", "</tbody></table></div>", ""))
            self._pieces[(q.key, "#grid")] = pieces
        value = st.value if isinstance(st.value, dict) else {}
        chosen = {f"{k}\x00{v}" for k, v in value.items()}
        out = []
        for token, before, after in pieces:
            out.append(before)
            if token in chosen:
                out.append(" checked")
            out.append(after)
        return "".join(out)

    def _group(self, q: Question, st: Any, c: Any, add_row: bool) -> str:
        key = _attr(q.key)
        noun = escape(q.item_label or c.t["item"])
        rows = st.rows() + ([{}] if add_row or (not st.rows() and c.mode != "preview") else [])
        fill = c.mode == "fill"
        url = _attr(c.url(q.key)) if fill else ""
        out = ['<ol class="q-rows">']
        for i, row in enumerate(rows):
            out.append(f'<li class="q-row"><span class="q-row-no">{noun} {i + 1}</span>')
            for f in q.fields:
                fid = f"f-{q.key}-{i}-{f.key}"
                req = ' <span class="q-req">*</span>' if f.required else ""
                out.append(
                    f'<div class="q-row-field"><label for="{_attr(fid)}">{escape(f.label)}{req}</label>'
                )
                default: Any = [] if f.type == "multi" else ""
                out.append(
                    self.field(
                        f,
                        f"{q.key}.{i}.{f.key}",
                        fid,
                        row.get(f.key, default),
                        "",
                        c.dongs,
                        c.t["dong"],
                    )
                )
                out.append(
                    f'<p class="q-msg form-hint-invalid" id="msg-{key}-{i}-{_attr(f.key)}">'
                    f"{escape(st.detail(i, f.key) or '')}</p></div>"
                )
            if fill:
                out.append(
                    f'<button type="button" class="krds-btn small text q-row-remove" name="_remove_row" '
                    f'value="{i}" hx-post="{url}" hx-include="closest .q" hx-target="closest .q" '
                    f'hx-swap="outerHTML">{escape(c.t["remove"])}<span class="sr-only"> {noun} {i + 1}</span></button>'
                )
            out.append("</li>")
        out.append("</ol>")
        if fill:
            out.append(
                f'<button type="button" class="krds-btn small secondary" name="_add_row" value="1" '
                f'hx-post="{url}" hx-include="closest .q" hx-target="closest .q" hx-swap="outerHTML">'
                f"+ {noun} {escape(c.t['add'])}</button>"
            )
        return "".join(out)

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


class _Head:
    """The parts of a question that depend only on the version and the mode."""

    __slots__ = ("attrs", "close", "label")

    def __init__(self, attrs: str, label: str, close: str) -> None:
        self.attrs, self.label, self.close = attrs, label, close


_GROUPED = frozenset({"choice", "multi", "yesno", "scale", "grid", "group"})


def _head(q: Question, mode: str, number: int | None, t: dict[str, str]) -> _Head:
    key = _attr(q.key)
    grouped = q.type in _GROUPED
    attrs = ""
    if mode == "fill":
        trigger = (
            "change"
            if grouped or q.type in ("dong", "date")
            else "input changed delay:700ms, change changed"
        )
        attrs = (
            ' hx-post="{url}"'
            f' hx-trigger="{trigger}" hx-target="#msg-{key}" hx-swap="outerHTML"'
            f' hx-sync="this:queue last" data-autosave="{key}"'
        )
    no = f'<span class="q-no">{number}.&nbsp;</span>' if number else ""
    req = (
        f' <span class="q-req" aria-hidden="true">*</span><span class="sr-only">({escape(t["required"])})</span>'
        if q.required
        else ""
    )
    title = f"{no}{escape(q.label)}{req}"
    helps = f" help-{key}" if q.help else ""
    if grouped:
        label = (
            f'<fieldset class="q-fieldset" aria-labelledby="lbl-{key}" aria-describedby="msg-{key}{helps}">'
            f'<div class="q-label" id="lbl-{key}">{title}</div>'
        )
        close = "</fieldset>"
    else:
        label = f'<div class="q-label"><label for="f-{key}">{title}</label></div>'
        close = ""
    if q.help:
        label += f'<p class="form-hint q-help" id="help-{key}">{escape(q.help)}</p>'
    if mode == "preview" and q.show_if:
        label += f'<p class="q-cond">{escape(t["condition"])}: <code>{escape(q.show_if)}</code></p>'
    return _Head(attrs, label, close)


def widgets_for(cf: Any, locale: str) -> Widgets:
    """The Widgets of a compiled form in one language (their cached HTML holds interface words
    such as 예/아니오), kept with the compiled form, which is cached per version."""
    return cf.cache.setdefault(("widgets", locale), Widgets())
