"""`make run`'s example reports: a few in each state; in Jeonju one reward already paid.
Only when the plugin's tables are empty. All names and numbers are made up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.plugins.api import CaseInfo, case_info, today
from dolbom_reports.intake import CONSENT_VERSION
from dolbom_reports.models import Payment, Report, RewardDue, utcnow
from dolbom_reports.operations import _receipt_no, reporter_key
from dolbom_reports.reward import settle

DONG = {"jeonju": "pyeonghwa1", "daejeon": "dunsan1"}


def _case(session: Session, dong: str, wanted: Callable[[CaseInfo], bool]) -> CaseInfo | None:
    """A demo case in the wanted state, of the dong if it has one (the synthetic cases are
    numbered 1…n; the API looks cases up by id)."""
    elsewhere = None
    for case_id in range(1, 2000):
        info = case_info(session, case_id)
        if info is None:
            if case_id > 50:
                break
            continue
        if wanted(info) and info.dong_code:
            if info.dong_code == dong:
                return info
            elsewhere = elsewhere or info
    return elsewhere


def _report(session: Session, tenant: str, dong: str, days_ago: int, **values: object) -> Report:
    at = utcnow() - dt.timedelta(days=days_ago, hours=3)
    phone = str(values.pop("phone"))
    r = Report(receipt_no=_receipt_no(session, at.year), received_at=at, dong_code=dong,
               reporter_phone=phone, reporter_key=reporter_key(tenant, phone.replace("-", "")),
               consent_text=CONSENT_VERSION, consented_at=at, **values)  # fmt: skip
    session.add(r)
    session.flush()
    return r


def seed(session: Session, tenant: str, staff: dict[str, int], *, dong: str | None = None,
         with_reward: bool | None = None) -> None:  # fmt: skip
    """The demo rows for `tenant` (its demo worker's dong; a paid reward in Jeonju)."""
    if session.scalar(sa.select(sa.func.count()).select_from(Report)):
        return
    dong = dong or DONG.get(tenant)
    if dong is None:
        return
    by = staff.get("coordinator")
    now = utcnow()
    first = _report(session, tenant, dong, 2, address="주공아파트 105동 뒤 단독주택 2층",
                    kinds=["meals", "isolation"], subject_name=None,
                    description="혼자 사시는 할머니가 며칠째 밖에 나오지 않고 우편물이 쌓여 있습니다.",
                    reporter_name="김이웃", phone="010-5550-0101", reporter_relation="neighbour",
                    status="new")  # fmt: skip
    _report(session, tenant, dong, 1, address="주공아파트 105동 뒤 단독주택", kinds=["isolation"],
            description="같은 집입니다. 밤에도 불이 꺼져 있어요.", reporter_name="박주민",
            phone="010-5550-0202", reporter_relation="neighbour", status="duplicate",
            duplicate_of=first.id, handled_by=by, handled_at=now)  # fmt: skip
    _report(session, tenant, dong, 9, address="시장 입구 상가 2층 사무실", kinds=["arrears"],
            description="가게 전기가 끊긴 것 같습니다.", reporter_name="최상인",
            phone="010-5550-0303", reporter_relation="acquaintance", status="not_applicable",
            close_reason="확인 결과 폐업한 점포로 거주자가 없음", handled_by=by,
            handled_at=now)  # fmt: skip
    waiting = _case(session, dong, lambda c: c.stage in ("survey", "judgement", "plan"))
    if waiting is not None:
        _report(session, tenant, waiting.dong_code or dong, 20, address="골목 안 파란 대문 집", kinds=["health", "meals"],
                subject_name=None, description="거동이 불편해 보이는 어르신이 혼자 지내십니다.",
                reporter_name="이통장", phone="010-5550-0404", reporter_relation="tongjang",
                status="linked", case_id=waiting.id, handled_by=by, handled_at=now)  # fmt: skip
    if not (tenant == "jeonju" if with_reward is None else with_reward):
        return
    # Approved this year if one was, so the ledger's first screen shows it.
    this_year = today().year
    served = _case(
        session,
        dong,
        lambda c: c.in_service and (c.services_started_on or today()).year == this_year,
    ) or _case(session, dong, lambda c: c.in_service)
    if served is None:
        return
    paid = _report(session, tenant, served.dong_code or dong, 60, address="평화동 임대아파트 상가 뒤 주택",
                   kinds=["meals", "housing"], description="겨울에 난방을 못 하고 끼니를 거르십니다.",
                   reporter_name="정봉사", phone="010-5550-0505", reporter_relation="neighbour",
                   status="application", case_id=served.id, handled_by=by,
                   handled_at=now)  # fmt: skip
    approved = served.services_started_on or today()
    session.add(RewardDue(report_id=paid.id, case_id=served.id, approved_on=approved))
    session.flush()
    settle(session, tenant, paid.id)
    payment = session.scalar(sa.select(Payment).where(Payment.report_id == paid.id))
    if payment is not None and payment.status == "due":
        payment.status, payment.paid_by = "paid", by
        payment.paid_on = min(today(), approved + dt.timedelta(days=14))
    session.flush()
