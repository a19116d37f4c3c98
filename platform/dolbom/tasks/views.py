"""A worker's to-do list (`/<tenant>/tasks/`) and the case page's quick task."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for

from dolbom.cases.queries import scope_clause
from dolbom.cases.views import case_or_404, log_case, render_case, staff
from dolbom.clock import today
from dolbom.forms.queries import dong_names
from dolbom.tasks import operations as tasks
from dolbom.tasks.models import TASK_SOURCES, Task
from dolbom.web.context import db
from dolbom.web.htmx import is_partial


def _list(errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
          status: int = 200, message: str | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
    m = g.membership
    rows = tasks.open_rows(db(), m.user_id, case_scope=scope_clause(m.role, m.dong_codes or []))
    names = dong_names(db(), {r.dong_code for r in rows if r.dong_code})
    template = "tasks/_list.html" if is_partial() else "tasks/index.html"
    return render_template(template, rows=rows, errors=errors or {}, values=values or {},
                           today=today(), sources=TASK_SOURCES, dong_names=names,
                           message=message, limit=tasks.LIST_MAX), status  # fmt: skip


@staff
def index():  # type: ignore[no-untyped-def]
    return _list()


@staff
def add():  # type: ignore[no-untyped-def]
    session = db()
    errors = tasks.add(session, request.form, user_id=g.membership.user_id)
    if errors:
        session.rollback()
        return _list(errors, request.form.to_dict(), 422)
    session.commit()
    if is_partial():
        return _list(message="할 일을 추가했습니다")
    return redirect(url_for("tenant.tasks.index"), 303)


@staff
def done(task_id: int):  # type: ignore[no-untyped-def]
    session = db()
    task = session.get(Task, task_id)
    if task is None or task.assignee_id != g.membership.user_id:
        abort(404)  # someone else's task is not even acknowledged
    problem = tasks.complete(session, task, user_id=g.membership.user_id)
    session.commit()
    back = request.form.get("back", "")
    if back.isdecimal() and task.case_id == int(back):
        return redirect(url_for("tenant.cases.show", case_id=task.case_id, _anchor="tasks"), 303)
    if is_partial():
        return _list(message=problem or "완료했습니다")
    return redirect(url_for("tenant.tasks.index"), 303)


@staff
def add_for_case(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    errors = tasks.add(session, request.form, user_id=g.membership.user_id, case=case)
    if errors:
        session.rollback()
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        log_case(case, "view")
        session.commit()
        return render_case(case_or_404(case_id), 422, task_errors=errors, task_values=values)
    log_case(case, "edit", "할 일 추가")
    session.commit()
    return redirect(url_for("tenant.cases.show", case_id=case.id, _anchor="tasks"), 303)
