"""Deadline reminders: a task for the responsible worker when a deadline is near or past.

One INSERT … SELECT per kind of deadline, so 20,000 cases cost three statements; the unique
key (case, deadline, due date) makes a second run — the hourly schedule, a retried job — add
nothing. A deadline that moves (the meeting sends the plan back) gives a new reminder."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from dolbom.cases.deadlines import SERVICE_LEVELS, STAGE_LEVEL
from dolbom.cases.models import Case, MonitoringCheck
from dolbom.catalogue.models import Programme, Provider
from dolbom.referrals.models import Referral
from dolbom.tasks.models import Task

DAYS_AHEAD = 2  # remind this many days before the deadline


def _title(prefix: str, what: sa.ColumnElement[str], due: sa.ColumnElement[dt.date]) -> sa.ColumnElement[str]:  # fmt: skip
    return sa.func.concat(prefix, what, " 기한 ", sa.cast(due, sa.String))


def make_reminders(session: Session, today: dt.date) -> int:
    """Add the reminders due by `today`; returns how many were new."""
    horizon = today + dt.timedelta(days=DAYS_AHEAD)
    stage_label = sa.case(
        {stage: SERVICE_LEVELS[key][0] for stage, key in STAGE_LEVEL.items()},
        value=Case.stage, else_="처리",
    )  # fmt: skip
    stages = sa.select(
        Case.worker_id, Case.id, _title("", stage_label, Case.due_on), Case.due_on,
        sa.literal("deadline"), sa.func.concat("stage:", Case.stage),
    ).where(Case.stage.in_(list(STAGE_LEVEL)), Case.due_on <= horizon,
            Case.worker_id.is_not(None))  # fmt: skip
    checks = (
        sa.select(
            Case.worker_id, Case.id,
            _title("", sa.func.concat(MonitoringCheck.months, "개월 모니터링"), MonitoringCheck.due_on),
            MonitoringCheck.due_on, sa.literal("deadline"),
            sa.func.concat("check:", MonitoringCheck.months),
        )
        .join(Case, Case.id == MonitoringCheck.case_id)
        .where(MonitoringCheck.done_on.is_(None), MonitoringCheck.due_on <= horizon,
               Case.stage != "closed", Case.worker_id.is_not(None))
    )  # fmt: skip
    follow_ups = sa.select(
        Case.worker_id, Case.id, _title("", sa.literal("사후관리"), Case.follow_up_on),
        Case.follow_up_on, sa.literal("deadline"), sa.literal("follow_up"),
    ).where(Case.stage == "closed", Case.follow_up_on <= horizon,
            Case.worker_id.is_not(None))  # fmt: skip
    # A provider that has not answered by the due date: the worker chases it (or refers elsewhere).
    referrals = (
        sa.select(
            sa.func.coalesce(Case.worker_id, Referral.created_by), Case.id,
            sa.func.concat("의뢰 답변 없음: ", Programme.name, " · ", Provider.name, " 기한 ",
                           sa.cast(Referral.due_on, sa.String)),
            Referral.due_on, sa.literal("deadline"), sa.func.concat("referral:", Referral.id),
        )
        .join(Case, Case.id == Referral.case_id)
        .join(Programme, Programme.id == Referral.programme_id)
        .join(Provider, Provider.id == Referral.provider_id)
        .where(Referral.status == "sent", Referral.due_on <= today)
    )  # fmt: skip
    columns = ["assignee_id", "case_id", "title", "due_on", "source", "deadline_key"]
    added = 0
    for select in (stages, checks, follow_ups, referrals):
        stmt = (
            insert(Task)
            .from_select(columns, select)
            .on_conflict_do_nothing(index_elements=["case_id", "deadline_key", "due_on"])
            .returning(Task.id)  # the ORM path reports no row count (-1): count what came back
        )
        added += len(session.execute(stmt).all())
    return added
