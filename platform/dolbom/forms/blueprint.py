"""URL rules for forms: staff fill in assessments under `/<tenant>/assessments/`, city
administrators manage definitions under `/<tenant>/forms/`. Both nest in the tenant blueprint,
which has already checked the tenant and the membership."""

from __future__ import annotations

from flask import Blueprint

from dolbom.forms import admin_views, fill_views


def assessments_blueprint() -> Blueprint:
    bp = Blueprint("assessments", __name__, url_prefix="/assessments")
    v = fill_views
    bp.add_url_rule("/", "index", v.index)
    bp.add_url_rule("/new", "start", v.start, methods=["GET", "POST"])
    bp.add_url_rule("/<int:response_id>", "show", v.show)
    bp.add_url_rule("/<int:response_id>/answer/<key>", "answer", v.answer, methods=["POST"])
    bp.add_url_rule("/<int:response_id>/submit", "submit", v.submit, methods=["POST"])
    bp.add_url_rule("/<int:response_id>/print", "print", v.print_view)
    bp.add_url_rule("/<int:response_id>/correct", "correct", v.correct, methods=["GET", "POST"])
    bp.add_url_rule(
        "/<int:response_id>/correct/check", "correct_check", v.correct_check, methods=["POST"]
    )
    return bp


def forms_blueprint() -> Blueprint:
    bp = Blueprint("forms", __name__, url_prefix="/forms")
    v = admin_views
    bp.add_url_rule("/", "index", v.index)
    bp.add_url_rule("/new", "create", v.create, methods=["POST"])
    bp.add_url_rule("/import", "import_yaml", v.import_yaml, methods=["GET", "POST"])
    bp.add_url_rule("/<key>/", "detail", v.detail)
    bp.add_url_rule("/<key>/v<int:number>", "version", v.version)
    bp.add_url_rule("/<key>/v<int:number>.yaml", "export", v.export)
    bp.add_url_rule("/<key>/draft.yaml", "export_draft", v.export_draft)
    bp.add_url_rule("/<key>/edit", "edit", v.edit, methods=["GET", "POST"])
    bp.add_url_rule("/<key>/publish", "publish", v.publish, methods=["POST"])
    bp.add_url_rule("/<key>/discard", "discard", v.discard, methods=["POST"])
    return bp
