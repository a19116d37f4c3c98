"""How the change log reads: Korean names for areas and actions, values as people read them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

AREA_LABELS = {
    "profile": _l("기관 정보"),
    "settings": _l("처리 기한"),
    "district": _l("행정구역"),
    "staff": _l("직원"),
    "programme": _l("사업"),
    "provider": _l("제공기관"),
    "form": _l("조사 서식"),
    "rule": _l("조례 규칙"),
    "plugin": _l("플러그인"),
    "pack": _l("설정 팩"),
}
ACTION_LABELS = {
    "create": _l("추가"),
    "update": _l("수정"),
    "delete": _l("삭제"),
    "merge": _l("통합"),
    "split": _l("분할"),
    "publish": _l("게시"),
    "invite": _l("초대"),
    "deactivate": _l("비활성화"),
    "reactivate": _l("다시 활성화"),
    "reset_password": _l("비밀번호 초기화"),
    "enable": _l("켬"),
    "disable": _l("끔"),
    "remove": _l("삭제"),
    "move": _l("주민·사례 이동"),
}


def area_label(code: str | None) -> str:
    return str(AREA_LABELS.get(code or "", code or ""))


def action_label(code: str | None) -> str:
    return str(ACTION_LABELS.get(code or "", code or ""))


def change_value(value: Any) -> str:
    """A before/after value: lists joined, mappings as key: value, nothing as a dash."""
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_l("예")) if value else str(_l("아니요"))
    if isinstance(value, list | tuple):
        return ", ".join(change_value(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {change_value(v)}" for k, v in value.items())
    return str(value)


def init_app(app: Flask) -> None:
    app.add_template_filter(area_label)
    app.add_template_filter(action_label)
    app.add_template_filter(change_value)
