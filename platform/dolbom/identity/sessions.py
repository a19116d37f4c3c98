"""Server-side sessions in Redis.

The signed cookie only carries a random token. Redis maps the token to a snapshot of the user
and their memberships, with the idle timeout as its TTL: a new token at every sign-in (no
fixation), logout deletes it (a copied cookie is worthless afterwards), and no database query is
needed to know who is asking. Whatever changes a user's roles, memberships or status must call
`refresh_user` (or `end_all` to sign them out everywhere), which rewrites every live session of
that user at once — see `dolbom.identity.operations`."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from dolbom.identity.models import User
from dolbom.kv import get_redis


def _key(token: str) -> str:
    return f"session:{token}"


def _user_key(user_id: int) -> str:
    return f"user-sessions:{user_id}"


def snapshot(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "platform_role": user.platform_role,
        "locale": user.locale,
        "memberships": [
            {
                "tenant_id": m.tenant_id,
                "role": m.role,
                "dong_codes": list(m.dong_codes or []),
                "provider_id": m.provider_id,
            }
            for m in user.memberships
        ],
    }


# However active, a session ends after a working day and the person signs in again.
MAX_AGE_SECONDS = 12 * 3600


def start(user: User, idle_seconds: int) -> str:
    token = secrets.token_urlsafe(32)
    pipe = get_redis().pipeline()
    data = {**snapshot(user), "started": int(time.time())}
    pipe.set(_key(token), json.dumps(data), ex=idle_seconds)
    pipe.sadd(_user_key(user.id), token)
    pipe.execute()
    return token


def resolve(
    token: str, idle_seconds: int, also: tuple[str, ...] = ()
) -> tuple[dict[str, Any] | None, list[bytes | None]]:
    """The user behind a token (None if ended or expired), sliding its idle timeout, plus the
    values of the `also` keys read in the same round trip."""
    pipe = get_redis().pipeline(transaction=False)
    pipe.get(_key(token))
    pipe.expire(_key(token), idle_seconds)
    for key in also:
        pipe.get(key)
    value, _, *extra = pipe.execute()
    if value is None:
        return None, extra
    data = json.loads(value)
    if time.time() - data.get("started", 0) > MAX_AGE_SECONDS:
        end(token)
        return None, extra
    return data, extra


def refresh_user(user: User) -> None:
    """Rewrite every live session of `user` with its current roles and memberships."""
    r = get_redis()
    tokens = [t.decode() for t in r.smembers(_user_key(user.id))]
    if not tokens:
        return
    fresh = snapshot(user)
    pipe = r.pipeline()
    for token in tokens:
        pipe.get(_key(token))
    current = pipe.execute()
    pipe = r.pipeline()
    for token, value in zip(tokens, current, strict=True):
        if value is not None:  # keep each session's start time; expired ones stay expired
            started = json.loads(value).get("started", 0)
            pipe.set(_key(token), json.dumps({**fresh, "started": started}), xx=True, keepttl=True)
    pipe.execute()


def end(token: str) -> None:
    r = get_redis()
    value = r.getdel(_key(token))
    if value is not None:
        r.srem(_user_key(json.loads(value)["id"]), token)


def end_all(user_id: int) -> None:
    r = get_redis()
    tokens = r.smembers(_user_key(user_id))
    if tokens:
        r.delete(*[_key(t.decode()) for t in tokens])
    r.delete(_user_key(user_id))
