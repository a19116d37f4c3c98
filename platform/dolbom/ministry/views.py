"""Ministry analysts (`/ministry/…`): the comparison of all local governments, a city's page,
chart data, exports and the rollup. Figures only, never a person; every view and export is in
the platform's audit trail. Thin: the work is in queries.py, export.py and jobs.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from dolbom import audit
from dolbom.identity.access import platform_role_required
from dolbom.identity.models import Role
from dolbom.jobs import reconcile
from dolbom.jobs.models import JobRecord
from dolbom.ministry import export, jobs, metrics, queries
from dolbom.ministry.rollup import add_months
from dolbom.ministry.suppression import RULE_TEXT
from dolbom.tenancy.packs import PILOT_FIELDS
from dolbom.web.context import db

bp = Blueprint("ministry", __name__, url_prefix="/ministry")
analyst = platform_role_required(Role.MINISTRY_ANALYST)


def _log(action: str, **detail: Any) -> None:
    """The audit entry for what an analyst saw or took away (filters, never a person)."""
    session = db()
    audit.record(session, action, user_id=current_user.user_id, ip=request.remote_addr, **detail)
    session.commit()


def _table_or_400():  # type: ignore[no-untyped-def]
    session = db()
    available = queries.months(session)
    cities = queries.cities(session)
    try:
        f = queries.parse_filters(request.args, available, cities)
    except queries.BadFilter as exc:
        return None, (render_template("ministry/bad_filter.html", message=str(exc)), 400)
    return (queries.comparison(session, f, cities), available, cities), None


@bp.get("/")
@analyst
def index():  # type: ignore[no-untyped-def]
    got, refused = _table_or_400()
    if refused:
        return refused
    table, available, cities = got
    _log("ministry_view", page="comparison", **queries.describe(table.filters))
    failed = [c for c in cities if c.status == "failed"]
    never = [c for c in cities if c.status is None]
    return render_template(
        "ministry/index.html", table=table, months=available, cities=cities, failed=failed,
        never=never, regions=sorted({c.region for c in cities}), fields=PILOT_FIELDS,
        bands=queries.BANDS, metrics=metrics, q=queries, rule=RULE_TEXT,
        running=_running(),
    )  # fmt: skip


@bp.get("/export.<fmt>")
@analyst
def export_table(fmt: str):  # type: ignore[no-untyped-def]
    if fmt not in ("csv", "xlsx"):
        abort(404)
    got, refused = _table_or_400()
    if refused:
        return refused
    table = got[0]
    _log("ministry_export", format=fmt, **queries.describe(table.filters))
    name = f"dolbom-comparison-{table.filters.month:%Y-%m}.{fmt}"
    body, mimetype = export.csv_bytes(table) if fmt == "csv" else export.xlsx_bytes(table)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@bp.get("/city/<slug>")
@analyst
def city(slug: str):  # type: ignore[no-untyped-def]
    session = db()
    cities = queries.cities(session)
    c = next((x for x in cities if x.slug == slug), None)
    if c is None:
        abort(404)
    available = queries.months(session)
    recent = sorted(available[:12])
    keys = [k for k in metrics.TABLE] + ["surveys", "judgements", "changed", "referrals_accepted",
                                         "monitoring_due", "monitoring_on_time"]  # fmt: skip
    breakdowns = metrics.breakdown_groups()
    detail = [k for parent in ("applications", "closures", "referrals_sent")
              for k in (parent, *breakdowns[parent])]  # fmt: skip
    grid = {k: queries.series(session, "city", slug, k, recent) for k in (*keys, *detail)}
    latest = recent[-1] if recent else None
    ready = {m.key: queries.series(session, "city", slug, m.key, [latest])[0] if latest else
             (None, "nodata") for m in metrics.READINESS}  # fmt: skip
    _log("ministry_view", page="city", city=slug)
    return render_template(
        "ministry/city.html", city=c, months=recent, grid=grid, keys=keys, ready=ready,
        detail=detail,
        metrics=metrics, q=queries, rule=RULE_TEXT, peers=queries.peers(cities, c),
    )  # fmt: skip


@bp.get("/compare")
@analyst
def compare():  # type: ignore[no-untyped-def]
    """Chosen cities side by side: the comparison's figures and their readiness over time."""
    session = db()
    cities = queries.cities(session)
    by_slug = {c.slug: c for c in cities}
    wanted = list(dict.fromkeys(request.args.getlist("cities")))
    if len(wanted) == 1 and "," in wanted[0]:
        wanted = [s for s in wanted[0].split(",") if s]
    if not 2 <= len(wanted) <= 10 or any(s not in by_slug for s in wanted):
        return render_template("ministry/bad_filter.html",
                               message="비교할 지자체를 2곳에서 10곳까지 고르세요"), 400  # fmt: skip
    wanted.sort(key=lambda s: by_slug[s].name)
    available = queries.months(session)
    if not available:
        return redirect(url_for("ministry.index"), 303)
    f = queries.parse_filters({}, available, cities)
    values = queries._values(session, f.month, "city", wanted, metrics.TABLE)
    table = queries.Table(f, metrics.TABLE, [(by_slug[s], values[s]) for s in wanted])
    _log("ministry_view", page="compare", cities=wanted)
    return render_template("ministry/compare.html", table=table, metrics=metrics, q=queries,
                           rule=RULE_TEXT, slugs=",".join(wanted))  # fmt: skip


