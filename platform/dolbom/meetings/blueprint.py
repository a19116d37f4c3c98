"""URL rules for meetings (`/<tenant>/meetings/…`)."""

from __future__ import annotations

from flask import Blueprint

from dolbom.meetings import views


def meetings_blueprint() -> Blueprint:
    bp = Blueprint("meetings", __name__, url_prefix="/meetings")
    bp.add_url_rule("/", "index", views.index)
    bp.add_url_rule("/new", "create", views.create, methods=["POST"])
    bp.add_url_rule("/<int:meeting_id>", "show", views.show)
    bp.add_url_rule("/<int:meeting_id>/decide", "decide", views.decide, methods=["POST"])
    bp.add_url_rule("/<int:meeting_id>/sign", "sign", views.sign, methods=["POST"])
    return bp
