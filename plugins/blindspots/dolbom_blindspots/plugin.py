"""The 복지사각지대 발굴 plugin: what it contributes to the host (see the top-level README's plugin API)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
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
    translations = HERE / "translations"
    metadata = Base.metadata
    settings = (RULE_SET,)
    jobs: ClassVar[dict] = {"blindspots-import": import_job}

    @hookimpl
    def dolbom_navigation(self, ctx: TenantContext) -> list[NavItem]:
        return [NavItem(_("사각지대 발굴"), f"{ENDPOINT}.index", roles=STAFF)]

    @hookimpl
    def dolbom_landing_panels(self, ctx: TenantContext, session: Session) -> list[Panel]:
        if ctx.role not in STAFF:
            return []
        counts = queries.open_counts(session, member_dongs())
        waiting = sum(counts.values())
        lines = tuple(_("위험도 %(risk)s: %(n)s건", risk=label, n=f"{counts.get(k, 0):,}")
                      for k, label in RISKS.items())  # fmt: skip
        if ctx.role == "frontline_worker":
            body = _("내 동에서 방문을 기다리는 사람 %(n)s명", n=f"{waiting:,}")
            return [Panel(_("사각지대 발굴 방문"), body, lines, _("방문 목록"),
                          url_for(f"{ENDPOINT}.tasks"))]  # fmt: skip
        latest = session.scalar(sa.select(Batch).order_by(Batch.id.desc()).limit(1))
        body = (_("최근 명단 '%(label)s': %(n)s명 가져옴, 방문 대기 %(waiting)s명",
                  label=latest.label, n=f"{latest.imported_count:,}", waiting=f"{waiting:,}")
                if latest else _("아직 올린 발굴 명단이 없습니다."))  # fmt: skip
        return [Panel(_("사각지대 발굴"), body, lines if latest else (), _("발굴 명단"),
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
        labels = ", ".join(BY_KEY[k].header for k in task.indicators) or _("없음")
        lines = (
            _("위기 지표: %(items)s", items=labels),
            _("위험도 %(risk)s (%(n)s점)", risk=RISKS.get(task.risk, task.risk), n=task.score),
        )
        return [Panel(_("복지사각지대 발굴 명단"), _("'%(label)s'에 있었습니다.", label=batch.label),
                      lines, _("발굴 기록"), url_for(f"{ENDPOINT}.task", task_id=task.id))]  # fmt: skip

    @hookimpl
    def dolbom_demo_data(self, tenant_slug: str, session: Session, staff: dict[str, int]) -> None:
        from dolbom_blindspots.demo import seed

        seed(session, tenant_slug, staff)
