"""The set-up link (`/invite/<token>`): a new member, or one whose password was reset, sets a
password, and the link is used up. Platform-level: nobody is signed in yet."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from dolbom.identity.models import User
from dolbom.staff import operations as ops
from dolbom.staff import setup_links
from dolbom.staff.forms import MIN_PASSWORD, SetPasswordForm
from dolbom.web.context import db

# The console's small script (the set-up link's copy button) is served from here.
bp = Blueprint("invite", __name__, static_folder="static", static_url_path="/static/staff")


def _unusable(token: str):  # type: ignore[no-untyped-def]
    """Not a link of ours: 404. Ours but used, expired or cancelled: 410."""
    code = 410 if setup_links.well_formed(token) else 404
    return render_template("staff/setup_invalid.html", code=code), code


@bp.route("/invite/<token>", methods=["GET", "POST"])
def setup(token: str):  # type: ignore[no-untyped-def]
    session = db()
    user_id = setup_links.user_for(token)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.active:
        return _unusable(token)
    form = SetPasswordForm()
    if form.validate_on_submit():
        # Used up before the password is saved: of two submissions at once, one wins.
        if setup_links.consume(token) != user.id:
            return _unusable(token)
        ops.set_password(session, user, form.password.data or "")
        session.commit()
        flash(_("비밀번호를 정했습니다. 이메일과 새 비밀번호로 로그인하세요."), "ok")
        return redirect(url_for("auth.login"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "staff/setup.html", form=form, user=user, min_password=MIN_PASSWORD
    ), status
