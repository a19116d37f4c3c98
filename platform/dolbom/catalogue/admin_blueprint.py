"""URL rules for the catalogue in the console: `/<tenant>/console/programmes/…` and
`/<tenant>/console/providers/…` (city administrators)."""

from __future__ import annotations

from flask import Blueprint

from dolbom.catalogue import admin_provider_views as pv
from dolbom.catalogue import admin_views as v

GET_POST = ["GET", "POST"]
POST = ["POST"]


def catalogue_admin_blueprint() -> Blueprint:
    bp = Blueprint("catalogue_admin", __name__)
    bp.add_url_rule("/programmes/", "programmes", v.programmes)
    bp.add_url_rule("/programmes/fields", "add_field", v.add_field, methods=POST)
    bp.add_url_rule("/programmes/new", "new_programme", v.new_programme, methods=GET_POST)
    bp.add_url_rule("/programmes/<key>/", "programme", v.programme, methods=GET_POST)
    bp.add_url_rule("/programmes/<key>/active", "programme_active", v.programme_active,
                    methods=POST)  # fmt: skip
    bp.add_url_rule("/programmes/<key>/providers", "assign_provider", v.assign_provider,
                    methods=POST)  # fmt: skip
    bp.add_url_rule("/programmes/<key>/providers/<provider_key>", "change_capacity",
                    v.change_capacity, methods=POST)  # fmt: skip
    bp.add_url_rule("/programmes/<key>/providers/<provider_key>/remove", "remove_provider",
                    v.remove_provider, methods=POST)  # fmt: skip
    bp.add_url_rule("/providers/", "providers", pv.providers)
    bp.add_url_rule("/providers/new", "new_provider", pv.new_provider, methods=GET_POST)
    bp.add_url_rule("/providers/<key>/", "provider", pv.provider, methods=GET_POST)
    bp.add_url_rule("/providers/<key>/active", "provider_active", pv.provider_active,
                    methods=POST)  # fmt: skip
    return bp
