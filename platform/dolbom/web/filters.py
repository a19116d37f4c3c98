"""Template filters: Korean labels for codes, and times shown in Asia/Seoul."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import lazy_gettext as _l

SEOUL = ZoneInfo("Asia/Seoul")

ROLE_LABELS = {
    "platform_operator": _l("플랫폼 운영자"),
    "ministry_analyst": _l("보건복지부 분석가"),
    "city_admin": _l("기관 관리자"),
    "coordinator": _l("시군구 통합돌봄 담당"),
    "frontline_worker": _l("읍면동 통합돌봄 창구"),
    "provider_staff": _l("제공기관 담당자"),
}
JOB_STATUS = {
    "queued": _l("대기 중"),
    "started": _l("진행 중"),
    "finished": _l("완료"),
    "failed": _l("실패"),
}
JOB_KINDS = {"export": _l("기관 내보내기")}


def role_label(code: str | None) -> str:
    return str(ROLE_LABELS.get(code or "", code or ""))


def job_status(code: str) -> str:
    return str(JOB_STATUS.get(code, code))


def job_kind(code: str) -> str:
    return str(JOB_KINDS.get(code, code))


def seoul(value: datetime | None) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")


def seoul_time(value: datetime | None) -> str:
    """Time of day with seconds, for "last saved" indicators."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(SEOUL).strftime("%H:%M:%S")


def init_app(app: Flask) -> None:
    app.add_template_filter(seoul_time)
    app.add_template_filter(role_label)
    app.add_template_filter(job_status)
    app.add_template_filter(job_kind)
    app.add_template_filter(seoul)
