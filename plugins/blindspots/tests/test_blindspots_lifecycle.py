"""A list from upload to return: the job through a real RQ worker, the report of bad rows,
tasks per dong, visit outcomes (no need, linked, new application) and the export."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from blindspots_testkit import (
    HX,
    jeonju,  # noqa: F401  (fixture)
    latest_batch,
    problem_lines,
    register_people,
    run_worker,
    small_file,
    upload,
    url,
)
from openpyxl import load_workbook

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.cases.models import Case
from dolbom.jobs.models import JobRecord
from dolbom.people.models import Person
from dolbom_blindspots import columns as C
from dolbom_blindspots.models import Task
from tests.fixtures import csrf_from


def test_upload_import_visit_and_export(jeonju, signed_in):  # noqa: F811
    slug = jeonju
    coordinator = signed_in("coordinator", slug)
    rows_rrns = [f"4{n}0101-1{n:06d}" for n in range(1, 4)]  # three people already registered
    data, rows, _kinds = small_file(slug, 30, bad=(10, 20, 25), rrns=rows_rrns)
    known = register_people(slug, rows_rrns[:2], with_case=True)  # ...two with a case running
    # the third registered in the dong the list names (a new application opens there)
    known += register_people(slug, rows_rrns[2:], dong=rows[2][C.DONG])

    response = upload(
        coordinator, slug, data, "발굴명단_2026-05.csv", label="2026년 5~6월 명단", headers=HX
    )
    assert response.status_code == 204, response.text
    batch = latest_batch(slug)
    assert response.headers["HX-Redirect"] == url(slug, f"/batches/{batch.id}")
    assert batch.status == "queued" and batch.encoding == "utf-8-sig"
    page = coordinator.get(url(slug, f"/batches/{batch.id}"))
    assert 'hx-trigger="every 1s"' in page.text and "2026년 5~6월 명단" in page.text

    run_worker()
    batch = latest_batch(slug)
    assert (batch.status, batch.row_count, batch.imported_count, batch.bad_count, batch.matched_count) == (
        "imported", 30, 27, 3, 3,
    )  # fmt: skip
    assert problem_lines(slug, batch.id) == [12, 22, 27]  # position + 2: the header is line 1
    with db.shared_session() as s:
        job = s.scalar(sa.select(JobRecord).where(JobRecord.tenant_slug == slug))
        assert (job.status, job.progress) == ("finished", 100)
    page = coordinator.get(url(slug, f"/batches/{batch.id}"))
    assert "every 1s" not in page.text  # settled: no more polling
    assert 'data-testid="problem-line-12"' in page.text
    partial = coordinator.get(url(slug, f"/batches/{batch.id}/progress"), headers=HX)
    assert "<html" not in partial.text and 'data-status="imported"' in partial.text

    # Tasks per dong, highest risk first; the frontline worker sees their dong only.
    with db.tenant_session(slug) as s:
        tasks = list(s.scalars(sa.select(Task).order_by(Task.id)))
    assert [t.score for t in tasks] == sorted((t.score for t in tasks), reverse=True)
    dong = tasks[0].dong_code
    mine = {t.id for t in tasks if t.dong_code == dong}
    worker = signed_in("frontline_worker", slug, dongs=[dong])
    listing = worker.get(url(slug, "/tasks"))
    assert listing.status_code == 200
    shown = {t.id for t in tasks if f'data-testid="task-{t.id}"' in listing.text}
    assert shown == mine
    assert all(t.name not in listing.text for t in tasks)  # names masked in the list

    # The registry match: a matched person's running case is offered for "linked".
    matched = {t.person_id: t for t in tasks if t.person_id}
    assert set(matched) == set(known)
    linked_task, app_task = matched[known[0]], matched[known[2]]
    new_task = next(t for t in tasks if t.person_id is None)
    lead = signed_in("coordinator", slug)

    def save(client, task, **form):  # type: ignore[no-untyped-def]
        page = client.get(url(slug, f"/tasks/{task.id}"))
        lock = page.text.split('name="lock_version" value="')[1].split('"')[0]
        return client.post(url(slug, f"/tasks/{task.id}"), headers=HX,
                           data={"csrf_token": csrf_from(page.text), "lock_version": lock, **form})  # fmt: skip

    with db.tenant_session(slug) as s:
        running = s.scalar(sa.select(Case.id).where(Case.person_id == known[0]))
    page = lead.get(url(slug, f"/tasks/{linked_task.id}"))
    assert f"#{running}" in page.text and linked_task.name in page.text
    r = save(lead, linked_task, outcome="linked", visited_on="2026-05-10", case_number=str(running),
             note="노인맞춤돌봄서비스 연계")  # fmt: skip
    assert r.status_code == 200 and 'data-testid="outcome-value">서비스 연계' in r.text
    other = next(
        t for t in reversed(tasks) if t.id not in {linked_task.id, app_task.id, new_task.id}
    )
    r = save(lead, other, outcome="no_need", visited_on="2026-05-11")
    assert r.status_code == 200
    # New application for a registry person without a running case: the same person.
    r = save(lead, app_task, outcome="application", visited_on="2026-05-12")
    assert r.status_code == 200, r.text
    # New application for someone not in the registry: registered from the sealed number.
    r = save(lead, new_task, outcome="application", visited_on="2026-05-12", note="상담 후 신청")
    assert r.status_code == 200 and "outcome-case" in r.text
    with db.tenant_session(slug) as s:
        done = {t.id: t for t in s.scalars(sa.select(Task).where(Task.status == "done"))}
        assert len(done) == 4
        opened = s.get(Case, done[new_task.id].case_id)
        assert opened.source == "발굴명단" and opened.stage == "application"
        person = s.get(Person, opened.person_id)
        assert person.rrn_index == new_task.rrn_index and person.name == new_task.name
        assert s.get(Case, done[app_task.id].case_id).person_id == known[2]
        assert done[linked_task.id].case_id == running
    # A case opened from the list shows where it came from (the case panel hook).
    case_page = lead.get(f"/{slug}/cases/{done[new_task.id].case_id}")
    assert "복지사각지대 발굴 명단" in case_page.text

    # The return file: no name, no resident number; its download is logged.
    form = coordinator.get(url(slug, f"/batches/{batch.id}/export.csv"))  # asks why first
    assert form.status_code == 200 and 'data-testid="export-reason"' in form.text
    export = coordinator.post(url(slug, f"/batches/{batch.id}/export.csv"),
                              data={"csrf_token": csrf_from(form.text), "reason": "국가 시스템 회신"})  # fmt: skip
    assert export.status_code == 200 and export.data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert table[0] == [C.KEY, C.DONG, "방문일", "결과", "연계 내용"]
    assert len(table) == 28
    by_key = {r[0]: r for r in table[1:]}
    assert by_key[linked_task.national_key][2:] == [
        "2026-05-10",
        "서비스 연계",
        f"사례 #{running} — 노인맞춤돌봄서비스 연계",
    ]
    assert by_key[tasks[0].national_key][3] in ("미방문", "불필요", "서비스 연계", "신규 신청")
    text = export.data.decode("utf-8-sig")
    assert all(t.name not in text and t.rrn_masked[:6] not in text for t in tasks)
    xlsx = coordinator.post(url(slug, f"/batches/{batch.id}/export.xlsx"),
                            data={"csrf_token": csrf_from(form.text), "reason": "회신 (엑셀)"})  # fmt: skip
    sheet = load_workbook(io.BytesIO(xlsx.data), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 28
    with db.tenant_session(slug) as s:
        logged = s.execute(sa.select(AccessLog.action, AccessLog.detail)
                           .where(AccessLog.subject_id == batch.id, AccessLog.subject_type == "blindspots_batch")
                           .order_by(AccessLog.id)).all()  # fmt: skip
        assert [a for a, _d in logged] == ["download"] * 2
        assert logged[0][1].endswith("까닭: 국가 시스템 회신") and "회신 (엑셀)" in logged[1][1]
        # 신규 신청 logged the case it opened (and the person it registered)
        created = set(s.execute(sa.select(AccessLog.subject_type, AccessLog.subject_id)
                                .where(AccessLog.action == "create")).all())  # fmt: skip
        new_case = done[new_task.id].case_id
        assert {("case", new_case), ("case", done[app_task.id].case_id),
                ("person", s.get(Case, new_case).person_id)} <= created  # fmt: skip
        assert ("person", known[2]) not in created  # a registry person is not created again
        views = s.scalar(sa.select(sa.func.count()).select_from(AccessLog).where(
            AccessLog.subject_type == "blindspots_task", AccessLog.action == "view"))  # fmt: skip
        assert views >= len(mine) + 4
