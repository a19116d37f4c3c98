"""URL rules of the plugin, mounted by the host at `/<tenant>/p/housing/`."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from dolbom_housing import queue_views, views

HERE = Path(__file__).resolve().parent


def make_blueprint() -> Blueprint:
    bp = Blueprint("housing", __name__, template_folder="templates",
                   static_folder=str(HERE / "static"), static_url_path="/static")  # fmt: skip
    post = {"methods": ["POST"]}
    bp.add_url_rule("/", "index", views.index)
    bp.add_url_rule("/buildings/new", "building_new", views.building_new, methods=["GET", "POST"])
    bp.add_url_rule("/buildings/<int:building_id>", "building", views.building)
    bp.add_url_rule(
        "/buildings/<int:building_id>/edit", "building_edit", views.building_edit, **post
    )
    bp.add_url_rule("/buildings/<int:building_id>/flats", "flats_add", views.flats_add, **post)
    bp.add_url_rule("/flats/<int:flat_id>", "flat", views.flat)
    bp.add_url_rule("/flats/<int:flat_id>/edit", "flat_edit", views.flat_edit, **post)
    bp.add_url_rule("/flats/<int:flat_id>/move-out", "move_out", views.move_out, **post)
    bp.add_url_rule("/flats/<int:flat_id>/keep", "keep", views.keep, **post)
    bp.add_url_rule("/queue/", "queue", queue_views.queue)
    bp.add_url_rule("/queue/recompute", "recompute", queue_views.recompute, **post)
    bp.add_url_rule("/queue/new", "entry_new", queue_views.entry_new, methods=["GET", "POST"])
    bp.add_url_rule("/queue/<int:entry_id>", "entry", queue_views.entry)
    bp.add_url_rule("/queue/<int:entry_id>/edit", "entry_edit", queue_views.entry_edit, **post)
    bp.add_url_rule("/queue/<int:entry_id>/withdraw", "withdraw", queue_views.withdraw, **post)
    bp.add_url_rule("/queue/<int:entry_id>/move-in", "move_in", queue_views.move_in, **post)
    return bp
