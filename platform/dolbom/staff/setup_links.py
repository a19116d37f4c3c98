"""One-time set-up links (`/invite/<token>`): a new member sets their password with one.

Only the token's SHA-256 is stored, in Redis with a seven-day TTL, so neither Redis nor the
database holds anything that opens an account. Each user has at most one live link: issuing a
new one (a password reset) cancels the old one."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from dolbom.clock import SEOUL
from dolbom.kv import get_redis

TTL = timedelta(days=7)
# secrets.token_urlsafe(32): 43 URL-safe characters. Anything else is not a link of ours.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key(digest: str) -> str:
    return f"invite:{digest}"


def _user_key(user_id: int) -> str:
    return f"invite-user:{user_id}"


def well_formed(token: str) -> bool:
    return TOKEN_RE.fullmatch(token) is not None


def valid_until() -> str:
    """When a link issued now stops working, as shown (Asia/Seoul)."""
    return (datetime.now(SEOUL) + TTL).strftime("%Y-%m-%d %H:%M")


def issue(user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    digest = _digest(token)
    seconds = int(TTL.total_seconds())
    r = get_redis()
    pipe = r.pipeline()
    pipe.set(_key(digest), user_id, ex=seconds)
    pipe.set(_user_key(user_id), digest, ex=seconds, get=True)
    _ok, previous = pipe.execute()
    if previous is not None and previous.decode() != digest:
        r.delete(_key(previous.decode()))
    return token


def user_for(token: str) -> int | None:
    """The user a live link belongs to (None when unknown, used or expired)."""
    if not well_formed(token):
        return None
    value = get_redis().get(_key(_digest(token)))
    return int(value) if value is not None else None


def consume(token: str) -> int | None:
    """Use the link up: of two submissions at once, only one gets the user."""
    if not well_formed(token):
        return None
    digest = _digest(token)
    r = get_redis()
    value = r.getdel(_key(digest))
    if value is None:
        return None
    user_id = int(value)
    if r.get(_user_key(user_id)) == digest.encode():
        r.delete(_user_key(user_id))
    return user_id


def revoke(user_id: int) -> None:
    r = get_redis()
    previous = r.getdel(_user_key(user_id))
    if previous is not None:
        r.delete(_key(previous.decode()))
