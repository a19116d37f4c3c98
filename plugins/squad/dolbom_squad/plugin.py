"""The 복지기동대 plugin: what it contributes to the host (see the top-level README's plugin API)
and the plugin's own README for roles, routes and tables."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from dolbom.plugins.api import (
    CaseInfo,
    DolbomPlugin,
    NavItem,
    Panel,
    TenantContext,
    hookimpl,
)
from dolbom_squad.models import KINDS, STATUSES, Base
from dolbom_squad.web import STAFF_ROLES

HERE = Path(__file__).resolve().parent


def make_blueprint() -> Blueprint:
    from dolbom_squad import order_views, summary_views, volunteer_views

    bp = Blueprint("squad", __name__, template_folder="templates")
    bp.add_url_rule("/", "index", order_views.index)
    bp.add_url_rule("/orders/new", "new_order", order_views.new, methods=["GET", "POST"])
    bp.add_url_rule("/orders/<int:order_id>", "order", order_views.show)
    bp.add_url_rule("/orders/<int:order_id>/pick", "pick", order_views.pick)
    bp.add_url_rule("/orders/<int:order_id>/assign", "assign", order_views.assign,
                    methods=["POST"])  # fmt: skip
    bp.add_url_rule("/orders/<int:order_id>/complete", "complete", order_views.complete,
                    methods=["POST"])  # fmt: skip
    bp.add_url_rule("/orders/<int:order_id>/cancel", "cancel", order_views.cancel,
                    methods=["POST"])  # fmt: skip
    bp.add_url_rule("/orders/<int:order_id>/photos/<int:photo_id>", "photo", order_views.photo)
    bp.add_url_rule("/volunteers/", "volunteers", volunteer_views.index)
    bp.add_url_rule("/volunteers/new", "new_volunteer", volunteer_views.new,
                    methods=["GET", "POST"])  # fmt: skip
    bp.add_url_rule("/volunteers/<int:volunteer_id>", "volunteer", volunteer_views.edit,
                    methods=["GET", "POST"])  # fmt: skip
    bp.add_url_rule("/summary/", "summary", summary_views.index)
    bp.add_url_rule("/summary/<month>.<fmt>", "summary_export", summary_views.export)
    return bp


class WelfareSquadPlugin(DolbomPlugin):
    name = "squad"
    title = "복지기동대"
    blueprint = staticmethod(make_blueprint)
    migrations = HERE / "migrations"
    translations = HERE / "translations"
    metadata = Base.metadata

    @hookimpl
    def dolbom_navigation(self, ctx: TenantContext) -> list[NavItem]:
        return [NavItem(_("복지기동대"), "tenant.plugin_squad.index", frozenset(STAFF_ROLES))]

    @hookimpl
    def dolbom_case_panels(
        self, ctx: TenantContext, session: Session, case: CaseInfo
    ) -> list[Panel]:
        """The case's work orders and their status (staff only; the member may see the case)."""
        if ctx.role not in STAFF_ROLES:
            return []
        from dolbom_squad.queries import orders_of_case

        orders = orders_of_case(session, case.id)
        new_url = url_for("tenant.plugin_squad.new_order", case_id=case.id)
        if not orders:
            return [Panel(_("복지기동대"), _("이 사례의 작업 요청이 없습니다."),
                          link_label=_("작업 요청 등록"), link_url=new_url)]  # fmt: skip
        open_ = sum(o.status in ("received", "assigned") for o in orders)
        lines = tuple(
            f"#{o.id} {KINDS[o.kind]} · {STATUSES[o.status]} · "
            + _("요청 %(day)s", day=o.requested_on)
            + (
                _(" · 완료 %(day)s", day=o.completed_on)
                if o.completed_on
                else _(" · 기한 %(day)s", day=o.due_on)
            )
            + (_(" · 조치 필요") if o.needs_action else "")
            for o in orders
        )
        body = _("작업 요청 %(n)d건 (진행 중 %(open)d건)", n=len(orders), open=open_)
        return [Panel(_("복지기동대"), body, lines, _("작업 요청 보기"), url_for("tenant.plugin_squad.index", case_id=case.id))]  # fmt: skip

    @hookimpl
    def dolbom_demo_data(self, tenant_slug: str, session: Session, staff: dict[str, int]) -> None:
        from dolbom_squad.demo import seed

        seed(session, staff)
