"""The 복지사각지대 발굴 plugin: what it contributes to the host (see the top-level README's plugin API)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from dolbom.plugins.api import (
    CaseInfo,
    DolbomPlugin,
    NavItem,
    Panel,
    TenantContext,
    hookimpl,
    member_dongs,
)
from dolbom_blindspots import queries
from dolbom_blindspots.blueprint import make_blueprint
from dolbom_blindspots.columns import BY_KEY
from dolbom_blindspots.importing import import_job
from dolbom_blindspots.models import RISKS, Base, Batch
from dolbom_blindspots.scoring import RULE_SET

HERE = Path(__file__).resolve().parent
STAFF = frozenset({"coordinator", "city_admin", "frontline_worker"})
ENDPOINT = "tenant.plugin_blindspots"


class BlindSpotsPlugin(DolbomPlugin):
    name = "blindspots"
    title = "복지사각지대 발굴"
    blueprint = staticmethod(make_blueprint)
    migrations = HERE / "migrations"
    metadata = Base.metadata
    settings = (RULE_SET,)
    jobs: ClassVar[dict] = {"blindspots-import": import_job}

    @hookimpl
    def dolbom_navigation(self, ctx: TenantContext) -> list[NavItem]:
        return [NavItem("사각지대 발굴", f"{ENDPOINT}.index", roles=STAFF)]

    @hookimpl
    def dolbom_landing_panels(self, ctx: TenantContext, session: Session) -> list[Panel]:
        if ctx.role not in STAFF:
            return []
        counts = queries.open_counts(session, member_dongs())
        waiting = sum(counts.values())
        lines = tuple(f"위험도 {label}: {counts.get(k, 0):,}건" for k, label in RISKS.items())
        if ctx.role == "frontline_worker":
            return [Panel("사각지대 발굴 방문", f"내 동에서 방문을 기다리는 사람 {waiting:,}명", lines,
                          "방문 목록", url_for(f"{ENDPOINT}.tasks"))]  # fmt: skip
        latest = session.scalar(sa.select(Batch).order_by(Batch.id.desc()).limit(1))
        body = (f"최근 명단 '{latest.label}': {latest.imported_count:,}명 가져옴, "
                f"방문 대기 {waiting:,}명" if latest else "아직 올린 발굴 명단이 없습니다.")  # fmt: skip
        return [Panel("사각지대 발굴", body, lines if latest else (), "발굴 명단",
                      url_for(f"{ENDPOINT}.index"))]  # fmt: skip

    @hookimpl
    def dolbom_case_panels(
        self, ctx: TenantContext, session: Session, case: CaseInfo
    ) -> list[Panel]:
        if ctx.role not in STAFF:
            return []
        found = queries.tasks_of_case(session, case.id, case.person_id)
        if not found:
            return []
        task, batch = found[0]
        labels = ", ".join(BY_KEY[k].header for k in task.indicators) or "없음"
        lines = (
            f"위기 지표: {labels}",
            f"위험도 {RISKS.get(task.risk, task.risk)} ({task.score}점)",
        )
        return [Panel("복지사각지대 발굴 명단", f"'{batch.label}'에 있었습니다.", lines,
                      "발굴 기록", url_for(f"{ENDPOINT}.task", task_id=task.id))]  # fmt: skip

    @hookimpl
    def dolbom_demo_data(self, tenant_slug: str, session: Session, staff: dict[str, int]) -> None:
        from dolbom_blindspots.demo import seed

        seed(session, tenant_slug, staff)
