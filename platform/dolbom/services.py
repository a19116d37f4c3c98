"""Where the database and Redis come from: configured servers, or the embedded defaults."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from dolbom import db, kv
from dolbom.config import Settings
from dolbom.people import pii

log = logging.getLogger(__name__)


@dataclass
class Services:
    database_url: str
    redis_url: str
    started: list[object] = field(default_factory=list)

    def stop(self) -> None:
        """Stop the embedded servers this process started (not ones it found running)."""
        for handle in reversed(self.started):
            if getattr(handle, "started_here", False):
                handle.stop()  # type: ignore[attr-defined]


def resolve(settings: Settings, *, redis: bool = True) -> Services:
    """Use the configured servers, or start (or reuse) the embedded ones under instance/."""
    from dolbom import embedded

    started: list[object] = []
    database_url = settings.database_url
    if database_url is None:
        pg = embedded.start_postgres(settings.instance)
        started.append(pg)
        database_url = pg.url
    redis_url = settings.redis_url or ""
    if not redis_url and redis:
        rd = embedded.start_redis(settings.instance)
        started.append(rd)
        redis_url = rd.url
    return Services(database_url, redis_url, started)


def connect(settings: Settings, *, redis: bool = True) -> Services:
    services = resolve(settings, redis=redis)
    db.configure(services.database_url, pool_size=settings.pool_size)
    pii.configure(settings.pii_key)
    if services.redis_url:
        kv.configure(services.redis_url)
    return services
