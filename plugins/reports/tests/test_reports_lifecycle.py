"""The whole life of a report: a resident files it, a coordinator triages it into a new
application, the meeting approves the case (core `transition()`), a real worker records one
reward at the rule set's amount with its citation; the ledger shows it, marks it paid, and
exports exactly what is on screen."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from reports_helpers import (
    DONG,
    approve,
    file_report,
    last_lock,
    last_report,
    payments,
    run_worker,
    switch_on,
    triage_apply,
)

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.cases.models import Case
from dolbom.clock import today
from dolbom.people.models import Person
from dolbom_reports.models import Report, RewardDue
from tests.fixtures import csrf_from


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return switch_on(pack_tenant("jeonju", plugins=("reports",)))


def test_report_to_application_to_one_payment_and_the_ledger(jeonju, client, signed_in):
    form = client.get(f"/{jeonju}/p/reports/public/")
    assert "수집 항목" in form.text and "포상금 지급" in form.text and "보유 기간" in form.text
    assert "₩50,000" in form.text  # the amount in force, from the rules
    assert 'class="app-nav"' not in form.text  # no staff navigation
    sent = file_report(client, jeonju, subject_name="오금순")
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"/{jeonju}/p/reports/public/received")
    done = client.get(sent.headers["Location"])
    receipt = re.search(r'data-testid="receipt">([^<]+)<', done.text).group(1)
    report = last_report(jeonju)
    assert report.receipt_no == receipt and str(report.id) not in receipt
    assert report.reporter_phone == "010-5550-0101" and len(report.reporter_key) >= 32
    assert "5550" not in report.reporter_key

    coordinator = signed_in("coordinator", jeonju)
    listing = coordinator.get(f"/{jeonju}/p/reports/")
    assert listing.status_code == 200 and receipt in listing.text
    page = coordinator.get(f"/{jeonju}/p/reports/{report.id}")
    assert "김이웃" in page.text and "010-5550-0101" in page.text
    applied = triage_apply(coordinator, jeonju, report.id, name="오금순")
    assert applied.status_code == 303, applied.text
    with db.tenant_session(jeonju) as s:
        r = s.get(Report, report.id)
        case = s.get(Case, r.case_id)
        assert r.status == "application" and case.source == "주민신고"
        assert s.get(Person, case.person_id).name == "오금순"
        assert case.dong_code == DONG and receipt in (case.source_note or "")
        views = s.scalar(sa.select(sa.func.count()).select_from(AccessLog).where(
            AccessLog.subject_type == "crisis_report", AccessLog.subject_id == report.id))  # fmt: skip
        assert views >= 2  # the page view(s) and the triage edit

    approve(jeonju, r.case_id)
    with db.tenant_session(jeonju) as s:
        due = s.scalar(sa.select(RewardDue).where(RewardDue.report_id == report.id))
        assert due.state == "pending" and due.approved_on == today()
    assert payments(jeonju) == []  # the job makes the payment
    run_worker()
    (payment,) = payments(jeonju)
    assert (payment.amount, payment.status, payment.year) == (50000, "due", today().year)
    assert "전주시 위기가구 신고 포상금 지급 기준 (재구성)" in payment.citation
    assert payment.rule_set == "jeonju-crisis-reward" and payment.rule_version >= 1
    shown = coordinator.get(f"/{jeonju}/p/reports/{report.id}").text
    assert "₩50,000" in shown and "지급 예정" in shown

    # The case page shows the report's panel (no reporter data).
    case_page = coordinator.get(f"/{jeonju}/cases/{r.case_id}").text
    assert receipt in case_page and "지급 예정 ₩50,000" in case_page and "김이웃" not in case_page

    ledger = coordinator.get(f"/{jeonju}/p/reports/ledger")
    assert ledger.status_code == 200
    assert receipt in ledger.text and "₩50,000" in ledger.text and "재구성" in ledger.text
    token = csrf_from(ledger.text)
    stale = coordinator.post(f"/{jeonju}/p/reports/payments/{payment.id}/paid",
                             data={"csrf_token": token, "lock_version": "0", "paid_on": today().isoformat()})  # fmt: skip
    assert stale.status_code == 409 and "다른 사람이 먼저" in stale.text
    bad = coordinator.post(f"/{jeonju}/p/reports/payments/{payment.id}/paid",
                           data={"csrf_token": token, "lock_version": "1", "paid_on": "내일"})  # fmt: skip
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    paid = coordinator.post(f"/{jeonju}/p/reports/payments/{payment.id}/paid",
                            data={"csrf_token": token, "lock_version": "1", "paid_on": today().isoformat()})  # fmt: skip
    assert paid.status_code == 303
    (payment,) = payments(jeonju)
    assert payment.status == "paid" and payment.paid_on == today()

    year = today().year
    screen = coordinator.get(f"/{jeonju}/p/reports/ledger?year={year}&status=paid").text
    assert receipt in screen
    csv_file = coordinator.get(f"/{jeonju}/p/reports/ledger/{year}/csv?status=paid")
    assert csv_file.status_code == 200 and csv_file.data.startswith("\ufeff".encode())
    lines = csv_file.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("접수번호,승인일,동,신고인,연락처,금액(원),상태")
    assert (
        len(lines) == 3 and receipt in lines[1] and "50000" in lines[1] and "지급 완료" in lines[1]
    )
    assert "평화1동" in lines[1] and "재구성" in lines[1]
    assert lines[2].startswith("합계") and "50000" in lines[2]
    none_due = coordinator.get(f"/{jeonju}/p/reports/ledger/{year}/csv?status=due")
    assert len(none_due.data.decode("utf-8-sig").splitlines()) == 2  # header and total only
    xlsx = coordinator.get(f"/{jeonju}/p/reports/ledger/{year}/xlsx?status=paid")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == receipt and rows[1][5] == 50000 and rows[1][6] == "지급 완료"
    assert len(rows) == 3
    for response in (csv_file, xlsx):
        assert receipt not in response.headers["Content-Disposition"]
        assert "김이웃" not in response.headers["Content-Disposition"]
    with db.tenant_session(jeonju) as s:
        downloads = s.scalars(sa.select(AccessLog.detail).where(
            AccessLog.subject_type == "crisis_report_ledger", AccessLog.action == "download"))  # fmt: skip
        assert sorted(d.split()[-1] for d in downloads) == ["csv", "csv", "xlsx"]

    # Approving again (closed and reopened, say) never adds a second payment.
    run_worker()
    assert len(payments(jeonju)) == 1


def test_duplicates_existing_cases_and_closing(jeonju, client, signed_in):
    coordinator = signed_in("coordinator", jeonju)
    with db.tenant_transaction(jeonju) as s:
        known = Person(name="박복순", dong_code=DONG, address="평화동 꽃밭정이로 12")
        s.add(known)
        s.flush()
        case = Case(person_id=known.id, dong_code=DONG, source="본인", stage="survey")
        s.add(case)
        s.flush()
        case_id = case.id
    assert file_report(client, jeonju).status_code == 303
    first = last_report(jeonju)
    assert file_report(client, jeonju, address="평화동 주공아파트 105동 뒤 단독주택",
                       reporter_phone="010-5550-0202").status_code == 303  # fmt: skip
    second = last_report(jeonju)
    page = coordinator.get(f"/{jeonju}/p/reports/{second.id}").text
    assert first.receipt_no in page.split('data-testid="duplicates"')[1]
    token = csrf_from(page)
    # Two people triage at once: the second gets a conflict, nothing overwritten.
    missing = coordinator.post(f"/{jeonju}/p/reports/{second.id}/duplicate",
                               data={"csrf_token": token, "lock_version": "1", "original": ""})  # fmt: skip
    assert missing.status_code == 422 and "접수번호를 적으세요" in missing.text
    done = coordinator.post(f"/{jeonju}/p/reports/{second.id}/duplicate",
                            data={"csrf_token": token, "lock_version": "1",
                                  "original": first.receipt_no.lower()})  # fmt: skip
    assert done.status_code == 303
    again = coordinator.post(f"/{jeonju}/p/reports/{second.id}/close",
                             data={"csrf_token": token, "lock_version": "1", "reason": "다시"})  # fmt: skip
    assert again.status_code == 409 and "다른 사람이 먼저" in again.text
    with db.tenant_session(jeonju) as s:
        r = s.get(Report, second.id)
        assert (r.status, r.duplicate_of, r.close_reason) == ("duplicate", first.id, None)

    # A report naming a registry person: the person and their case are offered.
    assert file_report(client, jeonju, subject_name="박 복순", address="꽃밭정이로 12 반지하",
                       reporter_phone="010-5550-0303").status_code == 303  # fmt: skip
    third = last_report(jeonju)
    page = coordinator.get(f"/{jeonju}/p/reports/{third.id}").text
    matches = page.split('data-testid="matches"')[1]
    assert "박복순" in matches and f"#{case_id}" in matches
    bad = coordinator.post(f"/{jeonju}/p/reports/{third.id}/link",
                           data={"csrf_token": token, "lock_version": "1", "case_id": "99999999"})  # fmt: skip
    assert bad.status_code == 422 and "볼 수 있는 사례가 아닙니다" in bad.text
    assert 'value="99999999"' in bad.text  # what was typed stays
    linked = coordinator.post(f"/{jeonju}/p/reports/{third.id}/link",
                              data={"csrf_token": token, "lock_version": "1", "case_id": str(case_id)})  # fmt: skip
    assert linked.status_code == 303
    assert file_report(client, jeonju, subject_name="박복순", address="꽃밭정이로 12",
                       reporter_phone="010-5550-0404").status_code == 303  # fmt: skip
    fourth = last_report(jeonju)
    twice = coordinator.post(f"/{jeonju}/p/reports/{fourth.id}/link",
                             data={"csrf_token": token, "lock_version": "1", "case_id": str(case_id)})  # fmt: skip
    assert twice.status_code == 422 and "이미 연결되어 있습니다" in twice.text
    no_reason = coordinator.post(f"/{jeonju}/p/reports/{fourth.id}/close",
                                 data={"csrf_token": token, "lock_version": str(last_lock(jeonju, fourth.id)), "reason": " "})  # fmt: skip
    assert no_reason.status_code == 422 and "사유를 적으세요" in no_reason.text
    closed = coordinator.post(f"/{jeonju}/p/reports/{fourth.id}/close",
                              data={"csrf_token": token, "lock_version": "1", "reason": "같은 가구, 이미 조사 중"})  # fmt: skip
    assert closed.status_code == 303
    listing = coordinator.get(f"/{jeonju}/p/reports/?status=not_applicable").text
    assert fourth.receipt_no in listing and third.receipt_no not in listing
