"""Who may do what: anonymous people only use the public form; provider staff and other
tenants' members get 403; frontline workers see only their dongs' reports and never the
reporter's contact or the ledger. A tenant with the plugin off shows no trace of it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from reports_helpers import (
    OTHER_DONG,
    approve,
    file_report,
    last_report,
    run_worker,
    switch_on,
)

from dolbom import db
from dolbom.cases.models import Case
from dolbom.people.models import Person
from dolbom.plugins.host import get_host
from tests.fixtures import csrf_from


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return switch_on(pack_tenant("jeonju", plugins=("reports",)))


def table_exists(slug: str, table: str) -> bool:
    with db.get_engine().connect() as conn:
        found = conn.execute(
            sa.text("SELECT to_regclass(:t)"), {"t": f"{db.schema_for(slug)}.{table}"}
        )
        return found.scalar() is not None


def test_each_role(jeonju, client, signed_in, make_tenant):
    assert file_report(client, jeonju).status_code == 303
    mine = last_report(jeonju)
    assert (
        file_report(
            client, jeonju, dong_code=OTHER_DONG, reporter_phone="010-5550-0909"
        ).status_code
        == 303
    )
    other = last_report(jeonju)
    staff_urls = [f"/{jeonju}/p/reports/", f"/{jeonju}/p/reports/{mine.id}",
                  f"/{jeonju}/p/reports/ledger", f"/{jeonju}/p/reports/ledger/2026/csv"]  # fmt: skip

    for url in staff_urls:  # anonymous: to the sign-in page, nothing shown
        r = client.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"], url
    token = csrf_from(client.get(f"/{jeonju}/p/reports/public/").text)
    r = client.post(
        f"/{jeonju}/p/reports/{mine.id}/close",
        data={"csrf_token": token, "reason": "x", "lock_version": "1"},
    )
    assert r.status_code == 302 and "/login" in r.headers["Location"]

    provider = signed_in("provider_staff", jeonju)
    stranger = signed_in("coordinator", make_tenant())
    for who in (provider, stranger):
        for url in staff_urls:
            r = who.get(url)
            assert r.status_code == 403 and 'class="app-error"' in r.text, url
    assert "위기가구 신고" not in provider.get(f"/{jeonju}/").text.split("</nav>")[0]

    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    listing = worker.get(f"/{jeonju}/p/reports/").text
    assert mine.receipt_no in listing and other.receipt_no not in listing
    assert worker.get(f"/{jeonju}/p/reports/{other.id}").status_code == 404
    page = worker.get(f"/{jeonju}/p/reports/{mine.id}").text
    assert "김이웃" not in page and "010-5550-0101" not in page and "시군구 담당자만" in page
    assert worker.get(f"/{jeonju}/p/reports/ledger").status_code == 403
    assert worker.get(f"/{jeonju}/p/reports/ledger/2026/xlsx").status_code == 403
    token = csrf_from(page)
    r = worker.post(
        f"/{jeonju}/p/reports/{other.id}/close",
        data={"csrf_token": token, "reason": "x", "lock_version": "1"},
    )
    assert r.status_code == 404
    nav = worker.get(f"/{jeonju}/").text
    assert f'href="/{jeonju}/p/reports/"' in nav

    admin = signed_in("city_admin", jeonju)
    assert "010-5550-0909" in admin.get(f"/{jeonju}/p/reports/{other.id}").text
    assert admin.get(f"/{jeonju}/p/reports/ledger").status_code == 200


def test_switched_off_tenant_shows_no_trace(pack_tenant, client, signed_in):
    slug = pack_tenant("jeonju", plugins=())  # the same pack with the plugin never switched on
    assert "reports" in get_host().plugins
    coordinator = signed_in("coordinator", slug)
    assert client.get(f"/{slug}/p/reports/public/").status_code == 404
    assert client.get(f"/{slug}/p/reports/public/received").status_code == 404
    for url in (f"/{slug}/p/reports/", f"/{slug}/p/reports/1", f"/{slug}/p/reports/ledger",
                f"/{slug}/p/reports/ledger/2026/csv"):  # fmt: skip
        r = coordinator.get(url)
        assert r.status_code == 404 and 'class="app-error"' in r.text, url
    landing = coordinator.get(f"/{slug}/").text
    assert "위기가구 신고" not in landing and "/p/reports/" not in landing
    for table in (
        "reports_report",
        "reports_reward_due",
        "reports_payment",
        "alembic_version_reports",
    ):
        assert not table_exists(slug, table), table
    # Hooks silent: a resident-reported case approved there records nothing, queues nothing.
    with db.tenant_transaction(slug) as s:
        p = Person(name="정시험", dong_code="pyeonghwa1")
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code="pyeonghwa1", source="주민신고", stage="application")
        s.add(case)
        s.flush()
        case_id = case.id
    approve(slug, case_id)
    with db.tenant_session(slug) as s:
        assert s.get(Case, case_id).stage == "provision"
    from dolbom.kv import get_redis

    assert not [k for k in get_redis().keys("rq:job:*") if b"reports-reward" in k]
    run_worker()
    assert not table_exists(slug, "reports_payment")
    case_page = coordinator.get(f"/{slug}/cases/{case_id}").text
    assert "위기가구 신고로 접수" not in case_page
