"""The plaintext scan the suite runs after every test and at its end can find a number."""

from __future__ import annotations

import zlib

import sqlalchemy as sa

from dolbom import db, kv
from dolbom.people import pii
from tests import rrn_scan


def test_numbers_are_found_in_text_but_not_inside_hex():
    assert rrn_scan.in_text("메모 440101-2345678 끝") == ["440101-2345678"]
    assert rrn_scan.in_text("4401012345678") == ["4401012345678"]
    assert rrn_scan.in_text("a4401012345678f") == []  # a run of hex: a ciphertext or token
    assert rrn_scan.in_text("010-2345-6789 2026-11-24 780101-1******") == []


def test_the_database_and_redis_scans_can_fail():
    engine = db.get_engine()
    with engine.begin() as conn:
        conn.exec_driver_sql('CREATE SCHEMA "t_scan_probe"')
        conn.exec_driver_sql('CREATE TABLE "t_scan_probe".note (id int, body text, blob bytea)')
        conn.exec_driver_sql(
            "INSERT INTO t_scan_probe.note VALUES (1, '주민번호 4401012345678', NULL)"
        )
    try:
        assert rrn_scan.in_database(engine) == ["t_scan_probe.note: 1 rows"]
        with engine.begin() as conn:  # a file kept as bytes is read too
            conn.exec_driver_sql(
                "UPDATE t_scan_probe.note SET body = 'x', blob = '4401012345678'::bytea"
            )
        assert rrn_scan.in_database(engine) == ["t_scan_probe.note: 1 rows"]
        with engine.begin() as conn:  # ...and sealed, it holds nothing readable
            conn.execute(
                sa.text("UPDATE t_scan_probe.note SET blob = :b"),
                {"b": pii.cipher().seal("probe", b"4401012345678", "note:1")},
            )
        assert rrn_scan.in_database(engine) == []
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql('DROP SCHEMA "t_scan_probe" CASCADE')
    r = kv.get_redis()
    r.hset("rq:job:probe", "data", zlib.compress(b"args: ('440101-2345678',)"))
    try:
        assert rrn_scan.in_redis(r) == ["b'rq:job:probe': 440101-2345678"]
    finally:
        r.delete("rq:job:probe")
    assert rrn_scan.in_redis(r) == []
