"""Closed-loop referrals: the lifecycle table, the consent gate, provider and dong checks, the
provider's minimal view, service records within the entitlement (and a coordinator's override),
bad record input, and the waiting list moving in order."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.cases.models import Case, CaseEvent, SupportPlan
from dolbom.catalogue.models import Programme, Provider, ProviderService
from dolbom.clock import today
from dolbom.identity.models import Membership, User
from dolbom.people.models import Consent, Person
from dolbom.people.operations import set_rrn
from dolbom.people.rrn import parse_rrn
from dolbom.referrals.lifecycle import STEPS, refusal
from dolbom.referrals.models import STATUSES, Referral, ServiceRecord
from dolbom.referrals.workdays import add_working_days
from dolbom.rules.models import RuleDecision, RuleSet, RuleSetVersion
from tests.fixtures import csrf_from

RRN = "450101-2345678"
ROLES = ("frontline_worker", "coordinator", "provider_staff", "city_admin")
# (status, action) → the roles allowed; everything else is refused.
ALLOWED = {
    ("sent", "accept"): {"provider_staff"},
    ("sent", "decline"): {"provider_staff"},
    ("sent", "revoke"): {"frontline_worker", "coordinator"},
    ("waiting", "revoke"): {"frontline_worker", "coordinator"},
    ("accepted", "complete"): {"frontline_worker", "coordinator", "provider_staff"},
    ("in_service", "complete"): {"frontline_worker", "coordinator", "provider_staff"},
    ("accepted", "stop"): {"frontline_worker", "coordinator", "provider_staff"},
    ("in_service", "stop"): {"frontline_worker", "coordinator", "provider_staff"},
}


def test_the_lifecycle_table_state_by_action_by_role():
    for status in STATUSES:
        for action in STEPS:
            for role in ROLES:
                allowed = role in ALLOWED.get((status, action), set())
                assert (refusal(action, status, role) is None) == allowed, (status, action, role)
    assert refusal("nosuch", "sent", "coordinator") == "알 수 없는 처리입니다"


def test_the_answer_is_due_in_working_days():
    friday = dt.date(2026, 11, 20)
    assert add_working_days(friday, 3) == dt.date(2026, 11, 25)  # Mon, Tue, Wed
    assert add_working_days(dt.date(2026, 9, 23), 1) == dt.date(2026, 9, 28)  # 추석, weekend


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def _case(slug: str, name: str = "의뢰 시험", *, consent: str | None = "all") -> int:
    """A case in service with a plan for meals, and a linkage consent (all, a name, or none)."""
    with db.tenant_transaction(slug) as s:
        p = Person(
            name=name,
            dong_code="pyeonghwa1",
            address="전주시 완산구 평화로 1",
            phone="010-0000-0001",
        )
        set_rrn(p, slug, parse_rrn(RRN, today=today()))
        s.add(p)
        s.flush()
        if consent:
            s.add(Consent(person_id=p.id, purpose="linkage", all_providers=consent == "all",
                          providers=[] if consent == "all" else [consent], given_on=dt.date(2026, 1, 2),
                          given_by="본인", recorded_by=0))  # fmt: skip
        case = Case(person_id=p.id, dong_code="pyeonghwa1", stage="provision")
        s.add(case)
        s.flush()
        s.add(SupportPlan(case_id=case.id, goals="끼니 거르지 않기", updated_by=0,
                          period_from=dt.date(2026, 1, 1), period_until=dt.date(2026, 12, 31),
                          services=[{"service": "meal_support", "name": "영양·식사 지원", "frequency": "주 5회"}]))  # fmt: skip
        return case.id


def _providers(slug: str, programme: str = "meal_support") -> list[Provider]:
    with db.tenant_session(slug) as s:
        rows = s.scalars(
            sa.select(Provider).join(ProviderService).join(Programme)
            .where(Programme.key == programme).order_by(Provider.id)
        ).all()  # fmt: skip
        return [r for r in rows if r.covers("pyeonghwa1")]


def _provider_user(make_user, app, slug: str, provider_id: int):  # type: ignore[no-untyped-def]
    from tests.fixtures import login

    email = make_user("provider_staff", slug)
    with db.shared_session() as s, s.begin():
        uid = s.scalar(sa.select(User.id).where(User.email == email))
        s.execute(
            sa.update(Membership).where(Membership.user_id == uid).values(provider_id=provider_id)
        )
    c = app.test_client()
    assert login(c, email).status_code == 302
    return c


def _refer(client, slug: str, case_id: int, provider_id: int):  # type: ignore[no-untyped-def]
    page = client.get(f"/{slug}/cases/{case_id}?tab=referrals").text
    return client.post(f"/{slug}/cases/{case_id}/referrals", data={
        "csrf_token": csrf_from(page), "programme": "meal_support", "provider": str(provider_id),
        "needs": "당뇨식 필요"})  # fmt: skip


def _referrals(slug: str, case_id: int) -> list[Referral]:
    with db.tenant_session(slug) as s:
        return list(
            s.scalars(sa.select(Referral).where(Referral.case_id == case_id).order_by(Referral.id))
        )


def test_a_referral_needs_consent_covering_the_provider(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    first, second = _providers(jeonju)[:2]
    case_id = _case(jeonju, consent=second.name)  # consent names another institution
    page = worker.get(f"/{jeonju}/cases/{case_id}?tab=referrals").text
    assert 'data-testid="refer-meal_support"' in page and "동의 없음" in page
    refused = _refer(worker, jeonju, case_id, first.id)
    text = html.unescape(refused.text)
    assert refused.status_code == 422
    assert (
        f"서비스 연계 동의에 {first.name}이(가) 없습니다" in text
        and "동의가 없는 기관입니다" in text
    )
    assert "당뇨식 필요" in text  # the worker's note is kept
    assert _referrals(jeonju, case_id) == []
    ok = _refer(worker, jeonju, case_id, second.id)
    assert ok.status_code == 303
    [r] = _referrals(jeonju, case_id)
    assert r.status == "sent" and r.due_on == add_working_days(today(), 3)
    with db.tenant_session(jeonju) as s:
        events = s.scalars(sa.select(CaseEvent.action).where(CaseEvent.case_id == case_id)).all()
    assert events == ["referral_sent"]
    again = _refer(worker, jeonju, case_id, second.id)
    assert again.status_code == 422 and "이미" in html.unescape(again.text)


def test_a_provider_must_offer_the_service_and_cover_the_dong(jeonju, signed_in):
    worker = signed_in("coordinator", jeonju)
    case_id = _case(jeonju)
    with db.tenant_session(jeonju) as s:
        offering = set(s.scalars(sa.select(ProviderService.provider_id).join(Programme)
                                 .where(Programme.key == "meal_support")))  # fmt: skip
        other = s.scalar(sa.select(Provider.id).where(Provider.id.not_in(offering)).limit(1))
        far = s.scalar(sa.select(Provider).where(Provider.id.in_(offering), ~Provider.all_dongs,
                                                 ~Provider.dong_codes.contains(["pyeonghwa1"])).limit(1))  # fmt: skip
    assert "제공하지 않습니다" in html.unescape(_refer(worker, jeonju, case_id, other).text)
    if far is not None:
        assert "동을 맡지 않습니다" in html.unescape(_refer(worker, jeonju, case_id, far.id).text)
    assert _referrals(jeonju, case_id) == []


def _decision(slug: str, case_id: int, meals: int) -> None:
    with db.tenant_transaction(slug) as s:
        version = s.scalar(sa.select(RuleSetVersion).join(RuleSet)
                           .where(RuleSet.key == "jeonju-elderly-care", RuleSetVersion.number.is_not(None)))  # fmt: skip
        s.add(RuleDecision(case_id=case_id, rule_set_key="jeonju-elderly-care", version_id=version.id,
                           version_number=version.number, as_of=today(), inputs={}, created_by=0,
                           results=[{"programme": "meal_support", "status": "eligible",
                                     "entitlements": [{"id": "meals", "amount": meals, "unit": "회/월"}]}]))  # fmt: skip


def test_provider_accepts_records_within_the_cap_and_a_coordinator_overrides(
    jeonju, signed_in, make_user, app
):
    coordinator = signed_in("coordinator", jeonju)
    provider = _providers(jeonju)[0]
    case_id = _case(jeonju, "상한 시험")
    other_case = _case(jeonju, "다른 기관 대상자")
    _decision(jeonju, case_id, 3)
    assert _refer(coordinator, jeonju, case_id, provider.id).status_code == 303
    assert _refer(coordinator, jeonju, other_case, _providers(jeonju)[1].id).status_code == 303
    [r] = _referrals(jeonju, case_id)
    [theirs] = _referrals(jeonju, other_case)
    staff = _provider_user(make_user, app, jeonju, provider.id)
    inbox = staff.get(f"/{jeonju}/provider/").text
    assert "상한 시험" in inbox and "다른 기관 대상자" not in inbox
    assert staff.get(f"/{jeonju}/provider/referrals/{theirs.id}").status_code == 404
    assert staff.get(f"/{jeonju}/cases/{case_id}").status_code == 403
    detail = staff.get(f"/{jeonju}/provider/referrals/{r.id}").text
    assert "450101-2******" in detail and RRN not in detail and "2345678" not in detail
    assert not re.search(r"\d{6}-?[1-4]\d{6}", detail)
    assert (
        "당뇨식 필요" in detail and "끼니 거르지 않기" not in detail
    )  # the plan's goals are not theirs
    token = csrf_from(detail)
    url = f"/{jeonju}/provider/referrals/{r.id}"
    assert staff.post(f"{url}/accept", data={"csrf_token": token, "lock": "1"}).status_code == 303
    day = today().replace(day=1)
    rows = {"csrf_token": token}
    for i in range(3):
        rows.update(
            {f"served_on_{i}": day.isoformat(), f"quantity_{i}": "1", f"note_{i}": "도시락"}
        )
    assert staff.post(f"{url}/records", data=rows).status_code == 303
    over = staff.post(
        f"{url}/records",
        data={"csrf_token": token, "served_on_0": day.isoformat(), "quantity_0": "1"},
    )
    text = html.unescape(over.text)
    assert over.status_code == 422
    assert (
        "급여 상한 3식 중 3식을 이미 받아 남은 양은 0식입니다" in text
        and "아무것도 저장하지 않았습니다" in text
    )
    with db.tenant_session(jeonju) as s:
        assert (
            s.scalar(
                sa.select(sa.func.sum(ServiceRecord.quantity)).where(
                    ServiceRecord.referral_id == r.id
                )
            )
            == 3
        )
        assert s.get(Referral, r.id).status == "in_service"
    case_url = f"/{jeonju}/cases/{case_id}"
    page = coordinator.get(f"{case_url}?tab=referrals").text
    assert (
        'data-testid="cap-meal_support">3식' in page
        and 'data-testid="used-meal_support">3식' in page
    )
    form = {"csrf_token": csrf_from(page), "served_on_0": day.isoformat(), "quantity_0": "1"}
    no_reason = coordinator.post(f"{case_url}/referrals/{r.id}/records", data=form)
    assert no_reason.status_code == 422 and "초과 사유를 적으세요" in html.unescape(no_reason.text)
    ok = coordinator.post(
        f"{case_url}/referrals/{r.id}/records",
        data={**form, "override_reason": "퇴원 직후 추가 필요"},
    )
    assert ok.status_code == 303
    with db.tenant_session(jeonju) as s:
        extra = s.scalars(
            sa.select(ServiceRecord).where(ServiceRecord.over_cap_reason.is_not(None))
        ).all()
        assert [(e.quantity, e.over_cap_reason) for e in extra] == [
            (Decimal("1.00"), "퇴원 직후 추가 필요")
        ]
        actions = s.scalars(
            sa.select(CaseEvent.action).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        ).all()
    assert actions == ["referral_sent", "referral_accept", "referral_started", "referral_over_cap"]


def test_bad_service_records_are_refused_at_their_field_and_nothing_is_saved(
    jeonju, signed_in, make_user, app
):
    coordinator = signed_in("coordinator", jeonju)
    provider = _providers(jeonju)[0]
    case_id = _case(jeonju)
    assert _refer(coordinator, jeonju, case_id, provider.id).status_code == 303
    [r] = _referrals(jeonju, case_id)
    staff = _provider_user(make_user, app, jeonju, provider.id)
    url = f"/{jeonju}/provider/referrals/{r.id}"
    token = csrf_from(staff.get(url).text)
    early = staff.post(
        f"{url}/records",
        data={"csrf_token": token, "served_on_0": today().isoformat(), "quantity_0": "1"},
    )
    assert early.status_code == 422 and "수락했거나" in html.unescape(early.text)
    assert staff.post(f"{url}/accept", data={"csrf_token": token, "lock": "1"}).status_code == 303
    bad = staff.post(f"{url}/records", data={
        "csrf_token": token,
        "served_on_0": (today() + dt.timedelta(days=1)).isoformat(), "quantity_0": "1",
        "served_on_1": "2025-06-01", "quantity_1": "1",
        "served_on_2": today().isoformat(), "quantity_2": "-2",
        "served_on_3": today().isoformat(), "quantity_3": "500",
        "served_on_4": "어제", "quantity_4": "한 끼",
        "served_on_5": today().isoformat(), "quantity_5": "1", "note_5": "정상 줄",
    })  # fmt: skip
    text = html.unescape(bad.text)
    assert bad.status_code == 422
    for message in ("앞으로의 날짜는 기록할 수 없습니다", "의뢰 기간(2026-01-01~2026-12-31) 밖의 날짜입니다",
                    "0보다 큰 수량을 적으세요", "한 번에 10식을 넘을 수 없습니다",
                    "날짜를 YYYY-MM-DD로 적으세요", "수량을 숫자로 적으세요"):  # fmt: skip
        assert message in text, message
    assert 'value="정상 줄"' in text  # the good row is kept on the form, not lost
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ServiceRecord)) == 0


def test_the_waiting_list_moves_in_order_when_a_place_frees(jeonju, signed_in, make_user, app):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    provider = _providers(jeonju)[0]
    with db.tenant_transaction(jeonju) as s:
        s.execute(sa.update(ProviderService).where(ProviderService.provider_id == provider.id)
                  .values(capacity=1))  # fmt: skip
    cases = [_case(jeonju, f"대기 {i}") for i in range(3)]
    page = worker.get(f"/{jeonju}/cases/{cases[1]}?tab=referrals").text
    assert "남은 자리 1 / 1" in page
    for case_id in cases:
        assert _refer(worker, jeonju, case_id, provider.id).status_code == 303
    statuses = [_referrals(jeonju, c)[0].status for c in cases]
    assert statuses == ["sent", "waiting", "waiting"]
    page = worker.get(f"/{jeonju}/cases/{cases[2]}?tab=referrals").text
    assert "대기 2번째" in page
    staff = _provider_user(make_user, app, jeonju, provider.id)
    first = _referrals(jeonju, cases[0])[0]
    url = f"/{jeonju}/provider/referrals/{first.id}"
    token = csrf_from(staff.get(url).text)
    no_reason = staff.post(f"{url}/decline", data={"csrf_token": token, "lock": "1"})
    assert no_reason.status_code == 422 and "사유를 적으세요" in html.unescape(no_reason.text)
    stale = staff.post(
        f"{url}/decline", data={"csrf_token": token, "lock": "7", "reason": "인력 부족"}
    )
    assert stale.status_code == 409
    assert (
        staff.post(
            f"{url}/decline", data={"csrf_token": token, "lock": "1", "reason": "인력 부족"}
        ).status_code
        == 303
    )
    assert [_referrals(jeonju, c)[0].status for c in cases] == ["declined", "sent", "waiting"]
    promoted = _referrals(jeonju, cases[1])[0]
    assert promoted.due_on == add_working_days(today(), 3)
    page = worker.get(f"/{jeonju}/cases/{cases[2]}?tab=referrals").text
    assert "대기 1번째" in page
    # The worker revokes the promoted one before an answer: the last in line gets the place.
    token = csrf_from(page)
    revoke = worker.post(f"/{jeonju}/cases/{cases[1]}/referrals/{promoted.id}/revoke",
                         data={"csrf_token": token, "lock": str(promoted.lock_version)})  # fmt: skip
    assert revoke.status_code == 303
    assert [_referrals(jeonju, c)[0].status for c in cases] == ["declined", "revoked", "sent"]


def test_referrals_wait_for_the_meetings_approval(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = _case(jeonju)
    with db.tenant_transaction(jeonju) as s:
        s.get(Case, case_id).stage = "meeting"
    page = worker.get(f"/{jeonju}/cases/{case_id}?tab=referrals").text
    assert "승인된 뒤에 서비스를 의뢰할 수 있습니다" in page
    refused = _refer(worker, jeonju, case_id, _providers(jeonju)[0].id)
    assert refused.status_code == 422 and _referrals(jeonju, case_id) == []


def test_an_unanswered_referral_is_flagged_and_reminded_once(jeonju, signed_in, make_user, app):
    from dolbom.tasks.models import Task
    from dolbom.tasks.reminders import make_reminders

    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    provider = _providers(jeonju)[0]
    case_id = _case(jeonju, "답변 없음")
    assert _refer(worker, jeonju, case_id, provider.id).status_code == 303
    [r] = _referrals(jeonju, case_id)
    with db.tenant_transaction(jeonju) as s:
        s.execute(
            sa.update(Referral)
            .where(Referral.id == r.id)
            .values(due_on=today() - dt.timedelta(days=1))
        )
        assert make_reminders(s, today()) >= 1
        assert make_reminders(s, today()) == 0  # the hourly job again: nothing new
        titles = s.scalars(
            sa.select(Task.title).where(Task.deadline_key == f"referral:{r.id}")
        ).all()
    assert titles == [
        f"의뢰 답변 없음: 영양·식사 지원 · {provider.name} 기한 {today() - dt.timedelta(days=1)}"
    ]
    page = worker.get(f"/{jeonju}/cases/{case_id}?tab=referrals").text
    assert "기한 지남" in page
    staff = _provider_user(make_user, app, jeonju, provider.id)
    assert "기한 지남" in staff.get(f"/{jeonju}/provider/?box=soon").text


def test_the_board_shows_where_the_loop_is_not_closing(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    first, second = _providers(jeonju)[:2]
    late, waiting = _case(jeonju, "늦은 답변"), _case(jeonju, "대기 중")
    assert coordinator.get(f"/{jeonju}/referrals/").status_code == 200
    assert _refer(coordinator, jeonju, late, first.id).status_code == 303
    with db.tenant_transaction(jeonju) as s:
        s.execute(sa.update(Referral).values(due_on=today() - dt.timedelta(days=2)))
        s.execute(
            sa.update(ProviderService)
            .where(ProviderService.provider_id == second.id)
            .values(capacity=0)
        )
    assert _refer(coordinator, jeonju, waiting, second.id).status_code == 303
    with db.tenant_session(jeonju) as s:
        meal = s.scalar(sa.select(Programme.id).where(Programme.key == "meal_support"))
    page = coordinator.get(f"/{jeonju}/referrals/").text
    row = re.search(rf'data-testid="board-{first.id}-{meal}">(.*?)</tr>', page, re.S).group(1)
    assert '"app-badge app-badge-danger">1<' in row  # one overdue
    assert f"사례 #{late}" in page and "늦은 답변" not in page  # case numbers, no names
    waiting_list = coordinator.get(f"/{jeonju}/referrals/?kind=waiting&provider={second.id}").text
    assert f"사례 #{waiting}" in waiting_list and f"사례 #{late}" not in waiting_list
    for bad in ("?provider=abc", "?kind=nosuch", "?programme=99999999999"):
        assert coordinator.get(f"/{jeonju}/referrals/{bad}").status_code == 400
    assert (
        signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
        .get(f"/{jeonju}/referrals/")
        .status_code
        == 403
    )
    assert signed_in("provider_staff", jeonju).get(f"/{jeonju}/referrals/").status_code == 403


def test_the_monthly_settlement_equals_the_sum_of_the_records(jeonju, signed_in):
    import csv
    import io

    from openpyxl import load_workbook

    from tests.test_jobs import run_worker

    coordinator = signed_in("coordinator", jeonju)
    providers = _providers(jeonju)[:2]
    cases = [_case(jeonju, f"정산 {i}") for i in range(3)]
    for case_id, provider in zip(cases, [providers[0], providers[0], providers[1]], strict=True):
        assert _refer(coordinator, jeonju, case_id, provider.id).status_code == 303
    month = (today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
    quantities = {cases[0]: ["1", "1", "2.5"], cases[1]: ["3"], cases[2]: ["1", "1"]}
    with db.tenant_transaction(jeonju) as s:
        s.execute(sa.update(Referral).values(status="in_service"))
        for case_id, qs in quantities.items():
            r = s.scalar(sa.select(Referral).where(Referral.case_id == case_id))
            for i, q in enumerate(qs):
                s.add(ServiceRecord(referral_id=r.id, served_on=month + dt.timedelta(days=i),
                                    quantity=Decimal(q), recorded_by=0))  # fmt: skip
            # A record in another month is not in this settlement.
            s.add(
                ServiceRecord(
                    referral_id=r.id, served_on=today(), quantity=Decimal(9), recorded_by=0
                )
            )
        unit_cost = s.scalar(sa.select(Programme.unit_cost).where(Programme.key == "meal_support"))
    page = coordinator.get(f"/{jeonju}/referrals/settlement").text
    token = csrf_from(page)
    for bad, message in (
        ("2026-13", "YYYY-MM"),
        ("다음 달", "YYYY-MM"),
        ("2999-01", "앞으로의 달"),
    ):
        r = coordinator.post(
            f"/{jeonju}/referrals/settlement", data={"csrf_token": token, "month": bad}
        )
        assert r.status_code == 422 and message in html.unescape(r.text)
    key = f"{month:%Y-%m}"
    started = coordinator.post(f"/{jeonju}/referrals/settlement", data={"csrf_token": token, "month": key},
                               headers={"HX-Request": "true"})  # fmt: skip
    assert started.status_code == 200 and 'data-testid="settlement-progress"' in started.text
    run_worker("default")
    done = coordinator.get(
        f"/{jeonju}/referrals/settlement/{key}", headers={"HX-Request": "true"}
    ).text
    assert 'data-testid="settlement-table"' in done and "hx-trigger" not in done
    total_units = sum(Decimal(q) for qs in quantities.values() for q in qs)  # 9.5
    rows = list(csv.reader(io.StringIO(coordinator.get(f"/{jeonju}/referrals/settlement/{key}/csv")
                                       .data.decode("utf-8-sig"))))  # fmt: skip
    assert rows[0][0] == "기관" and rows[-1][0] == "합계"
    body = rows[1:-1]
    assert len(body) == 2  # two providers, one programme each
    assert sum(Decimal(r[5]) for r in body) == Decimal(rows[-1][5]) == total_units
    assert int(rows[-1][9]) == int(total_units * unit_cost)
    assert {r[0] for r in body} == {providers[0].name, providers[1].name}
    assert sorted(int(r[7]) for r in body) == [1, 2]  # people per provider
    xlsx = coordinator.get(f"/{jeonju}/referrals/settlement/{key}/xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[-1][0] == "합계" and Decimal(str(values[-1][5])) == total_units
    cells = " ".join(str(v) for row in values for v in row) + " ".join(" ".join(r) for r in rows)
    assert not re.search(r"정산 \d", done + cells)  # no person's name in the page or the files
    assert coordinator.get(f"/{jeonju}/referrals/settlement/{key}/pdf").status_code == 404
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    assert worker.get(f"/{jeonju}/referrals/settlement/{key}/csv").status_code == 403
