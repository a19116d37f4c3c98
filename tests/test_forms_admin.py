"""Form definitions: packs, versions that never change, the editor, YAML import and export,
and the typed API other features read responses with."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.console.models import ConfigChange
from dolbom.forms import api
from dolbom.forms import operations as ops
from dolbom.forms.models import Form, FormResponse, FormVersion, ImmutableVersion
from dolbom.tenancy.packs import PackError, read_pack
from tests.fixtures import ROOT, csrf_from
from tests.test_forms_fill import HX, Filler

KFRAIL = (ROOT / "platform" / "dolbom" / "forms" / "instruments" / "kfrail.yaml").read_text()


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def forms_of(slug: str) -> dict[str, int | None]:
    with db.tenant_session(slug) as s:
        return dict(s.execute(sa.select(Form.key, Form.current_number)).all())


def test_packs_load_their_forms_and_tenants_differ(pack_tenant):
    jeonju, daejeon = pack_tenant("jeonju"), pack_tenant("daejeon")
    assert forms_of(jeonju) == {
        k: 1
        for k in (
            "jeonju_needs",
            "kfrail",
            "adl",
            "iadl",
            "housing_safety",
            "social_isolation",
            "family_carer",
        )
    }
    assert forms_of(daejeon) == {
        k: 1 for k in ("daejeon_needs", "kfrail", "adl", "iadl", "housing_safety")
    }


def test_a_pack_with_a_broken_form_is_refused_with_file_and_line(tmp_path: Path):
    pack = tmp_path / "broken"
    (pack / "forms").mkdir(parents=True)
    (pack / "tenant.yaml").write_text(
        "slug: broken\nname: 시험시\nstandard_forms: [kfrail, nosuch]\n"
    )
    (pack / "forms" / "a.yaml").write_text(
        "key: a\ntitle: 가\nsections:\n- key: s\n  title: 섹션\n  questions:\n"
        "  - key: q\n    type: choice\n    label: 고르세요\n    options: []\n"
    )
    (pack / "forms" / "b.yaml").write_text(KFRAIL)  # the same key as the standard kfrail
    with pytest.raises(PackError) as caught:
        read_pack(pack)
    errors = "\n".join(caught.value.errors)
    assert "standard_forms: 'nosuch'라는 표준 서식이 없습니다" in errors
    assert (
        f"{pack / 'forms' / 'a.yaml'}:10: sections[0].questions[0].options: 선택지가 하나 이상"
        in errors
    )
    assert "서식 키 'kfrail'가" in errors


def test_published_versions_never_change(jeonju):
    with db.tenant_session(jeonju) as s, s.begin():
        version = s.scalar(sa.select(FormVersion).join(Form).where(Form.key == "kfrail"))
        version.title = "바꾼 제목"
        with pytest.raises(ImmutableVersion):
            s.flush()
    with db.tenant_session(jeonju) as s, s.begin():
        version = s.scalar(sa.select(FormVersion).join(Form).where(Form.key == "kfrail"))
        s.delete(version)
        with pytest.raises(ImmutableVersion):
            s.flush()
    with db.tenant_session(jeonju) as s:
        assert (
            s.scalar(sa.select(FormVersion.title).join(Form).where(Form.key == "kfrail"))
            == "K-FRAIL 노쇠 선별"
        )


def admin(signed_in, slug):  # type: ignore[no-untyped-def]
    client = signed_in("city_admin", slug)
    client.token = csrf_from(client.get(f"/{slug}/forms/").text)
    return client


def edit(client, slug: str, form: str, **data):  # type: ignore[no-untyped-def]
    page = client.get(f"/{slug}/forms/{form}/edit")
    lock = re.search(r'name="lock_version" value="(\d+)"', page.text)
    assert lock, page.text[:500]
    data.setdefault("lock_version", lock.group(1))
    return client.post(
        f"/{slug}/forms/{form}/edit", data=data, headers={**HX, "X-CSRFToken": client.token}
    )


def test_version_two_leaves_version_one_responses_as_they_were(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start(form="kfrail")
    worker.answer(rid, "kf_fatigue", value="always")
    client = admin(signed_in, jeonju)
    r = edit(
        client, jeonju, "kfrail", op="question_update", section="0", question="0",
        key="kf_fatigue", type="choice", label="피로: 새 문구", required="1",
        options="always | 항상 | 1\nnever | 전혀 | 0",
    )  # fmt: skip
    assert r.status_code == 200
    r = client.post(f"/{jeonju}/forms/kfrail/publish", data={"csrf_token": client.token})
    assert r.status_code == 303
    assert forms_of(jeonju)["kfrail"] == 2
    # The change log names the version and the question that changed, with who published it.
    with db.tenant_session(jeonju) as s:
        (entry,) = s.scalars(sa.select(ConfigChange).where(ConfigChange.area == "form"))
    assert (entry.subject, entry.action, entry.user_id is not None) == ("kfrail", "publish", True)
    assert entry.before == {"version": 1, "changed": None}
    assert entry.after == {"version": 2, "changed": ["문항 kf_fatigue"]}
    log = client.get(f"/{jeonju}/console/changes?area=form").text
    assert "조사 서식 · 게시" in log and "문항 kf_fatigue" in log
    old = worker.client.get(f"/{jeonju}/assessments/{rid}").text
    assert "지난 4주 동안 피곤하다고" in old and "피로: 새 문구" not in old
    assert "버전 1" in old
    new = worker.start(form="kfrail")
    assert "피로: 새 문구" in worker.client.get(f"/{jeonju}/assessments/{new}").text
    with db.tenant_session(jeonju) as s:
        numbers = s.execute(
            sa.select(FormResponse.id, FormVersion.number)
            .join(FormVersion)
            .where(FormResponse.id.in_([rid, new]))
        ).all()
    assert dict(numbers) == {rid: 1, new: 2}


def test_the_editor_shows_errors_at_the_question_and_blocks_publishing(signed_in, jeonju):
    client = admin(signed_in, jeonju)
    r = edit(client, jeonju, "kfrail", op="question_add", section="0", type="choice")
    assert r.status_code == 200
    r = edit(
        client, jeonju, "kfrail", op="question_update", section="0", question="5",
        key="kf_fatigue", type="choice", label="중복 키", options="",
        show_if="nosuch == 1",
    )  # fmt: skip
    assert r.status_code == 200
    text = html.unescape(r.text)
    assert 'data-testid="question-problems"' in text
    assert "키 'kf_fatigue'가 이미 쓰였습니다" in text
    assert "선택지가 하나 이상 있어야 합니다" in text
    assert "'nosuch'라는 문항이나 값이 없습니다" in text
    assert 'data-testid="publish" disabled' in r.text
    r = client.post(f"/{jeonju}/forms/kfrail/publish", data={"csrf_token": client.token})
    assert r.status_code == 303 and forms_of(jeonju)["kfrail"] == 1  # refused
    r = edit(client, jeonju, "kfrail", op="question_delete", section="0", question="5")
    assert "question-problems" not in r.text and 'data-testid="publish" disabled' not in r.text


def test_a_list_field_that_cannot_be_read_keeps_what_was_typed(signed_in, jeonju):
    client = admin(signed_in, jeonju)
    r = edit(
        client, jeonju, "kfrail", op="question_update", section="0", question="0",
        key="kf_fatigue", type="choice", label="피로", options="always | 항상 | 많이",
    )  # fmt: skip
    assert r.status_code == 422
    assert "1번째 줄: 점수는 숫자여야 합니다" in r.text
    assert "always | 항상 | 많이" in r.text


def test_moving_questions_with_buttons_and_by_position(signed_in, jeonju):
    client = admin(signed_in, jeonju)
    edit(client, jeonju, "kfrail", op="question_move", section="0", question="0", direction="down")
    edit(
        client,
        jeonju,
        "kfrail",
        op="question_move",
        section="0",
        question="4",
        to_section="0",
        to_question="0",
    )
    with db.tenant_session(jeonju) as s:
        draft = s.scalar(
            sa.select(FormVersion)
            .join(Form)
            .where(Form.key == "kfrail", FormVersion.number.is_(None))
        )
        keys = [q["key"] for q in draft.definition["sections"][0]["questions"]]
    assert keys == ["kf_weight_loss", "kf_resistance", "kf_fatigue", "kf_ambulation", "kf_illness"]


def test_two_editors_the_second_gets_a_conflict(signed_in, jeonju):
    first, second = admin(signed_in, jeonju), admin(signed_in, jeonju)
    page = second.get(f"/{jeonju}/forms/kfrail/edit")
    stale = re.search(r'name="lock_version" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    assert edit(first, jeonju, "kfrail", op="form", title="첫째가 고친 제목").status_code == 200
    r = second.post(
        f"/{jeonju}/forms/kfrail/edit",
        data={"op": "form", "title": "둘째가 고친 제목", "lock_version": stale},
        headers={**HX, "X-CSRFToken": second.token},
    )
    assert r.status_code == 409 and 'data-testid="conflict"' in r.text
    assert "둘째가 고친 제목" in r.text  # the second editor's text is still on screen
    with db.tenant_session(jeonju) as s:
        titles = s.scalars(sa.select(FormVersion.title).where(FormVersion.number.is_(None))).all()
    assert titles == ["첫째가 고친 제목"]


def test_yaml_import_refuses_errors_with_lines_and_export_round_trips(signed_in, jeonju):
    client = admin(signed_in, jeonju)
    broken = KFRAIL.replace("key: kf_resistance", "key: kf_fatigue")
    r = client.post(
        f"/{jeonju}/forms/import", data={"csrf_token": client.token, "text": broken, "publish": "1"}
    )
    assert r.status_code == 422
    text = html.unescape(r.text)
    line = broken.splitlines().index("  - key: kf_fatigue", 20) + 1
    assert (
        f"붙여넣은 YAML:{line}: sections[0].questions[1].key: 키 'kf_fatigue'가 이미 쓰였습니다"
        in text
    )
    assert forms_of(jeonju)["kfrail"] == 1
    text = KFRAIL.replace("K-FRAIL 노쇠 선별", "K-FRAIL (가져온 판)")
    r = client.post(
        f"/{jeonju}/forms/import", data={"csrf_token": client.token, "text": text, "publish": "1"}
    )
    assert r.status_code == 303
    assert forms_of(jeonju)["kfrail"] == 2
    exported = client.get(f"/{jeonju}/forms/kfrail/v2.yaml")
    assert exported.status_code == 200 and exported.text == text  # exactly, comments included
    # Canonical export of a structurally edited draft imports back to the same definition.
    edit(client, jeonju, "kfrail", op="form", title="편집한 판")
    draft_yaml = client.get(f"/{jeonju}/forms/kfrail/draft.yaml").text
    _cf, data = ops.parse_yaml(draft_yaml)
    with db.tenant_session(jeonju) as s:
        draft = s.scalar(sa.select(FormVersion).where(FormVersion.number.is_(None)))
        assert data == draft.definition


def test_only_city_administrators_manage_forms(signed_in, jeonju):
    for role in ("coordinator", "frontline_worker", "provider_staff"):
        client = signed_in(role, jeonju)
        assert client.get(f"/{jeonju}/forms/").status_code == 403
        assert client.get(f"/{jeonju}/forms/kfrail/edit").status_code == 403


def test_the_typed_api(signed_in, jeonju):
    worker = Filler(signed_in("coordinator", jeonju), jeonju)
    rid = worker.start()
    for key, value in {
        "survey_date": "2026-11-20", "household": "alone", "illness_count": "4",
        "residence_matches": "no", "chronic_diseases": None,
    }.items():  # fmt: skip
        if value is not None:
            worker.answer(rid, key, value=value)
    worker.answer(rid, "chronic_diseases", {"chronic_diseases": ["diabetes", "stroke"]})
    worker.answer(rid, "care_adl", {"care_adl.eating": "full"})
    with db.tenant_session(jeonju) as s, s.begin():
        api.attach_to_case(s, rid, 77)
        view = api.get_response(s, rid)
        assert view is not None
        assert view.number("illness_count") == 4
        assert view.boolean("residence_matches") is False
        assert view.date("survey_date") == dt.date(2026, 11, 20)
        assert view.choice("household") == "alone"
        assert view.choices("chronic_diseases") == ["diabetes", "stroke"]
        assert view.grid("care_adl") == {"eating": "full"}
        assert view.number("admissions_last_year") is None
        assert view.score("stage1_flags") == 3 and view.level("stage1_flags") == "flagged"
        with pytest.raises(TypeError):
            view.number("household")
        with pytest.raises(KeyError):
            view.text("nosuch")
        assert [v.id for v in api.responses_for_case(s, 77)] == [rid]
        with pytest.raises(ops.FormsError):
            api.attach_to_case(s, rid, 78)


def test_missing_pack_forms_are_added_once_and_existing_ones_left_alone(make_tenant):
    pack = read_pack(ROOT / "tenants" / "daejeon")
    slug = make_tenant()
    with db.tenant_transaction(slug) as s:
        ops.import_form(
            s,
            KFRAIL.replace("K-FRAIL 노쇠 선별", "우리 시 K-FRAIL"),
            user_id=None,
            publish_now=True,
        )
    with db.tenant_transaction(slug) as s:
        added = ops.add_missing_forms(s, pack.forms)
    assert sorted(added) == ["adl", "daejeon_needs", "housing_safety", "iadl"]
    with db.tenant_transaction(slug) as s:
        assert ops.add_missing_forms(s, pack.forms) == []
        assert s.scalar(sa.select(Form.title).where(Form.key == "kfrail")) == "우리 시 K-FRAIL"
