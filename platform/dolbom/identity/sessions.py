"""Server-side session tokens in Redis.

The signed cookie only carries a random token; the token maps to the user in Redis with the
idle timeout as its TTL. A new token at every sign-in (no fixation), logout deletes it (a copied
cookie is worthless afterwards), and deactivating a user ends all their sessions at once."""

from __future__ import annotations

import secrets

from dolbom.kv import get_redis


def _key(token: str) -> str:
    return f"session:{token}"


def _user_key(user_id: int) -> str:
    return f"user-sessions:{user_id}"


def start(user_id: int, idle_seconds: int) -> str:
    token = secrets.token_urlsafe(32)
    r = get_redis()
    pipe = r.pipeline()
    pipe.set(_key(token), user_id, ex=idle_seconds)
    pipe.sadd(_user_key(user_id), token)
    pipe.execute()
    return token


def resolve(token: str, idle_seconds: int) -> int | None:
    """The user id behind a token, sliding its idle timeout; None if ended or expired."""
    r = get_redis()
    pipe = r.pipeline()
    pipe.get(_key(token))
    pipe.expire(_key(token), idle_seconds)
    value, _ = pipe.execute()
    return int(value) if value is not None else None


def end(token: str) -> None:
    r = get_redis()
    user_id = r.get(_key(token))
    r.delete(_key(token))
    if user_id is not None:
        r.srem(_user_key(int(user_id)), token)


def end_all(user_id: int) -> None:
    r = get_redis()
    tokens = r.smembers(_user_key(user_id))
    if tokens:
        r.delete(*[_key(t.decode()) for t in tokens])
    r.delete(_user_key(user_id))
