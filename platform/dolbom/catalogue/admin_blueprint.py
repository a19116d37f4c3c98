"""URL rules for the catalogue in the console: `/<tenant>/console/programmes/…` and
`/<tenant>/console/providers/…` (city administrators)."""

from __future__ import annotations

from flask import Blueprint


def catalogue_admin_blueprint() -> Blueprint:
    bp = Blueprint("catalogue_admin", __name__)
    return bp
