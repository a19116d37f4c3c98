"""The referral's states and who may move it: a table the views, the tests and the screens
read, so "may this role do this now?" has one answer.

    (new) → 의뢰 sent ─ accept → 수락 accepted ─ first record → 서비스 중 in_service → 완료 / 중단
            │  └ decline (reason) → 거절           └ stop (reason) → 중단
            └ revoke → 철회
    (provider full) → 대기 waiting ─ a place frees → 의뢰 (in order) ; revoke → 철회"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

FRONT = frozenset({"frontline_worker", "coordinator"})
PROVIDER = frozenset({"provider_staff"})


@dataclass(frozen=True)
class Step:
    action: str
    label: Any  # a lazy string: the screen's language
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_reason: bool = False


STEPS: dict[str, Step] = {
    s.action: s
    for s in (
        Step("accept", _l("수락"), frozenset({"sent"}), "accepted", PROVIDER),
        Step("decline", _l("거절"), frozenset({"sent"}), "declined", PROVIDER, needs_reason=True),
        Step("revoke", _l("의뢰 철회"), frozenset({"sent", "waiting"}), "revoked", FRONT),
        Step("complete", _l("서비스 완료"), frozenset({"accepted", "in_service"}), "completed",
             FRONT | PROVIDER),
        Step("stop", _l("서비스 중단"), frozenset({"accepted", "in_service"}), "stopped",
             FRONT | PROVIDER, needs_reason=True),
    )
}  # fmt: skip

# What the case timeline calls each referral event.
EVENT_LABELS = {
    "referral_sent": _l("서비스 의뢰"),
    "referral_waiting": _l("서비스 의뢰 (대기)"),
    "referral_promoted": _l("대기 의뢰 발송"),
    "referral_accept": _l("의뢰 수락"),
    "referral_decline": _l("의뢰 거절"),
    "referral_revoke": _l("의뢰 철회"),
    "referral_complete": _l("서비스 완료"),
    "referral_stop": _l("서비스 중단"),
    "referral_started": _l("서비스 시작"),
    "referral_over_cap": _l("급여 상한 초과 승인"),
}


def refusal(action: str, status: str, role: str) -> str | None:
    """Why `role` may not do `action` on a referral in `status` now, or None."""
    step = STEPS.get(action)
    if step is None:
        return "알 수 없는 처리입니다"
    if role not in step.roles:
        return f"'{step.label}'은(는) 이 역할로 할 수 없습니다"
    if status not in step.sources:
        from dolbom.referrals.models import STATUSES

        return f"'{STATUSES.get(status, status)}' 상태의 의뢰는 '{step.label}'할 수 없습니다"
    return None


def available(status: str, role: str) -> list[Step]:
    return [s for s in STEPS.values() if refusal(s.action, status, role) is None]
