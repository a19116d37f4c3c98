"""The ministry's comparison: rollups computed inside each tenant equal direct counts, only
aggregates reach the shared schema, small cells are withheld on every page and export, the
export is the screen, bad filters get 400, and an analyst never opens a tenant page."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import statistics
from collections import Counter

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from dolbom import db
from dolbom.audit.models import PlatformEvent
from dolbom.cases.models import Case, CaseEvent, MonitoringCheck
from dolbom.cases.synthetic import generate
from dolbom.catalogue.models import Programme, Provider
from dolbom.clock import today
from dolbom.identity.models import Role
from dolbom.jobs.models import JobRecord
from dolbom.meetings.models import Meeting, MeetingItem
from dolbom.ministry import jobs, metrics
from dolbom.ministry.models import MinistryFigure, MinistryPublished, MinistryRollup
from dolbom.ministry.publish import publish_all
from dolbom.ministry.rollup import add_months, month_start
from dolbom.people.models import Person
from dolbom.referrals.models import Referral
from dolbom.tenancy.models import Tenant
from tests.fixtures import csrf_from
from tests.test_jobs import run_worker


def _tenant_id(slug: str) -> int:
    with db.shared_session() as s:
        return s.scalar(sa.select(Tenant.id).where(Tenant.slug == slug))


def _referrals(slug: str, n: int) -> None:
    """A few referrals across the last months, answered in different ways."""
    with db.tenant_transaction(slug) as s:
        programme = s.scalars(sa.select(Programme).order_by(Programme.id)).first()
        provider = s.scalars(sa.select(Provider).order_by(Provider.id)).first()
        cases = s.scalars(sa.select(Case).where(Case.stage != "application").order_by(Case.id)
                          .limit(n)).all()  # fmt: skip
        for i, case in enumerate(cases):
            sent = dt.datetime.combine(today() - dt.timedelta(days=7 * i + 3), dt.time(1),
                                       tzinfo=dt.UTC)  # fmt: skip
            status = ("accepted", "declined", "sent", "in_service")[i % 4]
            s.add(Referral(
                case_id=case.id, person_id=case.person_id, programme_id=programme.id,
                provider_id=provider.id, status=status, period_from=sent.date(),
                period_until=sent.date() + dt.timedelta(days=90), created_by=1, sent_at=sent,
                due_on=sent.date() + dt.timedelta(days=3),
                responded_at=None if status == "sent" else sent + dt.timedelta(days=1 + i % 5),
            ))  # fmt: skip


@pytest.fixture
def two_cities(pack_tenant):  # type: ignore[no-untyped-def]
    jeonju, daejeon = pack_tenant("jeonju"), pack_tenant("daejeon")
    for slug, n, seed in ((jeonju, 160, 3), (daejeon, 40, 4)):
        with db.tenant_transaction(slug) as s:
            generate(s, slug, n, seed=seed)
        _referrals(slug, 12)
    for slug in (jeonju, daejeon):
        assert jobs.rollup_tenant(_tenant_id(slug), slug, today())
    publish_all()
    return jeonju, daejeon


def figures(slug: str) -> dict[tuple[dt.date, str], tuple[float | None, int | None]]:
    with db.shared_session() as s:
        rows = s.execute(sa.select(MinistryFigure.month, MinistryFigure.metric,
                                   MinistryFigure.value, MinistryFigure.n)
                         .where(MinistryFigure.tenant_id == _tenant_id(slug))).all()  # fmt: skip
    return {(m, k): (v, n) for m, k, v, n in rows}


def local_month(ts: dt.datetime) -> dt.date:
    return month_start((ts + dt.timedelta(hours=9)).date())


def test_rollup_figures_equal_direct_counts(two_cities):
    jeonju, _ = two_cities
    got = figures(jeonju)
    with db.tenant_session(jeonju) as s:
        cases = s.scalars(sa.select(Case)).all()
        events = s.execute(sa.select(CaseEvent.action, CaseEvent.at)).all()
        decisions = s.execute(sa.select(MeetingItem.decision, Meeting.held_on)
                              .join(Meeting, Meeting.id == MeetingItem.meeting_id)).all()  # fmt: skip
        checks = s.execute(sa.select(MonitoringCheck.due_on, MonitoringCheck.done_on)).all()
        refs = s.execute(sa.select(Referral.status, Referral.sent_at, Referral.responded_at,
                                   Referral.due_on)).all()  # fmt: skip
    this = month_start(today())
    months = sorted({m for m, _k in got})
    assert months[-1] == this and len(months) >= 12
    for month in months[-14:]:
        end = add_months(month, 1)
        src = Counter(c.source for c in cases if month_start(c.opened_on) == month)
        assert got[(month, "applications")][0] == sum(src.values())
        for code in metrics.CASE_SOURCES:
            assert got[(month, f"applications.source.{code}")][0] == src.get(code, 0)
        for action, key in (("request_judgement", "surveys"), ("record_judgement", "judgements")):
            want = sum(1 for a, at in events if a == action and local_month(at) == month)
            assert got[(month, key)][0] == want, (month, key)
        approved = sum(1 for d, held in decisions if d == "approve" and month_start(held) == month)
        assert got[(month, "approved")][0] == approved
        in_service = sum(1 for c in cases if c.services_started_on and c.services_started_on < end
                         and (c.closed_on is None or c.closed_on >= end))  # fmt: skip
        assert got[(month, "in_service")][0] == in_service
        reasons = Counter(c.closure_reason for c in cases
                          if c.closed_on and month_start(c.closed_on) == month)  # fmt: skip
        assert got[(month, "closures")][0] == sum(reasons.values())
        for code in metrics.CLOSURE_REASONS:
            assert got[(month, f"closures.reason.{code}")][0] == reasons.get(code, 0)
        due = [(d, done) for d, done in checks if month_start(d) == month and d < today()]
        assert got[(month, "monitoring_due")][0] == len(due)
        assert got[(month, "monitoring_on_time")][0] == sum(
            1 for d, done in due if done and done <= d
        )
        sent = [r for r in refs if r[1] and local_month(r[1]) == month]
        assert got[(month, "referrals_sent")][0] == len(sent)
        declined = sum(
            1 for st, _s, at, _d in refs if st == "declined" and at and local_month(at) == month
        )
        assert got[(month, "referrals_declined")][0] == declined
        days = [(c.services_started_on - c.opened_on).days for c in cases
                if c.services_started_on and month_start(c.services_started_on) == month]  # fmt: skip
        value, n = got[(month, "median_days_to_service")]
        assert n == len(days)
        assert value == (statistics.median(days) if days else None)
    assert sum(got[(m, "referrals_sent")][0] for m in months) == len(refs) == 12
    assert got[(this, "ready_ordinance")][0] == 1.0  # Jeonju's pack: ordinance of 2019


def test_only_aggregates_reach_the_shared_schema(two_cities):
    """Every text in the ministry's tables is a metric name, a slug, a region or a mark; every
    number is a count, a statistic or a rate — no name, resident number or address."""
    jeonju, daejeon = two_cities
    with db.tenant_session(jeonju) as s:
        names = set(s.scalars(sa.select(Person.name)))
    allowed_keys = {jeonju, daejeon, "all"}
    with db.shared_session() as s:
        regions = set(s.scalars(sa.select(Tenant.region)))
        for metric, key, mark in s.execute(sa.select(MinistryPublished.metric,
                                                     MinistryPublished.key, MinistryPublished.mark)):  # fmt: skip
            assert metric in metrics.ALL
            assert key in allowed_keys | regions or key == "지역 미상"
            assert mark in (None, "<5", "×", "nodata")
        for (metric,) in s.execute(sa.select(MinistryFigure.metric).distinct()):
            assert metric in metrics.ALL
        columns = {c.name for t in (MinistryFigure, MinistryPublished, MinistryRollup)
                   for c in t.__table__.columns}  # fmt: skip
        dumped = " ".join(str(r) for t in (MinistryFigure, MinistryPublished, MinistryRollup)
                          for r in s.execute(sa.select(t.__table__)).all())  # fmt: skip
    assert not any(n in dumped for n in names)
    assert not re.search(r"\d{6}-\d{7}", dumped)
    assert columns.isdisjoint({"person_id", "case_id", "name", "rrn", "address", "phone"})


def test_small_counts_are_withheld_and_totals_do_not_give_them_away(two_cities, signed_in):
    with db.shared_session() as s:
        rows = s.execute(sa.select(MinistryPublished.month, MinistryPublished.scope,
                                   MinistryPublished.key, MinistryPublished.metric,
                                   MinistryPublished.shown, MinistryPublished.mark)).all()  # fmt: skip
    assert rows
    for _m, _sc, _k, metric, shown, mark in rows:
        if metrics.ALL[metric].kind == "count" and shown is not None:
            assert not 1 <= shown <= 4  # published counts are 0 or ≥ 5
        if mark in ("<5", "×"):
            assert shown is None
    marks = Counter(r[5] for r in rows)
    assert marks["<5"] > 0  # 40 cases in Daejeon: small cells exist and are marked
    # Per month and metric, a national total with exactly one withheld region would reveal it.
    by = {(m, sc, k, met): (sh, mk) for m, sc, k, met, sh, mk in rows}
    for (m, scope, _k, met), (shown, _mk) in by.items():
        if scope == "nation" and shown is not None and metrics.ALL[met].kind == "count":
            parts = [v for (m2, sc2, _k2, met2), v in by.items()
                     if m2 == m and sc2 == "region" and met2 == met]  # fmt: skip
            assert sum(1 for _v, mk in parts if mk in ("<5", "×")) != 1
    page = signed_in(platform_role=Role.MINISTRY_ANALYST).get("/ministry/")
    assert page.status_code == 200
    assert "1~4" in page.text or "&lt;5" in page.text  # the rule is written on the page


def _screen_table(text: str) -> list[list[str]]:
    table = text.split('data-testid="comparison"')[1].split("</table>")[0]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]  # fmt: skip
        rows.append([re.sub(r"\s+", " ", c).replace(" ▲", "").replace(" ▼", "") for c in cells])
    return rows


def _logged() -> Counter:
    with db.shared_session() as s:
        return Counter(s.scalars(sa.select(PlatformEvent.action)
                                 .where(PlatformEvent.action.like("ministry_%"))))  # fmt: skip


def test_the_export_is_the_screen_and_is_logged(two_cities, signed_in):
    analyst = signed_in(platform_role=Role.MINISTRY_ANALYST)
    before = _logged()
    query = "?sort=in_service&dir=desc"
    screen = _screen_table(analyst.get(f"/ministry/{query}").text)
    body = analyst.get(f"/ministry/export.csv{query}")
    assert body.status_code == 200 and body.data.startswith("\ufeff".encode())
    exported = list(csv.reader(io.StringIO(body.data.decode("utf-8-sig"))))
    xlsx = load_workbook(io.BytesIO(analyst.get(f"/ministry/export.xlsx{query}").data)).active
    sheet = [
        [str(v) if v is not None else "" for v in row] for row in xlsx.iter_rows(values_only=True)
    ]
    assert sheet == exported
    # Screen rows: name, region, figures (the export adds field and size); totals span two.
    cities = [r for r in screen[1:] if not r[0].endswith("합계")]
    totals = [r for r in screen[1:] if r[0].endswith("합계")]
    data_rows = [r for r in exported[1:] if r[1]]
    assert [r[0] for r in data_rows] == [r[0] for r in cities] and len(cities) >= 2
    for exp, scr in zip(data_rows, cities, strict=True):
        assert exp[4:] == scr[2:]
    assert [t[4:] for t in exported[1:] if not t[1]] == [r[1:] for r in totals]
    assert [t[0] for t in exported[1:] if not t[1]] == [r[0] for r in totals] == ["전국 합계"]
    actions = _logged() - before
    assert actions["ministry_view"] == 1 and actions["ministry_export"] == 2


@pytest.mark.parametrize("query", [
    "month=2026-13", "month=abc", "month=1999-01", "region=없는도", "field=children",
    "band=huge", "sort=password", "dir=up",
])  # fmt: skip
def test_malformed_filters_get_400_with_a_message(two_cities, signed_in, query):
    analyst = signed_in(platform_role=Role.MINISTRY_ANALYST)
    for url in (f"/ministry/?{query}", f"/ministry/export.csv?{query}"):
        r = analyst.get(url)
        assert r.status_code == 400, url
        assert 'data-testid="bad-filter"' in r.text


def test_chart_data_and_bad_chart_parameters(two_cities, signed_in):
    jeonju, daejeon = two_cities
    analyst = signed_in(platform_role=Role.MINISTRY_ANALYST)
    r = analyst.get(f"/ministry/api/readiness?cities={jeonju},{daejeon}")
    assert r.status_code == 200
    data = r.get_json()
    assert [s["name"] for s in data["series"]] == ["전주시", "대전광역시"]
    assert (
        len(data["labels"]) == len(data["series"][0]["values"]) == len(data["series"][0]["marks"])
    )
    kpi = analyst.get("/ministry/api/kpi?metric=in_service").get_json()
    assert kpi["kind"] == "bar" and set(kpi["labels"]) >= {"전주시", "대전광역시"}
    for v, mark in zip(kpi["series"][0]["values"], kpi["series"][0]["marks"], strict=True):
        assert (v is None) == (mark is not None) and not (v and 1 <= v <= 4)
    assert analyst.get("/ministry/api/kpi?metric=nope").status_code == 400
    assert analyst.get("/ministry/api/readiness?cities=nowhere").status_code == 400
    assert analyst.get("/ministry/api/peers?city=").status_code == 400
    assert analyst.get(f"/ministry/compare?cities={jeonju}").status_code == 400
    city = analyst.get(f"/ministry/city/{jeonju}").text
    detail = city.split('data-testid="city-detail"')[1].split("</table>")[0]
    assert "본인 신청" in detail and "목표 달성" in detail and "보건의료" in detail
    assert analyst.get("/ministry/city/nowhere").status_code == 404
    page = analyst.get(f"/ministry/compare?cities={jeonju}&cities={daejeon}")
    assert page.status_code == 200 and "대전광역시 · 전주시" in page.text  # in name order


def test_an_analyst_never_opens_a_tenant_page(two_cities, signed_in):
    jeonju, _ = two_cities
    analyst = signed_in(platform_role=Role.MINISTRY_ANALYST)
    for path in ("", "cases/", "console/", "referrals/", "forms/", "rules/", "situation/"):
        assert analyst.get(f"/{jeonju}/{path}").status_code == 403, path
    assert analyst.get("/admin/").status_code == 403
    worker = signed_in("coordinator", jeonju)
    assert worker.get("/ministry/").status_code == 403
    assert worker.get("/ministry/export.csv").status_code == 403


def test_no_data_months_and_a_failed_rollup_are_shown_as_such(two_cities, make_tenant, signed_in):
    jeonju, _ = two_cities
    empty = make_tenant(region="전북특별자치도")
    assert jobs.rollup_tenant(_tenant_id(empty), empty, today())
    # A real failure: the tenant's referral table is gone, so its rollup cannot run.
    with db.tenant_transaction(jeonju) as s:
        s.execute(
            sa.text(f'ALTER TABLE "{db.schema_for(jeonju)}".referral RENAME TO referral_gone')
        )
    try:
        assert not jobs.rollup_tenant(_tenant_id(jeonju), jeonju, today())
    finally:
        with db.tenant_transaction(jeonju) as s:
            s.execute(
                sa.text(f'ALTER TABLE "{db.schema_for(jeonju)}".referral_gone RENAME TO referral')
            )
    publish_all()
    with db.shared_session() as s:
        status = s.get(MinistryRollup, _tenant_id(jeonju))
    assert status.status == "failed" and status.succeeded_at is not None
    assert status.error == "ProgrammingError"
    assert figures(jeonju)  # the last good figures are kept
    analyst = signed_in(platform_role=Role.MINISTRY_ANALYST)
    page = analyst.get("/ministry/").text
    assert 'data-testid="rollup-failed"' in page and "마지막 성공" in page
    city = analyst.get(f"/ministry/city/{empty}").text
    grid = city.split('data-testid="city-grid"')[1]
    assert "자료 없음" in grid  # months before this tenant existed: no data, not zero


def test_rollup_on_demand_runs_as_a_job_with_progress(two_cities, signed_in):
    analyst = signed_in(platform_role=Role.MINISTRY_ANALYST)
    page = analyst.get("/ministry/")
    r = analyst.post("/ministry/rollup", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    queued = analyst.get("/ministry/").text
    assert 'id="rollup-progress"' in queued and "집계 중" in queued
    run_worker("low")
    with db.shared_session() as s:
        record = s.scalars(sa.select(JobRecord).where(JobRecord.kind == jobs.KIND)).one()
    assert (record.status, record.progress) == ("finished", 100)
    assert 'data-testid="rollup-done"' in analyst.get("/ministry/").text
    # No personal data in the job's payload: it carries no arguments at all.
    from rq.job import Job

    from dolbom.kv import get_redis

    job = Job.fetch(record.id, connection=get_redis())
    assert job.args == () and job.kwargs == {}


def test_the_rollup_is_scheduled_nightly():
    class Recorder:
        def __init__(self) -> None:
            self.calls: list[tuple[object, dict[str, object]]] = []

        def register(self, func: object, **kwargs: object) -> None:
            self.calls.append((func, kwargs))

    recorder = Recorder()
    jobs.register_schedule(recorder)
    assert recorder.calls == [
        (jobs.nightly, {"queue_name": "low", "cron": "0 17 * * *", "job_timeout": 600})
    ]
