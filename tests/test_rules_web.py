"""Rule sets on the web and decisions on cases: packs, the draft editor, publishing gated by
examples, what-if (inline and as a job), decisions that are never edited, and access."""

from __future__ import annotations

import datetime as dt
import html
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from markupsafe import escape

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.cases.models import Case
from dolbom.cases.synthetic import generate
from dolbom.clock import today
from dolbom.console.models import ConfigChange
from dolbom.people.models import Person
from dolbom.rules import operations as ops
from dolbom.rules.models import ImmutableRuleVersion, RuleDecision, RuleSet, RuleSetVersion
from tests.fixtures import csrf_from
from tests.test_forms_fill import HX
from tests.test_jobs import run_worker

KEY = "jeonju-elderly-care"


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    slug = pack_tenant("jeonju")
    with db.tenant_transaction(slug) as s:
        generate(s, slug, 120, seed=7)
    return slug


def source_of(slug: str, key: str = KEY, number: int | None = None) -> str:
    with db.tenant_session(slug) as s:
        rs = s.scalar(sa.select(RuleSet).where(RuleSet.key == key))
        v = ops.current_of(s, rs) if number is None else ops.draft_of(s, rs)
        return v.source


class Admin:
    def __init__(self, client, slug: str) -> None:  # type: ignore[no-untyped-def]
        self.c, self.slug = client, slug
        page = client.get(f"/{slug}/rules/{KEY}/edit")
        assert page.status_code == 200, page.text
        self.token = csrf_from(page.text)

    def lock(self) -> str:
        with db.tenant_session(self.slug) as s:
            rs = s.scalar(sa.select(RuleSet).where(RuleSet.key == KEY))
            return ops.lock_token(ops.draft_of(s, rs))

    def post(self, path: str, data: dict, headers: dict | None = None):  # type: ignore[no-untyped-def]
        return self.c.post(f"/{self.slug}/rules/{KEY}/{path}", data={"csrf_token": self.token, **data},
                           headers=headers or {})  # fmt: skip

    def save(self, source: str):  # type: ignore[no-untyped-def]
        return self.post("edit", {"source": source, "lock": self.lock()})


def test_packs_publish_their_rule_sets(pack_tenant):
    for pack, keys in (("jeonju", {"jeonju-elderly-care", "jeonju-crisis-reward",
                                   "jeonju-care-housing", "jeonju-blindspot-risk"}),
                       ("daejeon", {"daejeon-basic-services", "daejeon-blindspot-risk"})):  # fmt: skip
        slug = pack_tenant(pack)
        with db.tenant_session(slug) as s:
            assert dict(s.execute(sa.select(RuleSet.key, RuleSet.current_number)).all()) == {
                k: 1 for k in keys
            }


def test_rules_pages_are_for_administrators_only(jeonju, signed_in):
    admin = signed_in("city_admin", jeonju)
    page = admin.get(f"/{jeonju}/rules/")
    assert page.status_code == 200 and "전주시 노인 지역사회 통합돌봄" in page.text
    detail = admin.get(f"/{jeonju}/rules/{KEY}/")
    assert "만 65세 이상" in detail.text and "조례 제4조 제1항" in detail.text
    assert 'data-testid="param-min_age">65세<' in detail.text
    for role in ("coordinator", "frontline_worker", "provider_staff"):
        other = signed_in(role, jeonju)
        assert other.get(f"/{jeonju}/rules/").status_code == 403
        assert other.get(f"/{jeonju}/rules/{KEY}/edit").status_code == 403


def test_a_syntax_error_is_kept_and_named_with_rule_and_position(jeonju, signed_in):
    a = Admin(signed_in("city_admin", jeonju), jeonju)
    broken = source_of(jeonju).replace(
        "when: age >= param.min_age", "when: age >= = param.min_age", 1
    )
    r = a.save(broken)
    assert r.status_code == 422
    text = html.unescape(r.text)
    assert "조건 'age' 식 오류 — 8번째 글자" in text
    assert "age >= = param.min_age" in text  # what was typed is still in the editor
    assert source_of(jeonju, number=0) == broken  # and stored in the draft
    assert 'data-testid="publish" disabled' in r.text


