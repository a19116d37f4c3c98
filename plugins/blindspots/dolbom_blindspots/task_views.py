"""The outreach worklist and one task: frontline workers see their dongs' tasks (coordinators
and administrators every dong), highest risk first, and record the visit's outcome.

Every task shown — a list row or the task page — writes one access-log row; a saved outcome
writes an "edit". The list shows the name masked; the task page shows who to visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from dolbom.plugins.api import (
    case_in_scope,
    current_dongs,
    dong_names,
    is_partial,
    log_access,
    member_dongs,
    person_brief,
    request_session,
    tenant_roles,
    today,
)
from dolbom_blindspots import columns as C
from dolbom_blindspots import operations, queries
from dolbom_blindspots.models import OUTCOMES, RISKS, TASK_STATUSES, Batch, Task

staff = tenant_roles("coordinator", "city_admin", "frontline_worker")
ENDPOINT = "tenant.plugin_blindspots"
STALE = _l("다른 사람이 먼저 이 방문 결과를 저장했습니다. 지금 저장된 내용을 확인하세요. 적은 내용은 그대로 두었으니 필요하면 다시 저장하세요.")  # fmt: skip


def mask_name(name: str) -> str:
    """김민수 → 김*수, 이훈 → 이*: enough to tell rows apart, not to identify anyone."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _log(task_id: int, action: str, detail: str | None = None) -> None:
    log_access(request_session(), subject_type="blindspots_task", subject_id=task_id,
               action=action, detail=detail)  # fmt: skip


def _common() -> dict[str, Any]:
    return {"risks": RISKS, "outcomes": OUTCOMES, "task_statuses": TASK_STATUSES,
            "indicators": C.BY_KEY, "mask_name": mask_name, "age": age, "today": today()}  # fmt: skip


@staff
def tasks():  # type: ignore[no-untyped-def]
    session = request_session()
    scope = member_dongs()
    dongs = [d for d in current_dongs(session) if scope is None or d.code in scope]
    f = queries.Filters.read(request.args, [d.code for d in dongs])
    work = queries.worklist(session, scope, f)
    names = {d.code: d.name for d in dongs}
    names |= dong_names(session, {t.dong_code for t in work.rows} - set(names))
    for t in work.rows:
        _log(t.id, "view", "방문 목록")
    session.commit()
    ids = {t.batch_id for t in work.rows}
    labels = dict(session.execute(sa.select(Batch.id, Batch.label).where(Batch.id.in_(ids))).all())
    template = "blindspots/_tasks.html" if is_partial() else "blindspots/tasks.html"
    return render_template(template, work=work, f=f, dongs=dongs, names=names,
                           batch_labels=labels, **_common())  # fmt: skip


def _task_or_404(task_id: int) -> Task:
    task = queries.task_in_scope(request_session(), task_id, member_dongs())
    if task is None:
        abort(404)
    return task


def _task_context(task: Task, **extra: Any) -> dict[str, Any]:
    session = request_session()
    person = person_brief(session, task.person_id) if task.person_id else None
    open_case = operations.open_case_of(session, task.person_id)
    linked = case_in_scope(session, task.case_id) if task.case_id else None
    values = {"visited_on": today().isoformat(), "outcome": "",
              "case_number": str(open_case or ""), "note": ""}  # fmt: skip
    return {"t": task, "batch": session.get(Batch, task.batch_id), "person": person,
            "open_case": open_case if open_case and case_in_scope(session, open_case) else None,
            "linked": linked, "dong": dong_names(session, [task.dong_code]).get(task.dong_code, task.dong_code),
            "errors": {}, "values": values, "message": None, "conflict": False, **_common(), **extra}  # fmt: skip


def _log_view(task: Task) -> None:
    """The task page (or its refused form, shown again) is a view of the person's data."""
    _log(task.id, "view")
    if task.person_id:
        log_access(request_session(), subject_type="person", subject_id=task.person_id,
                   action="view", detail="발굴 명단 대조")  # fmt: skip
    request_session().commit()


@staff
def task(task_id: int):  # type: ignore[no-untyped-def]
    t = _task_or_404(task_id)
    _log_view(t)
    return render_template("blindspots/task.html", **_task_context(t))


def _outcome(task: Task, status: int, **extra: Any):  # type: ignore[no-untyped-def]
    if status >= 400:
        _log_view(task)
    context = _task_context(task, **extra)
    if is_partial():
        return render_template("blindspots/_outcome.html", **context), status
    return render_template("blindspots/task.html", **context), status


@staff
def save(task_id: int):  # type: ignore[no-untyped-def]
    session, m = request_session(), g.membership
    t = _task_or_404(task_id)
    kept = {k: v for k, v in request.form.items() if k in ("outcome", "visited_on", "case_number", "note")}  # fmt: skip
    raw_lock = request.form.get("lock_version", "")
    lock = int(raw_lock) if raw_lock.isdecimal() else None
    try:
        result = operations.record_outcome(session, g.tenant.slug, t, request.form,
                                           user_id=m.user_id, lock_version=lock)  # fmt: skip
    except (operations.Stale, StaleDataError):
        session.rollback()
        fresh = _task_or_404(task_id)
        return _outcome(fresh, 409, values=kept, message=STALE, conflict=True)
    if result.errors:
        session.rollback()
        return _outcome(_task_or_404(task_id), 422, values=kept, errors=result.errors)
    with force_locale("ko"):  # the access log is kept in Korean, whatever the page's language
        detail = f"방문 결과 {OUTCOMES[t.outcome or '']}"
    _log(t.id, "edit", detail)
    session.commit()
    if not is_partial():
        return redirect(url_for(f"{ENDPOINT}.task", task_id=t.id), 303)
    return _outcome(t, 200, message=_("방문 결과를 저장했습니다."))


def index_for_worker() -> Response:
    return redirect(url_for(f"{ENDPOINT}.tasks"), 303)  # type: ignore[return-value]
