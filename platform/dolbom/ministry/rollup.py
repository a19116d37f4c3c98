"""One tenant's monthly figures, computed inside its own schema.

Every query here groups and counts: nothing person-level is selected, so nothing person-level
can leave the tenant. The result is a list of (month, metric, value, n) written to the shared
schema by `write`. Months are calendar months in Korea; a month covered by the rollup gets a
row for every metric (zeros included), so "no row" means "no data"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import INTERVAL
from sqlalchemy.orm import Session

from dolbom.cases.models import Case, CaseEvent, MonitoringCheck
from dolbom.catalogue.models import ACT_FIELDS, Programme
from dolbom.districts.models import Gu
from dolbom.meetings.models import Meeting, MeetingItem
from dolbom.ministry import metrics
from dolbom.referrals.models import Referral

MAX_MONTHS = 36  # how far back a rollup goes: three years of history is what analysts compare
ACCEPTED = ("accepted", "in_service", "completed", "stopped")
DECISIONS = {"approve": "approved", "change": "changed", "close": "closed_in_meeting"}


@dataclass(frozen=True)
class Figure:
    month: dt.date
    metric: str
    value: float | None
    n: int | None = None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, k: int) -> dt.date:
    y, m = divmod(month.month - 1 + k, 12)
    return dt.date(month.year + y, m + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def _month(col: Any) -> Any:
    return sa.cast(sa.func.date_trunc("month", col), sa.Date)


def _local_month(ts: Any) -> Any:
    """The Korean calendar month of a UTC timestamp."""
    return _month(sa.func.timezone("Asia/Seoul", ts))


def _grouped(session: Session, query: Any) -> Iterable[tuple[Any, ...]]:
    return session.execute(query).all()


def compute(session: Session, profile: dict[str, Any], today: dt.date) -> list[Figure]:
    """Every metric for every month from the tenant's first activity (at most MAX_MONTHS back)
    to this month."""
    last = month_start(today)
    first_case = session.scalar(sa.select(sa.func.min(Case.opened_on)))
    first = max(month_start(first_case or today), add_months(last, -(MAX_MONTHS - 1)))
    months = months_between(first, last)
    counts: dict[tuple[dt.date, str], float] = {}

    def add(rows: Iterable[tuple[Any, ...]], metric: Any) -> None:
        for month, *key, value in rows:
            if month is None or month < first:
                continue
            name = metric(*key) if callable(metric) else metric
            counts[(month, name)] = counts.get((month, name), 0) + (value or 0)

    sources = set(metrics.CASE_SOURCES)
    opened = _month(Case.opened_on)
    add(_grouped(session, sa.select(opened, Case.source, sa.func.count()).group_by(opened, Case.source)),
        lambda s: f"applications.source.{s if s in sources else 'unknown'}")  # fmt: skip
    for action, name in (("request_judgement", "surveys"), ("record_judgement", "judgements")):
        at = _local_month(CaseEvent.at)
        add(_grouped(session, sa.select(at, sa.func.count()).where(CaseEvent.action == action)
                     .group_by(at)), name)  # fmt: skip
    held = _month(Meeting.held_on)
    add(_grouped(session, sa.select(held, MeetingItem.decision, sa.func.count())
                 .join(Meeting, Meeting.id == MeetingItem.meeting_id)
                 .where(MeetingItem.decision.is_not(None)).group_by(held, MeetingItem.decision)),
        lambda d: DECISIONS.get(d, "changed"))  # fmt: skip
    fields = set(ACT_FIELDS)
    sent = _local_month(Referral.sent_at)
    add(_grouped(session, sa.select(sent, Programme.field, sa.func.count())
                 .join(Programme, Programme.id == Referral.programme_id)
                 .where(Referral.sent_at.is_not(None)).group_by(sent, Programme.field)),
        lambda f: f"referrals_sent.field.{f if f in fields else 'other'}")  # fmt: skip
    answered = _local_month(Referral.responded_at)
    add(_grouped(session, sa.select(answered, sa.func.count())
                 .where(Referral.status.in_(ACCEPTED), Referral.responded_at.is_not(None))
                 .group_by(answered)), "referrals_accepted")  # fmt: skip
    add(_grouped(session, sa.select(answered, sa.func.count())
                 .where(Referral.status == "declined", Referral.responded_at.is_not(None))
                 .group_by(answered)), "referrals_declined")  # fmt: skip
    answered_on = sa.cast(sa.func.timezone("Asia/Seoul", Referral.responded_at), sa.Date)
    due = _month(Referral.due_on)
    add(_grouped(session, sa.select(due, sa.func.count()).where(
        Referral.due_on < today, Referral.status != "revoked",
        sa.or_(Referral.responded_at.is_(None), answered_on > Referral.due_on),
    ).group_by(due)), "referrals_overdue")  # fmt: skip
    checks = _month(MonitoringCheck.due_on)
    add(_grouped(session, sa.select(checks, sa.func.count()).where(MonitoringCheck.due_on < today)
                 .group_by(checks)), "monitoring_due")  # fmt: skip
    add(_grouped(session, sa.select(checks, sa.func.count()).where(
        MonitoringCheck.due_on < today, MonitoringCheck.done_on <= MonitoringCheck.due_on,
    ).group_by(checks)), "monitoring_on_time")  # fmt: skip
    reasons = set(metrics.CLOSURE_REASONS)
    closed = _month(Case.closed_on)
    add(_grouped(session, sa.select(closed, Case.closure_reason, sa.func.count())
                 .where(Case.closed_on.is_not(None)).group_by(closed, Case.closure_reason)),
        lambda r: f"closures.reason.{r if r in reasons else 'unknown'}")  # fmt: skip

    figures: list[Figure] = []
    groups = metrics.breakdown_groups()
    for month in months:
        for parent, parts in groups.items():
            counts[(month, parent)] = sum(counts.get((month, p), 0) for p in parts)
        for key in metrics.ADDITIVE:
            if key != "in_service":
                figures.append(Figure(month, key, counts.get((month, key), 0)))
    figures += _in_service(session, months)
    figures += _median_days(session, months)
    figures += _readiness(session, profile, months)
    return figures


def _in_service(session: Session, months: list[dt.date]) -> list[Figure]:
    """People receiving services on each month's last day (a stock, not a flow), in one query
    over the months as a series."""
    one_month = sa.cast(sa.literal("1 month"), INTERVAL)
    first, last = (sa.cast(sa.literal(m), sa.DateTime) for m in (months[0], months[-1]))
    series = sa.func.generate_series(first, last, one_month).table_valued("m").render_derived()
    start = sa.cast(series.c.m, sa.Date)
    end = sa.cast(series.c.m + one_month, sa.Date)
    rows = dict(session.execute(
        sa.select(start, sa.func.count(Case.id)).select_from(series)
        .outerjoin(Case, sa.and_(Case.services_started_on < end,
                                 sa.or_(Case.closed_on.is_(None), Case.closed_on >= end)))
        .group_by(start)
    ).all())  # fmt: skip
    return [Figure(m, "in_service", rows.get(m, 0)) for m in months]


def _median_days(session: Session, months: list[dt.date]) -> list[Figure]:
    started = _month(Case.services_started_on)
    days = Case.services_started_on - Case.opened_on
    rows = dict(
        (m, (median, n))
        for m, median, n in session.execute(
            sa.select(started, sa.func.percentile_cont(0.5).within_group(days), sa.func.count())
            .where(Case.services_started_on.is_not(None))
            .group_by(started)
        )
    )
    return [
        Figure(m, "median_days_to_service", rows[m][0] if m in rows else None,
               rows[m][1] if m in rows else 0)
        for m in months
    ]  # fmt: skip


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _readiness(session: Session, profile: dict[str, Any], months: list[dt.date]) -> list[Figure]:
    """The five items as they stood at each month's end: the profile's dated facts, and whether
    the tenant had identified anyone and linked anyone to a service by then."""
    ordinance = _date((profile.get("ordinance") or {}).get("promulgated"))
    unit = _date((profile.get("unit") or {}).get("established"))
    staff = profile.get("staff") or {}
    staff_on, staff_n = _date(staff.get("as_of")), int(staff.get("count") or 0)
    first_case = session.scalar(sa.select(sa.func.min(Case.opened_on)))
    first_ref = session.scalar(sa.select(sa.func.min(Referral.sent_at)))
    first_ref_day = first_ref.date() if first_ref else None
    pop65 = profile.get("population_65") or session.scalar(sa.select(sa.func.sum(Gu.population_65)))
    out = []
    for month in months:
        end = add_months(month, 1) - dt.timedelta(days=1)
        items = {
            "ready_ordinance": ordinance is not None and ordinance <= end,
            "ready_unit": unit is not None and unit <= end,
            "ready_staff": staff_n > 0 and (staff_on is None or staff_on <= end),
            "ready_identification": first_case is not None and first_case <= end,
            "ready_linkage": first_ref_day is not None and first_ref_day <= end,
        }
        out += [Figure(month, k, 1.0 if v else 0.0) for k, v in items.items()]
        out.append(Figure(month, "readiness_score", 20.0 * sum(items.values())))
        staff_known = staff_n > 0 and (staff_on is None or staff_on <= end)
        out.append(Figure(month, "staff_count", staff_n if staff_known else None))
        out.append(Figure(month, "population_65", float(pop65) if pop65 else None))
    return out
