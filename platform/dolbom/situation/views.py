"""The situation room dashboard (`/<tenant>/situation/`), for coordinators and city
administrators. It refreshes itself (htmx polling swaps the board) for a wall screen."""

from __future__ import annotations

from flask import render_template

from dolbom.cases.models import STAGES
from dolbom.cases.views import user_names
from dolbom.clock import today
from dolbom.complaints.models import COMPLAINT_STATUSES
from dolbom.db import utcnow
from dolbom.identity.access import tenant_roles
from dolbom.situation import queries
from dolbom.web.context import db
from dolbom.web.htmx import is_partial

situation_room = tenant_roles("coordinator", "city_admin")


@situation_room
def index():  # type: ignore[no-untyped-def]
    board = queries.board(db(), today())
    template = "situation/_board.html" if is_partial() else "situation/index.html"
    return render_template(template, board=board, stages=queries.OPEN_STAGES, stage_labels=STAGES,
                           statuses=COMPLAINT_STATUSES, at=utcnow(),
                           names=user_names({t.user_id for t in board.tasks}))  # fmt: skip
