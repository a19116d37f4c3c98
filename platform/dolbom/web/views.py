"""Platform-level pages: home, health, metrics."""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from dolbom.identity.models import Role
from dolbom.kv import get_redis
from dolbom.tenancy.models import Tenant
from dolbom.web.context import db
from dolbom.web.observability import metrics_response

bp = Blueprint("shell", __name__)


@bp.get("/")
@login_required
def home():  # type: ignore[no-untyped-def]
    from dolbom.identity.views import home_for

    if current_user.platform_role:
        return redirect(home_for(current_user))
    ids = [m.tenant_id for m in current_user.memberships]
    tenants = db().scalars(sa.select(Tenant).where(Tenant.id.in_(ids)).order_by(Tenant.name)).all()
    if len(tenants) == 1:
        return redirect(url_for("tenant.landing", tenant=tenants[0].slug))
    return render_template("shell/home.html", tenants=tenants)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    status = {"database": "ok", "redis": "ok"}
    try:
        db().execute(sa.text("SELECT 1"))
    except Exception:
        status["database"] = "unavailable"
    try:
        get_redis().ping()
    except Exception:
        status["redis"] = "unavailable"
    ok = all(v == "ok" for v in status.values())
    return jsonify(status=("ok" if ok else "degraded"), **status), (200 if ok else 503)


@bp.get("/metrics")
def metrics():  # type: ignore[no-untyped-def]
    token = current_app.config["DOLBOM_SETTINGS"].metrics_token
    auth = request.headers.get("Authorization", "")
    by_token = bool(token) and hmac.compare_digest(auth, f"Bearer {token}")
    by_session = (
        current_user.is_authenticated and current_user.platform_role == Role.PLATFORM_OPERATOR
    )
    if not (by_token or by_session):
        abort(403)
    return metrics_response()