# -- chart data: {title, unit, kind, labels, series: [{name, values, marks}]} ----------------


def _chart(title: str, unit: str, kind: str, labels: list[str],
           series: list[tuple[str, list[tuple[float | None, str | None]]]]) -> Response:  # fmt: skip
    return jsonify({"title": title, "unit": unit, "kind": kind, "labels": labels, "series": [
        {"name": name, "values": [v for v, _m in vals], "marks": [m for _v, m in vals]}
        for name, vals in series]})  # fmt: skip


def _recent(n: int = 12) -> list[dt.date]:
    return sorted(queries.months(db())[:n])


def _metric_arg(default: str) -> metrics.Metric:
    key = request.args.get("metric", default)
    m = metrics.ALL.get(key)
    if m is None:
        abort(400, description="알 수 없는 지표입니다")
    return m


@bp.get("/api/readiness")
@analyst
def api_readiness():  # type: ignore[no-untyped-def]
    session = db()
    by_slug = {c.slug: c for c in queries.cities(session)}
    wanted = [s for s in (request.args.get("cities") or "").split(",") if s][:10]
    if not wanted or any(s not in by_slug for s in wanted):
        abort(400, description="cities에 지자체 코드를 쉼표로 적으세요 (10곳까지)")
    months = _recent(24)
    _log("ministry_view", page="chart.readiness", cities=wanted)
    return _chart("준비도 추이 (5개 항목 중 갖춘 비율)", "점", "line",
                  [f"{m:%Y-%m}" for m in months],
                  [(by_slug[s].name, queries.series(session, "city", s, "readiness_score", months))
                   for s in wanted])  # fmt: skip


@bp.get("/api/kpi")
@analyst
def api_kpi():  # type: ignore[no-untyped-def]
    m = _metric_arg("in_service_per_1000")
    got, refused = _table_or_400()
    if refused:
        abort(400, description=refused[0])
    table = got[0]
    session = db()
    values = queries._values(session, table.filters.month, "city",
                             [c.slug for c, _v in table.rows], [m.key])  # fmt: skip
    rows = sorted(((c.name, values[c.slug].get(m.key, (None, "nodata"))) for c, _v in table.rows),
                  key=lambda r: -(r[1][0] or -1))  # fmt: skip
    _log("ministry_view", page="chart.kpi", metric=m.key, **queries.describe(table.filters))
    return _chart(f"{m.label} — {table.filters.month:%Y-%m}", m.unit, "bar",
                  [name for name, _v in rows], [(m.label, [v for _n, v in rows])])  # fmt: skip


@bp.get("/api/peers")
@analyst
def api_peers():  # type: ignore[no-untyped-def]
    session = db()
    m = _metric_arg("in_service_per_1000")
    cities = queries.cities(session)
    c = next((x for x in cities if x.slug == request.args.get("city")), None)
    if c is None:
        abort(400, description="city에 지자체 코드를 적으세요")
    group = queries.peers(cities, c)
    months = _recent(12)
    _log("ministry_view", page="chart.peers", city=c.slug, metric=m.key)
    return _chart(f"{m.label}: {c.name}과(와) 비슷한 규모 {len(group)}곳", m.unit, "line",
                  [f"{x:%Y-%m}" for x in months],
                  [(c.name, queries.series(session, "city", c.slug, m.key, months)),
                   (f"비슷한 규모 {len(group)}곳 중앙값",
                    queries.peer_median(session, group, m.key, months))])  # fmt: skip


# -- the rollup on demand ---------------------------------------------------------------------


def _running() -> JobRecord | None:
    session = db()
    from sqlalchemy import select

    record = session.scalar(select(JobRecord).where(JobRecord.kind == jobs.KIND)
                            .order_by(JobRecord.created_at.desc()).limit(1))  # fmt: skip
    if record is not None:
        reconcile(session, record)
    return record


@bp.post("/rollup")
@analyst
def rollup():  # type: ignore[no-untyped-def]
    key = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M")
    jid = jobs.start(key, user_id=current_user.user_id)
    _log("ministry_rollup", job=jid)
    return redirect(url_for("ministry.index", **request.args), 303)


@bp.get("/rollup/<path:job_id>/progress")
@analyst
def rollup_progress(job_id: str):  # type: ignore[no-untyped-def]
    record = db().get(JobRecord, job_id)
    if record is None or record.kind != jobs.KIND:
        abort(404)
    reconcile(db(), record)
    return render_template("ministry/_rollup.html", job=record)


def month_label(month: dt.date) -> str:
    return f"{month.year}년 {month.month}월"


bp.add_app_template_filter(month_label)
bp.add_app_template_global(add_months)
