"""The hooks a plugin may implement. Each is called only for the tenants where the plugin is
switched on (the host builds a subset caller per set of enabled plugins).

Static contributions — name, blueprint, templates, migrations, settings, jobs — are attributes
of the plugin class (see `dolbom.plugins.api.DolbomPlugin`); hooks are for things that happen."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dolbom.plugins.api import NavItem, Panel, TenantContext
    from dolbom.plugins.services import CaseInfo

hookspec = pluggy.HookspecMarker("dolbom")
hookimpl = pluggy.HookimplMarker("dolbom")


class DolbomSpecs:
    @hookspec
    def dolbom_navigation(self, ctx: TenantContext) -> list[NavItem]:
        """Navigation entries for the tenant's menu. `ctx.role` lets a plugin show an entry
        only to some roles; the entry's URL must be one of the plugin's own routes."""

    @hookspec
    def dolbom_landing_panels(self, ctx: TenantContext, session: Session) -> list[Panel]:
        """Panels for the tenant landing page (`/<slug>/`). `session` is bound to the tenant's
        schema; read only what the signed-in user may see."""

    @hookspec
    def dolbom_tenant_enabled(self, tenant_slug: str, session: Session) -> None:
        """Called once, in the same transaction, right after the plugin's migration branch was
        applied to a tenant that switched it on: seed the plugin's default rows here."""

    @hookspec
    def dolbom_case_transition(
        self, tenant_slug: str, session: Session, case: CaseInfo, action: str,
        from_stage: str | None, user_id: int,
    ) -> None:  # fmt: skip
        """A case moved one step (`action`, e.g. "approve": the meeting's 승인, after which the
        person is a recipient and `case.in_service` is true). Called inside the transaction
        that moved it, after the change was flushed: write your own rows with `session` (they
        commit or roll back with the step) and queue jobs with `enqueue_after_commit`. Raising
        refuses the step."""

    @hookspec
    def dolbom_case_panels(
        self, ctx: TenantContext, session: Session, case: CaseInfo
    ) -> list[Panel]:
        """Panels for the case page, under its heading: what the plugin knows about this case
        or its person (a flat, a report, a work order). The member may see the case; show
        only what their role may see."""

    @hookspec
    def dolbom_demo_data(self, tenant_slug: str, session: Session, staff: dict[str, int]) -> None:
        """`make run`'s demo seed, for a demo tenant with the plugin on: add example rows so the
        plugin's screens are not empty (only when its tables are). `staff` maps the demo
        accounts' roles ("admin", "coordinator", "worker", "provider") to user ids."""
