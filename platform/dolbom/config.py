"""Settings, read only from environment variables (the README has the table)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

# The source tree: platform/dolbom/config.py -> repository root.
ROOT = Path(__file__).resolve().parents[2]


class ConfigError(RuntimeError):
    """Start-up refused: the message says which variable is at fault."""


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def normalise_database_url(url: str) -> str:
    """Accept libpq-style URLs (`postgresql:///test`) and use psycopg 3 with them."""
    for prefix in ("postgresql+psycopg2://", "postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    instance: Path = ROOT / "instance"
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str = ""
    pii_key: str = ""
    demo: bool = False
    session_idle_minutes: int = 30
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    secure_cookies: bool = False
    metrics_token: str | None = None
    migrate_processes: int = 0
    pool_size: int = 5
    proxies: int = 0
    log_level: str = "INFO"
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get("DOLBOM_ENV", "development").strip() or "development"
        instance = Path(os.environ.get("DOLBOM_INSTANCE", ROOT / "instance")).resolve()
        production = env == "production"
        db = os.environ.get("DOLBOM_DATABASE_URL") or None
        secret = os.environ.get("DOLBOM_SECRET_KEY", "")
        pii = os.environ.get("DOLBOM_PII_KEY", "")
        if production:
            missing = [
                n
                for n, v in (("DOLBOM_SECRET_KEY", secret), ("DOLBOM_PII_KEY", pii))
                if len(v) < 32
            ]
            if missing:
                raise ConfigError(
                    f"production mode needs {', '.join(missing)} (at least 32 characters)"
                )
            if db is None:
                raise ConfigError("production mode needs DOLBOM_DATABASE_URL")
        if not secret:
            secret = _instance_secret(instance, "secret_key")
        if not pii:
            pii = _instance_secret(instance, "pii_key")
        # Demo accounts exist only with the embedded database or when asked for, never in
        # production whatever the variables say.
        demo = not production and (db is None or _flag("DOLBOM_DEMO"))
        return cls(
            env=env,
            instance=instance,
            database_url=normalise_database_url(db) if db else None,
            redis_url=os.environ.get("DOLBOM_REDIS_URL") or None,
            secret_key=secret,
            pii_key=pii,
            demo=demo,
            session_idle_minutes=_int("DOLBOM_SESSION_IDLE_MINUTES", 30),
            login_max_failures=_int("DOLBOM_LOGIN_MAX_FAILURES", 5),
            login_lockout_minutes=_int("DOLBOM_LOGIN_LOCKOUT_MINUTES", 15),
            secure_cookies=_flag("DOLBOM_SECURE_COOKIES", default=production),
            metrics_token=os.environ.get("DOLBOM_METRICS_TOKEN") or None,
            migrate_processes=_int("DOLBOM_MIGRATE_PROCESSES", 0),
            pool_size=_int("DOLBOM_DB_POOL_SIZE", 5),
            proxies=_int("DOLBOM_PROXIES", 0),
            log_level=os.environ.get("DOLBOM_LOG_LEVEL", "INFO"),
        )


def _instance_secret(instance: Path, name: str) -> str:
    """A key generated once into instance/ for the development and demo default."""
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race; use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value
