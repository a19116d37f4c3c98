"""Tenant slugs: the first path segment of every tenant URL and the schema name's suffix."""

from __future__ import annotations

import re

SLUG_RE = re.compile(r"[a-z][a-z0-9-]{1,31}")
# First path segments that belong to the platform, never to a tenant.
RESERVED = frozenset(
    {
        "admin",
        "ministry",
        "static",
        "login",
        "logout",
        "api",
        "healthz",
        "p",
        "metrics",
        "lang",
        "invite",
    }
)


class SlugError(ValueError):
    pass


def check_slug(slug: str) -> str:
    """Return the slug or raise SlugError with a message a person can act on."""
    if not SLUG_RE.fullmatch(slug or ""):
        raise SlugError(
            f"'{slug}'은(는) 쓸 수 없는 식별자입니다: 영문 소문자로 시작하고 영문 소문자·숫자·하이픈만 "
            "2~32자로 쓰세요 (예: jeonju, busan-buk)."
        )
    if slug in RESERVED:
        raise SlugError(f"'{slug}'은(는) 플랫폼이 쓰는 예약어라 기관 식별자로 쓸 수 없습니다.")
    return slug


def is_valid_slug(slug: str) -> bool:
    try:
        check_slug(slug)
    except SlugError:
        return False
    return True
