"""The Flask application factory."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from dolbom import services
from dolbom.config import ROOT, Settings
from dolbom.people import pii
from dolbom.plugins.host import PluginHost, get_host

HERE = Path(__file__).resolve().parent
csrf = CSRFProtect()
babel = Babel()


def select_locale() -> str:
    lang = session.get("lang")
    if lang in ("ko", "en"):
        return lang
    return "ko"


def create_app(
    settings: Settings | None = None,
    *,
    connect: bool = True,
    host: PluginHost | None = None,
) -> Flask:
    from dolbom.admin.views import bp as admin_bp
    from dolbom.console import labels as console_labels
    from dolbom.forms import init_app as forms_init
    from dolbom.identity.current import login_manager
    from dolbom.identity.views import bp as auth_bp
    from dolbom.ministry.views import bp as ministry_bp
    from dolbom.staff.invite_views import bp as invite_bp
    from dolbom.tenancy.blueprint import make_blueprint
    from dolbom.web import errors, filters, observability, security
    from dolbom.web.context import close_db
    from dolbom.web.htmx import is_partial, layout
    from dolbom.web.nav import navigation
    from dolbom.web.views import bp as shell_bp

    settings = settings or Settings.from_env()
    observability.configure_logging(settings.log_level)
    pii.configure(settings.pii_key)
    if connect:
        services.connect(settings)
    host = host or get_host()

    app = Flask(
        "dolbom",
        template_folder=str(ROOT / "templates"),
        static_folder=str(HERE / "static"),
    )
    idle = timedelta(minutes=settings.session_idle_minutes)
    app.config.update(
        DOLBOM_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="dolbom_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=idle,
        SESSION_IDLE_SECONDS=int(idle.total_seconds()),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the (idle-limited) session
        BABEL_DEFAULT_LOCALE="ko",
        BABEL_DEFAULT_TIMEZONE="Asia/Seoul",
        # The core's catalogue first, then each plugin's own (Flask-Babel merges them).
        BABEL_TRANSLATION_DIRECTORIES=";".join(
            [str(HERE / "translations")]
            + [str(t) for p in host.plugins.values() if (t := getattr(p, "translations", None))]
        ),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.extensions["dolbom_host"] = host
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    observability.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    console_labels.init_app(app)
    forms_init(app)
    app.teardown_appcontext(close_db)

    if settings.proxies:
        # Behind N reverse proxies: trust their X-Forwarded-* so HTTPS is seen (HSTS, Secure
        # cookies) and logs and throttling get the client's address, not the proxy's.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    app.register_blueprint(shell_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(ministry_bp)
    app.register_blueprint(invite_bp)
    app.register_blueprint(make_blueprint(host))

    @app.context_processor
    def shell_context() -> dict:
        return {
            "me": current_user._get_current_object(),
            "nav": navigation(request.endpoint),
            "lang": select_locale(),
            "partial": is_partial(),
            "layout": layout(),
        }

    return app
