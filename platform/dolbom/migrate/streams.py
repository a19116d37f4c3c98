"""Migration streams: the shared schema, the core tenant stream and one branch per plugin.

Each tenant-side stream has its own version table inside the tenant schema, so a plugin can
be applied to (or removed from) one tenant without touching the core stream."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from dolbom.config import ROOT
from dolbom.db import TenantBase

MIGRATIONS = ROOT / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("path_separator", "os")
    return cfg


@dataclass(frozen=True)
class Stream:
    name: str  # "core" or the plugin's name
    versions: Path
    version_table: str
    metadata: sa.MetaData

    def config(self, **attributes: object) -> Config:
        cfg = _config()
        cfg.set_main_option("script_location", str(MIGRATIONS / "tenant"))
        cfg.set_main_option("version_locations", str(self.versions))
        cfg.attributes.update(
            metadata=self.metadata, version_table=self.version_table, **attributes
        )
        return cfg

    @property
    def head(self) -> str | None:
        return _head(str(MIGRATIONS / "tenant"), str(self.versions))


@cache
def _head(script_location: str, versions: str) -> str | None:
    cfg = _config()
    cfg.set_main_option("script_location", script_location)
    cfg.set_main_option("version_locations", versions)
    return ScriptDirectory.from_config(cfg).get_current_head()


def core_stream() -> Stream:
    import dolbom.models  # noqa: F401  (fills TenantBase.metadata)

    return Stream(
        "core", MIGRATIONS / "tenant" / "versions", "alembic_version", TenantBase.metadata
    )


def plugin_stream(plugin: object) -> Stream | None:
    versions = getattr(plugin, "migrations", None)
    metadata = getattr(plugin, "metadata", None)
    if versions is None or metadata is None:
        return None
    name = plugin.name  # type: ignore[attr-defined]
    return Stream(name, Path(versions), f"alembic_version_{name.replace('-', '_')}", metadata)


def shared_config(connection: sa.Connection) -> Config:
    cfg = _config()
    cfg.set_main_option("script_location", str(MIGRATIONS / "platform"))
    cfg.attributes["connection"] = connection
    return cfg


def shared_head() -> str | None:
    return _head(str(MIGRATIONS / "platform"), str(MIGRATIONS / "platform" / "versions"))
