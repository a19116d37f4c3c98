"""The local calendar: times are stored in UTC, but a day — "today", a 65th birthday, the date a
rule comes into force — is a day in Korea. On a UTC server `date.today()` is yesterday until
09:00 KST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def today() -> dt.date:
    return dt.datetime.now(SEOUL).date()
