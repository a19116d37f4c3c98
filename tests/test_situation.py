"""The situation room (통합돌봄상황실): its figures equal direct counts of the seeded data, an empty
tenant shows empty states, the counts link to the matching caseload, it writes no access-log
rows, and only the 시군구 roles open it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.complaints.models import Complaint
from dolbom.identity.models import Role, User
from dolbom.people.models import Person
from dolbom.situation import queries
from dolbom.tasks.models import Task

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
T = today()
DAY = dt.timedelta(days=1)
# (dong, stage, opened days ago, source, due in days (None: no deadline))
CASES = [
    ("pyeonghwa1", "application", 0, "본인", 7),
    ("pyeonghwa1", "application", 2, "가족", -1),  # overdue
    ("pyeonghwa1", "survey", 6, "발굴명단", -3),  # overdue, opened on the week's first day
    ("pyeonghwa1", "plan", 7, "본인", 0),  # due today is not overdue; a day too old to be new
    ("jungang", "application", 1, None, None),
    ("jungang", "meeting", 30, "기관", -10),  # overdue
    ("jungang", "monitoring", 90, "직권", 5),
    ("geumam1", "provision", 400, "조사", -1),  # a merged dong; overdue
    (None, "survey", 3, "주민신고", None),
    ("jungang", "closed", 1, "본인", -5),  # closed: counted nowhere but new identifications
    ("pyeonghwa1", "closed", 100, "본인", None),
]


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def user_id(email: str) -> int:
    with db.shared_session() as s:
        return s.scalar(sa.select(User.id).where(User.email == email))


def seed(slug: str, workers: list[int]) -> None:
    with db.tenant_transaction(slug) as s:
        for i, (dong, stage, ago, source, due) in enumerate(CASES):
            p = Person(name=f"상황 {i}", dong_code=dong)
            s.add(p)
            s.flush()
            s.add(Case(person_id=p.id, dong_code=dong, stage=stage, opened_on=T - ago * DAY, source=source,
                       due_on=None if due is None else T + due * DAY))  # fmt: skip
        a, b = workers
        s.add_all([
            Task(assignee_id=a, title="기한 지남 1", due_on=T - 3 * DAY),
            Task(assignee_id=a, title="기한 지남 2", due_on=T - DAY),
            Task(assignee_id=a, title="오늘 기한", due_on=T),
            Task(assignee_id=a, title="끝냄", due_on=T - 5 * DAY, done_at=sa.func.now()),
            Task(assignee_id=b, title="기한 지남 3", due_on=T - 10 * DAY),
            Task(assignee_id=b, title="기한 없음", due_on=None),
        ])  # fmt: skip
        for status in ("received", "received", "handled", "closed"):
            s.add(Complaint(received_on=T, channel="phone", subject="민원", content="내용",
                            status=status, created_by=a))  # fmt: skip


def direct(slug: str) -> dict[str, object]:
    """The same figures counted the plain way, one question at a time."""
    with db.tenant_session(slug) as s:

        def n(*where: sa.ColumnElement[bool], model: type = Case) -> int:
            return s.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0

        open_ = Case.stage != "closed"
        return {
            "cells": {(d, st): n(open_, Case.dong_code == d, Case.stage == st)
                      for d in ("pyeonghwa1", "jungang", "geumam1") for st in queries.OPEN_STAGES},
            "no_dong": n(open_, Case.dong_code.is_(None)),
            "open": n(open_),
            "overdue": {st: n(Case.stage == st, Case.due_on < T) for st in queries.OPEN_STAGES},
            "tasks": n(Task.done_at.is_(None), Task.due_on < T, model=Task),
            "new": n(Case.opened_on >= T - 6 * DAY),
            "new_own": n(Case.opened_on >= T - 6 * DAY, Case.source == "본인"),
            "complaints": {st: n(Complaint.status == st, model=Complaint)
                           for st in ("received", "handled", "closed")},
        }  # fmt: skip


def test_figures_equal_direct_counts(jeonju, signed_in, make_user):
    a, b = (user_id(make_user("frontline_worker", jeonju, name=n)) for n in ("최담당", "정담당"))
    seed(jeonju, [a, b])
    want = direct(jeonju)
    with db.tenant_session(jeonju) as s:
        board = queries.board(s, T)
    m = board.matrix
    rows = {r.code: r for r in m.rows}
    for (dong, stage), count in want["cells"].items():  # type: ignore[union-attr]
        assert rows[dong].counts.get(stage, 0) == count, (dong, stage)
    assert rows[None].total == want["no_dong"] == 1
    assert not rows["geumam1"].current and rows["pyeonghwa1"].current and rows["pyeonghwa1"].gu
    assert m.total == want["open"] == 9 and sum(r.total for r in m.rows) == m.total
    assert m.overdue_by_stage == want["overdue"] and m.overdue_total == 4
    assert [(t.user_id, t.count, t.oldest) for t in board.tasks] == [(a, 2, T - 3 * DAY),
                                                                      (b, 1, T - 10 * DAY)]  # fmt: skip
    assert sum(t.count for t in board.tasks) == want["tasks"]
    assert board.new.total == want["new"] == 6 and board.new.since == T - 6 * DAY
    assert dict((c, k) for c, _l, k in board.new.by_source)["본인"] == want["new_own"] == 2
    assert board.complaints == want["complaints"] == {"received": 2, "handled": 1, "closed": 1}

    coordinator = signed_in("coordinator", jeonju)
    page = coordinator.get(f"/{jeonju}/situation/").text
    cell = re.search(r'data-testid="dong-pyeonghwa1".*?</tr>', page, re.S).group(0)  # type: ignore[union-attr]
    assert f'href="/{jeonju}/cases/?stage=application&amp;dong=pyeonghwa1">2</a>' in cell
    assert f'href="/{jeonju}/cases/?dong=pyeonghwa1">4</a>' in cell
    merged = re.search(r'data-testid="dong-geumam1".*?</tr>', page, re.S).group(0)  # type: ignore[union-attr]
    assert "금암1동" in merged and "href" not in merged  # the caseload cannot filter by it
    quiet = re.search(r'data-testid="quiet-dongs">(.*?)</p>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "효자5동" in quiet and "평화1동" not in quiet and 'data-testid="dong-hyoja5"' not in page
    assert f'href="/{jeonju}/cases/?stage=survey&amp;due=overdue"' in page
    assert re.search(r'data-testid="tile-open">9<', page) and re.search(
        r'data-testid="tile-overdue">4<', page
    )
    assert re.search(r'data-testid="tile-tasks">3<', page) and re.search(
        r'data-testid="tile-new">6<', page
    )
    assert "최담당" in page and "정담당" in page and "상황 " not in page  # staff names, no persons
    assert f'href="/{jeonju}/complaints/?status=received"' in page
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(AccessLog)) == 0
    # The links land on caseloads that count the same.
    for query, n in (("stage=application&dong=pyeonghwa1", 2), ("due=overdue", 4),
                     ("stage=survey&due=overdue", 1), ("dong=jungang", 3)):  # fmt: skip
        listed = coordinator.get(f"/{jeonju}/cases/?{query}").text
        assert re.search(rf'data-testid="caseload-total">{n}건', listed), query


def test_an_empty_tenant_shows_empty_states(make_tenant, jeonju, signed_in):
    for slug in (make_tenant(), jeonju):  # no districts at all; districts but no cases
        r = signed_in("city_admin", slug).get(f"/{slug}/situation/")
        assert r.status_code == 200
        for part in ("matrix", "overdue", "tasks", "new", "complaints"):
            assert f'data-testid="{part}-empty"' in r.text, (slug, part)


def test_the_board_refreshes_as_a_fragment(jeonju, signed_in):
    r = signed_in("coordinator", jeonju).get(f"/{jeonju}/situation/", headers=HX)
    assert r.status_code == 200 and "<html" not in r.text
    assert (
        r.text.lstrip().startswith('<div id="situation-board"')
        and 'hx-trigger="every 120s"' in r.text
    )


def test_only_the_city_roles_open_it(jeonju, signed_in):
    for role, status in (("coordinator", 200), ("city_admin", 200), ("frontline_worker", 403),
                         ("provider_staff", 403)):  # fmt: skip
        client = signed_in(role, jeonju, dongs=["pyeonghwa1"])
        assert client.get(f"/{jeonju}/situation/").status_code == status, role
        home = client.get(f"/{jeonju}/").text
        assert ("상황실" in home) == (status == 200), role
    ministry = signed_in(platform_role=Role.MINISTRY_ANALYST)
    assert ministry.get(f"/{jeonju}/situation/").status_code == 403
