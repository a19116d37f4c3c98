"""The reward: exactly once, whatever happens to the job — run twice by two real worker runs,
or a worker killed while the job waits inside its transaction; no rule set → no payment and
the report says why; a reporter over the rule set's yearly cap → 한도 초과, not paid."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from reports_helpers import (
    approve,
    file_report,
    last_report,
    payments,
    run_worker,
    switch_on,
    triage_apply,
)
from rq.job import Job

from dolbom import db, kv
from dolbom.jobs import enqueue, job_id
from dolbom.rules.operations import import_ruleset
from dolbom.tasks.jobs import remind_all
from dolbom_reports.jobs import KIND, reward_job
from dolbom_reports.models import Base, Report, RewardDue
from tests.fixtures import ROOT, child_env


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return switch_on(pack_tenant("jeonju", plugins=("reports",)))


def reported_case(
    client, coordinator, slug: str, phone: str = "010-5550-0101", dong: str = "pyeonghwa1"
) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A resident's report triaged into a new application: (report id, case id)."""
    assert file_report(client, slug, reporter_phone=phone, dong_code=dong).status_code == 303
    report = last_report(slug)
    assert triage_apply(coordinator, slug, report.id, name="오금순").status_code == 303
    with db.tenant_session(slug) as s:
        return report.id, s.get(Report, report.id).case_id


def test_two_worker_runs_make_one_payment(jeonju, client, signed_in):
    report_id, case_id = reported_case(client, signed_in("coordinator", jeonju), jeonju)
    approve(jeonju, case_id)
    run_worker()
    jid = job_id(jeonju, KIND, str(report_id))
    assert Job.fetch(jid, connection=kv.get_redis()).latest_result().return_value == "created"
    assert enqueue(reward_job, jeonju, str(report_id), report_id) == jid  # the same job again
    run_worker()
    assert Job.fetch(jid, connection=kv.get_redis()).latest_result().return_value == "exists"
    (payment,) = payments(jeonju)
    assert payment.report_id == report_id and payment.amount == 50000


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _wait_for(query: str, params: dict, want: bool, what: str) -> list:  # type: ignore[type-arg]
    """Poll the catalogue until `query` returns rows (or none): the database tells us when the
    job is waiting, not a guess of how long it takes."""
    deadline = time.monotonic() + 60
    with db.get_engine().connect() as conn:
        while True:
            rows = conn.execute(sa.text(query), params).scalars().all()
            conn.rollback()
            if bool(rows) == want:
                return rows
            assert time.monotonic() < deadline, what
            time.sleep(0.05)


def test_a_worker_killed_mid_job_leaves_nothing_and_the_rerun_pays_once(
    jeonju, client, signed_in, settings, tmp_path
):
    report_id, case_id = reported_case(client, signed_in("coordinator", jeonju), jeonju)
    approve(jeonju, case_id)  # the job is queued
    schema = db.schema_for(jeonju)
    blocker = db.get_engine().connect()
    blocker.exec_driver_sql(
        f'SELECT id FROM "{schema}".reports_report WHERE id = {int(report_id)} FOR UPDATE'
    )
    blocker_pid = blocker.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    worker = subprocess.Popen([sys.executable, "-m", "dolbom", "worker", "--burst"],
                              env=child_env(settings, tmp_path), cwd=ROOT)  # fmt: skip
    try:
        (waiting,) = _wait_for("SELECT pid FROM pg_stat_activity WHERE :b = ANY(pg_blocking_pids(pid))",
                               {"b": blocker_pid}, True, "the job never reached the report row")  # fmt: skip
        horses = _children(worker.pid)
        assert horses, "no work horse"
        for pid in horses:
            os.kill(pid, signal.SIGKILL)
        worker.kill()
        worker.wait(timeout=30)
    finally:
        blocker.rollback()
        blocker.close()
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
    # The killed run's backend gets the lock, finds its client gone and ends, writing nothing.
    _wait_for("SELECT pid FROM pg_stat_activity WHERE pid = :p", {"p": waiting}, False,
              "the killed job's backend lives on")  # fmt: skip
    assert payments(jeonju) == []
    with db.tenant_session(jeonju) as s:
        assert (
            s.scalar(sa.select(RewardDue.state).where(RewardDue.report_id == report_id))
            == "pending"
        )

    # `dolbom cron`'s hourly fan-out queues the plugin's sweep, which settles what the lost
    # job left pending — while RQ may still believe the killed job is running.
    remind_all()
    run_worker()
    (payment,) = payments(jeonju)
    assert (payment.report_id, payment.amount, payment.status) == (report_id, 50000, "due")
    # An operator's rerun of the lost job, and the next sweep, find the payment: still one.
    jid = job_id(jeonju, KIND, str(report_id))
    Job.fetch(jid, connection=kv.get_redis()).delete()
    assert enqueue(reward_job, jeonju, str(report_id), report_id) == jid
    run_worker()
    assert Job.fetch(jid, connection=kv.get_redis()).latest_result().return_value == "exists"
    assert len(payments(jeonju)) == 1


