"""Every screen that shows a person or a case writes exactly one access-log row per person or
case shown, htmx fragments and prints included."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.meetings.models import Meeting, MeetingItem
from dolbom.rules.models import RuleDecision
from tests.fixtures import csrf_from
from tests.test_forms_fill import HX


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def rows(slug: str) -> list[tuple[str, int, str]]:
    with db.tenant_session(slug) as s:
        return [tuple(r) for r in s.execute(
            sa.select(AccessLog.subject_type, AccessLog.subject_id, AccessLog.action).order_by(AccessLog.id))]  # fmt: skip


def test_each_route_that_shows_a_person_logs_exactly_once(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    coordinator = signed_in("coordinator", jeonju)
    token = csrf_from(worker.get(f"/{jeonju}/cases/new").text)
    r = worker.post(f"/{jeonju}/cases/new", data={"csrf_token": token, "name": "기록 확인", "rrn": "430505-1234567",
                                                 "dong_code": "pyeonghwa1", "source": "본인"})  # fmt: skip
    case_id = int(r.headers["Location"].rsplit("/", 1)[1])
    with db.tenant_session(jeonju) as s:
        person_id = s.get(Case, case_id).person_id

    def logged(client, method: str, url: str, **kw: object) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
        before = len(rows(jeonju))
        response = getattr(client, method)(url, **kw)
        assert response.status_code in (200, 303), (url, response.status_code)
        return rows(jeonju)[before:]

    assert logged(worker, "get", f"/{jeonju}/cases/{case_id}") == [("case", case_id, "view")]
    assert logged(worker, "post", f"/{jeonju}/cases/{case_id}/eligibility", data={"csrf_token": token},
                  headers=HX) == [("case", case_id, "edit")]  # fmt: skip
    with db.tenant_session(jeonju) as s:
        decision = s.scalar(
            sa.select(RuleDecision.id).where(RuleDecision.case_id == case_id).limit(1)
        )
    assert logged(worker, "get", f"/{jeonju}/cases/{case_id}/eligibility/{decision}/notice") == [
        ("case", case_id, "print")
    ]
    assert logged(worker, "post", f"/{jeonju}/cases/{case_id}/rrn", data={"csrf_token": token, "reason": "자격 확인"},
                  headers=HX) == [("person", person_id, "view")]  # fmt: skip
    with db.tenant_transaction(jeonju) as s:
        s.get(Case, case_id).stage = "meeting"
        meeting = Meeting(
            held_on=today() + dt.timedelta(days=1), place="회의실", attendees=[], created_by=1
        )
        s.add(meeting)
        s.flush()
        s.add(MeetingItem(meeting_id=meeting.id, case_id=case_id, added_by=1))
        meeting_id = meeting.id
    assert logged(coordinator, "get", f"/{jeonju}/meetings/{meeting_id}") == [
        ("case", case_id, "view")
    ]
    # Lists without a person's record (the caseload shows names only) write nothing.
    assert logged(worker, "get", f"/{jeonju}/cases/") == []
