"""URL rules for staff accounts: `/<tenant>/console/staff/…` (city administrators)."""

from __future__ import annotations

from flask import Blueprint


def staff_blueprint() -> Blueprint:
    bp = Blueprint("staff", __name__, url_prefix="/staff")
    return bp
