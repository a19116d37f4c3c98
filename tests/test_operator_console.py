"""The operator console on real PostgreSQL, Redis and RQ workers: tenants with their figures,
creating a tenant from a pack as a job with progress, retrying failed jobs."""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from rq.job import Job
from rq.registry import FailedJobRegistry

from dolbom import db, kv
from dolbom.admin import provision
from dolbom.admin.queries import add_figures, tenant_rows
from dolbom.audit.models import PlatformEvent
from dolbom.cases.models import Case
from dolbom.catalogue.models import Provider
from dolbom.db import TenantBase
from dolbom.identity.models import Role
from dolbom.jobs import enqueue, get_queue
from dolbom.jobs.models import JobRecord
from dolbom.migrate.streams import core_stream
from dolbom.people.models import Person
from dolbom.tenancy.models import Tenant
from dolbom.tenancy.operations import TenantError, drop_tenant
from dolbom.tenancy.provisioning import schema_exists
from tests.fixtures import ROOT, csrf_from, login, unique
from tests.test_jobs import run_worker

PACK_STEPS = ["schema", "districts", "forms", "rules", "catalogue", "done"]
HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@pytest.fixture
def operator(signed_in):  # type: ignore[no-untyped-def]
    return signed_in(platform_role=Role.PLATFORM_OPERATOR)


@pytest.fixture
def made() -> Iterator[list[str]]:
    """Slugs the page created: dropped afterwards."""
    slugs: list[str] = []
    yield slugs
    for slug in slugs:
        with contextlib.suppress(TenantError):
            drop_tenant(slug)


@pytest.fixture
def packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """A folder of packs of the test's own; pack(folder) copies the shipped Daejeon pack under a
    new slug. The forked work horse inherits the patched folder."""
    root = tmp_path / "packs"
    root.mkdir()
    monkeypatch.setattr(provision, "PACKS_DIR", root)

    def copy(folder: str | None = None) -> str:
        folder = folder or unique("pk")
        shutil.copytree(ROOT / "tenants" / "daejeon", root / folder)
        meta = root / folder / "tenant.yaml"
        meta.write_text(
            meta.read_text(encoding="utf-8").replace("slug: daejeon", f"slug: {folder}"),
            encoding="utf-8",
        )
        return folder

    copy.root = root  # type: ignore[attr-defined]
    return copy


