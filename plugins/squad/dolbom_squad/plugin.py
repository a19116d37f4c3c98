"""The 복지기동대 plugin: what it contributes to the host (see the top-level README's plugin API)."""

from __future__ import annotations

from pathlib import Path

from dolbom.plugins.api import DolbomPlugin
from dolbom_squad.models import Base

HERE = Path(__file__).resolve().parent


class WelfareSquadPlugin(DolbomPlugin):
    name = "squad"
    title = "복지기동대"
    migrations = HERE / "migrations"
    metadata = Base.metadata
