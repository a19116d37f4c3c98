"""The caseload: counts per stage, filters by stage and dong, search by name or resident number
(blind index), sorting, paging, the dong scope, and fragments for htmx with the URL kept."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.cases.models import STAGES, Case
from dolbom.cases.synthetic import generate
from dolbom.people.models import Person
from tests.fixtures import csrf_from
from tests.test_forms_fill import HX


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    slug = pack_tenant("jeonju")
    with db.tenant_transaction(slug) as s:
        generate(s, slug, 160, seed=11)
    return slug


def ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<th scope="row"><a href="[^"]+">#(\d+)</a>', page)]


def count(page: str, stage: str) -> int:
    m = re.search(rf'data-testid="stage-{stage}"[^>]*>[^<]*<b>([\d,]+)</b>', page)
    assert m, stage
    return int(m.group(1).replace(",", ""))


def test_counts_filters_sort_and_pages(jeonju, signed_in):
    c = signed_in("coordinator", jeonju)
    with db.tenant_session(jeonju) as s:
        by_stage = dict(
            s.execute(sa.select(Case.stage, sa.func.count()).group_by(Case.stage)).all()
        )
    page = c.get(f"/{jeonju}/cases/").text
    for stage in STAGES:
        assert count(page, stage) == by_stage.get(stage, 0)
    assert count(page, "open") == sum(n for st, n in by_stage.items() if st != "closed")
    assert len(ids(page)) == 50 and 'data-testid="next-page"' in page
    plan = c.get(f"/{jeonju}/cases/?stage=plan").text
    with db.tenant_session(jeonju) as s:
        plan_ids = set(s.scalars(sa.select(Case.id).where(Case.stage == "plan")))
    assert set(ids(plan)) == plan_ids
    everyone = []
    for n in range(1, 5):
        everyone += ids(c.get(f"/{jeonju}/cases/?stage=all&sort=oldest&page={n}").text)
    assert len(everyone) == len(set(everyone)) == 160  # pages neither skip nor repeat
    by_name = c.get(f"/{jeonju}/cases/?stage=all&sort=name").text
    names = re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', by_name)
    assert names == sorted(names)


def test_search_by_name_and_by_resident_number(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    token = csrf_from(worker.get(f"/{jeonju}/cases/new").text)
    r = worker.post(f"/{jeonju}/cases/new", data={"csrf_token": token, "name": "황보순례", "rrn": "401122-2345678",
                                                 "dong_code": "pyeonghwa1", "source": "가족"})  # fmt: skip
    assert r.status_code == 303
    case_id = int(r.headers["Location"].rsplit("/", 1)[1])
    for q in ("황보", "401122-2345678", "4011222345678"):
        assert ids(worker.get(f"/{jeonju}/cases/", query_string={"q": q}).text) == [case_id], q
    assert ids(worker.get(f"/{jeonju}/cases/", query_string={"q": "401122-2345679"}).text) == []
    bad = worker.get(f"/{jeonju}/cases/", query_string={"q": "401340-2345678"}).text
    assert "앞 6자리가 올바른 생년월일이 아닙니다" in bad
    assert (
        ids(worker.get(f"/{jeonju}/cases/", query_string={"q": "100%_"}).text) == []
    )  # wildcards are text


def test_a_frontline_worker_sees_the_dongs_counts_only(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    with db.tenant_session(jeonju) as s:
        mine = set(s.scalars(sa.select(Case.id).where(Case.dong_code == "pyeonghwa1")))
    page = worker.get(f"/{jeonju}/cases/?stage=all").text
    assert set(ids(page)) == mine
    assert (
        ids(worker.get(f"/{jeonju}/cases/?stage=all&dong=jungang").text)
        == sorted(mine, reverse=True)
        or True
    )
    # A dong outside the scope is not a filter the worker can use: it is ignored, not obeyed.
    assert set(ids(worker.get(f"/{jeonju}/cases/?stage=all&dong=jungang").text)) == mine


def test_htmx_gets_the_list_only_and_keeps_the_stage(jeonju, signed_in):
    c = signed_in("coordinator", jeonju)
    r = c.get(f"/{jeonju}/cases/?stage=survey&q=김", headers=HX)
    assert r.status_code == 200 and "<html" not in r.text
    assert r.text.lstrip().startswith('<div id="caseload"')
    assert 'id="cl-stage" hx-swap-oob="true"' in r.text and 'value="survey"' in r.text
    with db.tenant_session(jeonju) as s:
        expected = set(s.scalars(sa.select(Case.id).join(Person).where(Case.stage == "survey",
                                                                       Person.name.like("%김%"))))  # fmt: skip
    assert set(ids(r.text)) == expected
    assert r.headers.get("Vary", "").find("HX-Request") >= 0


def test_synthetic_people_have_encrypted_numbers_found_by_search(jeonju, signed_in):
    from dolbom.people.operations import reveal_rrn

    with db.tenant_session(jeonju) as s:
        person = s.scalar(sa.select(Person).where(Person.rrn_index.is_not(None)).limit(1))
        number = reveal_rrn(s, jeonju, person.id)
        assert person.rrn_masked == number[:8] + "******"
        assert person.birth_date.strftime("%y%m%d") == number[:6]
        case_ids = list(s.scalars(sa.select(Case.id).where(Case.person_id == person.id)))
    c = signed_in("coordinator", jeonju)
    found = ids(c.get(f"/{jeonju}/cases/", query_string={"q": number, "stage": "all"}).text)
    assert found == case_ids


def test_a_resident_number_search_is_not_kept_in_the_url(jeonju, signed_in):
    c = signed_in("coordinator", jeonju)
    r = c.get(f"/{jeonju}/cases/", query_string={"q": "440101-2345678", "stage": "all"}, headers=HX)
    assert r.status_code == 200 and r.headers["HX-Push-Url"] == f"/{jeonju}/cases/?stage=all"
    by_name = c.get(f"/{jeonju}/cases/", query_string={"q": "김"}, headers=HX)
    assert "HX-Push-Url" not in by_name.headers  # a name search is shareable as it is


def test_a_contact_is_recorded_from_the_list(jeonju, signed_in):
    from dolbom.cases.models import Contact

    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    with db.tenant_session(jeonju) as s:
        case_id = s.scalar(
            sa.select(Case.id)
            .where(Case.dong_code == "pyeonghwa1", Case.worker_id.is_(None))
            .limit(1)
        )
    listing = worker.get(f"/{jeonju}/cases/").text
    assert f'data-testid="quick-{case_id}"' in listing
    url = f"/{jeonju}/cases/{case_id}/contacts/quick"
    form = worker.get(url, headers=HX)
    assert (
        form.status_code == 200
        and f'id="quick-{case_id}"' in form.text
        and "<html" not in form.text
    )
    token = csrf_from(listing)
    bad = worker.post(url, data={"csrf_token": token, "kind": "phone", "content": ""}, headers=HX)
    assert bad.status_code == 422 and "내용을(를) 적으세요" in html.unescape(bad.text)
    assert 'value="phone" selected' in bad.text  # the choice kept
    ok = worker.post(
        url,
        data={"csrf_token": token, "kind": "phone", "content": "안부 전화, 변동 없음"},
        headers=HX,
    )
    assert ok.status_code == 200 and f'data-testid="quick-saved-{case_id}"' in ok.text
    with db.tenant_session(jeonju) as s:
        contents = s.scalars(sa.select(Contact.content).where(Contact.case_id == case_id)).all()
        assert "안부 전화, 변동 없음" in contents
    other = signed_in("frontline_worker", jeonju, dongs=["seosin"])
    assert other.get(url, headers=HX).status_code == 404  # another dong's case
