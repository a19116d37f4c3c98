"""Filling in over HTTP: autosave and resume, inline messages that keep what was typed,
conditional sections, submitting, corrections with history, scope and the access log."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.forms.models import FormResponse, FormResponseRevision
from tests.fixtures import csrf_from

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


class Filler:
    """A signed-in client that starts and fills in responses like the browser does."""

    def __init__(self, client, slug: str) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.slug = slug
        self.token = csrf_from(client.get(f"/{slug}/assessments/").text)

    def start(self, form: str = "jeonju_needs", dong: str = "pyeonghwa1") -> int:
        r = self.client.post(
            f"/{self.slug}/assessments/new",
            data={"csrf_token": self.token, "form": form, "dong": dong},
        )
        assert r.status_code == 303, r.text
        return int(r.headers["Location"].rstrip("/").split("/")[-1])

    def answer(self, rid: int, key: str, data: dict | None = None, value: object = None):  # type: ignore[no-untyped-def]
        payload = data if data is not None else {key: value}
        return self.client.post(
            f"/{self.slug}/assessments/{rid}/answer/{key}",
            data=payload,
            headers={**HX, "X-CSRFToken": self.token},
        )

    def submit(self, rid: int):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"/{self.slug}/assessments/{rid}/submit", headers={**HX, "X-CSRFToken": self.token}
        )


def stored(slug: str, rid: int) -> FormResponse:
    with db.tenant_session(slug) as s:
        response = s.get(FormResponse, rid)
        assert response is not None
        s.expunge(response)
        return response


STAGE1_NO_FLAGS = {
    "survey_date": "2026-11-20",
    "residence_dong": "pyeonghwa1",
    "residence_matches": "yes",
    "household": "couple",
    "ltc_grade": "none",
    "illness_count": "1",
    "gds_satisfied": "yes",
    "gds_bored": "no",
    "gds_helpless": "no",
    "gds_home": "no",
    "gds_worthless": "no",
    "cog_memory": "no",
    "cog_date": "no",
    "cog_objects": "no",
}


def test_each_answer_is_saved_and_the_draft_resumes(signed_in, jeonju):
    worker = Filler(signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"]), jeonju)
    rid = worker.start()
    r = worker.answer(rid, "illness_count", value="3")
    assert r.status_code == 200
    assert 'id="msg-illness_count"' in r.text
    assert 'id="fill-status" role="status" hx-swap-oob="true"' in r.text  # last saved, progress
    assert stored(jeonju, rid).answers == {"illness_count": 3}
    # A new page load (closed tab, another device) shows the saved answer.
    page = worker.client.get(f"/{jeonju}/assessments/{rid}")
    assert page.status_code == 200
    assert re.search(r'id="f-illness_count" name="illness_count" value="3"', page.text)
    assert 'data-testid="last-saved"' in page.text


def test_a_bad_value_gets_a_korean_message_and_is_kept_as_typed(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start()
    worker.answer(rid, "illness_count", value="2")
    r = worker.answer(rid, "illness_count", value="열두 개")
    assert r.status_code == 422
    assert "숫자로 입력하세요" in r.text
    response = stored(jeonju, rid)
    assert "illness_count" not in response.answers  # no stale value behind the scores
    assert response.pending["illness_count"]["raw"] == "열두 개"
    page = worker.client.get(f"/{jeonju}/assessments/{rid}").text
    assert 'value="열두 개"' in page and "숫자로 입력하세요" in page
    r = worker.answer(rid, "illness_count", value="99")
    assert r.status_code == 422 and "0개에서 30개 사이로 입력하세요" in r.text
    r = worker.answer(rid, "illness_count", value="12")
    assert r.status_code == 200
    response = stored(jeonju, rid)
    assert response.answers["illness_count"] == 12 and response.pending == {}


def test_stage_two_appears_when_stage_one_flags(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start()
    page = worker.client.get(f"/{jeonju}/assessments/{rid}").text
    assert re.search(r'<section[^>]*id="sec-stage2_medical"[^>]*hidden', page)
    r = worker.answer(rid, "household", value="alone")
    assert r.status_code == 200
    # The section comes back out of band, shown.
    oob = re.search(r'<section[^>]*id="sec-stage2_medical"[^>]*>', r.text)
    assert oob and "hx-swap-oob" in oob.group() and "hidden" not in oob.group()
    assert stored(jeonju, rid).scores["stage1_flags"]["value"] == 1
    r = worker.answer(rid, "household", value="couple")
    oob = re.search(r'<section[^>]*id="sec-stage2_medical"[^>]*>', r.text)
    assert oob and "hidden" in oob.group()


def test_grid_group_and_multi_answers(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start()
    worker.answer(rid, "household", value="alone")
    r = worker.answer(rid, "care_adl", {"care_adl.eating": "partial", "care_adl.bathing": "full"})
    assert r.status_code == 200
    r = worker.answer(
        rid,
        "medicines",
        {"medicines.0.name": "아스피린", "medicines.0.per_day": "1", "medicines.1.per_day": "x"},
    )
    assert r.status_code == 422
    assert 'id="msg-medicines-1-per_day" hx-swap-oob="true">숫자로 입력하세요' in r.text
    r = worker.answer(rid, "chronic_diseases", {"chronic_diseases": ["none", "diabetes"]})
    assert r.status_code == 422 and "함께 고를 수 없습니다" in r.text
    worker.answer(rid, "chronic_diseases", {"chronic_diseases": ["diabetes", "hypertension"]})
    answers = stored(jeonju, rid).answers
    assert answers["care_adl"] == {"eating": "partial", "bathing": "full"}
    assert answers["medicines"] == [{"name": "아스피린", "per_day": 1}]
    assert answers["chronic_diseases"] == ["hypertension", "diabetes"]  # definition order
    assert stored(jeonju, rid).scores["care_dependent"]["value"] == 2


def fill_stage_one(worker: Filler, rid: int) -> None:
    for key, value in STAGE1_NO_FLAGS.items():
        assert worker.answer(rid, key, value=value).status_code == 200, key


def test_submit_lists_missing_questions_then_completes(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start()
    worker.answer(rid, "survey_date", value="2026-11-20")
    r = worker.submit(rid)
    assert r.status_code == 422
    assert 'href="#q-residence_dong"' in r.text and "빠진 필수 문항" in r.text
    assert stored(jeonju, rid).status == "draft"
    fill_stage_one(worker, rid)
    r = worker.submit(rid)
    assert r.status_code == 204 and r.headers["HX-Redirect"].endswith(f"/assessments/{rid}")
    done = stored(jeonju, rid)
    assert done.status == "complete" and done.submitted_at is not None
    assert done.scores["risk_points"]["level"] == "low"
    # A complete response is not changed by autosave any more.
    r = worker.answer(rid, "illness_count", value="5")
    assert r.status_code == 409 and 'id="msg-illness_count"' in r.text
    view = worker.client.get(f"/{jeonju}/assessments/{rid}")
    assert 'data-testid="read-view"' in view.text and "제출됨" in view.text
    printed = worker.client.get(f"/{jeonju}/assessments/{rid}/print")
    assert printed.status_code == 200 and 'data-action="print"' in printed.text


def test_a_correction_needs_a_reason_and_keeps_the_earlier_values(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start()
    fill_stage_one(worker, rid)
    assert worker.submit(rid).status_code == 204
    url = f"/{jeonju}/assessments/{rid}/correct"
    form = worker.client.get(url)
    assert form.status_code == 200
    lock = re.search(r'name="lock_version" value="(\d+)"', form.text)
    assert lock
    data = {**STAGE1_NO_FLAGS, "csrf_token": worker.token, "lock_version": lock.group(1)}
    data["illness_count"] = "2"
    r = worker.client.post(url, data={**data, "reason": ""})
    assert r.status_code == 422 and "정정 사유를 적으세요" in r.text
    assert 'value="2"' in r.text  # what was typed is still there
    r = worker.client.post(url, data={**data, "reason": "질환 수를 잘못 적음"})
    assert r.status_code == 303
    corrected = stored(jeonju, rid)
    assert corrected.answers["illness_count"] == 2 and corrected.status == "complete"
    with db.tenant_session(jeonju) as s:
        revision = s.scalar(
            sa.select(FormResponseRevision).where(FormResponseRevision.response_id == rid)
        )
        assert revision.answers["illness_count"] == 1
        assert revision.changed == ["illness_count"] and revision.reason == "질환 수를 잘못 적음"
    history = worker.client.get(f"/{jeonju}/assessments/{rid}").text
    assert 'data-testid="revision"' in history and "질환 수를 잘못 적음" in history
    # Someone who opened the form before that correction gets a conflict, their input kept.
    r = worker.client.post(url, data={**data, "illness_count": "7", "reason": "다시"})
    assert r.status_code == 409 and 'data-testid="conflict"' in r.text and 'value="7"' in r.text
    assert stored(jeonju, rid).answers["illness_count"] == 2


def test_a_worker_sees_only_their_dongs_and_own_responses(signed_in, jeonju):
    coordinator = Filler(signed_in("coordinator", jeonju), jeonju)
    elsewhere = coordinator.start(dong="samcheon1")
    here = coordinator.start(dong="pyeonghwa1")
    worker = Filler(signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"]), jeonju)
    assert worker.client.get(f"/{jeonju}/assessments/{here}").status_code == 200
    assert worker.client.get(f"/{jeonju}/assessments/{elsewhere}").status_code == 404
    assert worker.answer(elsewhere, "illness_count", value="1").status_code == 404
    listing = worker.client.get(f"/{jeonju}/assessments/").text
    assert f"/assessments/{here}" in listing and f"/assessments/{elsewhere}" not in listing
    r = worker.client.post(
        f"/{jeonju}/assessments/new",
        data={"csrf_token": worker.token, "form": "jeonju_needs", "dong": "samcheon1"},
    )
    assert r.status_code == 422 and "담당 행정동" in r.text


def test_providers_cannot_fill_and_other_tenants_see_nothing(signed_in, jeonju, pack_tenant):
    provider = signed_in("provider_staff", jeonju)
    assert provider.get(f"/{jeonju}/assessments/").status_code == 403
    assert provider.get(f"/{jeonju}/forms/").status_code == 403
    coordinator = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = coordinator.start()
    other = pack_tenant("daejeon")
    stranger = signed_in("coordinator", other)
    # Same id in another tenant's schema: not there, and nothing of jeonju leaks.
    assert stranger.get(f"/{other}/assessments/{rid}").status_code == 404
    assert stranger.get(f"/{jeonju}/assessments/{rid}").status_code == 403


def test_csrf_is_required_for_autosave(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start()
    r = worker.client.post(
        f"/{jeonju}/assessments/{rid}/answer/illness_count", data={"illness_count": "1"}, headers=HX
    )
    assert r.status_code == 400
    assert stored(jeonju, rid).answers == {}


def test_views_and_edits_are_in_the_access_log(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start()
    worker.answer(rid, "illness_count", value="1")
    worker.client.get(f"/{jeonju}/assessments/{rid}")
    with db.tenant_session(jeonju) as s:
        actions = s.execute(
            sa.select(AccessLog.action, AccessLog.detail)
            .where(AccessLog.subject_type == "form_response", AccessLog.subject_id == rid)
            .order_by(AccessLog.id)
        ).all()
    assert [a for a, _ in actions] == ["create", "edit", "view"]
    assert actions[1][1] == "answer:illness_count"  # the question, never the value


def test_answers_are_shown_as_text_not_markup(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start()
    worker.answer(rid, "household", value="alone")
    hostile = '<img src=x onerror=alert(1)><div hx-get="/admin" hx-trigger="load">'
    worker.answer(rid, "wish_text", value=hostile)
    page = worker.client.get(f"/{jeonju}/assessments/{rid}").text
    assert hostile not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_filling_screen_speaks_english_when_asked(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start(form="kfrail")
    page = worker.client.get(f"/{jeonju}/assessments/{rid}").text
    assert "자동 저장" in page and ">예</label>" in page
    worker.client.post("/lang", data={"csrf_token": worker.token, "lang": "en", "next": "/"})
    page = worker.client.get(f"/{jeonju}/assessments/{rid}").text
    assert "Saved automatically" in page and ">Yes</label>" in page
    assert "지난 4주 동안 피곤하다고" in page  # the city's own questions stay as written


def test_conditions_follow_what_is_typed_in_a_correction(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start()
    fill_stage_one(worker, rid)
    assert worker.submit(rid).status_code == 204
    url = f"/{jeonju}/assessments/{rid}/correct/check"
    headers = {**HX, "X-CSRFToken": worker.token}
    r = worker.client.post(url, data=STAGE1_NO_FLAGS, headers=headers)
    hidden = re.search(r'data-hidden-sections="([^"]*)"', r.text)
    assert r.status_code == 200 and hidden and "stage2_medical" in hidden.group(1).split()
    r = worker.client.post(url, data={**STAGE1_NO_FLAGS, "household": "alone"}, headers=headers)
    hidden = re.search(r'data-hidden-sections="([^"]*)"', r.text)
    assert hidden and "stage2_medical" not in hidden.group(1).split()
    assert "alone" not in r.text  # keys of what to hide, never the answers


def test_the_access_log_cannot_be_changed_or_emptied(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    worker.start()
    for statement in (
        sa.update(AccessLog).values(action="view"),
        sa.delete(AccessLog),
        sa.text("TRUNCATE access_log"),
    ):
        with db.tenant_session(jeonju) as s, pytest.raises(sa.exc.DBAPIError, match="append-only"):
            if isinstance(statement, sa.TextClause):  # raw SQL names the table unqualified
                s.connection().exec_driver_sql(
                    f'SET LOCAL search_path TO "{db.schema_for(jeonju)}"'
                )
            s.execute(statement)
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(AccessLog)) == 1
