"""Sign-in throttling: after N failures for an e-mail (known or not) or from one address,
further attempts are refused for a while, with the same answer either way."""

from __future__ import annotations

import hashlib

from dolbom.kv import get_redis


def _keys(email: str, ip: str) -> list[str]:
    # Hashed: no e-mail addresses or IPs as Redis key names.
    e = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    i = hashlib.sha256(ip.encode()).hexdigest()[:32]
    return [f"login:fail:email:{e}", f"login:fail:ip:{i}"]


def locked(email: str, ip: str, max_failures: int) -> bool:
    r = get_redis()
    email_key, ip_key = _keys(email, ip)
    counts = r.mget(email_key, ip_key)
    email_fails = int(counts[0] or 0)
    # An address gets more room: several staff may share one office NAT.
    ip_fails = int(counts[1] or 0)
    return email_fails >= max_failures or ip_fails >= max_failures * 4


def record_failure(email: str, ip: str, lockout_minutes: int) -> None:
    r = get_redis()
    pipe = r.pipeline()
    for key in _keys(email, ip):
        pipe.incr(key)
        pipe.expire(key, lockout_minutes * 60)
    pipe.execute()


def clear(email: str, ip: str) -> None:
    get_redis().delete(_keys(email, ip)[0])
