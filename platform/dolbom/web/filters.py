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


def rule_value(value: object, unit: str | None = None) -> str:
    """A parameter's value with its unit: 65 세 → "65세", 50000 원 → "₩50,000"."""
    from dolbom.expr.types import NUMBER
    from dolbom.rules.facts import Fact, format_value

    return format_value(Fact("", "", NUMBER, unit), value)


def status_label(status: str | None) -> str:
    from dolbom.rules.definition import STATUS_LABELS

    return STATUS_LABELS.get(status or "", str(_l("해당 없음")))


def fact_label(value: str | None, fact: str) -> str:
    """A coded fact as people read it: "중위50" → "기준중위소득 50% 이하"."""
    from dolbom.rules.facts import CORE_FACTS

    if value is None:
        return str(_l("모름"))
    labels = next((f.labels for f in CORE_FACTS if f.name == fact), None) or {}
    return labels.get(value, value)


def dong_name(code: str | None) -> str:
    from flask import g

    from dolbom.forms.queries import dong_names
    from dolbom.web.context import db

    if not code:
        return str(_l("모름"))
    cache = g.setdefault("_dong_names", {})
    if code not in cache:
        cache.update(dong_names(db(), {code}))
    return cache.get(code, code)


def init_app(app: Flask) -> None:
    app.add_template_filter(fact_label)
    app.add_template_filter(dong_name)
    app.add_template_filter(rule_value)
    app.add_template_filter(status_label)
    app.add_template_filter(seoul_time)
    app.add_template_filter(role_label)
    app.add_template_filter(job_status)
    app.add_template_filter(job_kind)
    app.add_template_filter(seoul)