def test_no_rule_set_means_no_payment_and_says_why(pack_tenant, client, signed_in):
    slug = switch_on(
        pack_tenant("daejeon", plugins=("reports",)), rule_set=None
    )  # default key: "<slug>-crisis-reward"
    coordinator = signed_in("coordinator", slug)
    report_id, case_id = reported_case(client, coordinator, slug, dong="dunsan1")
    approve(slug, case_id)
    run_worker()
    assert payments(slug) == []
    page = coordinator.get(f"/{slug}/p/reports/{report_id}").text
    assert "포상금 규칙 없음" in page and f"{slug}-crisis-reward" in page


CAPPED = (ROOT / "tenants" / "jeonju" / "rules" / "crisis_reward.yaml").read_text(encoding="utf-8")
CAPPED = CAPPED.replace("key: jeonju-crisis-reward", "key: capped-crisis-reward").replace(
    "parameters:\n",
    "parameters:\n  yearly_cap_count:\n    label: 신고인별 연간 지급 한도\n    unit: 건/년\n"
    "    values:\n    - {from: 2024-01-01, value: 1, cite: {source: 시험 포상금 기준, note: 신고인 1명당 연 1건}}\n",
)


def test_yearly_cap_per_reporter(pack_tenant, client, signed_in):
    slug = switch_on(pack_tenant("daejeon", plugins=("reports",)), rule_set="capped-crisis-reward")
    with db.tenant_transaction(slug) as s:
        import_ruleset(s, slug, CAPPED, user_id=None)
    coordinator = signed_in("coordinator", slug)
    first, first_case = reported_case(client, coordinator, slug, "010-5550-0101", "dunsan1")
    # The same reporter (the number written differently), another household.
    second, second_case = reported_case(client, coordinator, slug, "+82 10 5550 0101", "dunsan1")
    other, other_case = reported_case(client, coordinator, slug, "010-5550-0202", "dunsan1")
    for case_id in (first_case, second_case, other_case):
        approve(slug, case_id)
    run_worker()
    by_report = {p.report_id: p for p in payments(slug)}
    assert by_report[first].status == "due" and by_report[other].status == "due"
    capped = by_report[second]
    assert capped.status == "over_cap" and "연간 한도 1건 초과" in capped.reason
    assert "시험 포상금 기준" in capped.reason
    ledger = coordinator.get(f"/{slug}/p/reports/ledger").text
    assert "한도 초과" in ledger and "₩100,000" in ledger  # the paid-out total leaves it out


def test_models_match_the_migration(jeonju):
    with db.get_engine().begin() as conn:
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{db.schema_for(jeonju)}"')
        context = MigrationContext.configure(conn, opts={
            "include_name": lambda name, type_, parent: type_ != "table" or name in Base.metadata.tables})  # fmt: skip
        assert compare_metadata(context, Base.metadata) == []
