"""URL rules of the city administrator's console: `/<tenant>/console/…`.

The console's own pages (profile, settings, districts, plugins, packs, changes) are here; staff
accounts and the catalogue's programmes and providers are their features' own blueprints, nested
under the console so every configuration page shares one address space."""

from __future__ import annotations

from flask import Blueprint


def console_blueprint() -> Blueprint:
    from dolbom.catalogue.admin_blueprint import catalogue_admin_blueprint
    from dolbom.staff.blueprint import staff_blueprint

    bp = Blueprint("console", __name__, url_prefix="/console")
    bp.register_blueprint(staff_blueprint())
    bp.register_blueprint(catalogue_admin_blueprint())
    return bp
