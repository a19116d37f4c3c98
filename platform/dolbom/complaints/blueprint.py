"""URL rules for complaints (`/<tenant>/complaints/…`)."""

from __future__ import annotations

from flask import Blueprint

from dolbom.complaints import views


def complaints_blueprint() -> Blueprint:
    bp = Blueprint("complaints", __name__, url_prefix="/complaints")
    bp.add_url_rule("/", "index", views.index)
    bp.add_url_rule("/new", "new", views.new, methods=["GET", "POST"])
    bp.add_url_rule("/<int:complaint_id>", "show", views.show)
    bp.add_url_rule("/<int:complaint_id>/handle", "handle", views.handle, methods=["POST"])
    bp.add_url_rule("/<int:complaint_id>/close", "close", views.close, methods=["POST"])
    return bp
