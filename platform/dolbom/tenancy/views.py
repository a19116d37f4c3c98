from __future__ import annotations

import sqlalchemy as sa
from flask import g, render_template

from dolbom.districts.models import Dong, Gu
from dolbom.plugins.host import get_host
from dolbom.tenancy.operations import tenant_context
from dolbom.web.context import db


def landing():  # type: ignore[no-untyped-def]
    session = db()
    today = sa.func.current_date()
    gus = session.scalars(sa.select(Gu).order_by(Gu.name)).all()
    counts = dict(
        session.execute(
            sa.select(Dong.gu_id, sa.func.count())
            .where(Dong.valid_from <= today, sa.or_(Dong.valid_to.is_(None), Dong.valid_to > today))
            .group_by(Dong.gu_id)
        ).all()
    )
    ctx = tenant_context(g.tenant, g.membership.role, g.membership.user_id)
    panels = get_host().call("dolbom_landing_panels", g.enabled_plugins, ctx=ctx, session=session)
    scope = []
    if g.membership.dong_codes:
        scope = session.scalars(
            sa.select(Dong.name).where(Dong.code.in_(g.membership.dong_codes)).order_by(Dong.name)
        ).all()
    return render_template(
        "tenant/landing.html",
        gus=gus,
        counts=counts,
        panels=panels,
        scope=scope,
    )
