"""URL rules of the city administrator's console: `/<tenant>/console/…`.

The console's own pages (profile, settings, districts, plugins, packs, changes) are here; staff
accounts and the catalogue's programmes and providers are their features' own blueprints, nested
under the console so every configuration page shares one address space."""

from __future__ import annotations

from flask import Blueprint, url_for
from werkzeug.routing import BuildError


def console_blueprint() -> Blueprint:
    from dolbom.catalogue.admin_blueprint import catalogue_admin_blueprint
    from dolbom.console import district_views as d
    from dolbom.console import views as v
    from dolbom.staff.blueprint import staff_blueprint

    bp = Blueprint("console", __name__, url_prefix="/console")
    bp.add_url_rule("/", "index", v.index)
    bp.add_url_rule("/profile", "profile", v.profile, methods=["GET", "POST"])
    bp.add_url_rule("/settings", "case_settings", v.case_settings, methods=["GET", "POST"])
    bp.add_url_rule("/plugins", "plugins", v.plugins)
    bp.add_url_rule("/plugins/<name>", "toggle_plugin", v.toggle_plugin, methods=["POST"])
    bp.add_url_rule("/packs", "packs", v.packs)
    bp.add_url_rule("/packs/apply", "apply_pack", v.apply_pack, methods=["POST"])
    bp.add_url_rule("/changes", "changes", v.change_log)
    bp.add_url_rule("/districts", "districts", d.index)
    bp.add_url_rule("/districts/merge", "merge_dongs", d.merge, methods=["POST"])
    bp.add_url_rule("/districts/split", "split_dong", d.split, methods=["POST"])
    bp.add_url_rule("/districts/add", "add_dong", d.add_dong, methods=["POST"])
    bp.add_url_rule("/districts/remove", "remove_dong", d.remove, methods=["POST"])
    bp.add_app_template_global(url_for_or_none)
    bp.register_blueprint(staff_blueprint())
    bp.register_blueprint(catalogue_admin_blueprint())
    return bp


def url_for_or_none(endpoint: str, **values: object) -> str | None:
    """The console menu lists a section only where its pages exist (plugins add their own)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None
