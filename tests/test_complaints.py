"""The complaints register (민원): received → handled → closed, linked to a case only when that
case exists (and is the user's to see), refused steps and bad input with the input kept, a
stale save refused with who changed it when, one access-log row per opened complaint, roles."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.complaints import operations as ops
from dolbom.complaints.models import COMPLAINT_STATUSES, Complaint
from dolbom.identity.models import Role
from dolbom.people.models import Person
from tests.fixtures import csrf_from
from tests.test_escaping import HTMX, IMG

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def a_case(slug: str, dong: str = "pyeonghwa1") -> int:
    with db.tenant_transaction(slug) as s:
        p = Person(name="민원 대상", dong_code=dong)
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, dong_code=dong, stage="provision")
        s.add(case)
        s.flush()
        return case.id


def stored(slug: str, complaint_id: int) -> Complaint:
    with db.tenant_session(slug) as s:
        complaint = s.get(Complaint, complaint_id)
        assert complaint is not None
        return complaint


def log_rows(slug: str) -> list[tuple[str, int, str]]:
    with db.tenant_session(slug) as s:
        return [tuple(r) for r in s.execute(
            sa.select(AccessLog.subject_type, AccessLog.subject_id, AccessLog.action).order_by(AccessLog.id))]  # fmt: skip


def form(token: str, **change: str) -> dict[str, str]:
    data = {"csrf_token": token, "received_on": today().isoformat(), "channel": "phone",
            "complainant": "홍민원", "contact": "010-2345-6789", "subject": "방문 일정이 지켜지지 않음",
            "content": "요양보호사 방문이 두 번 빠졌다는 항의", "case_number": ""}  # fmt: skip
    data.update(change)
    return data


def register(client, slug: str, **change: str) -> int:  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(f"/{slug}/complaints/new").text)
    r = client.post(f"/{slug}/complaints/new", data=form(token, **change))
    assert r.status_code == 303, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def step(
    client, slug: str, complaint_id: int, action: str, headers: dict | None = None, **data: str
):  # type: ignore[no-untyped-def,type-arg]
    page = client.get(f"/{slug}/complaints/{complaint_id}").text
    lock = str(stored(slug, complaint_id).lock_version)
    payload = {"csrf_token": csrf_from(page), "lock_version": lock, **data}
    return client.post(
        f"/{slug}/complaints/{complaint_id}/{action}", data=payload, headers=headers or {}
    )


def test_lifecycle_received_handled_closed(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju, name="김상황")
    case_id = a_case(jeonju)
    cid = register(coordinator, jeonju, case_number=f"#{case_id}")
    c = stored(jeonju, cid)
    assert (c.status, c.case_id, c.complainant, c.channel) == (
        "received",
        case_id,
        "홍민원",
        "phone",
    )
    page = coordinator.get(f"/{jeonju}/complaints/{cid}").text
    assert f'href="/{jeonju}/cases/{case_id}"' in page and f"#{case_id}" in page
    assert "010-2345-6789" in page and 'data-status="received"' in page

    # htmx: the handling section comes back alone, the header badge follows out of band.
    r = step(coordinator, jeonju, cid, "handle", HX, handling="제공기관에 확인, 일정 재조정",
             handled_on=today().isoformat(), case_number=str(case_id))  # fmt: skip
    assert r.status_code == 200 and "<html" not in r.text
    assert 'id="complaint-status" hx-swap-oob="true"' in r.text and 'data-testid="close"' in r.text
    c = stored(jeonju, cid)
    assert (c.status, c.handling, c.handled_on) == (
        "handled",
        "제공기관에 확인, 일정 재조정",
        today(),
    )
    assert c.handled_by is not None and "김상황" in r.text

    # A plain form: redirected back to the page.
    r = step(coordinator, jeonju, cid, "close")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/complaints/{cid}")
    c = stored(jeonju, cid)
    assert (c.status, c.closed_on) == ("closed", today())
    page = coordinator.get(f"/{jeonju}/complaints/{cid}").text
    assert 'data-testid="handle"' not in page and 'data-testid="close"' not in page


@pytest.mark.parametrize("status", list(COMPLAINT_STATUSES))
@pytest.mark.parametrize("action", ["handle", "close", "reopen"])
def test_transition_table(status, action):
    allowed = {("received", "handle"), ("handled", "close")}
    why = ops.refusal(Complaint(status=status), action)
    assert (why is None) == ((status, action) in allowed), (status, action, why)


def test_illegal_steps_are_refused_with_the_reason(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    cid = register(coordinator, jeonju)
    r = step(coordinator, jeonju, cid, "close")
    assert r.status_code == 422
    assert "'종결'은(는) 처리 상태의 민원에만 할 수 있습니다 (지금: 접수)" in html.unescape(r.text)
    assert stored(jeonju, cid).status == "received"
    assert step(coordinator, jeonju, cid, "handle", handling="안내함").status_code == 303
    assert step(coordinator, jeonju, cid, "close").status_code == 303
    again = step(coordinator, jeonju, cid, "handle", HX, handling="다시 처리")
    text = html.unescape(again.text)
    assert again.status_code == 422 and "접수 상태의 민원에만" in text and "(지금: 종결)" in text
    assert "다시 처리" in text  # the input is still there to copy
    assert stored(jeonju, cid).handling == "안내함"
    assert coordinator.post(f"/{jeonju}/complaints/{cid}/reopen").status_code in (404, 405)


def test_bad_input_is_refused_at_the_field_and_kept(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    token = csrf_from(coordinator.get(f"/{jeonju}/complaints/new").text)
    bad = form(token, channel="pigeon", subject=" ", content="", complainant="박보존",
               received_on=(today() + dt.timedelta(days=1)).isoformat(), case_number="열두번")  # fmt: skip
    for headers in ({}, HX):
        r = coordinator.post(f"/{jeonju}/complaints/new", data=bad, headers=headers)
        text = html.unescape(r.text)
        assert r.status_code == 422
        for message in ("접수 경로를 고르세요", "제목을(를) 적으세요", "내용을(를) 적으세요",
                        "앞으로의 날짜는 적을 수 없습니다", "사례 번호를 숫자로 적으세요"):  # fmt: skip
            assert message in text, message
        assert 'value="박보존"' in r.text and "010-2345-6789" in r.text
        assert ("<html" in r.text) == (not headers)  # htmx gets the form fragment alone
    too_long = coordinator.post(f"/{jeonju}/complaints/new", data=form(token, content="가" * 2001))
    assert too_long.status_code == 422 and "2,000자까지" in html.unescape(too_long.text)
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0

    cid = register(coordinator, jeonju, received_on=(today() - dt.timedelta(days=3)).isoformat())
    early = (today() - dt.timedelta(days=5)).isoformat()
    r = step(coordinator, jeonju, cid, "handle", HX, handling="", handled_on=early)
    text = html.unescape(r.text)
    assert r.status_code == 422 and "처리 내용을(를) 적으세요" in text and "접수일(" in text
    assert f'value="{early}"' in r.text and stored(jeonju, cid).status == "received"


def test_a_case_link_needs_a_case_the_user_may_see(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    token = csrf_from(coordinator.get(f"/{jeonju}/complaints/new").text)
    r = coordinator.post(f"/{jeonju}/complaints/new", data=form(token, case_number="999999"))
    assert r.status_code == 422 and "사례 #999999을(를) 찾을 수 없습니다" in html.unescape(r.text)
    elsewhere = a_case(jeonju, dong="jungang")
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    wtoken = csrf_from(worker.get(f"/{jeonju}/complaints/new").text)
    r = worker.post(f"/{jeonju}/complaints/new", data=form(wtoken, case_number=str(elsewhere)))
    assert r.status_code == 422 and "찾을 수 없습니다" in html.unescape(r.text)
    # Linked while handling, when the case turns up later.
    cid = register(coordinator, jeonju)
    bad = step(coordinator, jeonju, cid, "handle", handling="확인", case_number="424242")
    assert bad.status_code == 422 and "사례 #424242" in html.unescape(bad.text)
    assert (
        step(
            coordinator, jeonju, cid, "handle", handling="확인", case_number=f"사례 {elsewhere}"
        ).status_code
        == 303
    )
    assert stored(jeonju, cid).case_id == elsewhere


def test_a_stale_save_is_refused_with_who_and_when_and_the_input_kept(jeonju, signed_in):
    first = signed_in("coordinator", jeonju, name="이먼저")
    second = signed_in("city_admin", jeonju, name="박나중")
    cid = register(first, jeonju)
    page = first.get(f"/{jeonju}/complaints/{cid}").text
    old_lock = str(stored(jeonju, cid).lock_version)
    assert step(second, jeonju, cid, "handle", handling="박나중이 먼저 처리").status_code == 303
    for headers in (HX, {}):
        r = first.post(f"/{jeonju}/complaints/{cid}/handle", headers=headers, data={
            "csrf_token": csrf_from(page), "lock_version": old_lock, "handling": "이먼저의 처리 내용"})  # fmt: skip
        text = html.unescape(r.text)
        assert r.status_code == 409
        assert "박나중님이" in text and "에 이 민원을 변경했습니다" in text
        assert "이먼저의 처리 내용" in text  # kept for re-applying
        assert "박나중이 먼저 처리" in text  # and the current state beside it
    assert stored(jeonju, cid).handling == "박나중이 먼저 처리"
    stale_close = first.post(f"/{jeonju}/complaints/{cid}/close",
                             data={"csrf_token": csrf_from(page), "lock_version": old_lock})  # fmt: skip
    assert stale_close.status_code == 409 and stored(jeonju, cid).status == "handled"


def test_each_opened_complaint_is_one_access_log_row(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    cid = register(coordinator, jeonju)
    assert log_rows(jeonju) == [("complaint", cid, "create")]
    coordinator.get(f"/{jeonju}/complaints/")
    coordinator.get(f"/{jeonju}/complaints/?status=received", headers=HX)
    assert log_rows(jeonju) == [("complaint", cid, "create")]  # lists show no complainant
    coordinator.get(f"/{jeonju}/complaints/{cid}")
    coordinator.get(f"/{jeonju}/complaints/{cid}", headers=HX)
    assert log_rows(jeonju)[1:] == [("complaint", cid, "view")] * 2
    before = len(log_rows(jeonju))
    with db.tenant_session(jeonju) as s:
        lock = str(s.get(Complaint, cid).lock_version)
    token = csrf_from(coordinator.get(f"/{jeonju}/complaints/").text)
    r = coordinator.post(f"/{jeonju}/complaints/{cid}/handle", headers=HX,
                         data={"csrf_token": token, "lock_version": lock, "handling": "안내"})  # fmt: skip
    assert r.status_code == 200
    assert log_rows(jeonju)[before:] == [("complaint", cid, "edit")]


def test_lists_page_newest_first_without_contact_details(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    with db.tenant_transaction(jeonju) as s:
        s.add_all(
            Complaint(received_on=today() - dt.timedelta(days=i), channel="visit", complainant=f"민원인{i}",
                      contact=f"010-0000-{i:04d}", subject=f"제목 {i:02d}", content="내용", created_by=1,
                      status="handled" if i % 5 == 0 else "received")
            for i in range(35)
        )  # fmt: skip
    page = coordinator.get(f"/{jeonju}/complaints/").text
    assert "민원인0" not in page and "민원인1" not in page and "010-0000" not in page
    assert page.index("제목 00") < page.index("제목 01") < page.index("제목 29")
    assert "제목 30" not in page and 'data-testid="next-page"' in page
    second = coordinator.get(f"/{jeonju}/complaints/?page=2", headers=HX)
    assert "<html" not in second.text and "제목 34" in second.text and "제목 29" not in second.text
    handled = coordinator.get(f"/{jeonju}/complaints/?status=handled").text
    assert handled.count('data-testid="complaint-') == 7 and "제목 01" not in handled
    empty = coordinator.get(f"/{jeonju}/complaints/?status=closed").text
    assert 'data-testid="complaints-empty"' in empty


def test_roles(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    theirs = register(coordinator, jeonju, subject="상황실 접수")
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    mine = register(worker, jeonju, subject="창구 접수")
    listed = worker.get(f"/{jeonju}/complaints/").text
    assert "창구 접수" in listed and "상황실 접수" not in listed
    assert worker.get(f"/{jeonju}/complaints/{mine}").status_code == 200
    assert worker.get(f"/{jeonju}/complaints/{theirs}").status_code == 404
    assert 'data-testid="handle"' not in worker.get(f"/{jeonju}/complaints/{mine}").text
    assert step(worker, jeonju, mine, "handle", handling="직접 처리").status_code == 403
    assert "창구 접수" in coordinator.get(f"/{jeonju}/complaints/").text
    admin = signed_in("city_admin", jeonju)
    assert step(admin, jeonju, mine, "handle", handling="기관 관리자 처리").status_code == 303
    provider = signed_in("provider_staff", jeonju)
    ministry = signed_in(platform_role=Role.MINISTRY_ANALYST)
    for client in (provider, ministry):
        for url in ("/complaints/", "/complaints/new", f"/complaints/{mine}"):
            assert client.get(f"/{jeonju}{url}").status_code == 403, url


def test_hostile_subject_is_text_and_posts_need_the_token(jeonju, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    cid = register(coordinator, jeonju, subject=IMG, complainant=HTMX, content=HTMX)
    for url in (f"/{jeonju}/complaints/", f"/{jeonju}/complaints/{cid}"):
        page = coordinator.get(url).text
        assert IMG not in page and HTMX not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;div hx-get=/admin/ hx-trigger=load&gt;" in page
    lock = str(stored(jeonju, cid).lock_version)
    without = coordinator.post(f"/{jeonju}/complaints/new", data={**form(""), "csrf_token": ""})
    assert without.status_code == 400
    refused = coordinator.post(f"/{jeonju}/complaints/{cid}/handle",
                               data={"lock_version": lock, "handling": "토큰 없음"})  # fmt: skip
    assert refused.status_code == 400 and stored(jeonju, cid).status == "received"
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 1
