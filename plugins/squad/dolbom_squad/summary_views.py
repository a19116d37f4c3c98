"""The monthly summary page and its CSV export (aggregates only: no person in them)."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from dolbom.plugins.api import is_partial, request_session, today
from dolbom_squad import summary as figures
from dolbom_squad.models import KINDS
from dolbom_squad.queries import parse_month
from dolbom_squad.web import dong_choices, names, scope, staff


def _summary(first):  # type: ignore[no-untyped-def]
    session = request_session()
    order = [d.code for d in dong_choices(session)]
    return figures.monthly(session, first, scope(), order)


@staff
def index():  # type: ignore[no-untyped-def]
    raw = request.args.get("month", "").strip()
    first = parse_month(raw) if raw else today().replace(day=1)
    errors = {}
    if first is None:
        errors["month"] = _("달을 YYYY-MM으로 적으세요 (예: 2026-10)")
        first = today().replace(day=1)
    s = _summary(first)
    context = {"s": s, "month": raw if errors else first.strftime("%Y-%m"), "errors": errors,
               "names": names(request_session(), {r.dong_code for r in s.rows}),
               "kinds": KINDS, "days": figures.days_label}  # fmt: skip
    template = "squad/_summary.html" if is_partial() else "squad/summary.html"
    return render_template(template, **context), 422 if errors else 200


@staff
def export(month: str, fmt: str):  # type: ignore[no-untyped-def]
    first = parse_month(month)
    if first is None or fmt != "csv":
        abort(404)
    s = _summary(first)
    body = figures.to_csv(s, names(request_session(), {r.dong_code for r in s.rows}))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="squad-summary-{month}.csv"'})  # fmt: skip
