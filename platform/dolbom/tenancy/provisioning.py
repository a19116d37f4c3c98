"""Creating a tenant schema at head without replaying every migration.

The head schema's DDL is compiled once per process from the models and sent in one round trip
inside the creating transaction, then each stream's version table is stamped with its head.
`tests/test_migrations.py` proves the result equals a schema built by running every migration."""

from __future__ import annotations

import re
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from dolbom.db import schema_for
from dolbom.migrate.streams import Stream


@cache
def _ddl(metadata: sa.MetaData) -> str:
    dialect = postgresql.dialect()
    statements: list[str] = []
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            statements.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
        # Triggers and functions a table needs (the migration that made it runs the same).
        statements.extend(table.info.get("after_create", ()))
    return ";\n".join(statements) + ";\n"


def head_ddl(stream: Stream) -> str:
    """DDL for the stream's head schema and its stamped version table (unqualified names)."""
    vt = stream.version_table
    return (
        _ddl(stream.metadata) + f"CREATE TABLE {vt} (version_num VARCHAR(32) NOT NULL, "
        f"CONSTRAINT {vt}_pkc PRIMARY KEY (version_num));\n"
        + f"INSERT INTO {vt} (version_num) VALUES ('{stream.head}');\n"
    )


_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def _safe(value: str) -> str:
    if not _SAFE.fullmatch(value):
        raise ValueError(f"not a plain identifier: {value!r}")
    return value


def catalogue_sql(tenant_id: int, slug: str, streams: list[Stream], user_id: int | None) -> str:
    """The new tenant's catalogue rows (stream revisions) and its audit event, as SQL to send
    with the DDL: one round trip instead of three. Only integers and plain identifiers (checked
    here) are written into it, never free text."""
    rows = ", ".join(
        f"({int(tenant_id)}, '{_safe(s.name)}', '{_safe(s.head or '')}', 'ok', now())"
        for s in streams
    )
    user = "NULL" if user_id is None else str(int(user_id))
    return (
        "INSERT INTO dolbom.tenant_migration (tenant_id, stream, revision, status, updated_at) "
        f"VALUES {rows};\n"
        "INSERT INTO dolbom.platform_event (at, user_id, action, tenant_slug, detail) "
        f"VALUES (now(), {user}, 'tenant.created', '{_safe(slug)}', '{{}}');\n"
    )


def create_schema_at_head(
    conn: sa.Connection, slug: str, streams: list[Stream], also: str = ""
) -> None:
    """Create `t_<slug>` with every stream at head, and run `also` in the same round trip.
    Runs inside the caller's transaction."""
    schema = schema_for(slug)
    script = f'CREATE SCHEMA "{schema}";\nSET LOCAL search_path TO "{schema}";\n'
    script += "".join(head_ddl(stream) for stream in streams) + also
    # LOCAL: the search_path ends with this transaction and never reaches the pool.
    conn.exec_driver_sql(script)


def drop_schema(conn: sa.Connection, slug: str) -> None:
    conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema_for(slug)}" CASCADE')


def schema_exists(conn: sa.Connection, slug: str) -> bool:
    return bool(
        conn.execute(
            sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :n"), {"n": schema_for(slug)}
        ).scalar()
    )