def post_create(client, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/admin/").text)
    return client.post("/admin/tenants", data={"csrf_token": token, **data})


def job_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/admin/jobs/(.+)", response.headers["Location"])
    assert match
    return match.group(1)


def record(jid: str) -> JobRecord:
    with db.shared_session() as s:
        found = s.get(JobRecord, jid)
        assert found is not None
        return found


def status_of(slug: str) -> str | None:
    with db.shared_session() as s:
        return s.scalar(sa.select(Tenant.status).where(Tenant.slug == slug))


def row_counts(slug: str) -> dict[str, int]:
    with db.tenant_session(slug) as s:
        return {
            t.name: s.scalar(sa.select(sa.func.count()).select_from(t)) or 0
            for t in TenantBase.metadata.sorted_tables
        }


def cell(page: str, slug: str, testid: str) -> str:
    row = re.search(rf'data-testid="tenant-{re.escape(slug)}">(.*?)</tr>', page, re.S)
    assert row, f"no row for {slug}"
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</td>', row.group(1), re.S)
    assert found, f"no {testid} cell for {slug}"
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip()


def test_tenants_page_shows_figures_versions_and_size(pack_tenant, make_user, operator):
    slug = pack_tenant("daejeon")
    with db.tenant_transaction(slug) as s:
        people = [Person(name=f"시험 {i}") for i in range(3)]
        s.add_all(people)
        s.flush()
        s.add(Case(person_id=people[0].id))
        s.add(Case(person_id=people[1].id, stage="closed"))
        providers = s.scalar(
            sa.select(sa.func.count()).select_from(Provider).where(Provider.active)
        )
    assert providers
    make_user("coordinator", slug)
    make_user("frontline_worker", slug)
    page = operator.get("/admin/").text
    assert cell(page, slug, "people") == "3"
    assert cell(page, slug, "open-cases") == "1"
    assert cell(page, slug, "staff") == "2"
    assert cell(page, slug, "providers") == str(providers)
    assert cell(page, slug, "status") == "운영 중"
    versions = cell(page, slug, "versions")
    assert core_stream().head in versions and "최신" in versions
    size = re.search(rf'data-testid="tenant-{slug}">.*?data-bytes="(\d+)"', page, re.S)
    assert size and int(size.group(1)) > 100_000
    # The shipped packs are offered; the form is there.
    assert 'data-testid="pack-daejeon"' in page and 'data-testid="create-form"' in page


def test_figures_take_one_short_query_per_tenant(make_tenant):
    mine = {make_tenant() for _ in range(20)}
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    with db.shared_session() as s:
        rows = [r for r in tenant_rows(s) if r.tenant.slug in mine]
        add_figures(s, rows)  # warm: compiled statements cached, pool filled
        for r in rows:
            r.figures.people = None
        sa.event.listen(db.get_engine(), "before_cursor_execute", seen)
        try:
            started = time.perf_counter()
            add_figures(s, rows)
            elapsed = time.perf_counter() - started
        finally:
            sa.event.remove(db.get_engine(), "before_cursor_execute", seen)
    print(f"\nfigures for 20 tenants: {elapsed * 1000:.1f} ms, {len(statements)} statements")
    # Staff and sizes for all at once, then one statement per tenant in its own schema.
    assert len(statements) == 2 + 20
    assert all(r.figures.people == 0 and r.figures.size for r in rows)
    assert elapsed < 0.2


def test_empty_state(app):
    from flask import render_template

    from dolbom.admin.forms import NewTenant

    with app.test_request_context("/admin/"):
        html = render_template(
            "admin/tenants.html", rows=[], plugins={}, form=NewTenant({}), packs=[]
        )
    assert 'data-testid="no-tenants"' in html and 'data-testid="tenant-table"' not in html


def test_create_from_a_shipped_pack_runs_as_a_job(operator, made, pack_tenant, make_user, app):
    slug = unique("dj")
    made.append(slug)
    jid = job_of(post_create(operator, pack="daejeon", slug=slug, name="대전 시험"))
    assert jid.startswith(f"t__{slug}__create__")
    page = operator.get(f"/admin/jobs/{jid}").text
    assert 'hx-trigger="every 1s"' in page and "대기 중" in page and "기관 만들기" in page
    assert status_of(slug) is None  # nothing before the job runs

    run_worker("default")
    done = record(jid)
    assert (done.status, done.progress, done.message) == ("finished", 100, "done")
    assert Job.fetch(jid, connection=kv.get_redis()).meta["steps"] == PACK_STEPS
    progress = operator.get(f"/admin/jobs/{jid}/progress", headers=HX).text
    assert 'data-status="finished"' in progress and "hx-trigger" not in progress
    assert "<html" not in progress

    # Usable, with the whole pack: the same rows as a tenant given the pack in one go.
    assert status_of(slug) == "ready"
    reference = pack_tenant("daejeon")
    assert row_counts(slug) == row_counts(reference)
    assert row_counts(slug)["provider"] > 0
    client = app.test_client()
    assert login(client, make_user("coordinator", slug)).status_code == 302
    assert client.get(f"/{slug}/").status_code == 200
    page = operator.get("/admin/").text
    assert cell(page, slug, "status") == "운영 중" and "대전 시험" in page
    with db.shared_session() as s:
        actions = set(
            s.scalars(sa.select(PlatformEvent.action).where(PlatformEvent.tenant_slug == slug))
        )
    assert {"tenant.create_requested", "tenant.created"} <= actions


def test_a_pack_with_its_own_slug_is_marked_once_created(operator, made, packs):
    folder = packs()
    made.append(folder)
    page = operator.get("/admin/").text
    assert f'data-testid="create-{folder}"' in page
    # Blank slug and name: the pack's own.
    jid = job_of(post_create(operator, pack=folder))
    run_worker("default")
    assert record(jid).status == "finished"
    with db.shared_session() as s:
        tenant = s.scalar(sa.select(Tenant).where(Tenant.slug == folder))
        assert (tenant.name, tenant.region) == ("대전광역시", "대전광역시")
    page = operator.get("/admin/").text
    pack_row = re.search(rf'data-testid="pack-{folder}">(.*?)</tr>', page, re.S)
    assert pack_row and 'data-testid="created"' in pack_row.group(1)
    assert f'data-testid="create-{folder}"' not in page


def test_without_a_pack(operator, made):
    slug = unique("bl")
    made.append(slug)
    jid = job_of(post_create(operator, slug=slug, name="빈 시험군", region="어딘가"))
    run_worker("default")
    assert record(jid).status == "finished"
    assert Job.fetch(jid, connection=kv.get_redis()).meta["steps"] == ["schema", "done"]
    assert status_of(slug) == "ready" and row_counts(slug)["gu"] == 0


def nothing_created(slug: str) -> None:
    assert status_of(slug) is None
    with db.shared_session() as s:
        assert not schema_exists(s.connection(), slug)
        assert not s.scalar(sa.select(JobRecord.id).where(JobRecord.tenant_slug == slug))
        assert not s.scalar(
            sa.select(PlatformEvent.id).where(
                PlatformEvent.tenant_slug == slug,
                PlatformEvent.action == "tenant.create_requested",
            )
        )
    assert get_queue("default").count == 0


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Bad_Slug", "쓸 수 없는 식별자"),
        ("x", "쓸 수 없는 식별자"),
        ("admin", "예약어"),
        ("", "쓸 수 없는 식별자"),
    ],
)
def test_bad_slugs_are_refused(operator, slug, message):
    r = post_create(operator, slug=slug, name="시험시")
    assert r.status_code == 422 and message in r.text
    assert 'data-testid="create-errors"' in r.text
    if slug:
        nothing_created(slug)


