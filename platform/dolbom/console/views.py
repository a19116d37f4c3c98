"""The console's own pages: overview with readiness, profile, case-work settings, plugins,
packs and the change log. Thin: the work is in settings.py, changes.py and dolbom.packs."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dolbom.config import ROOT
from dolbom.console import settings as cs
from dolbom.console.changes import AREAS, changes
from dolbom.identity.access import tenant_roles
from dolbom.web.context import db

admin_only = tenant_roles("city_admin")


@admin_only
def index():  # type: ignore[no-untyped-def]
    session = db()
    from dolbom.tenant_settings import get as setting

    return render_template(
        "console/index.html",
        readiness=cs.readiness(session),
        todo=setting(session, "todo", None) or [],
        recent=changes(session, per_page=8).rows,
        profile=cs.profile(session),
    )


@admin_only
def profile():  # type: ignore[no-untyped-def]
    session = db()
    values = {"name": g.tenant.name, "region": g.tenant.region or "",
              **cs.flat(cs.profile(session))}  # fmt: skip
    from dolbom.tenant_settings import get as setting

    values["todo"] = "\n".join(setting(session, "todo", None) or [])
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in values}
        try:
            cs.save_profile(session, g.tenant.slug, values, user_id=g.membership.user_id)
        except cs.Invalid as exc:
            session.rollback()
            errors = exc.errors
        else:
            session.commit()
            cs.after_commit(session)
            flash(_("기관 정보를 저장했습니다."), "ok")
            return redirect(url_for("tenant.console.profile"), 303)
    return render_template(
        "console/profile.html", values=values, errors=errors
    ), 422 if errors else 200


@admin_only
def case_settings():  # type: ignore[no-untyped-def]
    session = db()
    current = cs.case_settings(session)
    values = {f"level_{k}": str(v) for k, v in current["levels"].items()}
    values["months"] = ", ".join(str(m) for m in current["months"])
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in values}
        try:
            cs.save_case_settings(session, values, user_id=g.membership.user_id)
        except cs.Invalid as exc:
            session.rollback()
            errors = exc.errors
        else:
            session.commit()
            flash(_("처리 기한과 모니터링 시점을 저장했습니다."), "ok")
            return redirect(url_for("tenant.console.case_settings"), 303)
    from dolbom.cases.deadlines import SERVICE_LEVELS

    return render_template(
        "console/settings.html", values=values, errors=errors, levels=SERVICE_LEVELS
    ), 422 if errors else 200


@admin_only
def plugins():  # type: ignore[no-untyped-def]
    from dolbom.plugins.host import get_host

    host = get_host()
    return render_template(
        "console/plugins.html",
        plugins=sorted(host.plugins.items()),
        enabled=g.enabled_plugins,
    )


@admin_only
def toggle_plugin(name: str):  # type: ignore[no-untyped-def]
    from dolbom.console.changes import record_change
    from dolbom.plugins.host import get_host
    from dolbom.tenancy import directory
    from dolbom.tenancy.operations import TenantError, switch_plugin

    if name not in get_host().plugins:
        abort(404)
    enabled = request.form.get("enabled") == "1"
    session = db()
    try:
        switch_plugin(session, g.tenant.slug, name, enabled, user_id=g.membership.user_id)
        record_change(session, "plugin", name, before={"enabled": name in g.enabled_plugins},
                      after={"enabled": enabled}, user_id=g.membership.user_id)  # fmt: skip
        session.commit()
    except TenantError as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        directory.changed()
        flash(_("플러그인을 켰습니다.") if enabled else _("플러그인을 껐습니다."), "ok")
    return redirect(url_for("tenant.console.plugins"), 303)


def _shipped_pack():  # type: ignore[no-untyped-def]
    """The pack shipped for this tenant (tenants/<slug>/), read for this tenant's slug."""
    from dolbom.tenancy.packs import PackError, read_pack

    folder = ROOT / "tenants" / g.tenant.slug
    if not (folder / "tenant.yaml").exists():
        return None, []
    try:
        pack = read_pack(folder)
    except PackError as exc:
        return None, exc.errors
    return pack, []


@admin_only
def packs():  # type: ignore[no-untyped-def]
    from dolbom.packs.apply import preview
    from dolbom.packs.diff import effective, summary

    pack, errors = _shipped_pack()
    diff = preview(g.tenant.slug, pack) if pack is not None else []
    return render_template(
        "console/packs.html",
        pack=pack,
        errors=errors,
        changes=effective(diff),
        counts=summary(diff),
        token=_token(diff),
    )


def _token(diff) -> str:  # type: ignore[no-untyped-def]
    """A fingerprint of the difference shown: applying confirms exactly what was seen."""
    import hashlib

    text = repr([(c.area, c.key, c.action, c.before, c.after) for c in diff])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@admin_only
def apply_pack():  # type: ignore[no-untyped-def]
    from dolbom.packs.apply import apply_pack as apply
    from dolbom.packs.apply import preview
    from dolbom.tenancy.packs import PackError

    pack, _errors = _shipped_pack()
    if pack is None:
        abort(404)
    diff = preview(g.tenant.slug, pack)
    if request.form.get("token") != _token(diff):
        flash(_("본 뒤에 설정이 바뀌었습니다. 차이를 다시 확인하고 적용하세요."), "error")
        return redirect(url_for("tenant.console.packs"), 303)
    try:
        done = apply(g.tenant.slug, pack, user_id=g.membership.user_id, expected=diff)
    except PackError as exc:
        return render_template(
            "console/packs.html", pack=pack, errors=exc.errors, changes=diff, counts=None,
            token=_token(diff), refused=True,
        ), 422  # fmt: skip
    flash(_("설정 팩을 적용했습니다 (%(n)d건).", n=len([c for c in done if c.action != "keep"])),
          "ok")  # fmt: skip
    return redirect(url_for("tenant.console.packs"), 303)


@admin_only
def change_log():  # type: ignore[no-untyped-def]
    area = request.args.get("area") or None
    page = request.args.get("page", "1")
    if (area is not None and area not in AREAS) or not page.isdecimal() or int(page) < 1:
        abort(400)
    result = changes(db(), area=area, page=int(page))
    import sqlalchemy as sa

    from dolbom.identity.models import User

    ids = {r.user_id for r in result.rows if r.user_id}
    names = dict(db().execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())
    return render_template("console/changes.html", result=result, area=area, areas=AREAS,
                           names=names)  # fmt: skip
