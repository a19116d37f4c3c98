"""`/<tenant>/referrals/settlement`: a coordinator or administrator picks a month, the job
writes the files with a progress bar, the page shows the table the files hold."""

from __future__ import annotations

import csv
from pathlib import Path

from flask import abort, current_app, g, render_template, request, send_file
from flask_babel import gettext as _

from dolbom.clock import today
from dolbom.db import shared_session
from dolbom.jobs import enqueue, job_id, reconcile
from dolbom.jobs.models import JobRecord
from dolbom.referrals import settlement
from dolbom.referrals.board_views import board_roles

TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _dir() -> Path:
    return current_app.config["DOLBOM_SETTINGS"].instance / "exports" / g.tenant.slug / "settlement"


def _last_month() -> str:
    first = today().replace(day=1)
    return (first.replace(year=first.year - 1, month=12) if first.month == 1
            else first.replace(month=first.month - 1)).strftime("%Y-%m")  # fmt: skip


@board_roles
def index():  # type: ignore[no-untyped-def]
    return render_template("referrals/settlement.html", month=_last_month(), error=None, job=None)


@board_roles
def start():  # type: ignore[no-untyped-def]
    raw = request.form.get("month", "")
    try:
        first = settlement.read_month(raw, today())
    except settlement.MonthError as exc:
        return render_template(
            "referrals/settlement.html", month=raw, error=str(exc), job=None
        ), 422
    enqueue(settlement.settlement_job, g.tenant.slug, f"{first:%Y-%m}", first.isoformat(),
            str(_dir()), user_id=g.membership.user_id, queue="default", timeout=1800)  # fmt: skip
    return _progress(f"{first:%Y-%m}")


@board_roles
def status(month: str):  # type: ignore[no-untyped-def]
    try:
        settlement.read_month(month, today())
    except settlement.MonthError:
        abort(404)
    return _progress(month)


def _progress(month: str):  # type: ignore[no-untyped-def]
    jid = job_id(g.tenant.slug, "settlement", month)
    with shared_session() as s:
        record = s.get(JobRecord, jid)
        if record is None or record.tenant_slug != g.tenant.slug:
            abort(404)
        record = reconcile(s, record)
        state, progress, message, stem = (record.status, record.progress, record.message,
                                          record.result_file)  # fmt: skip
    table: list[list[str]] = []
    if state == "finished":
        path = _dir() / f"{stem}.csv" if stem else None
        if path is None or not path.is_file():
            state, progress = "started", 99  # the record is a moment ahead of the file
        else:
            with path.open(encoding="utf-8-sig", newline="") as f:
                table = list(csv.reader(f))
    return render_template("referrals/_settlement_job.html", month=month, state=state,
                           progress=progress, message=message, table=table)  # fmt: skip


@board_roles
def download(month: str, kind: str):  # type: ignore[no-untyped-def]
    if kind not in TYPES:
        abort(404)
    try:
        settlement.read_month(month, today())
    except settlement.MonthError:
        abort(404)
    path = _dir() / f"{g.tenant.slug}-settlement-{month}.{kind}"
    if not path.is_file():
        abort(404, description=_("이 달의 정산 파일이 아직 없습니다"))
    return send_file(path, as_attachment=True, download_name=path.name, mimetype=TYPES[kind])
