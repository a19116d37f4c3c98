"""Meeting screens for 시군구 coordinators (`/<tenant>/meetings/…`), and putting a case on the
next meeting's agenda from its page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dolbom.cases.models import CLOSURE_REASONS
from dolbom.cases.views import case_or_404, log_case, render_case, staff
from dolbom.clock import today
from dolbom.identity.access import tenant_roles
from dolbom.meetings import operations as ops
from dolbom.meetings.models import DECISIONS, Meeting
from dolbom.web.context import db

coordinators = tenant_roles("coordinator")


def _meeting_or_404(meeting_id: int) -> Meeting:
    meeting = db().get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


@coordinators
def index():  # type: ignore[no-untyped-def]
    meetings = (
        db()
        .scalars(sa.select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(100))
        .all()
    )
    return render_template(
        "meetings/index.html", meetings=meetings, errors={}, values={}, today=today()
    )


@coordinators
def create():  # type: ignore[no-untyped-def]
    session = db()
    data, errors = ops.read_meeting(request.form)
    if errors:
        meetings = session.scalars(
            sa.select(Meeting).order_by(Meeting.held_on.desc()).limit(100)
        ).all()
        return render_template("meetings/index.html", meetings=meetings, errors=errors,
                               values=request.form, today=today()), 422  # fmt: skip
    meeting = ops.create(session, data, user_id=g.membership.user_id)
    session.commit()
    return redirect(url_for("tenant.meetings.show", meeting_id=meeting.id), 303)


def _show(
    meeting: Meeting, status: int = 200, errors: dict | None = None, values: dict | None = None
):  # type: ignore[no-untyped-def,type-arg]
    # The agenda lists people: one access-log row per case shown.
    for item in meeting.items:
        log_case(item.case, "view", f"통합지원회의 {meeting.held_on}")
    db().commit()
    return render_template("meetings/show.html", meeting=meeting, errors=errors or {}, values=values or {},
                           decisions=DECISIONS, closure_reasons=CLOSURE_REASONS), status  # fmt: skip


@coordinators
def show(meeting_id: int):  # type: ignore[no-untyped-def]
    return _show(_meeting_or_404(meeting_id))


@coordinators
def decide(meeting_id: int):  # type: ignore[no-untyped-def]
    session = db()
    meeting = _meeting_or_404(meeting_id)
    errors = ops.decide(
        session, meeting, request.form, role=g.membership.role, user_id=g.membership.user_id
    )
    if errors:
        session.rollback()
        return _show(_meeting_or_404(meeting_id), 422, errors, dict(request.form))
    for item in meeting.items:
        log_case(item.case, "edit", f"통합지원회의 {DECISIONS[item.decision or '']}")
    session.commit()
    return redirect(url_for("tenant.meetings.show", meeting_id=meeting.id), 303)


@coordinators
def sign(meeting_id: int):  # type: ignore[no-untyped-def]
    session = db()
    meeting = _meeting_or_404(meeting_id)
    errors = ops.sign(
        session, meeting, request.form.get("minutes", ""), user_id=g.membership.user_id
    )
    if errors:
        session.rollback()
        return _show(_meeting_or_404(meeting_id), 422, errors, dict(request.form))
    session.commit()
    return redirect(url_for("tenant.meetings.show", meeting_id=meeting.id), 303)


@staff
def add_to_agenda(case_id: int):  # type: ignore[no-untyped-def]
    session = db()
    case = case_or_404(case_id)
    try:
        meeting = ops.add_to_agenda(session, case, user_id=g.membership.user_id)
    except ops.MeetingError as exc:
        session.rollback()
        return render_case(case_or_404(case_id), 422, action_message=str(exc))
    log_case(case, "edit", _("회의 안건 등록"))
    session.commit()
    return redirect(
        url_for("tenant.cases.show", case_id=case.id, agenda=meeting.id) + "#actions", 303
    )