def test_a_duplicate_slug_or_missing_name_is_refused(operator, make_tenant):
    slug = make_tenant(name="원래 이름")
    r = post_create(operator, slug=slug, name="다른 이름")
    assert r.status_code == 422 and "이미 있습니다" in r.text
    with db.shared_session() as s:
        assert s.scalar(sa.select(Tenant.name).where(Tenant.slug == slug)) == "원래 이름"
    fresh = unique("nm")
    r = post_create(operator, slug=fresh, name="")
    assert r.status_code == 422 and "기관 이름을 쓰세요" in r.text
    nothing_created(fresh)
    r = post_create(operator, pack="../daejeon", slug=unique("pp"), name="x")
    assert r.status_code == 422 and "목록에 없는 팩" in r.text


def test_an_invalid_pack_lists_every_error_and_creates_nothing(operator, packs):
    folder = unique("bk")
    pack = packs.root / folder  # type: ignore[attr-defined]
    pack.mkdir()
    (pack / "tenant.yaml").write_text(f"slug: {folder}\nname: 시험시\n", encoding="utf-8")
    (pack / "districts.yaml").write_text(
        "gu:\n  - code: a\n    name: 가구\n    dongs:\n      - {code: d1}\n"
        "      - {code: d2, name: 나동, valid_from: 2025-13-01}\n",
        encoding="utf-8",
    )
    r = post_create(operator, pack=folder)
    assert r.status_code == 422
    assert f"{folder}/districts.yaml: gu[0].dongs[0].name: 필수 항목이 없습니다" in r.text
    assert f"{folder}/districts.yaml: gu[0].dongs[1].valid_from" in r.text
    assert "고칠 곳이 2개" in r.text and str(packs.root) not in r.text  # type: ignore[attr-defined]
    nothing_created(folder)
    # With htmx only the creation section comes back, with the errors.
    token = csrf_from(operator.get("/admin/").text)
    partial = operator.post(
        "/admin/tenants", data={"csrf_token": token, "pack": folder}, headers=HX
    )
    assert partial.status_code == 422 and "<html" not in partial.text
    assert partial.text.lstrip().startswith('<section id="tenant-create"')
    assert 'data-testid="pack-errors"' in partial.text
    nothing_created(folder)


def test_htmx_post_navigates_to_the_job(operator, made):
    slug = unique("hx")
    made.append(slug)
    token = csrf_from(operator.get("/admin/").text)
    r = operator.post(
        "/admin/tenants", data={"csrf_token": token, "slug": slug, "name": "x"}, headers=HX
    )
    assert r.status_code == 204 and r.headers["HX-Redirect"].startswith("/admin/jobs/t__")
    # A second request while the first is still queued is refused, pointing at the first.
    again = post_create(operator, slug=slug, name="x")
    assert again.status_code == 422 and "이미 만드는 중" in again.text
    assert r.headers["HX-Redirect"] in again.text
    assert get_queue("default").count == 1
    run_worker("default")


def test_the_job_run_twice_changes_nothing(operator, made):
    slug = unique("tw")
    made.append(slug)
    jid = job_of(post_create(operator, pack="daejeon", slug=slug, name="두 번"))
    run_worker("default")
    before = row_counts(slug)
    key = jid.rsplit("__", 1)[1]
    assert enqueue(provision.create_tenant_job, slug, key, key) == jid
    run_worker("default")
    again = record(jid)
    assert (again.status, again.progress) == ("finished", 100)
    job = Job.fetch(jid, connection=kv.get_redis())
    assert job.return_value() == "exists" and job.meta["steps"] == ["done"]
    assert row_counts(slug) == before
    with db.shared_session() as s:
        assert s.scalar(sa.select(sa.func.count()).where(Tenant.slug == slug)) == 1


