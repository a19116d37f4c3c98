"""URL rules for cases (`/<tenant>/cases/…`)."""

from __future__ import annotations

from flask import Blueprint

from dolbom.cases import intake_views, opening, quick_views, step_views, views
from dolbom.cases.views import staff
from dolbom.documents import views as documents


def cases_blueprint() -> Blueprint:
    bp = Blueprint("cases", __name__, url_prefix="/cases")
    bp.add_url_rule("/", "index", views.index)
    bp.add_url_rule("/new", "new", intake_views.new, methods=["GET", "POST"])
    bp.add_url_rule("/<int:case_id>", "show", views.show)
    bp.add_url_rule(
        "/<int:case_id>/open", "open", staff(opening.open_with_reason), methods=["POST"]
    )
    bp.add_url_rule("/<int:case_id>/rrn", "reveal_rrn", intake_views.reveal_rrn, methods=["POST"])
    bp.add_url_rule("/<int:case_id>/step/<action>", "step", step_views.step, methods=["POST"])
    bp.add_url_rule(
        "/<int:case_id>/survey", "survey", step_views.start_survey_response, methods=["POST"]
    )
    bp.add_url_rule("/<int:case_id>/contacts", "contacts", step_views.add_contact, methods=["POST"])
    bp.add_url_rule("/<int:case_id>/contacts/quick", "quick_contact", quick_views.quick_contact,
                    methods=["GET", "POST"])  # fmt: skip
    bp.add_url_rule("/<int:case_id>/documents", "documents", documents.upload, methods=["POST"])
    bp.add_url_rule("/<int:case_id>/documents/<int:document_id>", "document", documents.download)
    bp.register_error_handler(413, documents.too_large)  # the upload form's own size message
    bp.add_url_rule(
        "/<int:case_id>/monitoring/<int:check_id>",
        "check",
        step_views.record_check,
        methods=["POST"],
    )
    bp.add_url_rule("/<int:case_id>/plan", "plan", step_views.save_plan, methods=["POST"])
    from dolbom.meetings.views import add_to_agenda
    from dolbom.people import views as person
    from dolbom.tasks.views import add_for_case

    bp.add_url_rule("/<int:case_id>/person", "person", person.save, methods=["POST"])
    bp.add_url_rule("/<int:case_id>/household", "household", person.add_member, methods=["POST"])
    bp.add_url_rule("/<int:case_id>/household/<int:member_id>/remove", "remove_member",
                    person.remove_member, methods=["POST"])  # fmt: skip
    bp.add_url_rule("/<int:case_id>/consents", "consents", person.add_consent, methods=["POST"])
    bp.add_url_rule("/<int:case_id>/consents/<int:consent_id>/withdraw", "withdraw_consent",
                    person.withdraw_consent, methods=["POST"])  # fmt: skip

    bp.add_url_rule("/<int:case_id>/tasks", "tasks", add_for_case, methods=["POST"])

    bp.add_url_rule("/<int:case_id>/agenda", "agenda", add_to_agenda, methods=["POST"])

    from dolbom.referrals import views as referrals

    bp.add_url_rule("/<int:case_id>/referrals", "refer", referrals.send, methods=["POST"])
    bp.add_url_rule("/<int:case_id>/referrals/<int:referral_id>/<action>", "referral_step",
                    referrals.step, methods=["POST"])  # fmt: skip
    bp.add_url_rule("/<int:case_id>/referrals/<int:referral_id>/records", "referral_records",
                    referrals.record_over_cap, methods=["POST"])  # fmt: skip
    return bp
