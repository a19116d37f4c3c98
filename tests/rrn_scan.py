"""Looking for resident registration numbers stored in plaintext: in every schema of the test
database, in Redis and in the logs. The suite runs it after each test (Redis, which each test
empties) and once at its end (database and logs); tests/test_rrn_scan.py shows it can fail.

A number is six digits, an optional hyphen, a sex digit 1–8 and six digits, not inside a longer
run of hex digits (ciphertexts, blind indexes and tokens are hex or binary and would otherwise
match by chance)."""

from __future__ import annotations

import contextlib
import re
import zlib
from pathlib import Path

import sqlalchemy as sa

PATTERN = re.compile(r"(?<![0-9A-Fa-f])\d{6}-?[1-8]\d{6}(?![0-9A-Fa-f])")
SQL_PATTERN = r"(^|[^0-9A-Fa-f])[0-9]{6}-?[1-8][0-9]{6}([^0-9A-Fa-f]|$)"
BINARY = {"bytea"}


def in_text(text: str) -> list[str]:
    return PATTERN.findall(text)


def _readable(value: bytes) -> str:
    """RQ stores job data zlib-compressed; look inside."""
    with contextlib.suppress(zlib.error):
        value = zlib.decompress(value)
    return value.decode("latin-1")


def in_redis(redis) -> list[str]:  # type: ignore[no-untyped-def]
    found: list[str] = []
    for key in redis.scan_iter(count=500):
        kind = redis.type(key)
        values: list[bytes] = [key]
        if kind == b"string":
            values.append(redis.get(key) or b"")
        elif kind == b"hash":
            for field, value in redis.hgetall(key).items():
                values += [field, value]
        elif kind == b"list":
            values += redis.lrange(key, 0, -1)
        elif kind in (b"set", b"zset"):
            values += list(redis.smembers(key)) if kind == b"set" else redis.zrange(key, 0, -1)
        for value in values:
            found += [f"{key!r}: {m}" for m in in_text(_readable(value))]
    return found


def _as_text(column: str, data_type: str) -> str:
    # A binary column is read as its bytes (escape form: printable bytes as they are), so a
    # file stored unsealed is found; ciphertexts are random bytes and do not match.
    if data_type in BINARY:
        return f"coalesce(encode(\"{column}\", 'escape'), '')"
    return f"coalesce(\"{column}\"::text, '')"


def in_database(engine: sa.Engine) -> list[str]:
    """Tables (schema.table) with a row holding a number in any column, binary ones too."""
    found: list[str] = []
    with engine.connect() as conn:
        columns = conn.execute(sa.text(
            "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
            "AND table_name IN (SELECT table_name FROM information_schema.tables t "
            "  WHERE t.table_schema = columns.table_schema AND t.table_type = 'BASE TABLE') "
            "ORDER BY 1, 2"
        )).all()  # fmt: skip
        tables: dict[tuple[str, str], list[str]] = {}
        for schema, table, column, data_type in columns:
            tables.setdefault((schema, table), []).append(_as_text(column, data_type))
        for (schema, table), cols in tables.items():
            row_text = " || ' ' || ".join(cols)
            count = conn.execute(
                sa.text(f'SELECT count(*) FROM "{schema}"."{table}" WHERE ({row_text}) ~ :p'),
                {"p": SQL_PATTERN},
            ).scalar()
            if count:
                found.append(f"{schema}.{table}: {count} rows")
    return found


def in_file(path: Path) -> list[str]:
    if not path.exists():
        return []
    return in_text(path.read_text(encoding="utf-8", errors="replace"))
