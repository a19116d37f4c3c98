"""Rule sets for city administrators (`/<tenant>/rules/…`): list, read, edit the draft (YAML,
dated parameter values, examples), what-if preview, publish gated by examples, discard."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from dolbom.clock import today
from dolbom.console.changes import record_change
from dolbom.console.versioned import record_published, rule_items
from dolbom.forms import yamlio
from dolbom.identity.access import tenant_roles
from dolbom.rules import forms, queries
from dolbom.rules import operations as ops
from dolbom.rules.catalogue import compiled_version, tenant_catalogue
from dolbom.rules.definition import RuleSetProblems
from dolbom.rules.examples import run_examples
from dolbom.rules.models import RuleSet
from dolbom.web.context import db

admin_only = tenant_roles("city_admin")
MAX_SOURCE = 400_000


def _ruleset_or_404(key: str, *, lock: bool = False) -> RuleSet:
    rs = ops.get_ruleset(db(), key, lock=lock)
    if rs is None:
        abort(404)
    return rs


@admin_only
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "rules/index.html", rows=queries.all_rulesets(db()), errors={}, values={}
    )


@admin_only
def create():  # type: ignore[no-untyped-def]
    session = db()
    key = (request.form.get("key") or "").strip()
    title = (request.form.get("title") or "").strip()
    errors: dict[str, str] = {}
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,49}", key):
        errors["key"] = _("키는 영문 소문자로 시작하고 소문자·숫자·_·-만 쓸 수 있습니다 (50자까지)")
    elif ops.get_ruleset(session, key) is not None:
        errors["key"] = _("같은 키의 규칙 묶음이 이미 있습니다")
    if not title:
        errors["title"] = _("제목을 적으세요")
    elif len(title) > 200:
        errors["title"] = _("제목은 200자까지입니다")
    if errors:
        return render_template("rules/index.html", rows=queries.all_rulesets(session), errors=errors,
                               values={"key": key, "title": title}), 422  # fmt: skip
    ops.new_ruleset(session, key, title, user_id=g.membership.user_id)
    record_change(session, "rule", key, before=None, after={"title": title, "state": "초안"},
                  user_id=g.membership.user_id)  # fmt: skip
    session.commit()
    return redirect(url_for("tenant.rules.edit", key=key), 303)


@admin_only
def detail(key: str):  # type: ignore[no-untyped-def]
    session = db()
    rs = _ruleset_or_404(key)
    current = ops.current_of(session, rs)
    draft = ops.draft_of(session, rs)
    view = queries.version_view(session, g.tenant.slug, current) if current else None
    return render_template("rules/detail.html", rs=rs, current=current, draft=draft, view=view,
                           versions=queries.versions_of(session, rs))  # fmt: skip


@admin_only
def version(key: str, number: int):  # type: ignore[no-untyped-def]
    session = db()
    rs = _ruleset_or_404(key)
    v = queries.version(session, rs, number)
    if v is None:
        abort(404)
    view = queries.version_view(session, g.tenant.slug, v)
    return render_template("rules/version.html", rs=rs, version=v, view=view)


@admin_only
def export(key: str, number: int):  # type: ignore[no-untyped-def]
    rs = _ruleset_or_404(key)
    v = queries.version(db(), rs, number)
    if v is None:
        abort(404)
    return Response(v.source, mimetype="application/yaml", headers={
        "Content-Disposition": f'attachment; filename="{rs.key}-v{number}.yaml"'})  # fmt: skip


def _editor(rs: RuleSet, status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    session = db()
    draft = ops.draft_of(session, rs)
    if draft is None:
        return redirect(url_for("tenant.rules.detail", key=rs.key), 303)
    crs, problems, ruleset = compiled_version(session, g.tenant.slug, draft)
    failures = run_examples(crs) if crs is not None else None
    catalogue, _key = tenant_catalogue(session, g.tenant.slug)
    ctx = {
        "rs": rs, "draft": draft, "problems": problems, "ruleset": ruleset, "failures": failures,
        "facts": forms.fact_fields(catalogue), "today": today().isoformat(),
        "source": extra.pop("source", draft.source), "view": queries.draft_view(crs, ruleset),
        "param_errors": {}, "param_values": {}, "example_errors": {}, "example_values": {},
    }  # fmt: skip
    ctx.update(extra)
    return render_template("rules/edit.html", **ctx), status


@admin_only
def edit(key: str):  # type: ignore[no-untyped-def]
    session = db()
    if request.method == "GET":
        rs = _ruleset_or_404(key)
        if ops.draft_of(session, rs) is None:
            ops.open_draft(session, rs, user_id=g.membership.user_id)
            session.commit()
        return _editor(rs)
    rs = _ruleset_or_404(key, lock=True)
    source = (request.form.get("source") or "").replace("\r\n", "\n")
    if len(source) > MAX_SOURCE:
        return _editor(
            rs, 422, source=source[:MAX_SOURCE], message=_("400 KB까지 저장할 수 있습니다")
        )
    try:
        _draft, problems = ops.save_draft(session, g.tenant.slug, rs, source, user_id=g.membership.user_id,
                                          lock=_lock())  # fmt: skip
    except ops.Conflict as exc:
        session.rollback()
        return _editor(rs, 409, source=source, message=str(exc))
    session.commit()
    if problems:
        return _editor(rs, 422, message=_("저장했지만 고칠 곳이 %(n)d개 있습니다", n=len(problems)))
    return _editor(rs, message=_("저장했습니다"))


@admin_only
def add_parameter_value(key: str):  # type: ignore[no-untyped-def]
    session = db()
    rs = _ruleset_or_404(key, lock=True)
    draft = ops.open_draft(session, rs, user_id=g.membership.user_id)
    _crs, _p, ruleset = compiled_version(session, g.tenant.slug, draft)
    parsed, errors = forms.parse_parameter_value(request.form, ruleset)
    if errors:
        return _editor(rs, 422, param_errors=errors, param_values=request.form)
    try:
        _draft, problems = ops.edit_draft_data(session, g.tenant.slug, rs, forms.add_value(parsed),
                                               user_id=g.membership.user_id,
                                               lock=_lock())  # fmt: skip
    except ops.RulesError as exc:
        session.rollback()
        return _editor(rs, 409, param_errors={"form": str(exc)}, param_values=request.form)
    session.commit()
    label = parsed["label"]
    return _editor(rs, 422 if problems else 200,
                   message=_("'%(p)s'에 %(d)s부터의 값을 더했습니다", p=label, d=parsed["from"]))  # fmt: skip


@admin_only
def add_example(key: str):  # type: ignore[no-untyped-def]
    session = db()
    rs = _ruleset_or_404(key, lock=True)
    draft = ops.open_draft(session, rs, user_id=g.membership.user_id)
    _crs, _p, ruleset = compiled_version(session, g.tenant.slug, draft)
    catalogue, _k = tenant_catalogue(session, g.tenant.slug)
    example, errors = forms.parse_example(request.form, ruleset, catalogue)
    if errors:
        return _editor(rs, 422, example_errors=errors, example_values=request.form)
    try:
        ops.edit_draft_data(session, g.tenant.slug, rs, forms.append_example(example),
                            user_id=g.membership.user_id,
                            lock=_lock())  # fmt: skip
    except ops.RulesError as exc:
        session.rollback()
        return _editor(rs, 409, example_errors={"form": str(exc)}, example_values=request.form)
    session.commit()
    return _editor(rs, message=_("예시 '%(n)s'을(를) 더했습니다", n=example["name"]))


@admin_only
def publish(key: str):  # type: ignore[no-untyped-def]
    session = db()
    rs = _ruleset_or_404(key, lock=True)
    current = ops.current_of(session, rs)
    old_number, old_items = (current.number, _items(current.source)) if current else (None, {})
    try:
        v = ops.publish(session, g.tenant.slug, rs, user_id=g.membership.user_id, lock=_lock())
    except ops.ExamplesFailed as exc:
        session.rollback()
        return _editor(_ruleset_or_404(key), 422, publish_failures=exc.failures,
                       message=_("예시 %(n)d건이 기대와 달라 게시하지 않았습니다", n=len(exc.failures)))  # fmt: skip
    except RuleSetProblems as exc:
        session.rollback()
        return _editor(_ruleset_or_404(key), 422,
                       message=_("고칠 곳이 %(n)d개 있어 게시하지 않았습니다", n=len(exc.problems)))  # fmt: skip
    except ops.Conflict as exc:
        session.rollback()
        return _editor(_ruleset_or_404(key), 409, message=str(exc))
    except ops.RulesError as exc:
        session.rollback()
        return _editor(_ruleset_or_404(key), 422, message=str(exc))
    record_published(session, "rule", rs.key, old_number=old_number, new_number=v.number or 0,
                     old_items=old_items, new_items=_items(v.source),
                     user_id=g.membership.user_id)  # fmt: skip
    session.commit()
    flash(_("버전 %(n)d을(를) 게시했습니다. 지금부터의 판정에 쓰입니다.", n=v.number), "success")
    return redirect(url_for("tenant.rules.detail", key=key), 303)


@admin_only
def discard(key: str):  # type: ignore[no-untyped-def]
    session = db()
    rs = _ruleset_or_404(key, lock=True)
    try:
        ops.discard_draft(session, rs, lock=_lock())
    except ops.RulesError as exc:
        session.rollback()
        return _editor(_ruleset_or_404(key), 409, message=str(exc))
    session.commit()
    flash(_("초안을 버렸습니다"), "success")
    return redirect(url_for("tenant.rules.detail", key=key), 303)


def _items(source: str) -> dict[str, str]:
    """A version's parts for the change log; published sources always parse."""
    try:
        data, _lines = yamlio.load(source)
    except yamlio.YamlProblem:
        return {}
    return rule_items(data if isinstance(data, dict) else None)


def _lock() -> str:
    """The editor's lock token; a form without one is stale by definition."""
    return (request.form.get("lock") or "")[:40]


def whatif_inline_max() -> int:
    return int(current_app.config.get("RULES_WHATIF_INLINE_MAX", 2000))
