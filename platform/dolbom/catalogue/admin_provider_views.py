"""Providers in the console (`/<tenant>/console/providers/…`, city administrators): the list
(search, type, programme, pages), a provider's form with the dongs it covers and the programmes
it offers with their monthly places, and its status."""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from dolbom.catalogue import admin_forms as forms
from dolbom.catalogue import admin_ops as ops
from dolbom.catalogue import admin_queries as queries
from dolbom.catalogue.admin_views import (
    EP,
    admin_only,
    go,
    provider_or_404,
    stale_message,
    user_id,
)
from dolbom.catalogue.models import PROVIDER_TYPES, Provider
from dolbom.clock import today
from dolbom.web.context import db
from dolbom.web.htmx import is_partial


@admin_only
def providers():  # type: ignore[no-untyped-def]
    session = db()
    f = queries.ProviderFilter.from_args(request.args)
    template = (
        "catalogue_admin/_provider_list.html" if is_partial() else "catalogue_admin/providers.html"
    )
    return render_template(template, page=queries.provider_page(session, f), f=f,
                           types=PROVIDER_TYPES, programmes=queries.all_programmes(session))  # fmt: skip


def _provider_page(provider: Provider | None, values: dict[str, Any], errors: dict[str, str],
                   status: int = 200, *, fragment: str = "catalogue_admin/_provider_form.html",
                   **extra: Any):  # type: ignore[no-untyped-def]  # fmt: skip
    session = db()
    known = queries.fields(session)
    programmes = queries.all_programmes(session)
    by_field: dict[str, list[Any]] = {}
    for p in programmes:
        by_field.setdefault(p.field, []).append(p)
    order = list(known) + sorted(set(by_field) - set(known))
    ctx: dict[str, Any] = {
        "provider": provider, "values": values, "errors": errors, "types": PROVIDER_TYPES,
        "dongs": queries.current_dongs(session, today()),
        "programme_groups": [(known.get(k, k), by_field[k]) for k in order if k in by_field],
        "open_by_programme": {}, "open_referrals": 0, "conflict": None, "current": None,
        "status_message": None,
    }  # fmt: skip
    if provider is not None:
        by_id = queries.open_by_programme(session, provider.id)
        ctx["open_by_programme"] = {p.key: by_id.get(p.id, 0) for p in programmes}
        ctx["open_referrals"] = sum(by_id.values())
    ctx.update(extra)
    partial = is_partial() and request.method == "POST"
    template = fragment if partial else "catalogue_admin/provider.html"
    return render_template(template, **ctx), status


def _dong_codes() -> set[str]:
    return {d.code for d in queries.current_dongs(db(), today())}


@admin_only
def new_provider():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _provider_page(None, {"coverage": "some", "dongs": []}, {})
    session = db()
    try:
        provider = ops.create_provider(session, request.form, dongs=_dong_codes(),
                                       user_id=user_id())  # fmt: skip
    except ops.Invalid as exc:
        session.rollback()
        return _provider_page(None, forms.kept(request.form), exc.errors, 422)
    session.commit()
    flash(_("'%(n)s' 기관을 만들었습니다", n=provider.name), "ok")
    return go(url_for(f"{EP}.provider", key=provider.key))


@admin_only
def provider(key: str):  # type: ignore[no-untyped-def]
    session = db()
    p = provider_or_404(key)
    if request.method == "GET":
        return _provider_page(p, forms.provider_form_values(p, queries.offers_of(session, p)), {})
    try:
        ops.update_provider(session, p, request.form, dongs=_dong_codes(), user_id=user_id())
    except (ops.Stale, StaleDataError):
        session.rollback()
        fresh = provider_or_404(key)
        values = forms.kept(request.form) | {"version": str(fresh.version)}
        current = forms.provider_form_values(fresh, queries.offers_of(session, fresh))
        return _provider_page(fresh, values, {}, 409, conflict=stale_message("provider", key),
                              current=current)  # fmt: skip
    except ops.Invalid as exc:
        session.rollback()
        return _provider_page(provider_or_404(key), forms.kept(request.form), exc.errors, 422)
    session.commit()
    flash(_("저장했습니다"), "ok")
    return go(url_for(f"{EP}.provider", key=key))


@admin_only
def provider_active(key: str):  # type: ignore[no-untyped-def]
    session = db()
    p = provider_or_404(key)
    active = request.form.get("active") == "1"
    raw = request.form.get("version", "")
    version = int(raw) if raw.isdecimal() and len(raw) < 10 else None
    try:
        ops.set_provider_active(session, p, active=active, version=version,
                                confirmed=request.form.get("confirm") == "1", user_id=user_id())  # fmt: skip
    except (ops.Stale, StaleDataError):
        session.rollback()
        return _status(key, 409, stale_message("provider", key))
    except ops.Refused as exc:
        session.rollback()
        return _status(key, 422, str(exc))
    session.commit()
    flash(
        _("다시 운영합니다") if active else _("운영을 멈췄습니다. 새 의뢰를 받지 않습니다."),
        "ok",
    )
    return go(url_for(f"{EP}.provider", key=key))


def _status(key: str, status: int, message: str):  # type: ignore[no-untyped-def]
    p = provider_or_404(key)
    values = forms.provider_form_values(p, queries.offers_of(db(), p))
    return _provider_page(p, values, {}, status, status_message=message,
                          fragment="catalogue_admin/_provider_status.html")  # fmt: skip
