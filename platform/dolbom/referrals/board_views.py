"""`/<tenant>/referrals/`: the board for coordinators and city administrators. It lists cases by
number, programme and provider only — no names — so it is not a view of anyone's record."""

from __future__ import annotations

from flask import abort, render_template, request

from dolbom.catalogue.models import Programme, Provider
from dolbom.clock import today
from dolbom.identity.access import tenant_roles
from dolbom.referrals import board
from dolbom.web.context import db

board_roles = tenant_roles("coordinator", "city_admin")


def _id(name: str) -> int | None:
    raw = request.args.get(name, "")
    if raw == "":
        return None
    if not raw.isdecimal() or len(raw) > 9:
        abort(400, description=f"{name}: 번호가 아닙니다")
    return int(raw)


@board_roles
def index():  # type: ignore[no-untyped-def]
    session = db()
    provider_id, programme_id = _id("provider"), _id("programme")
    kind = request.args.get("kind", "overdue")
    if kind not in board.PROBLEMS:
        abort(400, description="kind: 알 수 없는 목록입니다")
    day = today()
    return render_template(
        "referrals/board.html",
        rows=board.rows(session, day, provider_id, programme_id),
        items=board.referrals(session, day, kind, provider_id, programme_id),
        kind=kind, problems=board.PROBLEMS, provider=session.get(Provider, provider_id) if provider_id else None,
        programme=session.get(Programme, programme_id) if programme_id else None,
        today=day, limit=board.LIST_LIMIT, recent=board.RECENT_DAYS,
    )  # fmt: skip
