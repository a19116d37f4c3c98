"""Sending, answering and ending referrals, and the waiting list that moves when a place frees.

Places are counted under a row lock on the provider's offer (provider_service), so two workers
sending to the last free place at once cannot both get it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import Case, CaseEvent, SupportPlan
from dolbom.cases.transitions import Refused, Stale
from dolbom.catalogue.models import Programme, Provider, ProviderService
from dolbom.clock import today
from dolbom.db import utcnow
from dolbom.people.models import Consent
from dolbom.referrals.lifecycle import STEPS, refusal
from dolbom.referrals.models import HOLDS_PLACE, OPEN, Referral
from dolbom.referrals.workdays import add_working_days
from dolbom.tenant_settings import get as setting

REFERRAL_STAGES = frozenset({"provision", "monitoring"})  # after the meeting's 승인
DEFAULT_RESPONSE_DAYS = 3


def response_days(session: Session) -> int:
    value = setting(session, "referral_response_days", DEFAULT_RESPONSE_DAYS)
    return value if isinstance(value, int) and 1 <= value <= 30 else DEFAULT_RESPONSE_DAYS


@dataclass
class Option:
    """A provider the worker may choose for a programme, with its places this month."""

    provider: Provider
    capacity: int
    used: int
    waiting: int
    consented: bool

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.used)


def consent_covers(session: Session, person_id: int, provider: Provider, day: dt.date) -> bool:
    """A service-linkage consent in force on `day` naming this provider (by name or key) or all."""
    consents = session.scalars(
        sa.select(Consent).where(
            Consent.person_id == person_id, Consent.purpose == "linkage",
            Consent.given_on <= day,
            sa.or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > day),
        )
    )  # fmt: skip
    return any(c.all_providers or provider.name in c.providers or provider.key in c.providers
               for c in consents)  # fmt: skip


def _counts(session: Session, programme_id: int, statuses: frozenset[str],
            provider_ids: list[int]) -> dict[int, int]:  # fmt: skip
    rows = session.execute(
        sa.select(Referral.provider_id, sa.func.count())
        .where(Referral.programme_id == programme_id, Referral.status.in_(statuses),
               Referral.provider_id.in_(provider_ids))
        .group_by(Referral.provider_id)
    )  # fmt: skip
    return {pid: n for pid, n in rows}


def options(session: Session, case: Case, programme: Programme) -> list[Option]:
    """Active providers offering `programme` in the case's dong, most free places first."""
    offers = session.execute(
        sa.select(Provider, ProviderService.capacity)
        .join(ProviderService, ProviderService.provider_id == Provider.id)
        .where(ProviderService.programme_id == programme.id, Provider.active)
        .order_by(Provider.name)
    ).all()
    offers = [(p, cap) for p, cap in offers if p.covers(case.dong_code)]
    ids = [p.id for p, _ in offers]
    used = _counts(session, programme.id, HOLDS_PLACE, ids)
    waiting = _counts(session, programme.id, frozenset({"waiting"}), ids)
    out = [Option(p, cap, used.get(p.id, 0), waiting.get(p.id, 0),
                  consent_covers(session, case.person_id, p, today())) for p, cap in offers]  # fmt: skip
    return sorted(out, key=lambda o: (-o.free, o.waiting, o.provider.name))


def _event(session: Session, referral: Referral, action: str, user_id: int,
           note: str | None = None) -> None:  # fmt: skip
    text = f"{referral.programme.name} · {referral.provider.name}"
    session.add(CaseEvent(case_id=referral.case_id, by=user_id, action=action,
                          note=f"{text} — {note}" if note else text,
                          data={"referral_id": referral.id}))  # fmt: skip


def _lock_offer(session: Session, provider_id: int, programme_id: int) -> ProviderService | None:
    return session.scalar(
        sa.select(ProviderService)
        .where(ProviderService.provider_id == provider_id,
               ProviderService.programme_id == programme_id)
        .with_for_update()
    )  # fmt: skip


def _used(session: Session, provider_id: int, programme_id: int) -> int:
    return session.scalar(
        sa.select(sa.func.count()).select_from(Referral).where(
            Referral.provider_id == provider_id, Referral.programme_id == programme_id,
            Referral.status.in_(HOLDS_PLACE))
    ) or 0  # fmt: skip


