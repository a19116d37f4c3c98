"""Reading the plugin's forms: every field checked, a Korean message per bad field, nothing
saved unless all is well. Each reader returns `Reading(values, errors)`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from dolbom.plugins.api import INCOME_BANDS, LTC_GRADES
from dolbom_housing.models import BUILDING_KINDS, BUILDING_STATUSES, FEATURES, MOVE_OUT_REASONS

FLAT_NUMBER = re.compile(r"[0-9A-Za-z가-힣][0-9A-Za-z가-힣-]{0,19}")
MAX_FLATS_AT_ONCE = 300
MAX_SERVICES = 20


@dataclass
class Reading:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _limited(r: Reading, form: Mapping[str, str], name: str, limit: int, *,
             required: str | None = None) -> None:  # fmt: skip
    raw = _text(form, name)
    if not raw:
        if required:
            r.errors[name] = required
        r.values[name] = None
    elif len(raw) > limit:
        r.errors[name] = _(
            "%(limit)s자까지 적을 수 있습니다 (지금 %(now)s자)",
            limit=f"{limit:,}",
            now=f"{len(raw):,}",
        )
    else:
        r.values[name] = raw


def parse_date(raw: str) -> dt.date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _date(r: Reading, form: Mapping[str, str], name: str, *, required: str | None = None,
          earliest: dt.date | None = None, latest: dt.date | None = None,
          late_message: str = "", early_message: str = "") -> None:  # fmt: skip
    raw = _text(form, name)
    r.values[name] = None
    if not raw:
        if required:
            r.errors[name] = required
        return
    day = parse_date(raw)
    if day is None:
        r.errors[name] = _("날짜를 2026-03-27처럼 YYYY-MM-DD로 적으세요 (있는 날짜여야 합니다)")
    elif latest is not None and day > latest:
        r.errors[name] = late_message
    elif earliest is not None and day < earliest:
        r.errors[name] = early_message
    else:
        r.values[name] = day


def _int(r: Reading, form: Mapping[str, str], name: str, low: int, high: int) -> None:
    raw = _text(form, name).replace(",", "")
    r.values[name] = None
    if not raw:
        return
    if not re.fullmatch(r"-?\d{1,6}", raw) or not low <= int(raw) <= high:
        r.errors[name] = _(
            "%(low)s부터 %(high)s 사이의 정수로 적으세요", low=f"{low:,}", high=f"{high:,}"
        )
    else:
        r.values[name] = int(raw)


def _choice(r: Reading, form: Mapping[str, str], name: str, choices: Mapping[str, str], *,
            required: str | None = None) -> None:  # fmt: skip
    raw = _text(form, name)
    r.values[name] = None
    if not raw:
        if required:
            r.errors[name] = required
    elif raw not in choices:
        r.errors[name] = _("목록에서 고르세요")
    else:
        r.values[name] = raw


def _checked(form: Mapping[str, str], name: str) -> bool:
    return _text(form, name) in ("1", "on", "yes", "true")


def read_building(form: Mapping[str, str], dong_codes: set[str]) -> Reading:
    r = Reading()
    _limited(r, form, "name", 100, required=_("건물 이름을 적으세요"))
    _limited(r, form, "address", 200)
    _choice(r, form, "dong_code", {c: c for c in dong_codes})
    _choice(r, form, "kind", BUILDING_KINDS, required=_("건물 유형을 고르세요"))
    _choice(r, form, "status", BUILDING_STATUSES, required=_("운영 상태를 고르세요"))
    _int(r, form, "planned_flats", 0, 10_000)
    _limited(r, form, "note", 500)
    services: list[str] = []
    for line in (form.get("services") or "").splitlines():
        item = " ".join(line.split())
        if item and item not in services:
            services.append(item)
    if any(len(s) > 100 for s in services):
        r.errors["services"] = _("서비스 한 줄은 100자까지 적을 수 있습니다")
    elif len(services) > MAX_SERVICES:
        r.errors["services"] = _("서비스는 %(n)d개까지 적을 수 있습니다", n=MAX_SERVICES)
    r.values["services"] = services
    return r


def flat_numbers(raw: str) -> tuple[list[str], str | None]:
    """`101`, `101, 102` or ranges `101-110, 201-210`: the numbers, or a message."""
    numbers: list[str] = []
    for part in re.split(r"[,\s]+", raw.strip()):
        if not part:
            continue
        span = re.fullmatch(r"(\d{1,6})~(\d{1,6})|(\d{1,6})-(\d{1,6})", part)
        if span:
            a, b = (int(x) for x in (span.group(1, 2) if span.group(1) else span.group(3, 4)))
            if b < a:
                return [], _("'%(part)s': 범위의 끝이 시작보다 작습니다", part=part)
            if b - a >= MAX_FLATS_AT_ONCE:
                return [], _("한 번에 %(n)d호까지 추가할 수 있습니다", n=MAX_FLATS_AT_ONCE)
            numbers.extend(str(n) for n in range(a, b + 1))
        elif FLAT_NUMBER.fullmatch(part):
            numbers.append(part)
        else:
            return [], _(
                "'%(part)s'은(는) 호수로 쓸 수 없습니다 (숫자·글자·-, 20자까지)", part=part[:20]
            )
    if not numbers:
        return [], _("호수를 적으세요 (예: 101 또는 101-110)")
    if len(numbers) > MAX_FLATS_AT_ONCE:
        return [], _("한 번에 %(n)d호까지 추가할 수 있습니다", n=MAX_FLATS_AT_ONCE)
    twice = sorted({n for n in numbers if numbers.count(n) > 1})
    if twice:
        return [], _("같은 호수를 두 번 적었습니다: %(numbers)s", numbers=", ".join(twice[:5]))
    return numbers, None


def read_new_flats(form: Mapping[str, str]) -> Reading:
    r = Reading()
    numbers, problem = flat_numbers(form.get("numbers") or "")
    if problem:
        r.errors["numbers"] = problem
    r.values["numbers"] = numbers
    _int(r, form, "floor", -5, 100)
    for key in FEATURES:
        r.values[key] = _checked(form, key)
    return r


def read_flat(form: Mapping[str, str]) -> Reading:
    r = Reading()
    raw = _text(form, "number")
    if not raw:
        r.errors["number"] = _("호수를 적으세요")
    elif not FLAT_NUMBER.fullmatch(raw):
        r.errors["number"] = _("호수는 숫자·글자·-로 20자까지 적으세요")
    r.values["number"] = raw
    _int(r, form, "floor", -5, 100)
    for key in FEATURES:
        r.values[key] = _checked(form, key)
    _choice(r, form, "status", {"available": "", "repair": ""}, required=_("상태를 고르세요"))
    _limited(r, form, "note", 300)
    return r


def read_entry(form: Mapping[str, str], today: dt.date, *, new: bool) -> Reading:
    r = Reading()
    if new:
        raw = _text(form, "case_id").lstrip("#")
        if not raw:
            r.errors["case_id"] = _("사례 번호를 적으세요")
        elif not raw.isdecimal() or len(raw) > 9:
            r.errors["case_id"] = _("사례 번호는 숫자입니다 (예: 1234)")
        else:
            r.values["case_id"] = int(raw)
    _date(r, form, "applied_on", required=_("대기 등록일을 적으세요"), latest=today,
          late_message=_("대기 등록일은 오늘이나 그 전이어야 합니다"),
          earliest=dt.date(2000, 1, 1), early_message=_("2000년 이후 날짜를 적으세요"))  # fmt: skip
    _date(r, form, "discharge_on", latest=today + dt.timedelta(days=90),
          late_message=_("퇴원일은 오늘부터 90일 안의 예정일까지 적을 수 있습니다"),
          earliest=dt.date(2000, 1, 1), early_message=_("2000년 이후 날짜를 적으세요"))  # fmt: skip
    _limited(r, form, "hospital", 100)
    if (
        r.values.get("hospital")
        and not r.values.get("discharge_on")
        and "discharge_on" not in r.errors
    ):
        r.errors["discharge_on"] = _("병원을 적었다면 퇴원일(예정일)도 적으세요")
    alone = _text(form, "lives_alone")
    if alone not in ("", "yes", "no"):
        r.errors["lives_alone"] = _("목록에서 고르세요")
    r.values["lives_alone"] = {"yes": True, "no": False}.get(alone)
    _choice(r, form, "ltc_grade", LTC_GRADES)
    _choice(r, form, "income_band", INCOME_BANDS)
    r.values["unsafe_housing"] = _checked(form, "unsafe_housing")
    _limited(r, form, "note", 500)
    return r


def read_move_in(form: Mapping[str, str], today: dt.date, earliest: dt.date) -> Reading:
    r = Reading()
    raw = _text(form, "flat_id")
    if not raw.isdecimal() or len(raw) > 9:
        r.errors["flat_id"] = _("입주할 호를 고르세요")
    else:
        r.values["flat_id"] = int(raw)
    _date(r, form, "moved_in_on", required=_("입주일을 적으세요"), latest=today,
          late_message=_("입주일은 오늘이나 그 전이어야 합니다 (실제로 들어온 날)"),
          earliest=earliest, early_message=_("입주일은 대기 등록일(%(day)s)보다 앞설 수 없습니다", day=earliest))  # fmt: skip
    return r


def read_move_out(form: Mapping[str, str], today: dt.date, moved_in_on: dt.date) -> Reading:
    r = Reading()
    _date(r, form, "moved_out_on", required=_("퇴거일을 적으세요"), latest=today,
          late_message=_("퇴거일은 오늘이나 그 전이어야 합니다"),
          earliest=moved_in_on, early_message=_("퇴거일은 입주일(%(day)s)보다 앞설 수 없습니다", day=moved_in_on))  # fmt: skip
    _choice(r, form, "reason", MOVE_OUT_REASONS, required=_("퇴거 사유를 고르세요"))
    _limited(r, form, "note", 300)
    if r.values.get("reason") == "other" and not r.values.get("note"):
        r.errors["note"] = _("'그 밖의 사유'는 내용을 적으세요")
    r.values["needs_repair"] = _checked(form, "needs_repair")
    return r


def lock_from(form: Mapping[str, str]) -> int | None:
    raw = _text(form, "lock_version")
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None
