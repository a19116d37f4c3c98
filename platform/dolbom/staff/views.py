"""Staff accounts in the console (`/<tenant>/console/staff/…`, city administrators): the list,
inviting, a member's role and scope, and the account actions.

A set-up link is shown once, in the answer to the invite or reset that made it: it is never
stored in a way that could show it again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dolbom.identity.access import tenant_roles
from dolbom.identity.models import Membership
from dolbom.staff import operations as ops
from dolbom.staff import queries
from dolbom.web.context import db
from dolbom.web.htmx import is_partial

admin_only = tenant_roles("city_admin")


def _member_or_404(user_id: int, *, lock: bool = False) -> Membership:
    m = queries.member(db(), g.tenant.id, user_id, lock=lock)
    if m is None:
        abort(404)
    return m


def _go(url: str) -> Response:
    """After a save: htmx navigates to the page itself, a plain form follows the redirect."""
    if request.headers.get("HX-Request"):
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, 303)  # type: ignore[return-value]


def _choices(keep_dongs: list[str] | None = None) -> dict[str, Any]:
    session = db()
    return {
        "roles": queries.ROLES,
        "dong_roles": queries.DONG_ROLES,
        "dongs": queries.dong_choices(session, keep_dongs or []),
        "providers": queries.active_providers(session),
    }


@admin_only
def index():  # type: ignore[no-untyped-def]
    page = queries.staff_page(db(), g.tenant.id, request.args)
    template = "staff/_list.html" if is_partial() else "staff/index.html"
    return render_template(template, page=page, roles=queries.ROLES)


def _invite_form(values: dict[str, Any], errors: dict[str, str], status: int = 200):  # type: ignore[no-untyped-def]
    # A refused htmx post swaps just the form; a plain post gets the page again.
    partial = is_partial() and request.method == "POST"
    template = "staff/_invite_form.html" if partial else "staff/invite.html"
    return render_template(template, values=values, errors=errors, **_choices()), status


@admin_only
def invite():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _invite_form({"role": "frontline_worker", "dong_codes": []}, {})
    session = db()
    reading = ops.read_invitation(session, request.form)
    if reading.scope is None:
        return _invite_form(reading.values, reading.errors, 422)
    try:
        link = ops.invite(session, g.tenant.id, name=reading.name, email=reading.email,
                          scope=reading.scope, by=g.membership.user_id)  # fmt: skip
    except ops.StaffError as exc:
        session.rollback()
        return _invite_form(reading.values, exc.fields or {"form": exc.message}, exc.status)
    session.commit()
    return _show_link(link, invited=True)


def _show_link(link: ops.SetupLink, *, invited: bool):  # type: ignore[no-untyped-def]
    template = "staff/_link.html" if is_partial() else "staff/link.html"
    url = url_for("invite.setup", token=link.token, _external=True)
    return render_template(template, link=link, url=url, invited=invited)


def _member_page(m: Membership, status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    """The member's page, or (after an htmx post to the form) just the form again."""
    values = {"role": m.role, "dong_codes": list(m.dong_codes or []),
              "provider_id": str(m.provider_id or "")}  # fmt: skip
    context = {"m": m, "state": queries.state_of(m), "values": values, "errors": {},
               "message": None, "action_message": None,
               "others": [o for o in m.user.memberships if o.tenant_id != m.tenant_id],
               **_choices(list(m.dong_codes or []))}  # fmt: skip
    context.update(extra)
    partial = is_partial() and request.method == "POST" and "action_message" not in extra
    template = "staff/_member_form.html" if partial else "staff/member.html"
    return render_template(template, **context), status


@admin_only
def member(user_id: int):  # type: ignore[no-untyped-def]
    return _member_page(_member_or_404(user_id))


@admin_only
def update(user_id: int):  # type: ignore[no-untyped-def]
    session = db()
    m = _member_or_404(user_id, lock=True)
    reading = ops.read_scope(session, request.form, current=m)
    if reading.scope is None:
        return _member_page(m, 422, values=reading.values, errors=reading.errors)
    try:
        ops.change_scope(session, m, reading.scope, state=_state(), by=g.membership.user_id)
    except ops.Conflict as exc:
        session.rollback()
        return _member_page(_member_or_404(user_id), exc.status, message=exc.message)
    except ops.StaffError as exc:
        session.rollback()
        # A refusal about a field is said next to it; any other above the form.
        return _member_page(_member_or_404(user_id), exc.status, values=reading.values,
                            errors=exc.fields, message=None if exc.fields else exc.message)  # fmt: skip
    session.commit()
    flash(_("역할과 담당 범위를 저장했습니다."), "ok")
    return _go(url_for("tenant.console.staff.member", user_id=user_id))


def _action(user_id: int, change: Callable[..., Any]) -> tuple[Any, Any]:
    """Run one account action on the locked member: (its result, None), or (None, the member
    page saying why it was refused)."""
    session = db()
    m = _member_or_404(user_id, lock=True)
    try:
        result = change(session, m, state=_state(), by=g.membership.user_id)
    except ops.StaffError as exc:
        session.rollback()
        return None, _member_page(_member_or_404(user_id), exc.status, action_message=exc.message)
    session.commit()
    return result, None


@admin_only
def deactivate(user_id: int):  # type: ignore[no-untyped-def]
    _none, refused = _action(user_id, ops.deactivate)
    if refused:
        return refused
    flash(_("계정을 비활성화했습니다. 열려 있던 세션은 모두 끝났습니다."), "ok")
    return redirect(url_for("tenant.console.staff.member", user_id=user_id), 303)


@admin_only
def reactivate(user_id: int):  # type: ignore[no-untyped-def]
    _none, refused = _action(user_id, ops.reactivate)
    if refused:
        return refused
    flash(_("계정을 다시 활성화했습니다."), "ok")
    return redirect(url_for("tenant.console.staff.member", user_id=user_id), 303)


@admin_only
def reset_password(user_id: int):  # type: ignore[no-untyped-def]
    link, refused = _action(user_id, ops.reset_password)
    return refused or _show_link(link, invited=False)


@admin_only
def remove(user_id: int):  # type: ignore[no-untyped-def]
    switched_off, refused = _action(user_id, ops.remove)
    if refused:
        return refused
    if switched_off:
        flash(_("이 기관에서 뺐습니다. 다른 기관 소속이 없어 계정도 비활성화했습니다."), "ok")
    else:
        flash(_("이 기관에서 뺐습니다. 다른 기관의 소속은 그대로입니다."), "ok")
    return redirect(url_for("tenant.console.staff.index"), 303)


def _state() -> str:
    """The member's state the form was rendered from; a form without one is stale."""
    return (request.form.get("state") or "")[:40]
