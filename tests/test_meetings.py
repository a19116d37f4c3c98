"""Integrated support meetings: a case goes on the next meeting's agenda from its page, the
meeting decides every case in one pass (all or nothing), minutes are signed off, coordinators
only."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.cases.models import Case, CaseEvent, MonitoringCheck
from dolbom.clock import today
from dolbom.meetings.models import Meeting, MeetingItem
from dolbom.people.models import Person
from tests.fixtures import add_consent, csrf_from


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def meeting_case(slug: str, name: str) -> int:
    with db.tenant_transaction(slug) as s:
        p = Person(name=name, dong_code="pyeonghwa1")
        s.add(p)
        s.flush()
        add_consent(s, p.id)
        case = Case(person_id=p.id, dong_code="pyeonghwa1", stage="meeting")
        s.add(case)
        s.flush()
        return case.id


def test_agenda_decisions_and_minutes(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    a, b, c = (meeting_case(jeonju, n) for n in ("안건가", "안건나", "안건다"))
    wtoken = csrf_from(worker.get(f"/{jeonju}/cases/{a}").text)
    none_yet = worker.post(f"/{jeonju}/cases/{a}/agenda", data={"csrf_token": wtoken})
    assert none_yet.status_code == 422 and "예정된 회의가 없습니다" in html.unescape(none_yet.text)

    token = csrf_from(coordinator.get(f"/{jeonju}/meetings/").text)
    bad = coordinator.post(f"/{jeonju}/meetings/new", data={"csrf_token": token, "held_on": "내일", "place": "",
                                                            "attendees": "김보건"})  # fmt: skip
    text = html.unescape(bad.text)
    assert (
        bad.status_code == 422
        and "회의 날짜를 YYYY-MM-DD로 적으세요" in text
        and "장소를 적으세요" in text
    )
    made = coordinator.post(f"/{jeonju}/meetings/new", data={
        "csrf_token": token, "held_on": (today() + dt.timedelta(days=7)).isoformat(), "place": "완산구청 회의실",
        "attendees": "김보건, 완산구보건소\n이복지, 평화종합사회복지관"})  # fmt: skip
    assert made.status_code == 303
    url = made.headers["Location"]
    for case_id in (a, b, c):
        assert (
            worker.post(
                f"/{jeonju}/cases/{case_id}/agenda", data={"csrf_token": wtoken}
            ).status_code
            == 303
        )
    again = worker.post(f"/{jeonju}/cases/{a}/agenda", data={"csrf_token": wtoken})
    assert again.status_code == 422 and "이미" in html.unescape(again.text)

    with db.tenant_session(jeonju) as s:
        items = {i.case_id: i.id for i in s.scalars(sa.select(MeetingItem))}
    page = coordinator.get(url).text
    assert "안건가" in page and "김보건 (완산구보건소)" in page
    # One bad row: nothing is applied.
    partial = {"csrf_token": token, f"decision_{items[a]}": "approve", f"decision_{items[b]}": "change",
               f"decision_{items[c]}": "close", f"closure_{items[c]}": ""}  # fmt: skip
    r = coordinator.post(f"{url}/decide", data=partial)
    text = html.unescape(r.text)
    assert (
        r.status_code == 422 and "변경할 내용을 적으세요" in text and "종결 사유를 고르세요" in text
    )
    with db.tenant_session(jeonju) as s:
        assert set(s.scalars(sa.select(Case.stage).where(Case.id.in_([a, b, c])))) == {"meeting"}
    good = {
        **partial,
        f"remarks_{items[b]}": "방문간호 횟수 조정",
        f"closure_{items[c]}": "refusal",
    }
    assert coordinator.post(f"{url}/decide", data=good).status_code == 303
    with db.tenant_session(jeonju) as s:
        stages = dict(s.execute(sa.select(Case.id, Case.stage).where(Case.id.in_([a, b, c]))).all())
        assert stages == {a: "provision", b: "plan", c: "closed"}
        assert (
            s.scalar(
                sa.select(sa.func.count())
                .select_from(MonitoringCheck)
                .where(MonitoringCheck.case_id == a)
            )
            == 2
        )
        notes = dict(
            s.execute(
                sa.select(CaseEvent.case_id, CaseEvent.note).where(CaseEvent.case_id == b)
            ).all()
        )
        assert notes[b] == "방문간호 횟수 조정"
    unsigned = coordinator.post(f"{url}/sign", data={"csrf_token": token, "minutes": ""})
    assert unsigned.status_code == 422 and "회의록을 적으세요" in html.unescape(unsigned.text)
    assert (
        coordinator.post(
            f"{url}/sign", data={"csrf_token": token, "minutes": "3건 심의"}
        ).status_code
        == 303
    )
    with db.tenant_session(jeonju) as s:
        meeting = s.scalar(sa.select(Meeting))
        assert meeting.signed_at is not None and meeting.minutes == "3건 심의"
    assert coordinator.post(f"{url}/decide", data=good).status_code == 422  # decided once


def test_meetings_are_for_coordinators(jeonju, signed_in):
    for role in ("frontline_worker", "city_admin", "provider_staff"):
        assert (
            signed_in(role, jeonju, dongs=["pyeonghwa1"]).get(f"/{jeonju}/meetings/").status_code
            == 403
        )
