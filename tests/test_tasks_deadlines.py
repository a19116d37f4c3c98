"""Service levels, deadlines on cases, the reminder job on a real RQ worker, the worker's task
list, and the caseload's deadline, risk and own-case filters."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import sqlalchemy as sa
from rq import Worker

from dolbom import db, kv
from dolbom.cases.deadlines import check_levels, service_levels
from dolbom.cases.models import Case, MonitoringCheck
from dolbom.clock import today
from dolbom.identity.models import User
from dolbom.jobs import enqueue, get_queue
from dolbom.people.models import Person
from dolbom.tasks.jobs import deadline_reminders, register_schedule, remind_all
from dolbom.tasks.models import Task
from dolbom.tenant_settings import set_value
from tests.fixtures import add_consent, csrf_from

GOOD_INTAKE = {"name": "기한 시험", "rrn": "440101-2345678", "dong_code": "pyeonghwa1",
               "source": "본인", "confirm_new": "1"}  # fmt: skip


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def user_id(email: str) -> int:
    with db.shared_session() as s:
        return s.scalar(sa.select(User.id).where(User.email == email))


def a_case(slug: str, **values: object) -> int:
    with db.tenant_transaction(slug) as s:
        p = Person(name="기한 대상", dong_code="pyeonghwa1")
        s.add(p)
        s.flush()
        add_consent(s, p.id)
        case = Case(person_id=p.id, dong_code="pyeonghwa1", **values)
        s.add(case)
        s.flush()
        return case.id


def run_worker() -> None:
    Worker(["high", "default", "low"], connection=kv.get_redis()).work(
        burst=True, logging_level="WARNING"
    )


def step(client, slug: str, case_id: int, action: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(f"/{slug}/cases/{case_id}").text)
    with db.tenant_session(slug) as s:
        lock = s.get(Case, case_id).lock_version
    return client.post(f"/{slug}/cases/{case_id}/step/{action}",
                       data={"csrf_token": token, "lock_version": lock, **data})  # fmt: skip


def test_service_levels_are_checked_and_fall_back_to_defaults(jeonju):
    assert check_levels({"survey": 0, "plan": "14", "nope": 3, "meeting": True}) == {
        "survey": "기한은 1일에서 365일 사이의 정수입니다",
        "plan": "기한은 1일에서 365일 사이의 정수입니다",
        "nope": "알 수 없는 처리 기한입니다 (survey, judgement, plan, meeting)",
        "meeting": "기한은 1일에서 365일 사이의 정수입니다",
    }
    with db.tenant_transaction(jeonju) as s:
        assert service_levels(s) == {"survey": 7, "judgement": 30, "plan": 14, "meeting": 14}
        set_value(s, "service_levels", {"survey": 0})  # invalid: the defaults hold
        assert service_levels(s)["survey"] == 7
        set_value(s, "service_levels", {"survey": 5, "plan": 10})
        assert service_levels(s) == {"survey": 5, "judgement": 30, "plan": 10, "meeting": 14}


def test_the_deadline_follows_the_case_through_its_steps(jeonju, signed_in, app):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    with db.tenant_transaction(jeonju) as s:
        set_value(s, "service_levels", {"survey": 5})
    token = csrf_from(worker.get(f"/{jeonju}/cases/new").text)
    r = worker.post(
        f"/{jeonju}/cases/new", data={"csrf_token": token, "risk_level": "high", **GOOD_INTAKE}
    )
    assert r.status_code == 303
    case_id = int(r.headers["Location"].rstrip("/").split("/")[-1].split("?")[0])
    with db.tenant_session(jeonju) as s:
        case = s.get(Case, case_id)
        assert case.due_on == today() + dt.timedelta(days=5)
        assert case.worker_id == user_id(worker.email) and case.risk_level == "high"
    page = worker.get(f"/{jeonju}/cases/{case_id}").text
    assert (today() + dt.timedelta(days=5)).isoformat() in page and "5일 남음" in page
    assert f"<dd>시험 {worker.email.split('@')[0]}</dd>" in page  # the responsible worker
    # The survey runs on the application's clock.
    with db.tenant_transaction(jeonju) as s:
        s.get(Case, case_id).stage_since = today() - dt.timedelta(days=9)
        s.get(Case, case_id).due_on = today() - dt.timedelta(days=4)
    assert step(worker, jeonju, case_id, "start_survey").status_code == 303
    with db.tenant_session(jeonju) as s:
        assert s.get(Case, case_id).due_on == today() - dt.timedelta(days=4)  # still overdue
    assert "4일 지남" in worker.get(f"/{jeonju}/cases/{case_id}").text
    # The judgement starts its own clock and sets the risk.
    with db.tenant_transaction(jeonju) as s:
        s.get(Case, case_id).stage = "judgement"
    assert (
        step(worker, jeonju, case_id, "record_judgement", judgement_level="linkage").status_code
        == 303
    )
    with db.tenant_session(jeonju) as s:
        case = s.get(Case, case_id)
        assert (case.stage, case.stage_since, case.due_on) == (
            "plan",
            today(),
            today() + dt.timedelta(days=14),
        )
        assert case.risk_level == "low"


def test_approval_makes_the_first_check_the_deadline_and_recording_it_moves_on(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    case_id = a_case(jeonju, stage="meeting", stage_since=today())
    assert step(coordinator, jeonju, case_id, "approve").status_code == 303
    with db.tenant_session(jeonju) as s:
        checks = s.scalars(sa.select(MonitoringCheck).where(MonitoringCheck.case_id == case_id)
                           .order_by(MonitoringCheck.months)).all()  # fmt: skip
        assert s.get(Case, case_id).due_on == checks[0].due_on
    page = coordinator.get(f"/{jeonju}/cases/{case_id}?tab=monitoring").text
    r = coordinator.post(f"/{jeonju}/cases/{case_id}/monitoring/{checks[0].id}",
                         data={"csrf_token": csrf_from(page), "condition": "안정적",
                               "service_use": "주 5회", "plan_change": "no"})  # fmt: skip
    assert r.status_code == 303
    with db.tenant_session(jeonju) as s:
        assert s.get(Case, case_id).due_on == checks[1].due_on


def test_reminders_reach_the_responsible_worker_once(jeonju, make_user):
    owner = user_id(make_user("frontline_worker", jeonju, dongs=["pyeonghwa1"]))
    near = a_case(jeonju, stage="plan", worker_id=owner, due_on=today() + dt.timedelta(days=2))
    late = a_case(
        jeonju, stage="application", worker_id=owner, due_on=today() - dt.timedelta(days=3)
    )
    a_case(jeonju, stage="plan", worker_id=owner, due_on=today() + dt.timedelta(days=9))  # not yet
    a_case(jeonju, stage="plan", worker_id=None, due_on=today())  # nobody to remind
    checked = a_case(
        jeonju, stage="provision", worker_id=owner, due_on=today() + dt.timedelta(days=1)
    )
    closed = a_case(jeonju, stage="closed", worker_id=owner, follow_up_on=today())
    with db.tenant_transaction(jeonju) as s:
        s.add(MonitoringCheck(case_id=checked, months=1, due_on=today() + dt.timedelta(days=1)))
    for _ in range(2):  # twice: the second run adds nothing
        enqueue(deadline_reminders, jeonju, f"t{_}", queue="low")
        run_worker()
    with db.tenant_session(jeonju) as s:
        tasks = s.execute(sa.select(Task.case_id, Task.deadline_key, Task.title, Task.assignee_id)
                          .order_by(Task.case_id, Task.deadline_key)).all()  # fmt: skip
    assert [(c, k) for c, k, _t, _a in tasks] == [
        (near, "stage:plan"), (late, "stage:application"), (checked, "check:1"), (closed, "follow_up"),
    ]  # fmt: skip
    assert {a for *_r, a in tasks} == {owner}
    titles = {c: t for c, _k, t, _a in tasks}
    assert titles[near] == f"지원계획 회의 상정 기한 {today() + dt.timedelta(days=2)}"
    assert titles[late] == f"사전조사 완료 기한 {today() - dt.timedelta(days=3)}"
    assert titles[checked] == f"1개월 모니터링 기한 {today() + dt.timedelta(days=1)}"
    assert titles[closed] == f"사후관리 기한 {today()}"


def test_the_hourly_fan_out_queues_one_job_per_ready_tenant(jeonju, make_tenant):
    other = make_tenant()
    get_queue("low").empty()
    assert remind_all() >= 2
    ids = get_queue("low").job_ids
    day = today().isoformat()
    assert f"t__{jeonju}__deadline_reminders__{day}" in ids
    assert f"t__{other}__deadline_reminders__{day}" in ids
    assert f"t__{jeonju}__district_moves__{day}" in ids  # merges and splits due on the day

    class Recorder:
        def __init__(self) -> None:
            self.calls: list[tuple[object, dict[str, object]]] = []

        def register(self, func: object, **kwargs: object) -> None:
            self.calls.append((func, kwargs))

    recorder = Recorder()
    register_schedule(recorder)
    assert recorder.calls == [
        (remind_all, {"queue_name": "low", "interval": 3600, "job_timeout": 600})
    ]


def test_a_worker_keeps_a_task_list(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    page = worker.get(f"/{jeonju}/tasks/")
    assert page.status_code == 200 and "남은 할 일이 없습니다." in page.text
    token = csrf_from(page.text)
    bad = worker.post(f"/{jeonju}/tasks/", data={"csrf_token": token, "title": " ", "due_on": "2020-01-01"},
                      headers={"HX-Request": "true", "HX-Request-Type": "partial"})  # fmt: skip
    text = html.unescape(bad.text)
    assert (
        bad.status_code == 422
        and "할 일을 적으세요" in text
        and "기한은 오늘이나 그 뒤여야 합니다" in text
    )
    assert "<html" not in bad.text  # the fragment, for htmx
    due = (today() + dt.timedelta(days=1)).isoformat()
    ok = worker.post(
        f"/{jeonju}/tasks/",
        data={"csrf_token": token, "title": "<b>보호자 통화</b>", "due_on": due},
    )
    assert ok.status_code == 303
    page = worker.get(f"/{jeonju}/tasks/").text
    assert "&lt;b&gt;보호자 통화&lt;/b&gt;" in page and due in page
    assert 'class="app-nav-count"' in page  # the badge in the menu
    with db.tenant_session(jeonju) as s:
        task_id = s.scalar(sa.select(Task.id).where(Task.title == "<b>보호자 통화</b>"))
    other = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    assert other.post(f"/{jeonju}/tasks/{task_id}/done",
                      data={"csrf_token": csrf_from(other.get(f"/{jeonju}/tasks/").text)}).status_code == 404  # fmt: skip
    assert (
        worker.post(f"/{jeonju}/tasks/{task_id}/done", data={"csrf_token": token}).status_code
        == 303
    )
    assert "남은 할 일이 없습니다." in worker.get(f"/{jeonju}/tasks/").text
    assert worker.post(f"/{jeonju}/tasks/", data={"title": "토큰 없음"}).status_code == 400


def test_a_contact_with_a_dated_next_action_becomes_a_task(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = a_case(jeonju, stage="plan")
    token = csrf_from(worker.get(f"/{jeonju}/cases/{case_id}").text)
    url = f"/{jeonju}/cases/{case_id}/contacts"
    due = (today() + dt.timedelta(days=3)).isoformat()
    bad = worker.post(
        url, data={"csrf_token": token, "kind": "phone", "content": "통화", "next_due": due}
    )
    assert bad.status_code == 422 and "기한을 두려면 다음 할 일을 적으세요" in html.unescape(
        bad.text
    )
    assert 'value="통화"' in bad.text or ">통화<" in bad.text  # the entry kept
    ok = worker.post(url, data={"csrf_token": token, "kind": "phone", "content": "통화",
                                "next_action": "병원 동행 일정 확인", "next_due": due})  # fmt: skip
    assert ok.status_code == 303
    page = worker.get(f"/{jeonju}/cases/{case_id}").text
    assert "병원 동행 일정 확인" in page and 'data-testid="case-tasks"' in page
    with db.tenant_session(jeonju) as s:
        task = s.scalar(sa.select(Task).where(Task.case_id == case_id))
        assert (task.title, task.due_on.isoformat(), task.assignee_id) == (
            "병원 동행 일정 확인",
            due,
            user_id(worker.email),
        )


def test_caseload_filters_by_deadline_risk_and_own_cases(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    me = user_id(worker.email)
    overdue = a_case(
        jeonju, stage="plan", due_on=today() - dt.timedelta(days=1), risk_level="high", worker_id=me
    )
    soon = a_case(jeonju, stage="plan", due_on=today() + dt.timedelta(days=2), risk_level="low")
    later = a_case(jeonju, stage="plan", due_on=today() + dt.timedelta(days=20), risk_level="high")

    def ids(query: str) -> set[int]:
        text = worker.get(f"/{jeonju}/cases/?{query}").text
        return {i for i in (overdue, soon, later) if f">#{i}<" in text}

    assert ids("") == {overdue, soon, later}
    assert ids("due=overdue") == {overdue}
    assert ids("due=soon") == {soon}
    assert ids("risk=high") == {overdue, later}
    assert ids("mine=1") == {overdue}
    assert ids("due=bogus&risk=<x>") == {overdue, soon, later}  # unknown values are ignored
    page = worker.get(f"/{jeonju}/cases/?due=overdue").text
    assert "지남" in page and 'value="overdue" selected' in page


def test_packs_set_service_levels_and_monitoring_months(tmp_path, pack_tenant):
    import shutil

    from dolbom.cases.followup import monitoring_months
    from dolbom.config import ROOT
    from dolbom.tenancy.packs import PackError, read_pack

    slug = pack_tenant("jeonju")
    with db.tenant_session(slug) as s:  # the shipped pack's values
        assert service_levels(s) == {"survey": 7, "judgement": 30, "plan": 14, "meeting": 14}
        assert monitoring_months(s) == (1, 3)
    bad = tmp_path / "jeonju"
    shutil.copytree(ROOT / "tenants" / "jeonju", bad)
    text = (bad / "tenant.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "service_levels: {survey: 7, judgement: 30, plan: 14, meeting: 14}",
        "service_levels: {survey: 0, review: 3}",
    )
    text = text.replace("monitoring_months: [1, 3]", "monitoring_months: [1, 30]")
    (bad / "tenant.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as refused:
        read_pack(bad)
    errors = "\n".join(refused.value.errors)
    assert "tenant.yaml: service_levels.survey: 기한은 1일에서 365일 사이의 정수입니다" in errors
    assert "tenant.yaml: service_levels.review: 알 수 없는 처리 기한입니다" in errors
    assert "tenant.yaml: monitoring_months: 1~24 사이 개월 수의 목록이어야 합니다" in errors
