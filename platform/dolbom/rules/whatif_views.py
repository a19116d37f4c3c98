"""What-if preview for an administrator: inline for small tenants, a job with a progress bar
for large ones. The list of affected cases names people, so showing it is access-logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, g, render_template, request
from flask_babel import gettext as _

from dolbom.audit.access import log_access
from dolbom.cases.models import Case
from dolbom.db import shared_session
from dolbom.identity.access import tenant_roles
from dolbom.jobs import enqueue, job_id, reconcile
from dolbom.jobs.models import JobRecord
from dolbom.people.models import Person
from dolbom.rules import operations as ops
from dolbom.rules.jobs import WhatIfUnavailable, run_whatif, whatif_job
from dolbom.web.context import db

admin_only = tenant_roles("city_admin")
SHOWN = 200  # affected cases listed on the page; the counts cover all


def _job_key(rs_id: int, draft_id: int, checksum: str, as_of: dt.date) -> str:
    return f"{rs_id}-{draft_id}-{checksum[:12]}-{as_of.isoformat()}"


@admin_only
def start(key: str):  # type: ignore[no-untyped-def]
    session = db()
    rs = ops.get_ruleset(session, key)
    draft = ops.draft_of(session, rs) if rs else None
    if rs is None or draft is None:
        abort(404)
    try:
        as_of = dt.date.fromisoformat(request.form.get("as_of") or "")
    except ValueError:
        return render_template("rules/_whatif.html", error=_("기준일을 YYYY-MM-DD로 적으세요")), 422
    open_cases = session.scalar(
        sa.select(sa.func.count()).select_from(Case).where(Case.stage != "closed")
    )
    if open_cases <= int(current_app.config.get("RULES_WHATIF_INLINE_MAX", 2000)):
        try:
            result = run_whatif(session, g.tenant.slug, rs.id, draft.id, as_of)
        except WhatIfUnavailable as exc:
            return render_template("rules/_whatif.html", error=str(exc)), 422
        return _result(rs, result)
    key_ = _job_key(rs.id, draft.id, draft.checksum, as_of)
    jid = enqueue(whatif_job, g.tenant.slug, key_, rs.id, draft.id, as_of.isoformat(),
                  user_id=g.membership.user_id, queue="high", timeout=1800)  # fmt: skip
    return _progress(rs.key, jid, key_)


@admin_only
def status(key: str, job_key: str):  # type: ignore[no-untyped-def]
    jid = job_id(g.tenant.slug, "rules_whatif", job_key)
    rs = ops.get_ruleset(db(), key)
    if rs is None or not job_key.startswith(f"{rs.id}-"):
        abort(404)
    return _progress(key, jid, job_key, rs)


def _progress(key: str, jid: str, job_key: str, rs: Any = None):  # type: ignore[no-untyped-def]
    with shared_session() as s:
        record = s.get(JobRecord, jid)
        if record is None or record.tenant_slug != g.tenant.slug:
            abort(404)
        record = reconcile(s, record)
        status_, progress, message = record.status, record.progress, record.message
    if status_ == "finished":
        result = _job_result(jid)
        if isinstance(result, dict):
            return _result(rs or ops.get_ruleset(db(), key), result)
        if result is _EXPIRED:
            status_, message = "failed", _("결과가 만료되었습니다. 다시 미리 보세요.")
        else:
            # Our record says finished a moment before RQ has stored the return value.
            status_, progress = "started", 99
    return render_template("rules/_whatif_progress.html", key=key, job_key=job_key,
                           status=status_, progress=progress, message=message)  # fmt: skip


_EXPIRED = object()


def _job_result(jid: str) -> Any:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from dolbom.kv import get_redis

    try:
        return Job.fetch(jid, connection=get_redis()).return_value()
    except NoSuchJobError:
        return _EXPIRED


def _result(rs: Any, result: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    shown = result["affected"][:SHOWN]
    ids = [a["case_id"] for a in shown]
    people = {
        row.id: (row.name, row.dong_code, row.stage)
        for row in session.execute(
            sa.select(Case.id, Person.name, Case.dong_code, Case.stage)
            .join(Person)
            .where(Case.id.in_(ids))
        )
    }
    for case_id in ids:
        log_access(session, user_id=g.membership.user_id, ip=request.remote_addr,
                   subject_type="case", subject_id=case_id, action="view",
                   detail=f"규칙 미리보기 {rs.key}")  # fmt: skip
    session.commit()
    names = {p["key"]: p["name"] for p in result["programmes"]}
    return render_template("rules/_whatif.html", result=result, shown=shown, people=people,
                           names=names, error=None)  # fmt: skip
