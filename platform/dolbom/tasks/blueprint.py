"""URL rules for tasks (`/<tenant>/tasks/…`)."""

from __future__ import annotations

from flask import Blueprint

from dolbom.tasks import views


def tasks_blueprint() -> Blueprint:
    bp = Blueprint("tasks", __name__, url_prefix="/tasks")
    bp.add_url_rule("/", "index", views.index)
    bp.add_url_rule("/", "add", views.add, methods=["POST"])
    bp.add_url_rule("/<int:task_id>/done", "done", views.done, methods=["POST"])
    return bp