def test_unknown_fact_and_parameter_are_refused_at_save(jeonju, signed_in):
    a = Admin(signed_in("city_admin", jeonju), jeonju)
    src = source_of(jeonju).replace("age >= param.min_age", "agee >= param.min_agee", 1)
    r = a.save(src)
    assert r.status_code == 422
    assert "'agee'라는 문항이나 값이 없습니다 — 혹시 'age'인가요?" in html.unescape(r.text)
    r = a.post("publish", {"lock": a.lock()})
    assert r.status_code == 422 and "게시하지 않았습니다" in r.text
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(RuleSet.current_number).where(RuleSet.key == KEY)) == 1


def test_gapped_parameter_history_is_refused(jeonju, signed_in):
    a = Admin(signed_in("city_admin", jeonju), jeonju)
    src = source_of(jeonju).replace(
        "- {from: 2019-06-01, until: 2023-12-31, value: 13500",
        "- {from: 2019-06-01, until: 2023-11-30, value: 13500",
    )
    r = a.save(src)
    assert r.status_code == 422
    assert "기간 사이에 빈 날이 있습니다: 2023-12-01 ~ 2023-12-31" in html.unescape(r.text)


def test_raising_the_age_threshold_previews_publishes_and_gates_on_examples(jeonju, signed_in):
    a = Admin(signed_in("city_admin", jeonju), jeonju)
    start = today() + dt.timedelta(days=1)
    r = a.post("parameter", {"parameter": "min_age", "from": start.isoformat(), "value": "85",
                             "cite_article": "4", "cite_paragraph": "1", "cite_note": "개정",
                             "lock": a.lock()})  # fmt: skip
    assert r.status_code == 200, r.text
    draft = source_of(jeonju, number=0)
    assert f"from: '{start.isoformat()}'" in draft or f"from: {start.isoformat()}" in draft
    # Same start date twice: refused at the field, nothing changed.
    again = a.post("parameter", {"parameter": "min_age", "from": start.isoformat(), "value": "90",
                                 "cite_article": "4", "lock": a.lock()})  # fmt: skip
    assert again.status_code == 422 and "부터의 값이 이미 있습니다" in again.text
    # What-if the day the new value applies: people aged 65–84 lose eligibility.
    preview = a.post("whatif", {"as_of": start.isoformat()}, HX)
    assert preview.status_code == 200, preview.text
    assert 'data-testid="whatif-result"' in preview.text
    lost = int(
        preview.text.split('data-testid="lost-integrated_care">')[1]
        .split("<")[0]
        .lstrip("−")
        .replace(",", "")
        or 0
    )
    with db.tenant_session(jeonju) as s:
        logged = s.scalar(sa.select(sa.func.count()).select_from(AccessLog).where(
            AccessLog.subject_type == "case", AccessLog.detail == f"규칙 미리보기 {KEY}"))  # fmt: skip
    assert lost > 0 and logged > 0
    # An example that expects a 70-year-old to stay eligible now fails: publishing is refused.
    r = a.post("example", {"ex_name": "70세는 계속 대상", "ex_as_of": start.isoformat(), "f_age": "70",
                           "f_resident": "true", "f_ltc_grade": "등급외", "ex_more": "kfrail.kfrail: 2",
                           "exp_integrated_care": "eligible", "lock": a.lock()})  # fmt: skip
    assert r.status_code == 200, r.text
    refused = a.post("publish", {"lock": a.lock()})
    assert refused.status_code == 422
    assert (
        "예시 11 '70세는 계속 대상' — 노인 통합돌봄 대상자 선정: 기대 대상, 결과 비대상"
        in html.unescape(refused.text)
    )
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(RuleSet.current_number).where(RuleSet.key == KEY)) == 1
    # Fix the example (expect not eligible) and publish.
    fixed = source_of(jeonju, number=0).replace(
        "integrated_care: eligible\n", "integrated_care: not_eligible\n"
    )
    fixed_draft = fixed.split("70세는 계속 대상")
    assert len(fixed_draft) == 2
    src = source_of(jeonju, number=0)
    head, tail = src.split("name: 70세는 계속 대상")
    a.save(
        head
        + "name: 70세는 계속 대상"
        + tail.replace("integrated_care: eligible", "integrated_care: not_eligible", 1)
    )
    done = a.post("publish", {"lock": a.lock()})
    assert done.status_code == 303
    with db.tenant_session(jeonju) as s:
        (entry,) = s.scalars(sa.select(ConfigChange).where(ConfigChange.area == "rule"))
    assert (entry.subject, entry.action, entry.before["version"]) == (KEY, "publish", 1)
    assert entry.after == {"version": 2, "added": ["예시 70세는 계속 대상"],
                           "changed": ["기준값 min_age"]}  # fmt: skip
    with db.tenant_session(jeonju) as s:
        rs = s.scalar(sa.select(RuleSet).where(RuleSet.key == KEY))
        assert rs.current_number == 2
        v1 = s.scalar(
            sa.select(RuleSetVersion).where(
                RuleSetVersion.rule_set_id == rs.id, RuleSetVersion.number == 1
            )
        )
        v1.title = "고쳐 보기"
        with pytest.raises(ImmutableRuleVersion):
            s.flush()


