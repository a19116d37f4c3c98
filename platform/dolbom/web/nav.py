"""Navigation by role: the core entries plus what enabled plugins add."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dolbom.forms.queries import FILLERS
from dolbom.identity.models import Role
from dolbom.plugins.host import get_host
from dolbom.tenancy.operations import tenant_context

# The 시군구 staff who watch the situation room (통합돌봄상황실) and handle complaints.
SITUATION_ROOM = frozenset({Role.COORDINATOR, Role.CITY_ADMIN})


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    active: bool = False
    count: int | None = None  # e.g. open tasks, shown as a badge


def _tasks_link(user_id: int, active: bool) -> Link:
    """할 일 with the number still open: the in-app reminder the deadline job leaves."""
    from dolbom.tasks.operations import open_count
    from dolbom.web.context import db

    return Link(_("할 일"), url_for("tenant.tasks.index"), active, open_count(db(), user_id))


def navigation(endpoint: str | None) -> list[Link]:
    user = current_user._get_current_object()  # one proxy look-up, not one per attribute
    if not user.is_authenticated:
        return []
    links: list[Link] = []
    if user.platform_role == Role.PLATFORM_OPERATOR:
        links += [
            Link(_("기관"), url_for("admin.tenants"), endpoint == "admin.tenants"),
            Link(_("작업"), url_for("admin.jobs"), endpoint == "admin.jobs"),
        ]
    elif user.platform_role == Role.MINISTRY_ANALYST:
        links.append(Link(_("지자체 비교"), url_for("ministry.index"), True))
    tenant = g.get("tenant")
    membership = g.get("membership")
    if tenant is not None and membership is not None:
        links.append(Link(_("홈"), url_for("tenant.landing"), endpoint == "tenant.landing"))
        area = (endpoint or "").split(".")[1] if (endpoint or "").count(".") >= 2 else ""
        if membership.role in SITUATION_ROOM:
            links.append(Link(_("상황실"), url_for("tenant.situation.index"), area == "situation"))
        if membership.role in FILLERS:
            links.append(Link(_("사례"), url_for("tenant.cases.index"), area == "cases"))
            links.append(_tasks_link(membership.user_id, area == "tasks"))
            if membership.role == Role.COORDINATOR:
                links.append(Link(_("의뢰 현황"), url_for("tenant.referral_board.index"),
                                  area == "referral_board"))  # fmt: skip
                links.append(Link(_("회의"), url_for("tenant.meetings.index"), area == "meetings"))
            links.append(
                Link(_("조사"), url_for("tenant.assessments.index"), area == "assessments")
            )
            # Frontline workers register complaints taken at the counter (and see those).
            links.append(Link(_("민원"), url_for("tenant.complaints.index"), area == "complaints"))
        if membership.role == Role.PROVIDER_STAFF:
            links.append(Link(_("의뢰함"), url_for("tenant.provider.inbox"), area == "provider"))
        if membership.role == Role.CITY_ADMIN:
            links.append(Link(_("설정"), url_for("tenant.console.index"), area == "console"))
            links.append(Link(_("조사 서식"), url_for("tenant.forms.index"), area == "forms"))
            links.append(Link(_("조례 규칙"), url_for("tenant.rules.index"), area == "rules"))
        ctx = tenant_context(tenant, membership.role, membership.user_id)
        items = [
            item
            for item in get_host().call("dolbom_navigation", g.enabled_plugins, ctx=ctx)
            if not item.roles or membership.role in item.roles
        ]
        exact = any(item.endpoint == endpoint for item in items)
        for item in items:
            # A plugin's entry stays marked on all of its pages, unless another entry is the page.
            same_plugin = (endpoint or "").split(".")[:2] == item.endpoint.split(".")[:2]
            active = item.endpoint == endpoint or (same_plugin and not exact)
            links.append(Link(item.label, url_for(item.endpoint), active))
    return links
