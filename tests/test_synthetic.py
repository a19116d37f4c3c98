"""The demo and benchmark generator: every stage present, each case with the history its stage
implies, deadlines set, and the same seed giving the same people."""

from __future__ import annotations

import sqlalchemy as sa

from dolbom import db
from dolbom.cases.models import Case, CaseEvent, MonitoringCheck, SupportPlan
from dolbom.cases.synthetic import generate
from dolbom.cases.transitions import has_consent
from dolbom.clock import today
from dolbom.meetings.models import Meeting, MeetingItem
from dolbom.people.models import Person


def test_generated_cases_have_the_history_of_their_stage(pack_tenant):
    slug = pack_tenant("jeonju")
    with db.tenant_transaction(slug) as s:
        generate(s, slug, 300, seed=5, workers={"pyeonghwa1": 77})
    with db.tenant_session(slug) as s:
        cases = s.scalars(sa.select(Case)).all()
        assert {c.stage for c in cases} == {"application", "survey", "judgement", "plan", "meeting",
                                           "provision", "monitoring", "closed"}  # fmt: skip
        steps = {(e.case_id, e.action) for e in s.scalars(sa.select(CaseEvent))}
        plans = set(s.scalars(sa.select(SupportPlan.case_id)))
        checks = {ch.case_id for ch in s.scalars(sa.select(MonitoringCheck))}
        items = {
            (i.case_id, i.decision, i.meeting.held_on <= today())
            for i in s.scalars(sa.select(MeetingItem))
        }
        for c in cases:
            assert c.opened_on <= today() and c.stage_since is not None
            assert c.worker_id == (77 if c.dong_code == "pyeonghwa1" else None)
            if c.stage in ("provision", "monitoring"):
                assert (c.id, "approve") in steps and c.id in plans and c.id in checks
                assert (c.id, "approve", True) in items and c.services_started_on <= today()
                assert c.judgement_level and c.risk_level
                assert has_consent(s, c.person_id, "linkage", today())
            if c.stage == "meeting":
                assert (c.id, None, False) in items and c.id in plans  # on the next meeting
            if c.stage == "closed":
                assert c.closure_reason and c.closed_on and (c.id, "close") in steps
            elif c.stage not in ("provision", "monitoring"):  # those: until the last check
                assert c.due_on is not None, c.stage
        assert any(c.due_on < today() for c in cases if c.stage != "closed")  # some are overdue
        assert s.scalar(sa.select(sa.func.count()).select_from(Meeting)) >= 2
        names = [p.name for p in s.scalars(sa.select(Person).order_by(Person.id).limit(20))]
    other = pack_tenant("jeonju")
    with db.tenant_transaction(other) as s:
        generate(s, other, 20, seed=5)
    with db.tenant_session(other) as s:
        assert [p.name for p in s.scalars(sa.select(Person).order_by(Person.id))] == names