def test_whatif_runs_as_a_job_with_progress_for_large_tenants(jeonju, signed_in, app):
    a = Admin(signed_in("city_admin", jeonju), jeonju)
    a.post("parameter", {"parameter": "min_age", "from": "2026-01-01", "value": "75", "cite_article": "4",
                         "lock": a.lock()})  # fmt: skip
    app.config["RULES_WHATIF_INLINE_MAX"] = 10
    try:
        r = a.post("whatif", {"as_of": "2026-06-01"}, HX)
        assert r.status_code == 200 and 'data-testid="whatif-progress"' in r.text
        poll = r.text.split('hx-get="')[1].split('"')[0]
        run_worker("high")
        done = a.c.get(poll, headers=HX)
        assert 'data-testid="whatif-result"' in done.text, done.text
        assert "진행 중인 사례" in done.text
    finally:
        app.config["RULES_WHATIF_INLINE_MAX"] = 2000


def _a_case(slug: str) -> tuple[int, str]:
    with db.tenant_session(slug) as s:
        case = s.scalar(sa.select(Case).where(Case.stage != "closed").order_by(Case.id))
        return case.id, case.dong_code


def test_a_coordinator_evaluates_a_case_and_both_decisions_stay(jeonju, signed_in):
    case_id, _dong = _a_case(jeonju)
    c = signed_in("coordinator", jeonju)
    page = c.get(f"/{jeonju}/cases/{case_id}")
    assert page.status_code == 200
    token = csrf_from(page.text)
    url = f"/{jeonju}/cases/{case_id}/eligibility"
    with db.tenant_session(jeonju) as s:  # one decision per published rule set of the pack
        published = s.scalar(
            sa.select(sa.func.count()).select_from(RuleSet).where(RuleSet.current_number > 0)
        )
    first = c.post(url, data={"csrf_token": token, "as_of": "2019-09-01"}, headers=HX)
    assert first.status_code == 200 and first.text.count('data-testid="decision"') == published
    second = c.post(url, data={"csrf_token": token, "as_of": ""}, headers=HX)
    assert second.text.count('data-testid="decision"') == 2 * published
    assert "(조례 제4조 제1항)" in second.text and (
        "— 충족" in second.text or "— 미충족" in second.text
    )
    bad = c.post(url, data={"csrf_token": token, "as_of": "2019-13-40"}, headers=HX)
    assert bad.status_code == 422 and "기준일을 YYYY-MM-DD로 적으세요" in bad.text
    assert c.post(url, data={"as_of": ""}, headers=HX).status_code == 400  # no CSRF token
    with db.tenant_session(jeonju) as s:
        decisions = s.scalars(sa.select(RuleDecision).where(RuleDecision.case_id == case_id)).all()
        assert {d.as_of for d in decisions} == {dt.date(2019, 9, 1), today()}
        old = next(d for d in decisions if d.as_of == dt.date(2019, 9, 1) and d.rule_set_key == KEY)
        age = old.inputs["age"]
        verdict = "충족" if age >= 65 else "미충족"
        assert (
            old.results[0]["conditions"][0]["line"]
            == f"만 65세 이상 (조례 제4조 제1항): {age}세 — {verdict}"
        )
        notice = c.get(f"/{jeonju}/cases/{case_id}/eligibility/{old.id}/notice")
        assert notice.status_code == 200 and "통합돌봄 대상 판정 결과 통지" in notice.text
    with db.tenant_session(jeonju) as s:
        actions = [a for (a,) in s.execute(sa.select(AccessLog.action).where(
            AccessLog.subject_type == "case", AccessLog.subject_id == case_id).order_by(AccessLog.id))]  # fmt: skip
        assert actions[0] == "view" and actions[-1] == "print" and actions.count("edit") == 2


