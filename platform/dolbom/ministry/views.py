"""Ministry analysts: cross-city figures only, never a person (comparisons: issue 8)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template

from dolbom.identity.access import platform_role_required
from dolbom.identity.models import Role
from dolbom.tenancy.models import Tenant
from dolbom.web.context import db

bp = Blueprint("ministry", __name__, url_prefix="/ministry")


@bp.get("/")
@platform_role_required(Role.MINISTRY_ANALYST)
def index():  # type: ignore[no-untyped-def]
    tenants = (
        db()
        .execute(sa.select(Tenant.name, Tenant.region).order_by(Tenant.region, Tenant.name))
        .all()
    )
    return render_template("ministry/index.html", tenants=tenants)
