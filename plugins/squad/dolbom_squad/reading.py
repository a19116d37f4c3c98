"""Reading a posted form into values, with one Korean message per field at fault."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _


class Refused(ValueError):
    """A change the record's state does not allow now (shown as a message, 422)."""


class Stale(Refused):
    """Someone saved the record after the form was loaded (409)."""


def josa(word: str, pair: str = "을를") -> str:
    """`word` with the particle its last syllable takes (받침: 을/이/은, none: 를/가/는)."""
    last = word[-1] if word else ""
    has_final = "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0
    return word + (pair[0] if has_final else pair[1])


def particle(word: str, pair: str = "을를") -> str:
    """Just the particle `josa` adds, for a message whose translation may not need it."""
    return josa(str(word), pair)[len(str(word)) :]


@dataclass
class Reading:
    form: Mapping[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def raw(self, key: str) -> str:
        return (self.form.get(key) or "").strip()

    def text(self, key: str, label: str, limit: int, *, required: bool = True) -> str | None:
        value = self.raw(key)
        if not value and required:
            self.errors[key] = _("%(label)s%(josa)s 적으세요", label=label, josa=particle(label))
        elif len(value) > limit:
            self.errors[key] = _(
                "%(limit)s자까지 적을 수 있습니다 (지금 %(now)s자)",
                limit=f"{limit:,}",
                now=f"{len(value):,}",
            )
        else:
            self.values[key] = value or None
            return value or None
        return None

    def choice(self, key: str, label: str, options: Mapping[str, str]) -> str | None:
        value = self.raw(key)
        if value not in options:
            self.errors[key] = _("%(label)s%(josa)s 고르세요", label=label, josa=particle(label))
            return None
        self.values[key] = value
        return value

    def day(
        self,
        key: str,
        label: str,
        *,
        default: dt.date | None = None,
        not_before: tuple[dt.date, str] | None = None,
        not_after: tuple[dt.date, str] | None = None,
    ) -> dt.date | None:
        """A date as YYYY-MM-DD; empty takes `default` (or is an error without one)."""
        raw = self.raw(key)
        if not raw and default is None:
            self.errors[key] = _(
                "%(label)s%(josa)s 적으세요 (YYYY-MM-DD)", label=label, josa=particle(label)
            )
            return None
        try:
            day = dt.date.fromisoformat(raw) if raw else default
        except ValueError:
            self.errors[key] = _("날짜를 YYYY-MM-DD로 적으세요 (예: 2026-03-27)")
            return None
        assert day is not None
        if not_before is not None and day < not_before[0]:
            self.errors[key] = _(
                "%(what)s(%(day)s)보다 앞설 수 없습니다", what=not_before[1], day=not_before[0]
            )
        elif not_after is not None and day > not_after[0]:
            self.errors[key] = _(
                "%(what)s(%(day)s)보다 뒤일 수 없습니다", what=not_after[1], day=not_after[0]
            )
        else:
            self.values[key] = day
            return day
        return None


def lock_from(form: Mapping[str, str]) -> int | None:
    raw = form.get("lock_version", "")
    return int(raw) if raw.isdecimal() else None


def kept(form: Mapping[str, str]) -> dict[str, str]:
    """What the user typed, to show again after a refusal (never the token or the lock)."""
    return {k: v for k, v in form.items() if k not in ("csrf_token", "lock_version")}
