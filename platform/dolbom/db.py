"""Engine, model bases and tenant-bound sessions.

Tenant tables are declared without a schema; a session for a tenant runs on a connection whose
`schema_translate_map` points `None` at `t_<slug>`. Nothing is set on the connection itself, so a
pooled connection carries no tenant state to the next request (SQLAlchemy #4081).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Session

SHARED_SCHEMA = "dolbom"

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class SharedBase(DeclarativeBase):
    """Tables of the shared schema: tenants, users, memberships, plugins, jobs."""

    metadata = sa.MetaData(schema=SHARED_SCHEMA, naming_convention=NAMING)


class TenantBase(DeclarativeBase):
    """Tables inside every tenant schema (`schema=None`, translated per session)."""

    metadata = sa.MetaData(naming_convention=NAMING)


def schema_for(slug: str) -> str:
    return "t_" + slug.replace("-", "_")


_lock = threading.Lock()
_engine: sa.Engine | None = None
_engine_pid: int | None = None
_url: str | None = None
_pool_size = 5


def configure(url: str, *, pool_size: int = 5) -> None:
    """Set the database URL for this process; the engine is made lazily, once per process."""
    global _url, _pool_size, _engine
    with _lock:
        if _engine is not None and (_url, _pool_size) != (url, pool_size):
            _engine.dispose()
            _engine = None
        _url, _pool_size = url, pool_size


def get_engine() -> sa.Engine:
    """The process's engine. After a fork (RQ work horse, process pool) the child makes its own
    and drops the parent's pooled connections without closing them under the parent."""
    global _engine, _engine_pid
    pid = os.getpid()
    if _engine is not None and _engine_pid == pid:
        return _engine
    with _lock:
        if _engine is not None and _engine_pid != pid:
            _engine.dispose(close=False)
            _engine = None
        if _engine is None:
            if _url is None:
                raise RuntimeError("database not configured: call dolbom.db.configure() first")
            _engine = sa.create_engine(
                _url,
                pool_size=_pool_size,
                max_overflow=max(2, _pool_size),
                # No pre-ping: it cost a round trip on every request. A connection the server
                # dropped fails one request; SQLAlchemy then invalidates the whole pool. Recycling
                # keeps connections from outliving server-side idle limits.
                pool_recycle=600,
                pool_timeout=30,
                # Error messages (logged, stored by RQ) must never carry row values.
                hide_parameters=True,
            )
            _engine_pid = pid
        return _engine


def dispose() -> None:
    global _engine
    with _lock:
        if _engine is not None:
            _engine.dispose()
            _engine = None


def tenant_bind(slug: str, engine: sa.Engine | None = None) -> sa.Engine:
    return (engine or get_engine()).execution_options(schema_translate_map={None: schema_for(slug)})


def shared_session() -> Session:
    # Translating None to a schema nobody has makes any accidental tenant query fail loudly
    # instead of landing in `public`.
    bind = get_engine().execution_options(schema_translate_map={None: "no_tenant_bound"})
    return Session(bind=bind, expire_on_commit=False)


def tenant_session(slug: str) -> Session:
    return Session(bind=tenant_bind(slug), expire_on_commit=False)


@contextmanager
def tenant_transaction(slug: str) -> Iterator[Session]:
    with tenant_session(slug) as session, session.begin():
        yield session


def drop_our_schemas(url: str) -> None:
    """Drop the shared schema, every tenant schema and parked plugin tables in the database at
    `url` — for a test or benchmark database on a server shared with other work."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            schemas = conn.execute(
                sa.text(
                    "SELECT nspname FROM pg_namespace WHERE nspname = :shared "
                    "OR nspname LIKE 't\\_%' OR nspname LIKE 'parked\\_%'"
                ),
                {"shared": SHARED_SCHEMA},
            ).scalars()
            for schema in list(schemas):
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        engine.dispose()