def test_decisions_cannot_be_changed_in_the_database(jeonju, signed_in):
    case_id, _ = _a_case(jeonju)
    c = signed_in("coordinator", jeonju)
    token = csrf_from(c.get(f"/{jeonju}/cases/{case_id}").text)
    c.post(f"/{jeonju}/cases/{case_id}/eligibility", data={"csrf_token": token}, headers=HX)
    from sqlalchemy.exc import DBAPIError

    with db.tenant_session(jeonju) as s:
        with pytest.raises(DBAPIError, match="append-only"):
            s.execute(sa.update(RuleDecision).values(as_of=dt.date(2000, 1, 1)))
        s.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            s.execute(sa.delete(RuleDecision))


def test_a_frontline_worker_sees_only_cases_of_their_dong(jeonju, signed_in):
    case_id, dong = _a_case(jeonju)
    with db.tenant_session(jeonju) as s:
        other = s.scalar(sa.select(Case.id).where(Case.dong_code != dong, Case.stage != "closed"))
    worker = signed_in("frontline_worker", jeonju, dongs=[dong])
    assert worker.get(f"/{jeonju}/cases/{case_id}").status_code == 200
    assert worker.get(f"/{jeonju}/cases/{other}").status_code == 404
    token = csrf_from(worker.get(f"/{jeonju}/cases/{case_id}").text)
    assert (
        worker.post(f"/{jeonju}/cases/{other}/eligibility", data={"csrf_token": token}).status_code
        == 404
    )
    listing = worker.get(f"/{jeonju}/cases/").text
    assert f"#{case_id}<" in listing and f"#{other}<" not in listing
    assert signed_in("provider_staff", jeonju).get(f"/{jeonju}/cases/{case_id}").status_code == 403


@pytest.mark.parametrize(
    "name", ["<img src=x onerror=alert(1)>", '<div hx-get="/admin" hx-trigger="load">']
)
def test_names_are_shown_as_text(jeonju, signed_in, name):
    case_id, _ = _a_case(jeonju)
    with db.tenant_transaction(jeonju) as s:
        s.get(Case, case_id).person.name = name
    c = signed_in("coordinator", jeonju)
    found = f"/{jeonju}/cases/?stage=all&q={quote(name[:12])}"  # the caseload, searched
    for url in (f"/{jeonju}/cases/{case_id}", found):
        page = c.get(url).text
        assert name not in page and str(escape(name)) in page


