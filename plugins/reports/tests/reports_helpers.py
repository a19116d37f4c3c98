"""Helpers shared by the 위기가구 신고 plugin's tests (imported, not collected)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rq import Worker

from dolbom import db, kv
from dolbom.cases.models import Case
from dolbom.cases.transitions import transition
from dolbom.plugins.api import set_setting
from dolbom.tenancy.operations import set_plugin
from dolbom_reports.models import Payment, Report
from tests.fixtures import add_consent, csrf_from

DONG = "pyeonghwa1"  # 평화1동, Jeonju's pilot counter
OTHER_DONG = "seoseohak"  # 서서학동


def switch_on(slug: str, rule_set: str | None = "jeonju-crisis-reward") -> str:
    set_plugin(slug, "reports", True)
    if rule_set:
        with db.tenant_transaction(slug) as s:
            set_setting(s, "reports.reward_rule_set", rule_set)
    return slug


def report_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "dong_code": DONG,
        "address": "평화동 주공아파트 105동 뒤 단독주택 2층",
        "kinds": ["meals", "isolation"],
        "description": "혼자 사시는 할머니가 며칠째 밖에 나오지 않습니다.",
        "subject_name": "",
        "reporter_name": "김이웃",
        "reporter_phone": "010-5550-0101",
        "reporter_relation": "neighbour",
        "consent": "yes",
        "website": "",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def file_report(client, slug: str, **changes: Any):  # type: ignore[no-untyped-def]
    """A resident's report through the public form; returns the POST's response."""
    page = client.get(f"/{slug}/p/reports/public/")
    assert page.status_code == 200, page.text
    data = report_form(**changes) | {"csrf_token": csrf_from(page.text)}
    return client.post(f"/{slug}/p/reports/public/", data=data)


def report_by_receipt(slug: str, receipt: str) -> Report:
    with db.tenant_session(slug) as s:
        return s.scalar(sa.select(Report).where(Report.receipt_no == receipt))


def last_report(slug: str) -> Report:
    with db.tenant_session(slug) as s:
        return s.scalar(sa.select(Report).order_by(Report.id.desc()).limit(1))


def payments(slug: str) -> list[Payment]:
    with db.tenant_session(slug) as s:
        return list(s.scalars(sa.select(Payment).order_by(Payment.id)))


def approve(slug: str, case_id: int, user_id: int = 1) -> None:
    """The meeting approves the case through the core's own `transition()` (it must be at the
    meeting stage, with the person's consent to service linkage)."""
    with db.tenant_transaction(slug) as s:
        case = s.get(Case, case_id)
        case.stage = "meeting"
        add_consent(s, case.person_id)
        s.flush()
        transition(s, case, "approve", role="coordinator", user_id=user_id, form={},
                   lock_version=case.lock_version)  # fmt: skip


def run_worker() -> None:
    """One real worker run (burst): forks a work horse per job, as in production."""
    Worker(["high", "default", "low"], connection=kv.get_redis()).work(
        burst=True, logging_level="WARNING"
    )


def triage_apply(client, slug: str, report_id: int, **form: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/{slug}/p/reports/{report_id}")
    lock = last_lock(slug, report_id)
    data = {"csrf_token": csrf_from(page.text), "lock_version": str(lock), "person_id": ""}
    return client.post(f"/{slug}/p/reports/{report_id}/apply", data=data | form)


def last_lock(slug: str, report_id: int) -> int:
    with db.tenant_session(slug) as s:
        return s.get(Report, report_id).lock_version
