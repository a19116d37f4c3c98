"""Checks on catalogue data shared by the pack reader and the console's forms, so a value a pack
may not hold cannot be typed into the console either, and both say so in the same words."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from dolbom.catalogue.models import CAP_UNITS, UNITS

KEY = re.compile(r"[a-z][a-z0-9_]{1,49}")
MAX_BUDGET = 10**13  # ₩10 trillion: anything above is a typo
MAX_UNIT_COST = 10**9
MAX_CAPACITY = 100_000

# rule set key → programme key → entitlement id → unit ("회/월", …)
RuleIndex = dict[str, dict[str, dict[str, str]]]


def key_problem(value: str) -> str | None:
    if KEY.fullmatch(value):
        return None
    return _("'%(v)s': 영문 소문자로 시작하는 소문자·숫자·_ 2~50자여야 합니다", v=value)


def range_problem(value: object, least: int, top: int) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and least <= value <= top:
        return None
    return _("%(least)s~%(top)s 사이의 정수여야 합니다 ('%(v)s')",
             least=f"{least:,}", top=f"{top:,}", v=value)  # fmt: skip


def rule_link_problem(rules: RuleIndex, rule_set: object, programme: object, entitlement: object,
                      unit: str | None, *, missing_set: str) -> tuple[str, str] | None:  # fmt: skip
    """(the part at fault — rule_set, programme or entitlement — and why), or None when the link
    names a rule set's programme and, if given, an entitlement whose monthly unit caps `unit`.
    `missing_set` says where the rule set was looked for."""
    if rule_set not in rules:
        return "rule_set", missing_set
    programmes = rules[str(rule_set)]
    if programme not in programmes:
        return "programme", _("규칙 묶음 '%(rs)s'에 '%(p)s' 프로그램이 없습니다",
                              rs=rule_set, p=programme)  # fmt: skip
    if entitlement is None:
        return None
    entitlements = programmes[str(programme)]
    if entitlement not in entitlements:
        return "entitlement", _("'%(p)s' 프로그램에 '%(e)s' 급여가 없습니다",
                                p=programme, e=entitlement)  # fmt: skip
    if unit in UNITS and entitlements[str(entitlement)] != CAP_UNITS[unit]:
        return "entitlement", _(
            "급여 단위 '%(eu)s'로는 '%(u)s' 단위 서비스의 월 상한을 정할 수 없습니다",
            eu=entitlements[str(entitlement)], u=UNITS[unit],
        )  # fmt: skip
    return None
