from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from dolbom.identity import sessions
from dolbom.identity.current import CurrentUser, idle_seconds
from dolbom.identity.forms import LoginForm
from dolbom.identity.models import Role
from dolbom.identity.operations import authenticate
from dolbom.web.context import db

bp = Blueprint("auth", __name__)

LANGUAGES = ("ko", "en")


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: never redirect a signed-in user to another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def home_for(user: CurrentUser) -> str:
    if user.platform_role == Role.PLATFORM_OPERATOR:
        return url_for("admin.tenants")
    if user.platform_role == Role.MINISTRY_ANALYST:
        return url_for("ministry.index")
    return url_for("shell.home")


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_for(current_user))
    form = LoginForm()
    status = 200
    error = None
    if form.validate_on_submit():
        settings = current_app.config["DOLBOM_SETTINGS"]
        result = authenticate(
            db(),
            settings,
            form.email.data or "",
            form.password.data or "",
            request.remote_addr or "-",
        )
        if result.locked:
            error = _(
                "로그인 시도가 너무 많습니다. %(minutes)d분 뒤에 다시 시도하세요.",
                minutes=settings.login_lockout_minutes,
            )
            status = 429
        elif result.user is None:
            error = _("이메일 또는 비밀번호가 올바르지 않습니다.")
            status = 401
        else:
            next_url = request.args.get("next")
            lang = session.get("lang")
            old = getattr(current_user, "token", None)
            if old:
                sessions.end(old)
            # A fresh cookie and a fresh server-side token: nothing carries over from before.
            session.clear()
            if lang:
                session["lang"] = lang
            token = sessions.start(result.user, idle_seconds())
            user = CurrentUser(sessions.snapshot(result.user), token)
            # A browser-session cookie: the idle timeout is kept server-side (the token's TTL),
            # so the cookie need not be re-signed on every response.
            login_user(user)
            return redirect(safe_next(next_url, home_for(user)))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    token = getattr(current_user, "token", None)
    if token:
        sessions.end(token)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("로그아웃했습니다."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/lang")
def set_language():  # type: ignore[no-untyped-def]
    lang = request.form.get("lang", "ko")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))