def test_undetermined_lists_missing_facts(jeonju, signed_in):
    with db.tenant_transaction(jeonju) as s:
        p = Person(name="정보 없는 분")
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, stage="application")
        s.add(case)
        s.flush()
        case_id = case.id
    c = signed_in("coordinator", jeonju)
    token = csrf_from(c.get(f"/{jeonju}/cases/{case_id}").text)
    r = c.post(f"/{jeonju}/cases/{case_id}/eligibility", data={"csrf_token": token}, headers=HX)
    text = html.unescape(r.text)
    assert "판단 보류" in text and "필요한 정보: 만 나이" in text


def test_two_administrators_editing_the_same_draft(jeonju, signed_in):
    first = Admin(signed_in("city_admin", jeonju), jeonju)
    second = Admin(signed_in("city_admin", jeonju), jeonju)
    stale = first.lock()
    base = source_of(jeonju, number=0)
    ok = second.post(
        "edit",
        {"source": base.replace("영양·식사 지원", "영양·식사 지원 (개정)"), "lock": stale},
    )
    assert ok.status_code == 200
    mine = base.replace("방문 의료 (재택의료)", "방문 의료")
    refused = first.post("edit", {"source": mine, "lock": stale})
    assert refused.status_code == 409
    assert "다른 사람이 이 초안을 먼저 고쳤거나" in refused.text
    assert "name: 방문 의료\n" in html.unescape(refused.text)  # what was typed is kept on screen
    kept = source_of(jeonju, number=0)
    assert "영양·식사 지원 (개정)" in kept and "방문 의료 (재택의료)" in kept


def test_before_the_ordinance_every_programme_says_it_was_not_in_force(jeonju, signed_in):
    case_id, _ = _a_case(jeonju)
    c = signed_in("coordinator", jeonju)
    token = csrf_from(c.get(f"/{jeonju}/cases/{case_id}").text)
    url = f"/{jeonju}/cases/{case_id}/eligibility"
    r = c.post(url, data={"csrf_token": token, "as_of": "2019-01-01"}, headers=HX)
    assert (
        "노인 통합돌봄 대상자 선정: 사업 기간(2019-06-01 ~)이 아닙니다 — 비대상"
        in html.unescape(r.text)
    )


def test_new_rule_set_bad_input_and_export(jeonju, signed_in):
    c = signed_in("city_admin", jeonju)
    token = csrf_from(c.get(f"/{jeonju}/rules/").text)
    bad = c.post(f"/{jeonju}/rules/new", data={"csrf_token": token, "key": "Bad Key", "title": ""})
    assert bad.status_code == 422
    assert "키는 영문 소문자로 시작" in bad.text and "제목을 적으세요" in bad.text
    taken = c.post(f"/{jeonju}/rules/new", data={"csrf_token": token, "key": KEY, "title": "x"})
    assert taken.status_code == 422 and "같은 키의 규칙 묶음이 이미 있습니다" in taken.text
    made = c.post(
        f"/{jeonju}/rules/new",
        data={"csrf_token": token, "key": "jeonju-housing", "title": "주거 지원"},
    )
    assert made.status_code == 303 and made.headers["Location"].endswith(
        "/rules/jeonju-housing/edit"
    )
    editor = c.get(f"/{jeonju}/rules/jeonju-housing/edit")
    assert editor.status_code == 200 and "age &gt;= param.min_age" in editor.text
    yaml_text = c.get(f"/{jeonju}/rules/{KEY}/v1.yaml")
    assert yaml_text.status_code == 200 and yaml_text.text == source_of(jeonju)
    assert c.get(f"/{jeonju}/rules/{KEY}/v9.yaml").status_code == 404
    assert c.get(f"/{jeonju}/rules/nosuch/").status_code == 404


