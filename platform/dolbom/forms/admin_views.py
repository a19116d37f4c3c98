"""Form definitions for city administrators (`/<tenant>/forms/…`): list, create, import and
export YAML, the editor with its live preview, publish and discard."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from dolbom.console.changes import record_change
from dolbom.console.versioned import form_items, record_published
from dolbom.forms import editor, panel, queries
from dolbom.forms import operations as ops
from dolbom.forms.fill import QState, input_value, make_ctx
from dolbom.forms.models import Form, FormVersion
from dolbom.forms.reader import read_partial
from dolbom.identity.access import tenant_roles
from dolbom.web.context import db

admin_only = tenant_roles("city_admin")
MAX_YAML = 400_000


def _form_or_404(key: str) -> Form:
    form = queries.form_by_key(db(), key)
    if form is None:
        abort(404)
    return form


@admin_only
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "forms/admin/index.html", rows=queries.all_forms(db()), errors={}, values={}
    )


@admin_only
def create():  # type: ignore[no-untyped-def]
    session = db()
    key = (request.form.get("key") or "").strip()
    title = (request.form.get("title") or "").strip()
    errors: dict[str, str] = {}
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,49}", key):
        errors["key"] = _("키는 영문 소문자로 시작하고 소문자·숫자·_만 쓸 수 있습니다 (50자까지)")
    elif queries.form_by_key(session, key) is not None:
        errors["key"] = _("같은 키의 서식이 이미 있습니다")
    if not title:
        errors["title"] = _("서식 제목을 적으세요")
    elif len(title) > 200:
        errors["title"] = _("제목은 200자까지입니다")
    if errors:
        return render_template(
            "forms/admin/index.html", rows=queries.all_forms(session), errors=errors,
            values={"key": key, "title": title},
        ), 422  # fmt: skip
    ops.new_form(session, key, title, user_id=g.membership.user_id)
    record_change(session, "form", key, before=None, after={"title": title, "state": "초안"},
                  user_id=g.membership.user_id)  # fmt: skip
    session.commit()
    return redirect(url_for("tenant.forms.edit", key=key), 303)


@admin_only
def import_yaml():  # type: ignore[no-untyped-def]
    session = db()
    if request.method == "GET":
        return render_template("forms/admin/import.html", text="", problems=[], publish=False)
    upload = request.files.get("file")
    text = request.form.get("text", "")
    name = "붙여넣은 YAML"
    if upload is not None and upload.filename:
        raw = upload.read(MAX_YAML + 1)
        name = upload.filename[:100]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _import_refused(text, [f"{name}: " + _("UTF-8 텍스트 파일이 아닙니다")])
    if len(text) > MAX_YAML:
        return _import_refused("", [_("파일이 너무 큽니다 (400 KB까지)")])
    if not text.strip():
        return _import_refused(text, [_("YAML을 붙여넣거나 파일을 고르세요")])
    publish_now = request.form.get("publish") == "1"
    try:
        before = _published_state(text)
        version = ops.import_form(
            session, text, user_id=g.membership.user_id, file=name, publish_now=publish_now
        )
    except ops.DefinitionProblems as exc:
        session.rollback()
        return _import_refused(text, exc.messages(), publish_now)
    except ops.FormsError as exc:
        session.rollback()
        return _import_refused(text, [str(exc)], publish_now)
    key = version.form.key if version.form else ""
    if publish_now:
        _record_publish(version, *before[1:])
    elif not before[0]:
        record_change(session, "form", key, before=None, after={"title": version.title,
                      "state": "초안"}, user_id=g.membership.user_id)  # fmt: skip
    session.commit()
    if publish_now:
        flash(_("가져와서 버전 %(n)s(으)로 게시했습니다.", n=version.number), "ok")
        return redirect(url_for("tenant.forms.detail", key=key), 303)
    flash(_("가져온 정의를 초안으로 저장했습니다. 확인한 뒤 게시하세요."), "ok")
    return redirect(url_for("tenant.forms.edit", key=key), 303)


def _published_state(text: str) -> tuple[bool, int | None, dict[str, str]]:
    """Before an import, for the change log: whether the form exists, and the version in
    effect with its parts. A definition with errors is refused by the import itself."""
    try:
        _cf, data = ops.parse_yaml(text)
    except ops.FormsError:
        return False, None, {}
    form = queries.form_by_key(db(), str(data.get("key")))
    current = ops.latest_published(db(), form) if form else None
    if current is None:
        return form is not None, None, {}
    return True, current.number, form_items(current.definition)


def _record_publish(v: FormVersion, old_number: int | None, old_items: dict[str, str]) -> None:
    record_published(
        db(), "form", v.form.key, old_number=old_number, new_number=v.number or 0,
        old_items=old_items, new_items=form_items(v.definition), user_id=g.membership.user_id,
    )  # fmt: skip


def _import_refused(text: str, problems: list[str], publish: bool = False):  # type: ignore[no-untyped-def]
    return render_template(
        "forms/admin/import.html", text=text, problems=problems, publish=publish
    ), 422


@admin_only
def detail(key: str):  # type: ignore[no-untyped-def]
    form = _form_or_404(key)
    return render_template(
        "forms/admin/detail.html", form=form, versions=queries.versions_of(db(), form)
    )


@admin_only
def version(key: str, number: int):  # type: ignore[no-untyped-def]
    form = _form_or_404(key)
    v = queries.version(db(), form, number)
    if v is None:
        abort(404)
    return render_template(
        "forms/admin/version.html", form=form, version=v, preview=_preview(v.definition)
    )


def _yaml_response(v: FormVersion, filename: str) -> Response:
    return Response(
        ops.export_yaml(v),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@admin_only
def export(key: str, number: int):  # type: ignore[no-untyped-def]
    form = _form_or_404(key)
    v = queries.version(db(), form, number)
    if v is None:
        abort(404)
    return _yaml_response(v, f"{form.key}-v{number}.yaml")


@admin_only
def export_draft(key: str):  # type: ignore[no-untyped-def]
    form = _form_or_404(key)
    v = queries.version(db(), form, None)
    if v is None:
        abort(404)
    return _yaml_response(v, f"{form.key}-draft.yaml")


# -- the editor -----------------------------------------------------------------------------


@admin_only
def edit(key: str):  # type: ignore[no-untyped-def]
    session = db()
    form = _form_or_404(key)
    selection = editor.Selection.parse(request.values.get("sel"))
    if request.method == "GET":
        draft = ops.open_draft(session, form, user_id=g.membership.user_id)
        session.commit()
        return _editor(form, draft, selection)
    draft = queries.version(session, form, None)
    if draft is None:
        flash(_("초안이 없습니다. 다시 열어 주세요."), "error")
        return Response(
            status=204, headers={"HX-Redirect": url_for("tenant.forms.detail", key=key)}
        )
    lock = request.form.get("lock_version", "")
    op = request.form.get("op", "")
    selection = editor.target_of(op, request.form)
    try:
        if op == "yaml":
            data, source = _yaml_edit(request.form.get("source", ""))
            selection = editor.Selection("yaml")
        else:
            data, selection = editor.apply(draft.definition, op, request.form)
            source = None
        ops.save_draft(
            session, form, data, user_id=g.membership.user_id,
            lock_version=int(lock) if lock.isdecimal() else -1, source=source,
        )  # fmt: skip
    except panel.EditError as exc:
        session.rollback()
        return _editor(form, draft, selection, error=exc, posted=request.form), 422
    except ops.Conflict as exc:
        session.rollback()
        session.refresh(draft)
        return _editor(form, draft, selection, conflict=str(exc), posted=request.form), 409
    session.commit()
    return _editor(form, draft, selection)


def _yaml_edit(text: str) -> tuple[dict[str, Any], str]:
    from dolbom.forms import yamlio

    if len(text) > MAX_YAML:
        raise panel.EditError("source", _("YAML이 너무 큽니다 (400 KB까지)"))
    try:
        data, _lines = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        where = f"{exc.line}번째 줄: " if exc.line else ""
        raise panel.EditError("source", where + exc.message) from exc
    if not isinstance(data, dict):
        raise panel.EditError(
            "source", _("최상위는 key, title, sections가 있는 키: 값 형식이어야 합니다")
        )
    return data, text


def _preview_ctx():  # type: ignore[no-untyped-def]
    import datetime as dt
    from zoneinfo import ZoneInfo

    today = dt.datetime.now(ZoneInfo("Asia/Seoul")).date()
    return make_ctx("preview", None, queries.dong_choices(db(), today))


def _preview(definition: dict[str, Any]) -> list[tuple[Any, list[QState]]]:
    form, _problems = read_partial(definition)
    if form is None:
        return []
    return [
        (s, [QState(q, input_value(q, None), None) for q in s.questions]) for s in form.sections
    ]


def _editor(
    form: Form,
    draft: FormVersion,
    selection: editor.Selection,
    *,
    error: panel.EditError | None = None,
    conflict: str | None = None,
    posted: Any = None,
):  # type: ignore[no-untyped-def]
    problems = ops.check_definition(draft.definition)
    pm = panel.locate(problems)
    doc = draft.definition
    sections = doc.get("sections") if isinstance(doc.get("sections"), list) else []
    scores = doc.get("scores") if isinstance(doc.get("scores"), list) else []
    selected: dict[str, Any] = {}
    if selection.kind == "question":
        try:
            selected = panel.panel_values(sections[selection.section]["questions"][selection.index])
        except (IndexError, KeyError, TypeError):
            selection = editor.Selection("form")
    elif (selection.kind == "section" and selection.index >= len(sections)) or (
        selection.kind == "score" and selection.index >= len(scores)
    ):
        selection = editor.Selection("form")
    if posted is not None and selection.kind == "question" and (error is not None or conflict):
        selected = {k: posted.get(k, "") for k in (posted or {})} or selected
    yaml_text = (
        posted.get("source") if posted is not None and selection.kind == "yaml" else None
    ) or ops.export_yaml(draft)
    return render_template(
        "forms/admin/edit.html",
        form=form,
        draft=draft,
        doc=doc,
        sections=sections,
        scores=scores,
        selection=selection,
        selected=selected,
        pm=pm,
        problems=problems,
        error=error,
        conflict=conflict,
        posted=posted,
        yaml_text=yaml_text,
        preview=_preview(doc),
        c=_preview_ctx(),
        types=editor.TYPES,
        levels_text=panel.score_levels_text,
    )


@admin_only
def publish(key: str):  # type: ignore[no-untyped-def]
    session = db()
    form = _form_or_404(key)
    current = ops.latest_published(session, form)
    old = (current.number, form_items(current.definition)) if current else (None, {})
    try:
        v = ops.publish(session, form, user_id=g.membership.user_id)
    except ops.DefinitionProblems as exc:
        session.rollback()
        flash(
            _(
                "오류가 %(n)s개 있어 게시할 수 없습니다. 표시된 문항을 고치세요.",
                n=len(exc.problems),
            ),
            "error",
        )
        return redirect(url_for("tenant.forms.edit", key=key), 303)
    except ops.FormsError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("tenant.forms.edit", key=key), 303)
    _record_publish(v, *old)
    session.commit()
    flash(_("버전 %(n)s을(를) 게시했습니다. 새 조사부터 이 버전을 씁니다.", n=v.number), "ok")
    return redirect(url_for("tenant.forms.detail", key=key), 303)


@admin_only
def discard(key: str):  # type: ignore[no-untyped-def]
    session = db()
    form = _form_or_404(key)
    try:
        ops.discard_draft(session, form)
    except ops.FormsError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("tenant.forms.edit", key=key), 303)
    session.commit()
    flash(_("초안을 버렸습니다."), "ok")
    return redirect(url_for("tenant.forms.detail", key=key), 303)
