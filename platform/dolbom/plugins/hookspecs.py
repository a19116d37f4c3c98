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
