"""Every tenant URL: `/<slug>/…`. The slug picks the schema; membership decides access.

Unknown or malformed slug → 404 before anything else; signed in without membership → 403;
a plugin's routes answer 404 where the tenant has not switched it on. A plugin's public pages
(`/<slug>/p/<name>/public/…`) need no sign-in, and answer 404 the same way."""

from __future__ import annotations

from flask import Blueprint, abort, g, request
from flask_login import current_user

from dolbom.identity.current import login_manager
from dolbom.plugins.host import PluginHost
from dolbom.tenancy.directory import lookup
from dolbom.tenancy.slugs import is_valid_slug
from dolbom.web.context import db


def make_blueprint(host: PluginHost) -> Blueprint:
    """The tenant blueprint with every installed plugin's blueprint nested at /p/<name>/."""
    from dolbom.cases.blueprint import cases_blueprint
    from dolbom.complaints.blueprint import complaints_blueprint
    from dolbom.console.blueprint import console_blueprint
    from dolbom.forms.blueprint import assessments_blueprint, forms_blueprint
    from dolbom.meetings.blueprint import meetings_blueprint
    from dolbom.referrals.blueprint import board_blueprint, provider_blueprint
    from dolbom.rules.blueprint import decisions_blueprint, rules_blueprint
    from dolbom.situation.blueprint import situation_blueprint
    from dolbom.tasks.blueprint import tasks_blueprint
    from dolbom.tenancy import views

    bp = Blueprint("tenant", __name__, url_prefix="/<tenant>")
    bp.url_value_preprocessor(pull_tenant)
    bp.url_defaults(add_tenant)
    bp.before_request(require_membership)
    bp.add_url_rule("/", "landing", views.landing)
    bp.register_blueprint(assessments_blueprint())
    bp.register_blueprint(forms_blueprint())
    bp.register_blueprint(cases_blueprint())
    bp.register_blueprint(meetings_blueprint())
    bp.register_blueprint(complaints_blueprint())
    bp.register_blueprint(situation_blueprint())
    bp.register_blueprint(tasks_blueprint())
    bp.register_blueprint(provider_blueprint())
    bp.register_blueprint(board_blueprint())
    bp.register_blueprint(decisions_blueprint())
    bp.register_blueprint(rules_blueprint())
    bp.register_blueprint(console_blueprint())
    for name, plugin in host.plugins.items():
        factory = plugin.blueprint
        if factory is not None:
            bp.register_blueprint(factory(), url_prefix=f"/p/{name}", name=f"plugin_{name}")
        public = plugin.public_blueprint
        if public is not None:
            bp.register_blueprint(public(), url_prefix=f"/p/{name}/public", name=f"public_{name}")
    return bp


def pull_tenant(_endpoint: str | None, values: dict | None) -> None:
    slug = (values or {}).pop("tenant", None)
    if slug is None or not is_valid_slug(slug):
        abort(404)
    g.tenant_slug = slug
    # Loading the user first reads the session and the directory's generation in one go.
    current_user._get_current_object()
    tenant = lookup(db(), slug, g.get("tenant_generation"))
    if tenant is None:
        g.tenant_slug = None
        abort(404)
    g.tenant = tenant
    g.enabled_plugins = tenant.enabled_plugins()


def add_tenant(_endpoint: str, values: dict) -> None:
    if "tenant" not in values and g.get("tenant") is not None:
        values["tenant"] = g.tenant.slug


def require_membership():  # type: ignore[no-untyped-def]
    public = _public_plugin_of(request.blueprint)
    if public is not None:
        # Anyone may use a plugin's public pages, but only where the tenant switched it on.
        if public not in g.enabled_plugins:
            abort(404)
        g.membership = None
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    membership = current_user.membership(g.tenant.id)
    if membership is None:
        abort(403)
    g.membership = membership
    plugin = _plugin_of(request.blueprint)
    if plugin is not None and plugin not in g.enabled_plugins:
        abort(404)
    return None


def _plugin_of(blueprint: str | None) -> str | None:
    # Plugin blueprints are nested as tenant.plugin_<name>.
    parts = (blueprint or "").split(".")
    if len(parts) >= 2 and parts[1].startswith("plugin_"):
        return parts[1][len("plugin_") :]
    return None


def _public_plugin_of(blueprint: str | None) -> str | None:
    parts = (blueprint or "").split(".")
    if len(parts) >= 2 and parts[1].startswith("public_"):
        return parts[1][len("public_") :]
    return None
