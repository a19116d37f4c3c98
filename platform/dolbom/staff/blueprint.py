"""URL rules for staff accounts: `/<tenant>/console/staff/…` (city administrators)."""

from __future__ import annotations

from flask import Blueprint

from dolbom.staff import views as v


def staff_blueprint() -> Blueprint:
    bp = Blueprint("staff", __name__, url_prefix="/staff")
    bp.add_url_rule("/", "index", v.index)
    bp.add_url_rule("/invite", "invite", v.invite, methods=["GET", "POST"])
    bp.add_url_rule("/<int:user_id>", "member", v.member)
    bp.add_url_rule("/<int:user_id>", "update", v.update, methods=["POST"])
    bp.add_url_rule("/<int:user_id>/deactivate", "deactivate", v.deactivate, methods=["POST"])
    bp.add_url_rule("/<int:user_id>/reactivate", "reactivate", v.reactivate, methods=["POST"])
    bp.add_url_rule(
        "/<int:user_id>/reset-password", "reset_password", v.reset_password, methods=["POST"]
    )
    bp.add_url_rule("/<int:user_id>/remove", "remove", v.remove, methods=["POST"])
    return bp