def send(session: Session, case: Case, *, programme_key: str, provider_id: int | None,
         frequency: str, needs: str, user_id: int) -> Referral:  # fmt: skip
    """Refer the case for one of its plan's services; Refused(message, fields) when it may not."""
    if case.stage not in REFERRAL_STAGES:
        raise Refused("통합지원회의에서 승인된 뒤에 서비스를 의뢰할 수 있습니다")
    plan = session.scalar(sa.select(SupportPlan).where(SupportPlan.case_id == case.id))
    planned = {row["service"]: row for row in (plan.services if plan else [])}
    programme = session.scalar(sa.select(Programme).where(Programme.key == programme_key))
    if programme is None or programme_key not in planned:
        raise Refused(
            "지원계획에 있는 서비스만 의뢰할 수 있습니다", {"programme": "계획의 서비스를 고르세요"}
        )
    if not programme.active:
        raise Refused(
            f"'{programme.name}'은(는) 지금 운영하지 않는 프로그램입니다",
            {"programme": "다른 서비스를 고르세요"},
        )
    provider = session.get(Provider, provider_id) if provider_id else None
    if provider is None or not provider.active:
        raise Refused("기관을 고르세요", {"provider": "기관을 고르세요"})
    needs = needs.strip()
    if len(needs) > 1000:
        raise Refused("전달 사항은 1,000자까지입니다", {"needs": "1,000자까지 적을 수 있습니다"})
    offer = _lock_offer(session, provider.id, programme.id)
    if offer is None:
        raise Refused(f"{provider.name}은(는) '{programme.name}'을(를) 제공하지 않습니다",
                      {"provider": "이 서비스를 제공하는 기관을 고르세요"})  # fmt: skip
    if not provider.covers(case.dong_code):
        raise Refused(f"{provider.name}은(는) 대상자의 동을 맡지 않습니다",
                      {"provider": "대상자의 동을 맡는 기관을 고르세요"})  # fmt: skip
    if not consent_covers(session, case.person_id, provider, today()):
        raise Refused(
            f"대상자의 서비스 연계 동의에 {provider.name}이(가) 없습니다. 대상자 탭에서 이 기관을 포함한 동의를 기록한 뒤 의뢰하세요.",
            {"provider": "동의가 없는 기관입니다"},
        )  # fmt: skip
    duplicate = session.scalar(
        sa.select(Referral.id).where(
            Referral.case_id == case.id, Referral.programme_id == programme.id,
            Referral.provider_id == provider.id, Referral.status.in_(OPEN))
    )  # fmt: skip
    if duplicate:
        raise Refused(f"이미 {provider.name}에 진행 중인 같은 서비스 의뢰가 있습니다 (#{duplicate})",
                      {"provider": "진행 중인 의뢰가 있습니다"})  # fmt: skip
    full = _used(session, provider.id, programme.id) >= offer.capacity
    start = plan.period_from if plan and plan.period_from else today()
    until = plan.period_until if plan and plan.period_until else start + dt.timedelta(days=365)
    row = planned[programme_key]
    referral = Referral(
        case_id=case.id, person_id=case.person_id, programme=programme, provider=provider,
        status="waiting" if full else "sent", frequency=(frequency or row.get("frequency") or "")[:100],
        needs=needs or None, period_from=start, period_until=until, created_by=user_id,
    )  # fmt: skip
    if not full:
        referral.sent_at = utcnow()
        referral.due_on = add_working_days(today(), response_days(session))
    session.add(referral)
    session.flush()
    _event(session, referral, "referral_waiting" if full else "referral_sent", user_id)
    return referral


def act(session: Session, referral: Referral, action: str, *, role: str, user_id: int,
        reason: str = "", lock_version: int | None) -> Referral:  # fmt: skip
    """One step of the lifecycle table; a freed place goes to the first on the waiting list."""
    if lock_version is None or lock_version != referral.lock_version:
        raise Stale("다른 사람이 먼저 이 의뢰를 바꿨습니다. 화면을 새로 고친 뒤 다시 하세요.")
    why = refusal(action, referral.status, role)
    if why:
        raise Refused(why)
    step = STEPS[action]
    reason = reason.strip()
    if step.needs_reason and not reason:
        raise Refused("사유를 적으세요", {"reason": "사유를 적으세요"})
    if len(reason) > 500:
        raise Refused("사유는 500자까지입니다", {"reason": "500자까지 적을 수 있습니다"})
    held = referral.status in HOLDS_PLACE
    referral.status = step.target
    now = utcnow()
    if action in ("accept", "decline"):
        referral.responded_at, referral.responded_by = now, user_id
    if step.target in ("declined", "revoked", "completed", "stopped"):
        referral.ended_at = now
    if reason:
        referral.reason = reason
    session.flush()
    _event(session, referral, f"referral_{action}", user_id, reason or None)
    if held and step.target not in HOLDS_PLACE:
        promote(session, referral.provider_id, referral.programme_id, user_id)
    return referral


def promote(session: Session, provider_id: int, programme_id: int, user_id: int) -> list[Referral]:
    """Send waiting referrals, oldest first, while the provider has free places."""
    offer = _lock_offer(session, provider_id, programme_id)
    if offer is None:
        return []
    free = offer.capacity - _used(session, provider_id, programme_id)
    if free <= 0:
        return []
    waiting = list(session.scalars(
        sa.select(Referral).where(
            Referral.provider_id == provider_id, Referral.programme_id == programme_id,
            Referral.status == "waiting")
        .order_by(Referral.created_at, Referral.id).limit(free)
    ))  # fmt: skip
    due = add_working_days(today(), response_days(session))
    for r in waiting:
        r.status, r.sent_at, r.due_on = "sent", utcnow(), due
        session.flush()
        _event(session, r, "referral_promoted", user_id)
    return waiting


def waiting_position(session: Session, referral: Referral) -> int | None:
    if referral.status != "waiting":
        return None
    ahead = session.scalar(
        sa.select(sa.func.count()).select_from(Referral).where(
            Referral.provider_id == referral.provider_id,
            Referral.programme_id == referral.programme_id, Referral.status == "waiting",
            sa.tuple_(Referral.created_at, Referral.id) < sa.tuple_(referral.created_at, referral.id))
    ) or 0  # fmt: skip
    return ahead + 1


def for_case(session: Session, case_id: int) -> list[Referral]:
    return list(session.scalars(
        sa.select(Referral).where(Referral.case_id == case_id).order_by(Referral.id.desc())
    ))  # fmt: skip
