"""Programmes in the console (`/<tenant>/console/programmes/…`, city administrators): the list by
field, the tenant's own fields, a programme's form, its status, and the providers offering it.

A refused save answers 422 (bad input) or 409 (someone saved first) with the form as it was
sent: the fragment for htmx, the page otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from dolbom.catalogue import admin_forms as forms
from dolbom.catalogue import admin_ops as ops
from dolbom.catalogue import admin_queries as queries
from dolbom.catalogue.models import FUNDING, UNITS, Programme, Provider
from dolbom.identity.access import tenant_roles
from dolbom.web.context import db
from dolbom.web.filters import seoul
from dolbom.web.htmx import is_partial

admin_only = tenant_roles("city_admin")
EP = "tenant.console.catalogue_admin"


def programme_or_404(key: str) -> Programme:
    programme = queries.programme_by_key(db(), key)
    if programme is None:
        abort(404)
    return programme


def provider_or_404(key: str) -> Provider:
    provider = queries.provider_by_key(db(), key)
    if provider is None:
        abort(404)
    return provider


def go(url: str) -> Response:
    """After a save: htmx navigates to the page itself, a plain form follows the redirect."""
    if request.headers.get("HX-Request"):
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, 303)  # type: ignore[return-value]


def user_id() -> int:
    return g.membership.user_id  # type: ignore[no-any-return]


def stale_message(area: str, key: str) -> str:
    change = queries.last_change(db(), area, key)
    if change is None or not change[0]:
        return _("다른 관리자가 먼저 저장했습니다. 지금 저장된 값을 입력란 아래에 보였습니다. "
                 "적은 내용은 그대로 두었으니 확인한 뒤 다시 저장하세요.")  # fmt: skip
    return _("%(who)s님이 %(at)s에 먼저 저장했습니다. 지금 저장된 값을 입력란 아래에 보였습니다. "
             "적은 내용은 그대로 두었으니 확인한 뒤 다시 저장하세요.",
             who=change[0], at=seoul(change[1]))  # fmt: skip


def _confirmed() -> bool:
    return request.form.get("confirm") == "1"


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None


# ── the list and the tenant's own fields


@admin_only
def programmes():  # type: ignore[no-untyped-def]
    return _list()


def _list(status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    session = db()
    known = queries.fields(session)
    f = queries.ProgrammeFilter.from_args(request.args, known)
    ctx = {"groups": queries.programme_groups(session, f, known), "f": f, "fields": known,
           "funding": FUNDING, "units": UNITS, "field_values": {}, "field_errors": {}}  # fmt: skip
    ctx.update(extra)
    if is_partial():
        template = "catalogue_admin/_field_form.html" if request.method == "POST" else (
            "catalogue_admin/_programme_list.html")  # fmt: skip
    else:
        template = "catalogue_admin/programmes.html"
    return render_template(template, **ctx), status


@admin_only
def add_field():  # type: ignore[no-untyped-def]
    session = db()
    try:
        sf = ops.add_field(session, request.form, user_id=user_id())
    except ops.Invalid as exc:
        session.rollback()
        return _list(422, field_values=forms.kept(request.form), field_errors=exc.errors)
    session.commit()
    flash(_("'%(n)s' 분야를 더했습니다", n=sf.name), "ok")
    return go(url_for(f"{EP}.programmes"))


# ── one programme


@dataclass(frozen=True)
class Choices:
    fields: dict[str, str]
    rules: list[queries.RuleChoice]
    forms: list[queries.FormChoice]

    @classmethod
    def load(cls) -> Choices:
        session = db()
        return cls(queries.fields(session), queries.published_rules(session, g.tenant.slug),
                   queries.form_choices(session))  # fmt: skip

    def kwargs(self) -> dict[str, Any]:
        return {"fields": self.fields, "rules": queries.rule_index(self.rules),
                "form_keys": {f.key for f in self.forms}}  # fmt: skip


def _programme_page(programme: Programme | None, values: dict[str, Any], errors: dict[str, str],
                    status: int = 200, *, choices: Choices | None = None,
                    fragment: str = "catalogue_admin/_programme_form.html",
                    **extra: Any):  # type: ignore[no-untyped-def]  # fmt: skip
    session = db()
    c = choices or Choices.load()
    ctx: dict[str, Any] = {
        "programme": programme, "values": values, "errors": errors, "fields": c.fields,
        "funding": FUNDING, "units": UNITS, "rules": c.rules, "forms": c.forms,
        "conflict": None, "current": None, "message": None, "status_message": None,
        "assign_values": {}, "assign_errors": {}, "assign_message": None,
    }  # fmt: skip
    if programme is not None:
        ctx.update(
            assignments=queries.assignments(session, programme),
            unassigned=queries.unassigned_providers(session, programme),
            open_referrals=queries.open_referrals(session, programme_id=programme.id),
        )
    ctx.update(extra)
    partial = is_partial() and request.method == "POST"
    return render_template(fragment if partial else "catalogue_admin/programme.html", **ctx), status


@admin_only
def new_programme():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _programme_page(None, {"field": request.args.get("field", "")}, {})
    session = db()
    choices = Choices.load()
    try:
        programme = ops.create_programme(session, request.form, user_id=user_id(),
                                         **choices.kwargs())  # fmt: skip
    except ops.Invalid as exc:
        session.rollback()
        return _programme_page(None, forms.kept(request.form), exc.errors, 422, choices=choices)
    session.commit()
    flash(_("'%(n)s' 프로그램을 만들었습니다. 제공 기관을 지정하세요.", n=programme.name), "ok")
    return go(url_for(f"{EP}.programme", key=programme.key))


@admin_only
def programme(key: str):  # type: ignore[no-untyped-def]
    session = db()
    p = programme_or_404(key)
    if request.method == "GET":
        return _programme_page(p, forms.programme_form_values(p), {})
    choices = Choices.load()
    try:
        ops.update_programme(session, p, request.form, user_id=user_id(), **choices.kwargs())
    except (ops.Stale, StaleDataError):
        session.rollback()
        fresh = programme_or_404(key)
        values = forms.kept(request.form) | {"version": str(fresh.version)}
        return _programme_page(fresh, values, {}, 409, choices=choices,
                               conflict=stale_message("programme", key),
                               current=forms.programme_form_values(fresh))  # fmt: skip
    except ops.Invalid as exc:
        session.rollback()
        return _programme_page(programme_or_404(key), forms.kept(request.form), exc.errors, 422,
                               choices=choices)  # fmt: skip
    session.commit()
    flash(_("저장했습니다"), "ok")
    return go(url_for(f"{EP}.programme", key=key))


@admin_only
def programme_active(key: str):  # type: ignore[no-untyped-def]
    session = db()
    p = programme_or_404(key)
    active = request.form.get("active") == "1"
    try:
        ops.set_programme_active(session, p, active=active, version=_version(),
                                 confirmed=_confirmed(), user_id=user_id())  # fmt: skip
    except (ops.Stale, StaleDataError):
        session.rollback()
        return _status(key, 409, stale_message("programme", key))
    except ops.Refused as exc:
        session.rollback()
        return _status(key, 422, str(exc))
    session.commit()
    flash(
        _("다시 운영합니다") if active else _("운영을 멈췄습니다. 새 의뢰를 받지 않습니다."),
        "ok",
    )
    return go(url_for(f"{EP}.programme", key=key))


def _status(key: str, status: int, message: str):  # type: ignore[no-untyped-def]
    p = programme_or_404(key)
    return _programme_page(p, forms.programme_form_values(p), {}, status,
                           fragment="catalogue_admin/_programme_status.html",
                           status_message=message)  # fmt: skip


# ── the providers offering a programme


def _assignments(key: str, status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    p = programme_or_404(key)
    return _programme_page(p, forms.programme_form_values(p), {}, status,
                           fragment="catalogue_admin/_assignments.html", **extra)  # fmt: skip


def _after_assignment(key: str, message: str):  # type: ignore[no-untyped-def]
    db().commit()
    if is_partial():
        return _assignments(key, assign_message=message)
    flash(message, "ok")
    return redirect(url_for(f"{EP}.programme", key=key, _anchor="assignments"), 303)


@admin_only
def assign_provider(key: str):  # type: ignore[no-untyped-def]
    session = db()
    p = programme_or_404(key)
    try:
        offer = ops.assign_provider(session, p, request.form, user_id=user_id())
    except ops.Invalid as exc:
        session.rollback()
        return _assignments(key, 422, assign_values=forms.kept(request.form),
                            assign_errors=exc.errors)  # fmt: skip
    return _after_assignment(key, _("%(p)s을(를) 월 %(n)s명으로 지정했습니다",
                                    p=offer.provider.name, n=f"{offer.capacity:,}"))  # fmt: skip


@admin_only
def change_capacity(key: str, provider_key: str):  # type: ignore[no-untyped-def]
    session = db()
    p, provider = programme_or_404(key), provider_or_404(provider_key)
    field = f"cap_{provider.key}"
    form = request.form.copy()
    form["capacity"] = request.form.get(field, request.form.get("capacity", ""))
    try:
        offer = ops.change_capacity(session, p, provider, form, user_id=user_id())
    except ops.Invalid as exc:
        session.rollback()
        return _assignments(key, 422, assign_values=forms.kept(request.form),
                            assign_errors={field: exc.errors["capacity"]})  # fmt: skip
    except ops.Refused as exc:
        session.rollback()
        return _assignments(key, 422, assign_errors={"form": str(exc)})
    return _after_assignment(key, _("%(p)s의 월 정원을 %(n)s명으로 바꿨습니다",
                                    p=provider.name, n=f"{offer.capacity:,}"))  # fmt: skip


@admin_only
def remove_provider(key: str, provider_key: str):  # type: ignore[no-untyped-def]
    session = db()
    p, provider = programme_or_404(key), provider_or_404(provider_key)
    try:
        ops.remove_provider(session, p, provider, user_id=user_id())
    except ops.Refused as exc:
        session.rollback()
        where = f"cap_{provider.key}" if exc.field == "row" else "form"
        return _assignments(key, 422, assign_errors={where: str(exc)})
    return _after_assignment(key, _("%(p)s을(를) 이 프로그램에서 뺐습니다", p=provider.name))
