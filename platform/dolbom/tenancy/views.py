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
    current = sa.and_(
        Dong.gu_id == Gu.id,
        Dong.valid_from <= today,
        sa.or_(Dong.valid_to.is_(None), Dong.valid_to > today),
    )
    # Each gu with its number of dongs valid today, in one query.
    gus = session.execute(
        sa.select(Gu.name, Gu.population_65, sa.func.count(Dong.id).label("dongs"))
        .outerjoin(Dong, current)
        .group_by(Gu.id)
        .order_by(Gu.name)
    ).all()
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
        panels=panels,
        scope=scope,
    )
