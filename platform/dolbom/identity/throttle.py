"""Sign-in throttling: after N failures for an e-mail (known or not) or from one address,
further attempts are refused for a while, with the same answer either way.

Every attempt is counted *before* the password is checked (and the count cleared on success),
so parallel guesses cannot slip past the limit between a check and an increment."""

from __future__ import annotations

import hashlib

from dolbom.kv import get_redis


def _keys(email: str, ip: str) -> tuple[str, str]:
    # Hashed: no e-mail addresses or IPs as Redis key names.
    e = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    i = hashlib.sha256(ip.encode()).hexdigest()[:32]
    return f"login:fail:email:{e}", f"login:fail:ip:{i}"


def attempt(email: str, ip: str, max_failures: int, lockout_minutes: int) -> bool:
    """Count this attempt; False if the e-mail or the address is locked out."""
    email_key, ip_key = _keys(email, ip)
    pipe = get_redis().pipeline()
    for key in (email_key, ip_key):
        # The window starts at the first attempt (SET NX: works on Redis 6, unlike EXPIRE NX).
        pipe.set(key, 0, ex=lockout_minutes * 60, nx=True)
        pipe.incr(key)
    _, email_count, _, ip_count = pipe.execute()
    # An address gets more room: several staff may share one office's NAT.
    return email_count <= max_failures and ip_count <= max_failures * 4


def succeeded(email: str, ip: str) -> None:
    email_key, ip_key = _keys(email, ip)
    pipe = get_redis().pipeline()
    pipe.delete(email_key)
    pipe.decr(ip_key)  # the office's other people keep their allowance
    pipe.execute()
