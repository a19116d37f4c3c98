"""The case state machine: the whole table (every stage × action × role, allowed or refused,
through the web), required data refused at its field, stale pages refused, the timeline."""

from __future__ import annotations

import datetime as dt
import html
import itertools

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.cases.models import STAGES, Case, CaseEvent, SupportPlan
from dolbom.cases.transitions import TRANSITIONS, refusal
from dolbom.clock import today
from dolbom.forms.models import Form, FormResponse
from dolbom.people.models import Person
from tests.fixtures import add_consent, csrf_from

ROLES = ("frontline_worker", "coordinator", "city_admin", "provider_staff")
VALID = {"judgement_level": "general", "closure_reason": "goals_met", "note": "회의 의견",
         "follow_up_on": (today() + dt.timedelta(days=90)).isoformat()}  # fmt: skip


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def new_case(slug: str, stage: str = "application", *, surveyed: bool = True) -> int:
    with db.tenant_transaction(slug) as s:
        p = Person(name="단계 시험", dong_code="pyeonghwa1")
        s.add(p)
        s.flush()
        add_consent(s, p.id)
        case = Case(person_id=p.id, dong_code="pyeonghwa1", source="본인", stage=stage)
        s.add(case)
        s.flush()
        s.add(SupportPlan(case_id=case.id, goals="혼자 식사 해결", updated_by=1,
                          services=[{"service": "meal_support", "name": "영양·식사 지원", "frequency": "주 5회"}]))  # fmt: skip
        if surveyed:
            form = s.scalar(sa.select(Form).where(Form.key == "kfrail"))
            version = s.scalar(
                sa.select(sa.func.min(FormResponse.version_id))
            )  # any version will do
            from dolbom.forms.operations import latest_published

            version_id = version or latest_published(s, form).id
            s.add(FormResponse(form_id=form.id, version_id=version_id, status="complete", answers={},
                               pending={}, scores={}, case_id=case.id, created_by=1))  # fmt: skip
        return case.id


def lock_of(slug: str, case_id: int) -> int:
    with db.tenant_session(slug) as s:
        return s.get(Case, case_id).lock_version


def stage_of(slug: str, case_id: int) -> str:
    with db.tenant_session(slug) as s:
        return s.get(Case, case_id).stage


def test_the_table_itself():
    for t in TRANSITIONS.values():
        assert t.target in STAGES and t.sources <= set(STAGES)
    # Every open stage can be closed; a closed case can only be reopened.
    for stage in STAGES:
        moves = [t.action for t in TRANSITIONS.values() if stage in t.sources]
        if stage == "closed":
            assert moves == ["reopen"]
        else:
            assert "close" in moves


def test_every_stage_action_and_role_through_the_web(jeonju, signed_in):
    clients = {role: signed_in(role, jeonju, dongs=["pyeonghwa1"]) for role in ROLES}
    tokens = {role: csrf_from(c.get(f"/{jeonju}/").text) for role, c in clients.items()}
    cases = {stage: new_case(jeonju, stage) for stage in STAGES}
    checked = 0
    for stage, action, role in itertools.product(STAGES, TRANSITIONS, ROLES):
        t = TRANSITIONS[action]
        case_id = cases[stage]
        data = {"csrf_token": tokens[role], "lock_version": lock_of(jeonju, case_id), **VALID}
        r = clients[role].post(f"/{jeonju}/cases/{case_id}/step/{action}", data=data)
        allowed = stage in t.sources and role in t.roles
        assert (refusal(t, stage, role) is None) == ((allowed and role != "city_admin") or allowed)
        if role == "provider_staff":
            assert r.status_code == 403, (stage, action, role)
        elif allowed:
            assert r.status_code == 303, (stage, action, role, r.text[:300])
            assert stage_of(jeonju, case_id) == t.target
            cases[stage] = new_case(jeonju, stage)  # the next check starts from this stage again
        else:
            assert r.status_code == 422, (stage, action, role)
            assert stage_of(jeonju, case_id) == stage
            assert refusal(t, stage, role) in html.unescape(r.text)
        checked += 1
    assert checked == len(STAGES) * len(TRANSITIONS) * len(ROLES)


def test_required_data_is_asked_for_at_its_field(jeonju, signed_in):
    c = signed_in("coordinator", jeonju)
    case_id = new_case(jeonju, "judgement")
    token = csrf_from(c.get(f"/{jeonju}/cases/{case_id}").text)
    url = f"/{jeonju}/cases/{case_id}/step"
    r = c.post(f"{url}/record_judgement", data={"csrf_token": token, "lock_version": lock_of(jeonju, case_id),
                                                "note": "공단 결과 메모"})  # fmt: skip
    assert r.status_code == 422
    text = html.unescape(r.text)
    assert (
        "판정 결과을(를) 적거나 고르세요" in text and "공단 결과 메모" in text
    )  # the note is kept
    meeting = new_case(jeonju, "meeting")
    r = c.post(f"/{jeonju}/cases/{meeting}/step/close", data={
        "csrf_token": token, "lock_version": lock_of(jeonju, meeting), "follow_up_on": "2020-01-01"})  # fmt: skip
    text = html.unescape(r.text)
    assert r.status_code == 422 and "종결 사유을(를) 적거나 고르세요" in text
    assert "사후관리일은 오늘이나 그 뒤여야 합니다" in text
    surveyless = new_case(jeonju, "survey", surveyed=False)
    r = c.post(f"/{jeonju}/cases/{surveyless}/step/request_judgement",
               data={"csrf_token": token, "lock_version": lock_of(jeonju, surveyless)})  # fmt: skip
    assert r.status_code == 422 and "완료된 사전조사가 있어야 합니다" in html.unescape(r.text)


