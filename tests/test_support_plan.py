"""The support plan: drafted at the plan stage with services from the tenant's programmes,
bad input at its field, two drafters not overwriting each other, required before the meeting."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.cases.models import Case, SupportPlan
from dolbom.people.models import Person
from tests.fixtures import csrf_from

GOOD = {"goals": "혼자서도 끼니를 거르지 않는다", "period_from": "2026-12-01", "period_until": "2027-05-31",
        "service_0": "meal_support", "frequency_0": "주 5회", "provider_0": "평화종합사회복지관",
        "service_1": "safety_check", "frequency_1": "주 2회"}  # fmt: skip


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def plan_case(slug: str) -> int:
    with db.tenant_transaction(slug) as s:
        p = Person(name="계획 시험", dong_code="pyeonghwa1")
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code="pyeonghwa1", stage="plan")
        s.add(case)
        s.flush()
        return case.id


def test_a_plan_is_drafted_checked_and_needed_for_the_meeting(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = plan_case(jeonju)
    page = worker.get(f"/{jeonju}/cases/{case_id}?tab=plan").text
    assert 'data-testid="plan-form"' in page and ">영양·식사 지원<" in page  # programmes offered
    token = csrf_from(page)
    url = f"/{jeonju}/cases/{case_id}"
    with db.tenant_session(jeonju) as s:
        lock = s.get(Case, case_id).lock_version
    early = worker.post(f"{url}/step/submit_plan", data={"csrf_token": token, "lock_version": lock})
    assert early.status_code == 422 and "지원계획을 먼저 저장하세요" in html.unescape(early.text)
    bad = worker.post(f"{url}/plan", data={"csrf_token": token, "plan_lock": "0", "goals": "",
                                            "service_0": "nosuch", "frequency_1": "주 1회",
                                            "period_from": "2027-01-01", "period_until": "2026-01-01"})  # fmt: skip
    text = html.unescape(bad.text)
    assert bad.status_code == 422
    for m in (
        "지원 목표를 적으세요",
        "목록에서 고르세요",
        "서비스를 고르세요",
        "끝나는 날이 시작일보다 앞섭니다",
    ):
        assert m in text, m
    assert (
        worker.post(f"{url}/plan", data={"csrf_token": token, "plan_lock": "0", **GOOD}).status_code
        == 303
    )
    with db.tenant_session(jeonju) as s:
        plan = s.scalar(sa.select(SupportPlan).where(SupportPlan.case_id == case_id))
        assert [r["name"] for r in plan.services] == [
            "영양·식사 지원",
            "안부 확인 (AI 돌봄 전화·방문)",
        ]
        assert plan.services[0]["provider"] == "평화종합사회복지관"
    ok = worker.post(f"{url}/step/submit_plan", data={"csrf_token": token, "lock_version": lock})
    assert ok.status_code == 303
    after = worker.get(f"{url}?tab=plan").text
    assert (
        'data-testid="plan-form"' not in after and 'data-testid="plan-services"' in after
    )  # read-only now
    late = worker.post(f"{url}/plan", data={"csrf_token": token, "plan_lock": "1", **GOOD})
    assert late.status_code == 422 and "지원계획 단계에서" in html.unescape(late.text)


def test_two_drafters_do_not_overwrite_each_other(jeonju, signed_in):
    a = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    b = signed_in("coordinator", jeonju)
    case_id = plan_case(jeonju)
    url = f"/{jeonju}/cases/{case_id}/plan"
    ta, tb = (
        csrf_from(a.get(f"/{jeonju}/cases/{case_id}").text),
        csrf_from(b.get(f"/{jeonju}/cases/{case_id}").text),
    )
    assert a.post(url, data={"csrf_token": ta, "plan_lock": "0", **GOOD}).status_code == 303
    mine = {**GOOD, "goals": "B의 목표"}
    stale = b.post(url, data={"csrf_token": tb, "plan_lock": "0", **mine})
    assert stale.status_code == 409 and "다른 사람이 먼저 계획을 바꿨습니다" in stale.text
    assert "B의 목표" in stale.text  # kept for re-applying
    with db.tenant_session(jeonju) as s:
        assert (
            s.scalar(sa.select(SupportPlan.goals).where(SupportPlan.case_id == case_id))
            == GOOD["goals"]
        )
