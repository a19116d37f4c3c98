"""The 복지사각지대 발굴 plugin: what it contributes to the host (see the top-level README's plugin API)."""

from __future__ import annotations

from pathlib import Path

from dolbom.plugins.api import DolbomPlugin
from dolbom_blindspots.models import Base

HERE = Path(__file__).resolve().parent


class BlindSpotsPlugin(DolbomPlugin):
    name = "blindspots"
    title = "복지사각지대 발굴"
    migrations = HERE / "migrations"
    metadata = Base.metadata
