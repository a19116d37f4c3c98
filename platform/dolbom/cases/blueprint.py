"""URL rules for cases (`/<tenant>/cases/…`)."""

from __future__ import annotations

from flask import Blueprint

from dolbom.cases import intake_views, step_views, views


def cases_blueprint() -> Blueprint:
    bp = Blueprint("cases", __name__, url_prefix="/cases")
    bp.add_url_rule("/", "index", views.index)
    bp.add_url_rule("/new", "new", intake_views.new, methods=["GET", "POST"])
    bp.add_url_rule("/<int:case_id>", "show", views.show)
    bp.add_url_rule("/<int:case_id>/rrn", "reveal_rrn", intake_views.reveal_rrn, methods=["POST"])
    bp.add_url_rule("/<int:case_id>/step/<action>", "step", step_views.step, methods=["POST"])
    bp.add_url_rule(
        "/<int:case_id>/survey", "survey", step_views.start_survey_response, methods=["POST"]
    )
    bp.add_url_rule("/<int:case_id>/contacts", "contacts", step_views.add_contact, methods=["POST"])
    bp.add_url_rule(
        "/<int:case_id>/monitoring/<int:check_id>",
        "check",
        step_views.record_check,
        methods=["POST"],
    )
    bp.add_url_rule("/<int:case_id>/plan", "plan", step_views.save_plan, methods=["POST"])
    from dolbom.meetings.views import add_to_agenda

    bp.add_url_rule("/<int:case_id>/agenda", "agenda", add_to_agenda, methods=["POST"])
    return bp
