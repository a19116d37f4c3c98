"""The public form under bad input and flooding: 422 with every field kept and a message beside
each; the 6th report within the hour from one address → 429, nothing stored; a bot filling the
honeypot is told "received" and nothing is stored."""

from __future__ import annotations

import html as htmllib

import pytest
import sqlalchemy as sa
from reports_helpers import file_report, switch_on

from dolbom import db
from dolbom_reports.models import Report


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return switch_on(pack_tenant("jeonju", plugins=("reports",)))


def count(slug: str) -> int:
    with db.tenant_session(slug) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(Report))


def message(html: str, field: str) -> str:
    return htmllib.unescape(html.split(f'data-testid="error-{field}">')[1].split("<")[0])


def test_missing_fields_keep_what_was_typed(jeonju, client):
    r = file_report(client, jeonju, dong_code="", kinds=[], reporter_name="", reporter_relation="",
                    consent=None, address="시장 뒤 파란 대문 집", description="겨울인데 난방을 안 해요",
                    subject_name="홍길순", reporter_phone="010-5550-7777")  # fmt: skip
    assert r.status_code == 422
    html = r.text
    assert "아직 접수되지 않았습니다" in html
    assert message(html, "dong_code") == "가구가 있는 동을 고르세요"
    assert message(html, "kinds").startswith("어떤 어려움이")
    assert message(html, "reporter_name").startswith("신고하시는 분의 이름")
    assert message(html, "reporter_relation").startswith("신고한 가구와의 관계")
    assert message(html, "consent").startswith("개인정보 수집·이용에 동의")
    assert message(html, "address") == ""
    for typed in ("시장 뒤 파란 대문 집", "겨울인데 난방을 안 해요", "홍길순", "010-5550-7777"):
        assert typed in html
    assert count(jeonju) == 0

    r = file_report(client, jeonju, reporter_phone="12345", kinds=["other"], description="",
                    address="", dong_code="nowhere")  # fmt: skip
    assert r.status_code == 422
    assert "전화번호를 숫자로" in message(r.text, "reporter_phone")
    assert "'그 밖에'를 골랐다면" in message(r.text, "description")
    assert "주소나 장소를 적으세요" in message(r.text, "address")
    assert 'value="other" checked' in r.text  # the ticked box stays ticked
    too_long = file_report(client, jeonju, address="가" * 201)
    assert too_long.status_code == 422 and "200자까지" in too_long.text
    assert count(jeonju) == 0
    assert file_report(client, jeonju).status_code == 303 and count(jeonju) == 1


def test_flooding_is_refused_with_429_and_nothing_stored(jeonju, client, app):
    for n in range(5):
        assert file_report(client, jeonju, reporter_phone=f"010-5550-010{n}").status_code == 303
    sixth = file_report(client, jeonju, reporter_phone="010-5550-0199")
    assert sixth.status_code == 429
    assert 'class="app-error"' in sixth.text and "한 시간에 5건까지" in sixth.text
    assert 'class="app-nav"' not in sixth.text
    assert count(jeonju) == 5
    # Another address is not held back by it.
    other = app.test_client()
    page = other.get(f"/{jeonju}/p/reports/public/", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert page.status_code == 200


def test_honeypot_stores_nothing(jeonju, client):
    r = file_report(client, jeonju, website="http://spam.example")
    assert r.status_code == 303
    assert "접수번호" not in client.get(r.headers["Location"]).text
    assert count(jeonju) == 0


def test_no_personal_data_in_urls_or_job_payloads(jeonju, client):
    r = file_report(client, jeonju)
    assert "5550" not in r.headers["Location"] and "김이웃" not in r.headers["Location"]
