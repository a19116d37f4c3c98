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
    "programme": _l("프로그램"),
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


# Extraction only: the service levels' names and starting points (cases.deadlines keeps them
# as plain text, used outside requests too) are translated where the settings page shows them.
_SERVICE_LEVEL_TEXTS = (
    _l("사전조사 완료"), _l("신청일"), _l("통합판정 결과 입력"), _l("판정 요청일"),
    _l("지원계획 회의 상정"), _l("판정 결과 입력일"), _l("통합지원회의 결정"), _l("회의 상정일"),
)  # fmt: skip


def area_label(code: str | None) -> str:
    return str(AREA_LABELS.get(code or "", code or ""))


def action_label(code: str | None) -> str:
    return str(ACTION_LABELS.get(code or "", code or ""))


# Field names as the console's forms call them; unknown names are shown as they are.
FIELD_LABELS = {
    "name": _l("이름"), "title": _l("제목"), "state": _l("상태"), "version": _l("버전"),
    "role": _l("역할"), "dong_codes": _l("담당 동"), "provider_id": _l("제공기관"),
    "active": _l("운영·사용"), "setup_link_until": _l("설정 링크 기한"), "field": _l("분야"),
    "funding": _l("재원"), "budget": _l("연 예산"), "unit": _l("제공 단위"),
    "unit_cost": _l("단가"), "description": _l("설명"), "rule_set_key": _l("규칙 묶음"),
    "rule_programme": _l("규칙의 사업"), "rule_entitlement": _l("급여"),
    "form_key": _l("조사 서식"), "type": _l("기관 유형"), "all_dongs": _l("모든 동"),
    "phone": _l("전화"), "contact": _l("담당자"), "services": _l("프로그램별 월 정원"),
    "added": _l("추가"), "removed": _l("삭제"), "changed": _l("변경"),
    "people": _l("주민"), "open_cases": _l("진행 중인 사례"), "staff": _l("직원"),
    "providers": _l("제공기관"), "moved": _l("옮긴 수"), "valid_from": _l("시작일"),
    "valid_to": _l("종료일"), "sources": _l("통합 전 동"), "into": _l("나뉜 동"),
}  # fmt: skip


def field_label(key: str) -> str:
    if key.startswith("provider."):  # a programme's monthly places at one provider
        return f"{_l('월 정원')} · {key.removeprefix('provider.')}"
    return str(FIELD_LABELS.get(key, key))


def _coded(key: str, value: Any) -> str | None:
    """Codes shown by their Korean names: roles, dongs, catalogue fields, funding, units."""
    from dolbom.catalogue.models import ACT_FIELDS, FUNDING, PROVIDER_TYPES, UNITS
    from dolbom.web.filters import dong_name, role_label

    if key == "role":
        return role_label(value)
    if key in {"dong_codes", "sources", "into"} and isinstance(value, list):
        return ", ".join(dong_name(str(v)) for v in value)
    table = {"field": ACT_FIELDS, "funding": FUNDING, "unit": UNITS, "type": PROVIDER_TYPES}
    if key in table and isinstance(value, str):
        return table[key].get(value, value)
    return None


def change_value(value: Any, key: str = "") -> str:
    """A before/after value: codes by name, numbers with separators, lists joined, mappings as
    key: value, nothing as a dash."""
    if value is None or value == [] or value == {}:
        return "—"
    named = _coded(key, value) if key else None
    if named is not None:
        return named
    if isinstance(value, bool):
        return str(_l("예")) if value else str(_l("아니요"))
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(change_value(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(
            f"{field_label(str(k))}: {change_value(v, str(k))}" for k, v in value.items()
        )
    return str(value)


def change_lines(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[tuple[str, str, str]]:
    """(field, before, after) for an entry, leaving out fields empty on both sides."""
    b, a = before or {}, after or {}
    out = []
    for k in dict.fromkeys([*b, *a]):
        old, new = change_value(b.get(k), k), change_value(a.get(k), k)
        if old == new == "—":
            continue
        out.append((field_label(k), old, new))
    return out


def init_app(app: Flask) -> None:
    app.add_template_filter(area_label)
    app.add_template_filter(action_label)
    app.add_template_filter(change_value)
    app.add_template_global(change_lines)
