"""Resident registration numbers (주민등록번호, `YYMMDD-SNNNNNN`): reading, checking, masking.

The seventh digit gives the sex and the century (1·2 → 1900s, 3·4 → 2000s, 9·0 → 1800s;
5–8 are foreign residents' registration numbers, same rule). Numbers issued since October 2020
have random digits after it, so there is no check digit to verify: a number is accepted when
its form and birth date are right."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_RRN = re.compile(r"([0-9]{6})-?([0-9]{7})")  # ASCII digits: "\d" would take "７"
_CENTURY = {"1": 1900, "2": 1900, "3": 2000, "4": 2000, "5": 1900, "6": 1900, "7": 2000,
            "8": 2000, "9": 1800, "0": 1800}  # fmt: skip
_MALE = frozenset("13579")


class RrnError(ValueError):
    """Why a resident registration number cannot be taken, in Korean for the field."""


@dataclass(frozen=True)
class Rrn:
    front: str
    back: str
    birth_date: dt.date
    sex: str  # 남 / 여

    @property
    def canonical(self) -> str:
        return f"{self.front}-{self.back}"

    @property
    def masked(self) -> str:
        return mask(self.canonical)


def parse_rrn(text: str, *, today: dt.date) -> Rrn:
    value = re.sub(r"\s", "", text or "")
    m = _RRN.fullmatch(value)
    if m is None:
        raise RrnError("주민등록번호는 숫자 13자리입니다 (예: 780101-1234567)")
    front, back = m.groups()
    year = _CENTURY[back[0]] + int(front[:2])
    try:
        birth = dt.date(year, int(front[2:4]), int(front[4:6]))
    except ValueError as exc:
        raise RrnError("앞 6자리가 올바른 생년월일이 아닙니다") from exc
    if birth > today:
        raise RrnError("생년월일이 오늘보다 뒤입니다. 뒷자리 첫 숫자(성별·세기)를 확인하세요")
    return Rrn(front, back, birth, "남" if back[0] in _MALE else "여")


def mask(canonical: str) -> str:
    """`780101-1234567` → `780101-1******`: birth date and sex stay readable, nothing more."""
    return canonical[:8] + "*" * 6
