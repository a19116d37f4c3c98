"""Which tenants exist and which plugins they have on, cached per process.

Every tenant request needs this; reading it from the database each time was a third of the
page's work. The cache is checked against a generation counter in Redis that every change
(create, drop, import, plugin switch) increments, so all processes see a change at once."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from dolbom.db import schema_for
from dolbom.kv import get_redis
from dolbom.tenancy.models import Tenant

GENERATION_KEY = "dolbom:tenants:generation"
_lock = threading.Lock()
_cache: dict[str, TenantInfo] = {}
_generation: bytes | None = None


@dataclass(frozen=True)
class TenantInfo:
    id: int
    slug: str
    name: str
    region: str | None
    plugins: frozenset[str]

    @property
    def schema(self) -> str:
        return schema_for(self.slug)

    def enabled_plugins(self) -> frozenset[str]:
        return self.plugins


def lookup(session: Session, slug: str, generation: bytes | None = None) -> TenantInfo | None:
    """`generation`: the counter if the caller already read it (with the session, in one
    Redis round trip); otherwise it is read here."""
    global _generation
    if generation is None:
        generation = get_redis().get(GENERATION_KEY) or b"0"
    with _lock:
        if generation != _generation:
            _cache.clear()
            _generation = generation
        info = _cache.get(slug)
    if info is not None:
        return info
    tenant = session.scalar(
        sa.select(Tenant).where(Tenant.slug == slug).options(selectinload(Tenant.plugins))
    )
    if tenant is None:
        return None  # unknown slugs are not cached: nobody can fill memory with them
    info = TenantInfo(tenant.id, tenant.slug, tenant.name, tenant.region, tenant.enabled_plugins())
    with _lock:
        if _generation == generation:
            _cache[slug] = info
    return info


def changed() -> None:
    """Call after committing any change to tenants or their plugins."""
    get_redis().incr(GENERATION_KEY)
