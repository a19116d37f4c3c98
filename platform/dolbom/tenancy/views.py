from __future__ import annotations

from flask import g, render_template

from dolbom.districts.queries import dong_names, gu_summary
from dolbom.plugins.host import get_host
from dolbom.tenancy.operations import tenant_context
from dolbom.web.context import db


def landing():  # type: ignore[no-untyped-def]
    session = db()
    ctx = tenant_context(g.tenant, g.membership.role, g.membership.user_id)
    return render_template(
        "tenant/landing.html",
        gus=gu_summary(session),
        panels=get_host().call(
            "dolbom_landing_panels", g.enabled_plugins, ctx=ctx, session=session
        ),
        scope=dong_names(session, g.membership.dong_codes),
    )