def test_example_form_refuses_bad_facts_at_the_field(jeonju, signed_in):
    a = Admin(signed_in("city_admin", jeonju), jeonju)
    before = source_of(jeonju, number=0)
    r = a.post("example", {"ex_name": "", "ex_as_of": "2026-02-30", "f_age": "일흔",
                           "ex_more": "kfrail.kfrial: 3", "lock": a.lock()})  # fmt: skip
    assert r.status_code == 422
    text = html.unescape(r.text)
    for message in ("예시 이름을 적으세요", "기준일을 YYYY-MM-DD로 적으세요", "숫자로 적으세요",
                    "'kfrail.kfrial'라는 사실이 없습니다", "적어도 한 사업의 기대 결과를 고르세요"):  # fmt: skip
        assert message in text, message
    assert 'value="일흔"' in r.text  # the entry is kept
    assert source_of(jeonju, number=0) == before
    r = a.post("example", {"ex_name": "등급 오타", "ex_as_of": "2026-02-01", "ex_more": "ltc_grade: 6등급",
                           "exp_integrated_care": "eligible", "lock": a.lock()})  # fmt: skip
    assert r.status_code == 422 and "'ltc_grade'의 값 '6등급'는 선택지에 없습니다" in html.unescape(
        r.text
    )


def test_whatif_refuses_a_bad_date_and_a_broken_draft(jeonju, signed_in):
    a = Admin(signed_in("city_admin", jeonju), jeonju)
    r = a.post("whatif", {"as_of": "내일"}, HX)
    assert r.status_code == 422 and "기준일을 YYYY-MM-DD로 적으세요" in r.text
    a.save("key: jeonju-elderly-care\ntitle: [")
    r = a.post("whatif", {"as_of": "2026-01-01"}, HX)
    assert r.status_code == 422 and "초안에 오류가" in r.text


def test_publishing_what_was_seen_not_a_later_save(jeonju, signed_in):
    first = Admin(signed_in("city_admin", jeonju), jeonju)
    second = Admin(signed_in("city_admin", jeonju), jeonju)
    seen = first.lock()
    changed = source_of(jeonju, number=0).replace("영양·식사 지원", "영양·식사 지원 (개정)")
    assert second.save(changed).status_code == 200
    r = first.post("publish", {"lock": seen})
    assert r.status_code == 409 and "다른 사람이 이 초안을 먼저 고쳤거나" in r.text
    assert first.post("publish", {}).status_code == 409  # no token: stale by definition
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(RuleSet.current_number).where(RuleSet.key == KEY)) == 1


def test_facts_come_from_the_latest_response_and_the_dong_on_the_day(jeonju):
    from dolbom.forms.models import Form, FormResponse
    from dolbom.rules.gather import case_facts

    with db.tenant_transaction(jeonju) as s:
        p = Person(name="사실 확인", dong_code="geumam1")
        s.add(p)
        s.flush()
        case = Case(person_id=p.id, stage="survey")
        s.add(case)
        s.flush()
        form = s.scalar(sa.select(Form).where(Form.key == "kfrail"))
        version_id = s.scalar(
            sa.select(FormResponse.version_id).where(FormResponse.form_id == form.id).limit(1)
        )
        for month, answers in ((1, {"kf_weight_loss": True}), (6, {})):  # June leaves it blank
            s.add(FormResponse(form_id=form.id, version_id=version_id, status="complete", answers=answers,
                               pending={}, scores={}, case_id=case.id, created_by=1,
                               submitted_at=dt.datetime(2026, month, 1, tzinfo=dt.UTC)))  # fmt: skip
        s.flush()
        case_id = case.id
    with db.tenant_session(jeonju) as s:
        before = case_facts(s, [case_id], dt.date(2025, 3, 9))[case_id]
        merged = case_facts(s, [case_id], dt.date(2025, 3, 10))[case_id]
    assert "kfrail.kf_weight_loss" not in before  # January's answer does not fill June's blank
    assert (before["dong"], merged["dong"], merged["gu"]) == ("금암1동", "금암동", "덕진구")
