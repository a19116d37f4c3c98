"""The plugin API's host extensions: public pages, case hooks, jobs after commit, rate limits,
core data through `dolbom.plugins.services` — each acting only where the plugin is on."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.cases.models import Case
from dolbom.cases.transitions import transition
from dolbom.jobs.models import JobRecord
from dolbom.people.models import Person
from dolbom.plugins import services
from dolbom.plugins.events import tenant_of
from dolbom.tenancy.operations import set_plugin
from dolbom_testplugin import CALLS, Item
from tests.fixtures import add_consent, csrf_from


def a_case_at_the_meeting(slug: str) -> int:
    with db.tenant_transaction(slug) as s:
        p = Person(name="훅 시험", dong_code="d1")
        s.add(p)
        s.flush()
        add_consent(s, p.id)
        case = Case(person_id=p.id, dong_code="d1", source="주민신고", stage="meeting")
        s.add(case)
        s.flush()
        return case.id


def approve(slug: str, case_id: int) -> None:
    with db.tenant_transaction(slug) as s:
        case = s.get(Case, case_id)
        transition(s, case, "approve", role="coordinator", user_id=1, form={},
                   lock_version=case.lock_version)  # fmt: skip


def labels(slug: str) -> list[str]:
    with db.tenant_session(slug) as s:
        return list(s.scalars(sa.select(Item.label).order_by(Item.id)))


def jobs_of(slug: str) -> list[str]:
    with db.shared_session() as s:
        return list(s.scalars(sa.select(JobRecord.id).where(JobRecord.tenant_slug == slug)))


def test_public_pages_need_no_sign_in_and_only_where_the_plugin_is_on(app, make_tenant):
    on, off = make_tenant(), make_tenant()
    set_plugin(on, "testplugin", True)
    anonymous = app.test_client()
    page = anonymous.get(f"/{on}/p/testplugin/public/")
    assert page.status_code == 200 and page.text == f"공개 {on}"
    assert anonymous.get(f"/{off}/p/testplugin/public/").status_code == 404
    # The members' pages of the same plugin still want a signed-in member.
    assert anonymous.get(f"/{on}/p/testplugin/").status_code == 302


def test_public_posts_need_the_csrf_token_and_are_rate_limited(app, make_tenant):
    slug = make_tenant()
    set_plugin(slug, "testplugin", True)
    client = app.test_client()
    assert client.post(f"/{slug}/p/testplugin/public/").status_code == 400  # no token
    token = csrf_from(client.get("/login").text)
    statuses = [
        client.post(f"/{slug}/p/testplugin/public/", data={"csrf_token": token}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]  # the plugin's limit: 2 an hour from one address


def test_case_transition_reaches_only_enabled_plugins_in_the_same_transaction(make_tenant):
    on, off = make_tenant(), make_tenant()
    set_plugin(on, "testplugin", True)
    case_on, case_off = a_case_at_the_meeting(on), a_case_at_the_meeting(off)
    CALLS.clear()
    approve(on, case_on)
    approve(off, case_off)
    assert [("transition", on)] == CALLS
    assert f"approve:{case_on}:True" in labels(on)  # written by the hook, committed with it
    assert jobs_of(on) == [f"t__{on}__testplugin-mark__case-{case_on}"]  # queued after commit
    assert jobs_of(off) == []


def test_a_refused_or_rolled_back_step_queues_nothing(make_tenant):
    slug = make_tenant()
    set_plugin(slug, "testplugin", True)
    case_id = a_case_at_the_meeting(slug)
    with db.tenant_session(slug) as s, s.begin():
        case = s.get(Case, case_id)
        transition(s, case, "approve", role="coordinator", user_id=1, form={},
                   lock_version=case.lock_version)  # fmt: skip
        s.rollback()
    assert jobs_of(slug) == []
    assert not any(label.startswith("approve") for label in labels(slug))


def test_case_page_shows_enabled_plugins_panels(signed_in, make_tenant):
    on, off = make_tenant(), make_tenant()
    set_plugin(on, "testplugin", True)
    client = signed_in("coordinator", tenants=[on, off])
    CALLS.clear()
    page = client.get(f"/{on}/cases/{a_case_at_the_meeting(on)}")
    assert page.status_code == 200
    assert "시험 사례 패널" in page.text and "단계 통합지원회의" in page.text
    assert 'href="/x"' in page.text and "한 줄" in page.text
    other = client.get(f"/{off}/cases/{a_case_at_the_meeting(off)}")
    assert other.status_code == 200 and "시험 사례 패널" not in other.text
    assert [c for c in CALLS if c[0] == "case_panel"] == [("case_panel", on)]
    assert all(c[1] == on for c in CALLS)  # no hook at all for the other tenant


def test_tenant_of_a_session(make_tenant):
    slug = make_tenant()
    with db.tenant_session(slug) as s:
        assert tenant_of(s) == slug
    with db.shared_session() as s, pytest.raises(RuntimeError):
        tenant_of(s)


def test_services_read_core_data(pack_tenant):
    slug = pack_tenant("jeonju")
    rrn = services.parse_resident_number("400101-1234568")
    with db.tenant_transaction(slug) as s:
        case = services.open_application(s, slug, name="서비스 시험", source="발굴명단",
                                         user_id=1, rrn=rrn, dong_code="pyeonghwa1")  # fmt: skip
        assert case.stage == "application" and not case.in_service
        index = services.blind_indexes(slug, [rrn.canonical])[rrn.canonical]
        assert services.people_by_rrn(s, [index, "nobody"]) == {index: case.person_id}
        brief = services.person_brief(s, case.person_id)
        assert brief is not None and brief.rrn_masked == "400101-1******"
        assert services.cases_of_people(s, [case.person_id])[case.person_id] == [case]
        sealed = services.encrypt_rrn(slug, rrn)
        assert rrn.canonical.encode() not in sealed
        assert services.decrypt_rrn(slug, sealed) == rrn
        names = {d.code: d.name for d in services.current_dongs(s)}
        assert names["pyeonghwa1"] == "평화1동"
        reward = services.rule_parameter(s, slug, "jeonju-crisis-reward", "report_reward",
                                         dt.date(2026, 5, 1))  # fmt: skip
        assert reward is not None and reward.value == 50000 and reward.unit == "원/건"
        assert "포상금 지급 기준" in reward.citation
        assert services.rule_parameter(s, slug, "jeonju-crisis-reward", "report_reward",
                                       dt.date(2023, 12, 31)) is None  # fmt: skip
        assert services.rule_parameter(s, slug, "no-such-rules", "report_reward") is None
    with pytest.raises(services.RrnError):
        services.parse_resident_number("400101-1234")
    with pytest.raises(services.RrnError):  # full-width digits are not a number we can index
        services.parse_resident_number("４００１０１-１２３４５６８")
    blob = services.seal_bytes(slug, b"400101-1234568,\xea\xb9\x80", "upload:1")
    assert b"400101" not in blob
    assert services.open_bytes(slug, blob, "upload:1") == b"400101-1234568,\xea\xb9\x80"
    with pytest.raises(Exception):  # another row's context does not open it  # noqa: B017
        services.open_bytes(slug, blob, "upload:2")
