"""Nothing half-imported: a crash mid-import leaves no task and no problem row and the batch
failed; a rerun imports once; a second run of a finished job does nothing. Two people saving the
same visit: the second gets a clear conflict. The plugin's migration equals its models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from blindspots_testkit import (
    HX,
    jeonju,  # noqa: F401  (fixture)
    latest_batch,
    run_worker,
    small_file,
    task_count,
    upload,
    url,
)

from dolbom import db
from dolbom.jobs import enqueue
from dolbom_blindspots import importing
from dolbom_blindspots.models import Base, Problem, Task, Upload
from tests.fixtures import csrf_from


class Crash(RuntimeError):
    pass


def test_a_crash_leaves_nothing_and_a_rerun_imports_once(jeonju, signed_in, monkeypatch):  # noqa: F811
    slug = jeonju
    monkeypatch.setattr(importing, "CHUNK", 7)  # several INSERTs, so the crash comes between two
    c = signed_in("coordinator", slug)
    data, _rows, _ = small_file(slug, 30, bad=(4,))
    assert upload(c, slug, data).status_code == 303
    batch = latest_batch(slug)

    def crash_after_second(done: int) -> None:
        if done >= 14:
            raise Crash("the machine went away")

    with pytest.raises(Crash):
        importing.run_import(slug, batch.id, after_chunk=crash_after_second)
    failed = latest_batch(slug)
    assert failed.status == "failed" and "아무것도 저장하지 않았습니다" in failed.message
    with db.tenant_session(slug) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Task)) == 0
        assert s.scalar(sa.select(sa.func.count()).select_from(Problem)) == 0
        assert s.get(Upload, batch.id) is not None  # the file is kept for the rerun
    page = c.get(url(slug, f"/batches/{batch.id}"))
    assert 'data-testid="batch-failed"' in page.text and 'data-testid="retry"' in page.text

    # The operator reruns it from the page: through the real worker, imported once.
    r = c.post(url(slug, f"/batches/{batch.id}/retry"), data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    run_worker()
    assert (latest_batch(slug).status, task_count(slug)) == ("imported", 29)
    # RQ runs a job at least once: the same job again, and a direct second run, change nothing.
    enqueue(importing.import_job, slug, f"again-{batch.id}", batch.id)
    run_worker()
    assert importing.run_import(slug, batch.id) == {"status": "imported", "already": True}
    assert task_count(slug) == 29
    with db.tenant_session(slug) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Problem)) == 1
        assert s.get(Upload, batch.id) is None  # the file's bytes are gone once imported


def test_second_save_of_the_same_visit_gets_a_conflict(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    c = signed_in("coordinator", slug)
    data, _rows, _ = small_file(slug, 5)
    assert upload(c, slug, data).status_code == 303
    run_worker()
    with db.tenant_session(slug) as s:
        task = s.scalar(sa.select(Task).order_by(Task.id).limit(1))
    dong = task.dong_code
    first, second = (
        signed_in("frontline_worker", slug, dongs=[dong]),
        signed_in("coordinator", slug),
    )
    page_a, page_b = (
        first.get(url(slug, f"/tasks/{task.id}")),
        second.get(url(slug, f"/tasks/{task.id}")),
    )
    form = {"lock_version": "1", "outcome": "no_need", "visited_on": "2026-05-02"}
    a = first.post(
        url(slug, f"/tasks/{task.id}"),
        headers=HX,
        data={"csrf_token": csrf_from(page_a.text), **form},
    )
    assert a.status_code == 200
    b = second.post(url(slug, f"/tasks/{task.id}"), headers=HX,
                    data={"csrf_token": csrf_from(page_b.text), **form, "outcome": "linked",
                          "note": "다른 내용"})  # fmt: skip
    assert b.status_code == 409 and "다른 사람이 먼저" in b.text and "다른 내용" in b.text
    with db.tenant_session(slug) as s:
        saved = s.get(Task, task.id)
        assert (saved.outcome, saved.note, saved.lock_version) == ("no_need", None, 2)
    # Bad input on the form: 422 with the message beside the field, nothing saved.
    page = second.get(url(slug, f"/tasks/{task.id}"))
    bad = second.post(url(slug, f"/tasks/{task.id}"), headers=HX,
                      data={"csrf_token": csrf_from(page.text), "lock_version": "2", "outcome": "linked",
                            "visited_on": "2099-01-01", "case_number": "999999"})  # fmt: skip
    assert bad.status_code == 422
    assert (
        "오늘보다 뒤" in bad.text
        and "그 번호가 없습니다" in bad.text
        and "연계한 서비스를 적으세요" in bad.text
    )
    with db.tenant_session(slug) as s:
        assert s.get(Task, task.id).lock_version == 2


def test_migration_equals_the_models(jeonju):  # noqa: F811
    with db.get_engine().begin() as conn:
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{db.schema_for(jeonju)}"')
        context = MigrationContext.configure(conn, opts={
            "include_name": lambda name, type_, parent: type_ != "table" or name in Base.metadata.tables})  # fmt: skip
        assert compare_metadata(context, Base.metadata) == []
