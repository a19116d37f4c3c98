"""What the plugin's views share: who may use it, the member's dongs, answers for htmx."""

from __future__ import annotations

from flask import Response, redirect, request
from sqlalchemy.orm import Session

from dolbom.plugins.api import DongInfo, current_dongs, dong_names, member_dongs, tenant_roles

# City administrators and 시군구 coordinators see every dong; 읍면동 workers their own.
# Provider staff have no part in the squad's work (403).
STAFF_ROLES = ("city_admin", "coordinator", "frontline_worker")
staff = tenant_roles(*STAFF_ROLES)


def scope() -> list[str] | None:
    return member_dongs()


def dong_choices(session: Session) -> list[DongInfo]:
    """The current dongs the member may work in."""
    dongs = member_dongs()
    return [d for d in current_dongs(session) if dongs is None or d.code in dongs]


def dong_options(dongs: list[DongInfo]) -> list[tuple[str, str]]:
    """(code, "구 동") pairs for a select."""
    return [(d.code, f"{d.gu} {d.name}") for d in dongs]


def names(session: Session, codes: set[str] | None = None) -> dict[str, str]:
    """Dong names: the current ones, plus any older codes records still carry."""
    out = {d.code: d.name for d in current_dongs(session)}
    missing = (codes or set()) - set(out)
    if missing:
        out.update(dong_names(session, missing))
    return out


def go(url: str) -> Response:
    """After a save: htmx loads the page itself, a plain form follows the redirect."""
    if request.headers.get("HX-Request"):
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, 303)  # type: ignore[return-value]


def multi(key: str) -> list[str]:
    return [v for v in request.form.getlist(key) if v]
