"""URL rules for the provider's side (`/<tenant>/provider/…`)."""

from __future__ import annotations

from flask import Blueprint

from dolbom.referrals import provider_views as views


def provider_blueprint() -> Blueprint:
    bp = Blueprint("provider", __name__, url_prefix="/provider")
    bp.add_url_rule("/", "inbox", views.inbox)
    bp.add_url_rule("/referrals/<int:referral_id>", "detail", views.detail)
    bp.add_url_rule("/referrals/<int:referral_id>/records", "records", views.add_records,
                    methods=["POST"])  # fmt: skip
    bp.add_url_rule("/referrals/<int:referral_id>/<action>", "respond", views.respond,
                    methods=["POST"])  # fmt: skip
    return bp


def board_blueprint() -> Blueprint:
    from dolbom.referrals import board_views, settlement_views

    bp = Blueprint("referral_board", __name__, url_prefix="/referrals")
    bp.add_url_rule("/", "index", board_views.index)
    bp.add_url_rule("/settlement", "settlement", settlement_views.index)
    bp.add_url_rule("/settlement", "settlement_start", settlement_views.start, methods=["POST"])
    bp.add_url_rule("/settlement/<month>", "settlement_status", settlement_views.status)
    bp.add_url_rule("/settlement/<month>/<kind>", "settlement_download", settlement_views.download)
    return bp