def test_a_half_made_tenant_is_made_again(operator, made):
    slug = unique("hm")
    made.append(slug)
    with db.shared_session() as s, s.begin():
        s.add(Tenant(slug=slug, name="반쯤", status="failed"))
    with db.shared_session() as s, s.begin():
        key = provision.record_request(
            s, slug, "다시 만든 곳", region=None, pack="daejeon", user_id=None, ip=None
        )
    jid = enqueue(provision.create_tenant_job, slug, key, key)
    run_worker("default")
    assert record(jid).status == "finished"
    assert status_of(slug) == "ready"
    assert row_counts(slug)["gu"] > 0
    with db.shared_session() as s:
        assert s.scalar(sa.select(Tenant.name).where(Tenant.slug == slug)) == "다시 만든 곳"


def test_a_failed_job_is_listed_and_retried(operator, made, packs):
    folder = packs()
    made.append(folder)
    jid = job_of(post_create(operator, pack=folder))
    districts = packs.root / folder / "districts.yaml"  # type: ignore[attr-defined]
    good = districts.read_text(encoding="utf-8")
    districts.write_text("gu:\n  - {code: a}\n", encoding="utf-8")  # broken after the request
    run_worker("default")
    # A broken pack is not retried automatically: straight to the failed list.
    queue = get_queue("default")
    assert jid in FailedJobRegistry(queue=queue)
    assert record(jid).status == "failed" and status_of(folder) is None
    page = operator.get("/admin/jobs").text
    row = re.search(rf'data-testid="failed-{jid}">(.*?)</tr>', page, re.S)
    assert row, page
    assert "PackInvalid" in row.group(1) and "districts.yaml: gu[0].name" in row.group(1)
    assert f'data-testid="retry-{jid}"' in row.group(1)

    districts.write_text(good, encoding="utf-8")  # the operator fixes the pack
    token = csrf_from(page)
    assert operator.post(f"/admin/jobs/{jid}/retry").status_code == 400  # no CSRF token
    assert jid in FailedJobRegistry(queue=queue)
    r = operator.post(f"/admin/jobs/{jid}/retry", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["Location"] == "/admin/jobs"
    assert "다시 대기열에 넣었습니다" in operator.get("/admin/jobs").text
    assert jid not in FailedJobRegistry(queue=queue) and queue.count == 1
    assert record(jid).status == "queued"
    with db.shared_session() as s:
        assert s.scalar(
            sa.select(PlatformEvent.id).where(
                PlatformEvent.action == "job.requeued", PlatformEvent.detail["job"].astext == jid
            )
        )
    run_worker("default")
    assert record(jid).status == "finished" and status_of(folder) == "ready"

    # Not failed (any more), or unknown: 404 with a message, never 500.
    again = operator.post(f"/admin/jobs/{jid}/retry", data={"csrf_token": token})
    assert again.status_code == 404 and "실패한 작업 목록에 없습니다" in again.text
    unknown = operator.post("/admin/jobs/t__nowhere__x__y/retry", data={"csrf_token": token})
    assert unknown.status_code == 404 and "t__nowhere__x__y" in unknown.text


def test_only_operators_and_only_with_csrf(signed_in, make_tenant, client, operator):
    slug = make_tenant()
    coordinator = signed_in("coordinator", slug)
    ministry = signed_in(platform_role=Role.MINISTRY_ANALYST)
    for other, home in ((coordinator, f"/{slug}/"), (ministry, "/ministry/")):
        token = csrf_from(other.get(home).text)
        assert other.get("/admin/").status_code == 403
        no = unique("no")
        r = other.post("/admin/tenants", data={"csrf_token": token, "slug": no, "name": "x"})
        assert r.status_code == 403
        nothing_created(no)
        r = other.post("/admin/jobs/t__x__create__y/retry", data={"csrf_token": token})
        assert r.status_code == 403
    assert client.get("/admin/").status_code == 302  # signed out: to the login page
    fresh = unique("cs")
    r = operator.post("/admin/tenants", data={"slug": fresh, "name": "x"})
    assert r.status_code == 400
    nothing_created(fresh)
