"""Who may do what, and the tenant where the plugin is off shows no trace of it: routes 404, no
navigation entry, hooks never called, no tables."""

from __future__ import annotations

import sqlalchemy as sa
from blindspots_testkit import (
    TABLES,
    jeonju,  # noqa: F401  (fixture)
    latest_batch,
    run_worker,
    small_file,
    upload,
    url,
)

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.plugins.host import get_host
from dolbom_blindspots.models import Task
from tests.fixtures import csrf_from


def _imported(slug: str, client) -> tuple[int, list[Task]]:  # type: ignore[no-untyped-def]
    data, _rows, _ = small_file(slug, 40)
    assert upload(client, slug, data).status_code == 303
    run_worker()
    batch = latest_batch(slug)
    with db.tenant_session(slug) as s:
        return batch.id, list(s.scalars(sa.select(Task).order_by(Task.id)))


def test_each_role(jeonju, signed_in, app, make_tenant):  # noqa: F811
    slug = jeonju
    admin = signed_in("city_admin", slug)
    batch_id, tasks = _imported(slug, admin)  # a city administrator uploads too
    dong = tasks[0].dong_code
    other = next(t for t in tasks if t.dong_code != dong)
    pages = ["/", "/tasks", f"/tasks/{tasks[0].id}", f"/batches/{batch_id}",
             f"/batches/{batch_id}/export.csv", f"/batches/{batch_id}/report.csv", "/template.csv"]  # fmt: skip

    anonymous = app.test_client()
    for page in pages:
        r = anonymous.get(url(slug, page))
        assert r.status_code == 302 and "/login" in r.headers["Location"], page
    provider = signed_in("provider_staff", slug)
    for page in pages:
        assert provider.get(url(slug, page)).status_code == 403, page
    stranger = signed_in("coordinator", make_tenant())  # a member of another tenant
    for page in pages:
        assert stranger.get(url(slug, page)).status_code == 403, page

    worker = signed_in("frontline_worker", slug, dongs=[dong])
    r = worker.get(url(slug, "/"))
    assert r.status_code == 303 and r.headers["Location"].endswith("/p/blindspots/tasks")
    for page in pages[3:]:
        assert worker.get(url(slug, page)).status_code == 403, page
    assert worker.get(url(slug, f"/tasks/{tasks[0].id}")).status_code == 200
    assert worker.get(url(slug, f"/tasks/{other.id}")).status_code == 404  # another dong's
    token = csrf_from(worker.get(url(slug, "/tasks")).text)
    r = worker.post(url(slug, f"/tasks/{other.id}"), data={"csrf_token": token, "lock_version": "1",
                                                          "outcome": "no_need", "visited_on": "2026-05-01"})  # fmt: skip
    assert r.status_code == 404
    r = worker.post(url(slug, "/upload"), data={"csrf_token": token})
    assert r.status_code == 403
    assert worker.post(url(slug, "/tasks/1"), data={}).status_code == 400  # no CSRF token

    # Navigation and landing panels by role.
    assert "사각지대 발굴" in worker.get(f"/{slug}/").text
    assert "내 동에서 방문을 기다리는 사람" in worker.get(f"/{slug}/").text
    landing = admin.get(f"/{slug}/").text
    assert "사각지대 발굴" in landing and "최근 명단" in landing
    assert "사각지대 발굴" not in provider.get(f"/{slug}/").text
    for page in pages:
        assert admin.get(url(slug, page)).status_code in (200, 303), page

    # Views of rows are logged: the task page once, each list row once.
    with db.tenant_session(slug) as s:
        before = s.scalar(sa.select(sa.func.count()).select_from(AccessLog))
    worker.get(url(slug, f"/tasks/{tasks[0].id}"))
    with db.tenant_session(slug) as s:
        rows = s.execute(sa.select(AccessLog.subject_type, AccessLog.subject_id, AccessLog.action)
                         .order_by(AccessLog.id).offset(before)).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [("blindspots_task", tasks[0].id, "view")]


def test_switched_off_tenant_shows_no_trace(jeonju, pack_tenant, signed_in):  # noqa: F811
    on, off = jeonju, pack_tenant("jeonju", plugins=())  # the same pack, plugin never on
    client = signed_in("coordinator", tenants=[on, off])
    calls: list[str] = []

    def before(hook_name, impls, kwargs):  # type: ignore[no-untyped-def]
        if any(i.plugin_name == "blindspots" for i in impls):
            calls.append(
                f"{hook_name}:{kwargs.get('tenant_slug') or getattr(kwargs.get('ctx'), 'slug', '')}"
            )

    undo = get_host().pm.add_hookcall_monitoring(before, lambda *a: None)
    try:
        for page in (
            "/",
            "/tasks",
            "/tasks/1",
            "/batches/1",
            "/template.csv",
            "/batches/1/export.csv",
        ):
            assert client.get(url(off, page)).status_code == 404, page
        token = csrf_from(client.get(f"/{off}/").text)
        assert client.post(url(off, "/upload"), data={"csrf_token": token}).status_code == 404
        landing = client.get(f"/{off}/").text
        assert "사각지대 발굴" not in landing and "/p/blindspots/" not in landing
        assert [c for c in calls if c.endswith(f":{off}")] == []
        calls.clear()
        assert "사각지대 발굴" in client.get(f"/{on}/").text  # the same member, where it is on
        assert any(c.endswith(f":{on}") for c in calls)
    finally:
        undo()
    with db.get_engine().connect() as conn:
        for table in TABLES:
            where = f"{db.schema_for(off)}.{table}"
            assert conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": where}).scalar() is None
            there = f"{db.schema_for(on)}.{table}"
            assert (
                conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": there}).scalar() is not None
            )


def test_every_page_has_the_security_headers(jeonju, signed_in, app):  # noqa: F811
    from tests.test_headers import check

    slug = jeonju
    admin = signed_in("city_admin", slug)
    _imported(slug, admin)
    values = {"tenant": slug, "batch_id": 1, "task_id": 1, "fmt": "csv", "kind": "csv", "filename": "css/blindspots.css"}  # fmt: skip
    seen = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("tenant.plugin_blindspots.") or "GET" not in rule.methods:
            continue
        for who in (admin, app.test_client()):
            r = who.get(rule.build({a: values[a] for a in rule.arguments}, append_unknown=False)[1])
            check(r, f"{rule.rule} → {r.status_code}")
            if r.status_code >= 400 and r.mimetype == "text/html":
                assert 'class="app-error"' in r.text, rule.rule
        seen += 1
    assert seen >= 9
    assert admin.get(url(slug, "/batches/999")).status_code == 404
    assert admin.get(url(slug, "/batches/1/export.pdf")).status_code == 404
