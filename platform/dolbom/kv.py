"""The process's Redis client (sessions, throttling, RQ). redis-py resets its pool after fork."""

from __future__ import annotations

import redis

_url: str | None = None
_client: redis.Redis | None = None


def configure(url: str) -> None:
    global _url, _client
    if _client is not None and url != _url:
        _client.close()
        _client = None
    _url = url


def get_redis() -> redis.Redis:
    global _client
    if _client is None:
        if _url is None:
            raise RuntimeError("Redis not configured: call dolbom.kv.configure() first")
        _client = redis.Redis.from_url(_url, health_check_interval=30)
    return _client
