"""Custody of the list and of the people on it: the stored file is sealed and can be discarded;
every view and creation is access-logged (also a refused form shown again, and the export with
its reason); outcomes stay within the task's person and dong; the worklist's indexes exist."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from blindspots_testkit import (
    HX,
    dongs,
    jeonju,  # noqa: F401  (fixture)
    latest_batch,
    register_people,
    run_worker,
    small_file,
    task_count,
    upload,
    url,
)
from cryptography.exceptions import InvalidTag

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.cases.models import Case
from dolbom.plugins.api import open_bytes, seal_bytes
from dolbom_blindspots import importing
from dolbom_blindspots.models import Task, Upload
from tests import rrn_scan
from tests.fixtures import csrf_from


def test_the_stored_file_is_sealed_and_a_waiting_list_can_be_discarded(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    data, rows, _ = small_file(slug, 5)
    assert upload(c, slug, data).status_code == 303
    batch = latest_batch(slug)
    with db.tenant_session(slug) as s:
        stored = s.get(Upload, batch.id).content
    number = rows[0]["주민등록번호"].encode()
    assert number not in stored and rows[0]["성명"].encode() not in stored
    assert importing.open_upload(slug, Upload(batch_id=batch.id, content=stored)) == data
    with pytest.raises(InvalidTag):  # bound to the tenant and the batch
        open_bytes("other-city", stored, f"blindspots_upload:{batch.id}")
    with pytest.raises(InvalidTag):
        open_bytes(slug, stored, f"blindspots_upload:{batch.id + 1}")
    assert rrn_scan.in_database(db.get_engine()) == []  # the scan reads bytea too

    # Waiting in the queue: a frontline worker may not discard, nor anyone without CSRF.
    page = c.get(url(slug, f"/batches/{batch.id}"))
    assert 'data-testid="discard"' in page.text
    worker = signed_in("frontline_worker", slug, dongs=["pyeonghwa1"])
    token = csrf_from(worker.get(url(slug, "/tasks")).text)
    assert worker.post(url(slug, f"/batches/{batch.id}/discard"), data={"csrf_token": token}).status_code == 403  # fmt: skip
    assert c.post(url(slug, f"/batches/{batch.id}/discard")).status_code == 400
    r = c.post(url(slug, f"/batches/{batch.id}/discard"), data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    run_worker()  # the queued job finds the list discarded and does nothing
    gone = latest_batch(slug)
    assert gone.status == "discarded" and task_count(slug) == 0
    with db.tenant_session(slug) as s:
        assert s.get(Upload, batch.id) is None
        logged = s.scalar(sa.select(AccessLog.action).where(AccessLog.subject_type == "blindspots_batch"))  # fmt: skip
        assert logged == "delete"
    page = c.get(url(slug, f"/batches/{batch.id}"))
    assert 'data-testid="batch-discarded"' in page.text and 'data-testid="retry"' not in page.text
    # An imported list cannot be discarded.
    again, _rows, _ = small_file(slug, 4, seed=9)
    assert upload(c, slug, again).status_code == 303
    run_worker()
    done = latest_batch(slug)
    c.post(url(slug, f"/batches/{done.id}/discard"), data={"csrf_token": csrf_from(page.text)})
    assert latest_batch(slug).status == "imported"


def test_a_plaintext_file_in_a_bytea_column_is_found_by_the_scan():
    engine = db.get_engine()
    with engine.begin() as conn:
        conn.exec_driver_sql('CREATE SCHEMA "t_scan_bytea"')
        conn.exec_driver_sql('CREATE TABLE "t_scan_bytea".f (id int, content bytea)')
        conn.exec_driver_sql("INSERT INTO t_scan_bytea.f VALUES (1, '관리번호,주민\n1,440101-2345678'::bytea)")  # fmt: skip
    try:
        assert rrn_scan.in_database(engine) == ["t_scan_bytea.f: 1 rows"]
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE t_scan_bytea.f SET content = :c"),
                         {"c": seal_bytes("x", b"440101-2345678", "probe")})  # fmt: skip
        assert rrn_scan.in_database(engine) == []
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql('DROP SCHEMA "t_scan_bytea" CASCADE')


def _imported(client, slug: str, rrns: list[str]) -> list[Task]:  # type: ignore[no-untyped-def]
    data, _rows, _ = small_file(slug, 6, rrns=rrns, seed=11)
    assert upload(client, slug, data).status_code == 303
    run_worker()
    with db.tenant_session(slug) as s:
        return list(s.scalars(sa.select(Task).order_by(Task.line)))


def _save(client, slug: str, task: Task, **form):  # type: ignore[no-untyped-def]
    page = client.get(url(slug, f"/tasks/{task.id}"))
    lock = page.text.split('name="lock_version" value="')[1].split('"')[0]
    return client.post(url(slug, f"/tasks/{task.id}"), headers=HX,
                       data={"csrf_token": csrf_from(page.text), "lock_version": lock,
                             "visited_on": "2026-05-10", **form})  # fmt: skip


def _views(slug: str, task_id: int) -> int:
    with db.tenant_session(slug) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(AccessLog).where(
            AccessLog.subject_type == "blindspots_task", AccessLog.subject_id == task_id,
            AccessLog.action == "view")) or 0  # fmt: skip


def test_refused_forms_shown_again_are_logged_views(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    t = _imported(c, slug, [])[0]
    page = c.get(url(slug, f"/tasks/{t.id}"))
    before = _views(slug, t.id)
    r = c.post(url(slug, f"/tasks/{t.id}"), headers=HX,
               data={"csrf_token": csrf_from(page.text), "lock_version": "1", "outcome": ""})  # fmt: skip
    assert r.status_code == 422 and _views(slug, t.id) == before + 1
    r = c.post(url(slug, f"/tasks/{t.id}"), headers=HX,
               data={"csrf_token": csrf_from(page.text), "lock_version": "7", "outcome": "no_need"})  # fmt: skip
    assert r.status_code == 409 and _views(slug, t.id) == before + 2
    # The export asks why and logs the reason; without one it is refused at the field.
    batch = latest_batch(slug)
    form = c.get(url(slug, f"/batches/{batch.id}/export.csv"))
    r = c.post(url(slug, f"/batches/{batch.id}/export.csv"), data={"csrf_token": csrf_from(form.text), "reason": " "})  # fmt: skip
    assert r.status_code == 422 and "까닭을 적으세요" in r.text


def test_outcomes_stay_with_the_tasks_person_and_dong(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    rrns = ["440101-1000001", "440101-1000002", "440101-1000003"]
    c = signed_in("coordinator", slug)
    data, rows, _ = small_file(slug, 6, rrns=rrns, seed=11)
    elsewhere = next(d for d in dongs(slug) if d not in (rows[0]["행정동"], rows[1]["행정동"]))
    [moved] = register_people(slug, rrns[:1], dong=elsewhere)  # the registry says: another dong
    [busy] = register_people(slug, rrns[1:2], dong=elsewhere, with_case=True)
    [here] = register_people(slug, rrns[2:3], dong=rows[2]["행정동"], with_case=True)
    assert upload(c, slug, data).status_code == 303
    run_worker()
    with db.tenant_session(slug) as s:
        tasks = {t.person_id: t for t in s.scalars(sa.select(Task)) if t.person_id}
        busy_case = s.scalar(sa.select(Case.id).where(Case.person_id == busy))
        here_case = s.scalar(sa.select(Case.id).where(Case.person_id == here))
    # 신규 신청 for a registry person living in another dong: refused (the case would open there).
    r = _save(c, slug, tasks[moved], outcome="application")
    assert r.status_code == 422 and "다른 동에 등록되어" in r.text
    # A running case outside a frontline worker's dongs: refused without its number.
    worker = signed_in("frontline_worker", slug, dongs=[tasks[busy].dong_code])
    r = _save(worker, slug, tasks[busy], outcome="application")
    assert r.status_code == 422 and "다른 동에서 진행 중인 사례" in r.text
    assert f"#{busy_case}" not in r.text
    # 서비스 연계 only with a case of this person.
    r = _save(c, slug, tasks[busy], outcome="linked", case_number=str(here_case), note="연계")
    assert r.status_code == 422 and "명단의 사람" in r.text
    unmatched = next(t for t in _all_tasks(slug) if t.person_id is None)
    r = _save(c, slug, unmatched, outcome="linked", case_number=str(here_case), note="연계")
    assert r.status_code == 422 and "주민 대장에 없어" in r.text
    r = _save(c, slug, tasks[here], outcome="linked", case_number=str(here_case), note="연계")
    assert r.status_code == 200
    with db.tenant_session(slug) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.source == "발굴명단")) == 0  # fmt: skip


def _all_tasks(slug: str) -> list[Task]:
    with db.tenant_session(slug) as s:
        return list(s.scalars(sa.select(Task).order_by(Task.id)))


def test_the_worklist_indexes_exist(jeonju):  # noqa: F811
    with db.get_engine().connect() as conn:
        found = dict(conn.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = :s AND tablename = 'blindspots_task'"
        ), {"s": db.schema_for(jeonju)}).all())  # fmt: skip
    assert "(person_id)" in found["ix_blindspots_task_person_id"]
    assert "(status, score DESC, batch_id DESC, id)" in found["ix_blindspots_task_queue"]
