"""The reward: when the reported household becomes a recipient (the meeting approves its case),
a payment of the city's `report_reward` parameter is recorded for the reporter — exactly once.

Two steps, so that the approval never waits on the rules and a lost job is simply run again:
1. `on_case_approved` (inside the approval's transaction): a reward-due row, and the job queued
   for after the commit (ids only).
2. `settle` (the job, one transaction): locks the report row, re-checks the case is in service,
   reads the amount in force on the approval date with its citation, applies the yearly cap per
   reporter when the rule set has one, and inserts the payment with ON CONFLICT DO NOTHING on
   the report — a second run, or a run after a killed one, adds nothing."""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from dolbom.plugins.api import (
    CaseInfo,
    SettingSpec,
    case_info,
    enqueue_after_commit,
    rule_parameter,
    setting,
    today,
)
from dolbom_reports.models import Payment, Report, RewardDue, utcnow
from dolbom_reports.operations import ACTIVE, Refused, Stale

RULE_SET = SettingSpec(
    "reports.reward_rule_set", "포상금 규칙 세트 키 (비우면 '<기관>-crisis-reward')"
)
REWARD = "report_reward"
CAP_COUNT = "yearly_cap_count"  # 건/년 per reporter
CAP_AMOUNT = "yearly_cap_amount"  # 원/년 per reporter
COUNTED = ("due", "paid")  # what uses up a reporter's yearly cap


def rule_set_key(session: Session, tenant: str) -> str:
    return str(setting(session, RULE_SET) or f"{tenant}-crisis-reward")


def on_case_approved(session: Session, tenant: str, case: CaseInfo) -> int | None:
    """Called from the case-transition hook: the report behind this case (the first one, if
    several were linked) gets a reward-due row and a job. Returns the report id, if any."""
    report_id = session.scalar(
        sa.select(Report.id)
        .where(Report.case_id == case.id, Report.status.in_(ACTIVE))
        .order_by(Report.received_at, Report.id)
        .limit(1)
    )
    if report_id is None:
        return None
    session.execute(
        insert(RewardDue)
        .values(report_id=report_id, case_id=case.id, approved_on=today(), state="pending",
                created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["report_id"])
    )  # fmt: skip
    from dolbom_reports.jobs import reward_job

    enqueue_after_commit(session, reward_job, tenant, str(report_id), report_id)
    return report_id


def _reporter_lock(tenant: str, key: str) -> int:
    digest = hashlib.blake2b(f"reports:{tenant}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _cap_reason(session: Session, tenant: str, rule_set: str, report: Report, on: dt.date,
                amount: int) -> str | None:  # fmt: skip
    """Why this reward goes over the reporter's yearly cap, or None."""
    count_cap = rule_parameter(session, tenant, rule_set, CAP_COUNT, on)
    amount_cap = rule_parameter(session, tenant, rule_set, CAP_AMOUNT, on)
    if count_cap is None and amount_cap is None:
        return None
    # Two rewards of one reporter settled at once must not both slip under the cap.
    session.execute(
        sa.select(sa.func.pg_advisory_xact_lock(_reporter_lock(tenant, report.reporter_key)))
    )
    count, total = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Payment.amount), 0)).where(
            Payment.reporter_key == report.reporter_key, Payment.year == on.year,
            Payment.status.in_(COUNTED), Payment.report_id != report.id)
    ).one()  # fmt: skip
    if count_cap is not None and count + 1 > int(count_cap.value):
        return (f"연간 한도 {int(count_cap.value):,}건 초과 (올해 이미 {count:,}건) — "
                f"{count_cap.citation}")[:300]  # fmt: skip
    if amount_cap is not None and int(total) + amount > int(amount_cap.value):
        return (f"연간 한도 ₩{int(amount_cap.value):,} 초과 (올해 이미 ₩{int(total):,}) — "
                f"{amount_cap.citation}")[:300]  # fmt: skip
    return None


def settle(session: Session, tenant: str, report_id: int) -> str:
    """The job's work, in the caller's transaction. Returns what happened (for the job result
    and the tests): "created", "exists", "no_due", "no_rule" or "not_in_service"."""
    report = session.scalar(sa.select(Report).where(Report.id == report_id).with_for_update())
    due = session.scalar(
        sa.select(RewardDue).where(RewardDue.report_id == report_id).with_for_update()
    )
    if report is None or due is None:
        return "no_due"
    due.checked_at = utcnow()
    if session.scalar(sa.select(Payment.id).where(Payment.report_id == report_id)):
        due.state, due.note = "created", None
        return "exists"
    case = case_info(session, due.case_id)
    if case is None or not case.in_service:
        due.state = "not_in_service"
        due.note = "사례가 서비스 제공 단계가 아니어서 포상금을 기록하지 않았습니다"
        return "not_in_service"
    key = rule_set_key(session, tenant)
    reward = rule_parameter(session, tenant, key, REWARD, due.approved_on)
    if reward is None:
        due.state = "no_rule"
        due.note = (f"게시된 규칙 '{key}'에 {due.approved_on.isoformat()} 기준 포상금"
                    f"({REWARD}) 값이 없어 지급하지 않았습니다")[:300]  # fmt: skip
        return "no_rule"
    amount = int(reward.value)
    over = _cap_reason(session, tenant, key, report, due.approved_on, amount)
    session.execute(
        insert(Payment)
        .values(report_id=report.id, case_id=due.case_id, reporter_key=report.reporter_key,
                year=due.approved_on.year, approved_on=due.approved_on, amount=amount,
                status="over_cap" if over else "due", reason=over,
                citation=reward.citation[:500], rule_set=reward.rule_set,
                rule_version=reward.version, created_at=utcnow(), lock_version=1)
        .on_conflict_do_nothing(index_elements=["report_id"])
    )  # fmt: skip
    due.state, due.note = "created", None
    return "created"


def mark_paid(session: Session, payment: Payment, paid_on_text: str, *, user_id: int,
              lock_version: int | None) -> None:  # fmt: skip
    """지급 완료, on the day the money went out."""
    if lock_version is None or lock_version != payment.lock_version:
        raise Stale(
            _("다른 사람이 먼저 이 지급 건을 바꿨습니다. 지금 상태를 확인한 뒤 다시 하세요.")
        )
    if payment.status != "due":
        raise Refused(
            _("'%(status)s' 상태의 건은 지급 완료로 바꿀 수 없습니다", status=payment.status_label)
        )
    try:
        paid_on = dt.date.fromisoformat((paid_on_text or "").strip())
    except ValueError as exc:
        raise Refused(_("지급일을 YYYY-MM-DD로 적으세요"), "paid_on") from exc
    if paid_on > today():
        raise Refused(_("지급일은 오늘이나 그 전이어야 합니다"), "paid_on")
    if paid_on < payment.approved_on:
        raise Refused(_("지급일은 승인일(%(day)s) 이후여야 합니다", day=payment.approved_on.isoformat()),
                      "paid_on")  # fmt: skip
    payment.status, payment.paid_on, payment.paid_by = "paid", paid_on, user_id
    session.flush()
