"""The 케어안심주택 plugin: what it contributes to the host (see the top-level README's plugin API)."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from dolbom.plugins.api import (
    CaseInfo,
    DolbomPlugin,
    NavItem,
    Panel,
    TenantContext,
    hookimpl,
    today,
)
from dolbom_housing import demo, operations, panels
from dolbom_housing.blueprint import make_blueprint
from dolbom_housing.models import Base
from dolbom_housing.scoring import RULE_SET_SETTING
from dolbom_housing.web import READERS

HERE = Path(__file__).resolve().parent


class CareHousingPlugin(DolbomPlugin):
    name = "housing"
    title = "케어안심주택"
    blueprint = staticmethod(make_blueprint)
    migrations = HERE / "migrations"
    translations = HERE / "translations"
    metadata = Base.metadata
    settings = (RULE_SET_SETTING,)

    @hookimpl
    def dolbom_navigation(self, ctx: TenantContext) -> list[NavItem]:
        return [NavItem(_("케어안심주택"), "tenant.plugin_housing.index", frozenset(READERS))]

    @hookimpl
    def dolbom_landing_panels(self, ctx: TenantContext, session: Session) -> list[Panel]:
        return panels.landing_panels(ctx, session)

    @hookimpl
    def dolbom_case_panels(
        self, ctx: TenantContext, session: Session, case: CaseInfo
    ) -> list[Panel]:
        return panels.case_panels(ctx, session, case)

    @hookimpl
    def dolbom_case_transition(
        self, tenant_slug: str, session: Session, case: CaseInfo, action: str,
        from_stage: str | None, user_id: int,
    ) -> None:  # fmt: skip
        if action in ("close", "reopen"):
            operations.on_case_transition(session, case, action, today())

    @hookimpl
    def dolbom_demo_data(self, tenant_slug: str, session: Session, staff: dict[str, int]) -> None:
        demo.seed(session, tenant_slug, staff)
