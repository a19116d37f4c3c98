"""URL rules of the plugin's pages, mounted by the host at /<slug>/p/blindspots/."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, g

from dolbom.plugins.api import tenant_roles
from dolbom_blindspots import batch_views, task_views

HERE = Path(__file__).resolve().parent


@tenant_roles("coordinator", "city_admin", "frontline_worker")
def index():  # type: ignore[no-untyped-def]
    """Coordinators land on the lists and the upload; frontline workers on their worklist."""
    if g.membership.role == "frontline_worker":
        return task_views.index_for_worker()
    return batch_views.index()


def make_blueprint() -> Blueprint:
    bp = Blueprint("blindspots", __name__, template_folder="templates",
                   static_folder="static", static_url_path="/static")  # fmt: skip
    rule = bp.add_url_rule
    rule("/", "index", index)
    rule("/upload", "upload", batch_views.upload, methods=["POST"])
    rule("/template.csv", "template", batch_views.template)
    rule("/batches/<int:batch_id>", "batch", batch_views.batch)
    rule("/batches/<int:batch_id>/progress", "progress", batch_views.progress)
    rule("/batches/<int:batch_id>/retry", "retry", batch_views.retry, methods=["POST"])
    rule("/batches/<int:batch_id>/discard", "discard", batch_views.discard, methods=["POST"])
    rule("/batches/<int:batch_id>/export.<fmt>", "export", batch_views.export,
         methods=["GET", "POST"])  # fmt: skip
    rule("/batches/<int:batch_id>/report.<kind>", "report", batch_views.report)
    rule("/tasks", "tasks", task_views.tasks)
    rule("/tasks/<int:task_id>", "task", task_views.task)
    rule("/tasks/<int:task_id>", "save", task_views.save, methods=["POST"])
    return bp
