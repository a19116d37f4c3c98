"""Jobs on a real RQ worker: tenant-bound, refused without a tenant, exports with progress."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from rq import Worker
from rq.registry import FailedJobRegistry

from dolbom import db, kv
from dolbom.districts.models import Dong, Gu
from dolbom.identity.models import Role
from dolbom.jobs import MissingTenant, enqueue, get_queue
from dolbom.jobs.models import JobRecord
from dolbom.tenancy.dump import import_tenant
from dolbom.tenancy.operations import drop_tenant, set_plugin
from dolbom.tenancy.packs import read_pack
from dolbom.tenant_settings import get
from dolbom_testplugin import Item, mark_job
from tests.fixtures import ROOT, csrf_from, login


def run_worker(*queues: str) -> None:
    """One real worker run: forks a work horse per job, as in production."""
    Worker(list(queues or ("high", "default", "low")), connection=kv.get_redis()).work(
        burst=True, logging_level="WARNING"
    )


def test_each_job_writes_only_to_its_own_tenant(make_tenant):
    a, b = make_tenant(), make_tenant()
    for slug in (a, b):
        set_plugin(slug, "testplugin", True)
    ids = [enqueue(mark_job, slug, "k1", f"value-{slug}") for slug in (a, b)]
    assert ids == [f"t__{a}__testplugin-mark__k1", f"t__{b}__testplugin-mark__k1"]
    run_worker("default")
    for slug, other in ((a, b), (b, a)):
        with db.tenant_session(slug) as s:
            assert get(s, "testplugin.mark") == {
                "tenant": slug,
                "value": f"value-{slug}",
                "greeting": "안녕하세요",
            }
            labels = set(s.scalars(sa.select(Item.label)))
            assert f"job-{slug}" in labels and f"job-{other}" not in labels
    with db.shared_session() as s:
        records = [s.get(JobRecord, i) for i in ids]
        assert [(r.status, r.progress) for r in records] == [("finished", 100)] * 2


def test_a_job_without_tenant_is_refused(signed_in):
    with pytest.raises(MissingTenant):
        enqueue(mark_job, None, "k", "x")
    with pytest.raises(MissingTenant):
        enqueue(mark_job, "Not A Slug", "k", "x")
    queue = get_queue("default")
    job = queue.enqueue(mark_job, job_timeout=30)  # bypassing enqueue(): the job itself refuses
    run_worker("default")
    assert job.id in FailedJobRegistry(queue=queue).get_job_ids()
    job.refresh()
    assert "MissingTenant" in (job.latest_result().exc_string or "")
    # Operators see it in the list of failed jobs.
    page = signed_in(platform_role=Role.PLATFORM_OPERATOR).get("/admin/jobs").text
    assert job.id in page and "MissingTenant" in page


def test_same_key_gives_the_same_job(make_tenant):
    slug = make_tenant()
    set_plugin(slug, "testplugin", True)
    first = enqueue(mark_job, slug, "same", "1")
    second = enqueue(mark_job, slug, "same", "2")
    assert first == second
    assert get_queue("default").count == 1


def test_export_job_with_progress_and_round_trip(app, make_tenant, make_user, signed_in):
    slug = make_tenant()
    pack = read_pack(ROOT / "tenants" / "jeonju")
    pack.slug = slug
    from dolbom.tenancy.packs import load_pack

    with db.tenant_transaction(slug) as s:
        load_pack(s, pack)
    member = make_user("frontline_worker", slug, dongs=["pyeonghwa1"])
    operator = signed_in(platform_role=Role.PLATFORM_OPERATOR)
    token = csrf_from(operator.get("/admin/").text)
    r = operator.post(f"/admin/tenants/{slug}/export", data={"csrf_token": token})
    assert r.status_code == 303
    job_url = r.headers["Location"]
    page = operator.get(job_url)
    assert 'hx-trigger="every 1s"' in page.text and "대기 중" in page.text
    run_worker("low")
    progress = operator.get(
        job_url + "/progress", headers={"HX-Request": "true", "HX-Request-Type": "partial"}
    )
    assert "hx-trigger" not in progress.text  # finished: the bar stops polling
    assert "완료" in progress.text and "<html" not in progress.text
    download = operator.get(job_url + "/download")
    assert download.status_code == 200 and download.mimetype == "application/gzip"
    dump = Path(app.config["DOLBOM_SETTINGS"].instance) / "exports"
    (file,) = [p for p in dump.iterdir() if p.name.startswith(slug)]

    with db.tenant_session(slug) as s:
        before = (
            s.scalar(sa.select(sa.func.count()).select_from(Dong)),
            s.scalar(sa.select(Gu.name).order_by(Gu.id).limit(1)),
        )
    drop_tenant(slug)
    assert import_tenant(file) == slug
    with db.tenant_session(slug) as s:
        after = (
            s.scalar(sa.select(sa.func.count()).select_from(Dong)),
            s.scalar(sa.select(Gu.name).order_by(Gu.id).limit(1)),
        )
        s.add(Gu(code="new", name="새 구"))  # sequences continue after the imported rows
        s.commit()
    assert before == after == (36, "완산구")  # 34 current dongs + 금암1동, 금암2동
    # The member's membership came back with the tenant.
    client = app.test_client()
    assert login(client, member).status_code == 302
    assert client.get(f"/{slug}/").status_code == 200


def test_broken_dump_is_refused_and_nothing_is_created(tmp_path):
    from dolbom.tenancy.operations import TenantError

    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"not a dump")
    with pytest.raises(TenantError, match="손상"):
        import_tenant(bad)


def test_a_job_that_vanished_is_not_waited_on_forever(signed_in, make_tenant):
    from rq.job import Job

    slug = make_tenant()
    set_plugin(slug, "testplugin", True)
    jid = enqueue(mark_job, slug, "lost", "x")
    Job.fetch(jid, connection=kv.get_redis()).delete()  # as if Redis lost it, or a cold stop
    operator = signed_in(platform_role=Role.PLATFORM_OPERATOR)
    progress = operator.get(f"/admin/jobs/{jid}/progress")
    assert 'data-status="failed"' in progress.text and "hx-trigger" not in progress.text
    assert enqueue(mark_job, slug, "lost", "x") == jid  # the same key can run again
    assert get_queue("default").count == 1
    run_worker("default")
    with db.shared_session() as s:
        assert s.get(JobRecord, jid).status == "finished"
