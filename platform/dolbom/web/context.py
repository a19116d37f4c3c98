"""The request's database session and tenant.

A request works with exactly one Session: bound to its tenant's schema on tenant routes, to the
shared schema elsewhere. Shared tables carry their schema explicitly, so user and membership
look-ups work on either."""

from __future__ import annotations

from flask import g
from sqlalchemy.orm import Session

from dolbom.db import shared_session, tenant_session


def db() -> Session:
    session = g.get("db")
    if session is None:
        slug = g.get("tenant_slug")
        session = tenant_session(slug) if slug else shared_session()
        g.db = session
    return session


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()  # rolls back anything not committed; the connection goes back clean
