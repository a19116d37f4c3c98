"""The 위기가구 신고 plugin: what it contributes to the host (see the top-level README's plugin API)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

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
from dolbom_reports import queries
from dolbom_reports.jobs import KIND, SWEEP, reward_job, reward_sweep
from dolbom_reports.models import DUE_STATES, Base
from dolbom_reports.public_views import PER_HOUR, make_public_blueprint
from dolbom_reports.reward import RULE_SET, on_case_approved
from dolbom_reports.staff_views import TRIAGE, make_blueprint

HERE = Path(__file__).resolve().parent


class CrisisReportsPlugin(DolbomPlugin):
    name = "reports"
    title = "위기가구 신고"
    blueprint = staticmethod(make_blueprint)
    public_blueprint = staticmethod(make_public_blueprint)
    migrations = HERE / "migrations"
    translations = HERE / "translations"
    metadata = Base.metadata
    settings = (RULE_SET, PER_HOUR)
    jobs: ClassVar[dict] = {KIND: reward_job, SWEEP: reward_sweep}
    hourly = (reward_sweep,)

    @hookimpl
    def dolbom_navigation(self, ctx: TenantContext) -> list[NavItem]:
        return [NavItem(_("위기가구 신고"), "tenant.plugin_reports.index", frozenset(TRIAGE))]

    @hookimpl
    def dolbom_landing_panels(self, ctx: TenantContext, session: Session) -> list[Panel]:
        if ctx.role not in TRIAGE:
            return []
        n = queries.new_count(session, member_dongs())
        body = (_("분류를 기다리는 신고 %(n)s건", n=f"{n:,}") if n
                else _("분류를 기다리는 신고가 없습니다"))  # fmt: skip
        return [Panel(_("위기가구 신고"), body, link_label=_("신고 목록"),
                      link_url=url_for("tenant.plugin_reports.index"))]  # fmt: skip

    @hookimpl
    def dolbom_case_transition(self, tenant_slug: str, session: Session, case: CaseInfo,
                               action: str, from_stage: str | None, user_id: int) -> None:  # fmt: skip
        if action == "approve" and case.in_service:
            on_case_approved(session, tenant_slug, case)

    @hookimpl
    def dolbom_case_panels(
        self, ctx: TenantContext, session: Session, case: CaseInfo
    ) -> list[Panel]:
        if ctx.role not in TRIAGE:
            return []
        report = queries.report_of_case(session, case.id)
        dongs = member_dongs()
        if report is None or (dongs is not None and report.dong_code not in dongs):
            return []
        due, payment = queries.reward_of(session, report.id)
        if payment is not None:
            reward = _("포상금: %(status)s ₩%(amount)s", status=payment.status_label,
                       amount=f"{payment.amount:,}")  # fmt: skip
        elif due is not None:
            reward = _("포상금: %(status)s", status=DUE_STATES.get(due.state, due.state)) + (
                f" — {due.note}" if due.note else ""
            )
        else:
            reward = _("포상금: 승인되면 확인합니다")
        body = _("신고 %(receipt)s · %(day)s", receipt=report.receipt_no,
                 day=f"{report.received_at:%Y-%m-%d}")  # fmt: skip
        return [Panel(_("위기가구 신고로 접수"), body, (reward,), _("신고 보기"),
                      url_for("tenant.plugin_reports.show", report_id=report.id))]  # fmt: skip

    @hookimpl
    def dolbom_demo_data(self, tenant_slug: str, session: Session, staff: dict[str, int]) -> None:
        from dolbom_reports.demo import seed

        seed(session, tenant_slug, staff)
