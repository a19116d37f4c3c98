"""What the ministry compares: the metric catalogue.

Counts are additive (a region's count is the sum of its cities'), so they are suppressed
together with their totals. Breakdowns (applications by source, closures by reason, referrals
by service field) are parts of a count: the count is the published total of its parts.
Statistics are over `n` people and shown only when n ≥ 5. Readiness items are facts about the
local government (an ordinance, a unit, staff), not about people, and are never suppressed."""

from __future__ import annotations

from dataclasses import dataclass

from dolbom.cases.models import CLOSURE_REASONS
from dolbom.catalogue.models import ACT_FIELDS
from dolbom.rules.facts import CASE_SOURCES


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    kind: str  # count · statistic · readiness · rate
    unit: str = "건"
    parent: str | None = None  # a breakdown's total
    help: str = ""


COUNTS = (
    Metric("applications", "신청·발굴", "count", help="그 달에 접수된 사례 (신청 경로 모두)"),
    Metric("surveys", "사전조사 완료", "count", help="사전조사를 마치고 통합판정을 요청한 사례"),
    Metric("judgements", "통합판정", "count", help="판정 결과를 입력한 사례"),
    Metric("approved", "계획 승인", "count", help="통합지원회의에서 승인된 지원계획"),
    Metric("changed", "계획 변경", "count", help="통합지원회의에서 보완을 결정한 지원계획"),
    Metric("closed_in_meeting", "회의 종결", "count", help="통합지원회의에서 종결한 사례"),
    Metric(
        "in_service", "서비스 이용자", "count", "명", help="그 달 말일에 서비스를 받고 있는 사람"
    ),
    Metric("referrals_sent", "의뢰", "count", help="제공기관에 보낸 의뢰"),
    Metric("referrals_accepted", "의뢰 수락", "count"),
    Metric("referrals_declined", "의뢰 거절", "count"),
    Metric("referrals_overdue", "응답 기한 넘김", "count", help="응답 기한까지 답이 없던 의뢰"),
    Metric("monitoring_due", "모니터링 예정", "count", help="그 달이 기한인 모니터링"),
    Metric("monitoring_on_time", "기한 내 모니터링", "count"),
    Metric("closures", "종결", "count", help="그 달에 종결된 사례 (사유 모두)"),
)
BREAKDOWNS = (
    *(Metric(f"applications.source.{k}", v, "count", parent="applications")
      for k, v in {**CASE_SOURCES, "unknown": "경로 미상"}.items()),
    *(Metric(f"closures.reason.{k}", v, "count", parent="closures")
      for k, v in {**CLOSURE_REASONS, "unknown": "사유 미상"}.items()),
    *(Metric(f"referrals_sent.field.{k}", v, "count", parent="referrals_sent")
      for k, v in {**ACT_FIELDS, "other": "시 자체 분야"}.items()),
)  # fmt: skip
STATISTICS = (
    Metric("median_days_to_service", "신청→첫 서비스 (중앙값)", "statistic", "일",
           help="그 달에 서비스를 시작한 사람의 신청일부터 첫 서비스까지 일수의 중앙값"),
)  # fmt: skip
READINESS = (
    Metric("ready_ordinance", "조례 제정", "readiness", ""),
    Metric("ready_unit", "전담조직", "readiness", ""),
    Metric("ready_staff", "전담인력", "readiness", ""),
    Metric("ready_identification", "신청·발굴", "readiness", ""),
    Metric("ready_linkage", "서비스 연계", "readiness", ""),
    Metric("readiness_score", "준비도", "readiness", "점", help="다섯 항목 중 갖춘 비율 (0–100)"),
    Metric("staff_count", "전담인력 수", "readiness", "명"),
    Metric("population_65", "65세 이상 인구", "readiness", "명"),
)
RATES = (
    Metric("applications_per_1000", "신청·발굴 (65세 이상 1천 명당)", "rate", "",
           parent="applications"),
    Metric("in_service_per_1000", "서비스 이용자 (65세 이상 1천 명당)", "rate", "",
           parent="in_service"),
    Metric("monitoring_on_time_share", "기한 내 모니터링 비율", "rate", "%",
           parent="monitoring_on_time"),
    Metric("referrals_accepted_share", "의뢰 수락 비율", "rate", "%", parent="referrals_accepted"),
)  # fmt: skip

ALL = {m.key: m for m in (*COUNTS, *BREAKDOWNS, *STATISTICS, *READINESS, *RATES)}
ADDITIVE = tuple(m.key for m in (*COUNTS, *BREAKDOWNS))
READINESS_ITEMS = tuple(m.key for m in READINESS[:5])

# The comparison table's columns, in order (the rest are on the city page and in charts).
TABLE = (
    "readiness_score", "applications", "applications_per_1000", "approved", "in_service",
    "in_service_per_1000", "referrals_sent", "referrals_declined", "referrals_overdue",
    "median_days_to_service", "monitoring_on_time_share", "closures",
)  # fmt: skip


def breakdown_groups() -> dict[str, list[str]]:
    """Each count with parts, and its parts: published totals an outsider can subtract from."""
    groups: dict[str, list[str]] = {}
    for m in BREAKDOWNS:
        groups.setdefault(m.parent or "", []).append(m.key)
    return groups


def label(key: str) -> str:
    m = ALL.get(key)
    return m.label if m else key
