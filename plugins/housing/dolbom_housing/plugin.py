"""The 케어안심주택 plugin: what it contributes to the host (see the top-level README's plugin API)."""

from __future__ import annotations

from pathlib import Path

from dolbom.plugins.api import DolbomPlugin
from dolbom_housing.models import Base

HERE = Path(__file__).resolve().parent


class CareHousingPlugin(DolbomPlugin):
    name = "housing"
    title = "케어안심주택"
    migrations = HERE / "migrations"
    metadata = Base.metadata
