"""URL rules for the situation room (`/<tenant>/situation/`)."""

from __future__ import annotations

from flask import Blueprint

from dolbom.situation import views


def situation_blueprint() -> Blueprint:
    bp = Blueprint("situation", __name__, url_prefix="/situation")
    bp.add_url_rule("/", "index", views.index)
    return bp