def test_a_stale_page_is_refused_and_nothing_changes(jeonju, signed_in):
    first, second = (
        signed_in("coordinator", jeonju),
        signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"]),
    )
    case_id = new_case(jeonju, "application")
    seen = lock_of(jeonju, case_id)
    token = csrf_from(first.get(f"/{jeonju}/cases/{case_id}").text)
    token2 = csrf_from(second.get(f"/{jeonju}/cases/{case_id}").text)
    ok = second.post(
        f"/{jeonju}/cases/{case_id}/step/start_survey",
        data={"csrf_token": token2, "lock_version": seen},
    )
    assert ok.status_code == 303
    stale = first.post(f"/{jeonju}/cases/{case_id}/step/close",
                       data={"csrf_token": token, "lock_version": seen, "closure_reason": "refusal"})  # fmt: skip
    text = html.unescape(stale.text)
    assert (
        stale.status_code == 409
        and "님이 " in text
        and "먼저 '사전조사 시작'을(를) 했습니다" in text
    )
    assert 'value="refusal" selected' in stale.text  # the choice kept for re-applying
    assert stage_of(jeonju, case_id) == "survey"


def test_close_and_reopen_are_on_the_timeline(jeonju, signed_in, make_user):
    c = signed_in("coordinator", jeonju, name="최담당")
    case_id = new_case(jeonju, "monitoring")
    token = csrf_from(c.get(f"/{jeonju}/cases/{case_id}").text)
    url = f"/{jeonju}/cases/{case_id}/step"
    follow = (today() + dt.timedelta(days=30)).isoformat()
    assert c.post(f"{url}/close", data={"csrf_token": token, "lock_version": lock_of(jeonju, case_id),
                                        "closure_reason": "moved", "follow_up_on": follow,
                                        "note": "타 시군 전출"}).status_code == 303  # fmt: skip
    with db.tenant_session(jeonju) as s:
        case = s.get(Case, case_id)
        assert (case.closure_reason, case.follow_up_on, case.closed_on) == (
            "moved",
            dt.date.fromisoformat(follow),
            today(),
        )
    assert c.post(f"{url}/reopen", data={"csrf_token": token, "lock_version": lock_of(jeonju, case_id),
                                         "note": "다시 전입"}).status_code == 303  # fmt: skip
    page = html.unescape(c.get(f"/{jeonju}/cases/{case_id}").text)
    page = page[page.index('data-testid="timeline"') :]
    assert page.index("<strong>재개</strong>") < page.index("<strong>종결</strong>")  # newest first
    assert (
        "최담당" in page
        and "타 시군 전출" in page
        and "전출" in page
        and f"사후관리 {follow}" in page
    )
    with db.tenant_session(jeonju) as s:
        events = s.scalars(
            sa.select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        ).all()
        assert [(e.action, e.from_stage, e.to_stage) for e in events] == [
            ("close", "monitoring", "closed"),
            ("reopen", "closed", "application"),
        ]
        assert s.get(Case, case_id).closure_reason is None


def test_services_start_only_with_a_linkage_consent(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    with db.tenant_transaction(jeonju) as s:
        p = Person(name="동의 없음", dong_code="pyeonghwa1")
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code="pyeonghwa1", stage="meeting")
        s.add(case)
        s.flush()
        case_id, person_id = case.id, p.id
    url = f"/{jeonju}/cases/{case_id}"
    token = csrf_from(coordinator.get(url).text)
    refused = coordinator.post(
        f"{url}/step/approve", data={"csrf_token": token, "lock_version": lock_of(jeonju, case_id)}
    )
    assert refused.status_code == 422
    assert "서비스를 시작하려면 서비스 연계 동의가 있어야 합니다" in html.unescape(refused.text)
    assert stage_of(jeonju, case_id) == "meeting"
    with db.tenant_transaction(jeonju) as s:  # a consent for another purpose is not enough
        add_consent(s, person_id, "collection")
    again = coordinator.post(
        f"{url}/step/approve", data={"csrf_token": token, "lock_version": lock_of(jeonju, case_id)}
    )
    assert again.status_code == 422
    ok = coordinator.post(f"{url}/consents", data={"csrf_token": token, "consent_purpose": "linkage",
                                                   "consent_given_on": "2026-11-01", "consent_scope": "all",
                                                   "consent_given_by": "본인"})  # fmt: skip
    assert ok.status_code == 303
    done = coordinator.post(
        f"{url}/step/approve", data={"csrf_token": token, "lock_version": lock_of(jeonju, case_id)}
    )
    assert done.status_code == 303 and stage_of(jeonju, case_id) == "provision"
