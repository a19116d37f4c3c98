"""The 위기가구 신고 plugin: what it contributes to the host (see the top-level README's plugin API)."""

from __future__ import annotations

from pathlib import Path

from dolbom.plugins.api import DolbomPlugin
from dolbom_reports.models import Base

HERE = Path(__file__).resolve().parent


class CrisisReportsPlugin(DolbomPlugin):
    name = "reports"
    title = "위기가구 신고"
    migrations = HERE / "migrations"
    metadata = Base.metadata
