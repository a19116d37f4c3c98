"""URL rules for rule sets (`/<tenant>/rules/…`, city administrators) and for decisions on a
case (`/<tenant>/cases/<id>/eligibility…`, staff who may see the case)."""

from __future__ import annotations

from flask import Blueprint

from dolbom.rules import admin_views, decision_views, whatif_views


def rules_blueprint() -> Blueprint:
    bp = Blueprint("rules", __name__, url_prefix="/rules")
    v = admin_views
    bp.add_url_rule("/", "index", v.index)
    bp.add_url_rule("/new", "create", v.create, methods=["POST"])
    bp.add_url_rule("/<key>/", "detail", v.detail)
    bp.add_url_rule("/<key>/v<int:number>", "version", v.version)
    bp.add_url_rule("/<key>/v<int:number>.yaml", "export", v.export)
    bp.add_url_rule("/<key>/edit", "edit", v.edit, methods=["GET", "POST"])
    bp.add_url_rule(
        "/<key>/parameter", "add_parameter_value", v.add_parameter_value, methods=["POST"]
    )
    bp.add_url_rule("/<key>/example", "add_example", v.add_example, methods=["POST"])
    bp.add_url_rule("/<key>/publish", "publish", v.publish, methods=["POST"])
    bp.add_url_rule("/<key>/discard", "discard", v.discard, methods=["POST"])
    bp.add_url_rule("/<key>/whatif", "whatif", whatif_views.start, methods=["POST"])
    bp.add_url_rule("/<key>/whatif/<job_key>", "whatif_status", whatif_views.status)
    return bp


def decisions_blueprint() -> Blueprint:
    bp = Blueprint("decisions", __name__, url_prefix="/cases")
    v = decision_views
    bp.add_url_rule("/<int:case_id>/eligibility", "evaluate", v.evaluate, methods=["POST"])
    bp.add_url_rule("/<int:case_id>/eligibility/<int:decision_id>/notice", "notice", v.notice)
    return bp
