"""What every screen of the plugin shares: roles, scope, responses, the access log."""

from __future__ import annotations

from typing import Any

from flask import Response, g, redirect, render_template, request

from dolbom.plugins.api import is_partial, log_access, member_dongs, request_session, tenant_roles

# Who reads (the frontline too), who manages buildings, flats, move-ins and move-outs, and who
# may put a person of their caseload on the waiting list (the counter sees the discharges).
READERS = frozenset({"city_admin", "coordinator", "frontline_worker"})
MANAGERS = frozenset({"city_admin", "coordinator"})
read = tenant_roles(*READERS)
manage = tenant_roles(*MANAGERS)


def can_manage() -> bool:
    return g.membership.role in MANAGERS


def sees_person(*dong_codes: str | None) -> bool:
    """A frontline worker sees the people of their dongs only (the case's or the building's)."""
    dongs = member_dongs()
    return dongs is None or any(d in dongs for d in dong_codes if d)


def log_person(person_id: int, action: str, detail: str) -> None:
    log_access(request_session(), subject_type="person", subject_id=person_id, action=action,
               detail=detail)  # fmt: skip


def go(url: str) -> Response:
    """After a save: htmx navigates to the page itself, a plain form follows the redirect."""
    if request.headers.get("HX-Request"):
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, 303)  # type: ignore[return-value]


def page_or_fragment(page: str, fragment: str, status: int, **context: Any):  # type: ignore[no-untyped-def]
    """A refused htmx post swaps just its form (422/409); a plain post gets the page again."""
    if is_partial() and request.method == "POST":
        return render_template(fragment, **context), status
    return render_template(page, **context), status


def kept(form: Any) -> dict[str, str]:
    return {k: v for k, v in form.items() if k not in ("csrf_token",)}


def refusal(exc: Exception) -> tuple[int, str, dict[str, str]]:
    """(status, message, field messages) for a refused save: 409 when someone else was first."""
    from sqlalchemy.orm.exc import StaleDataError

    from dolbom_housing.operations import STALE, Refused, Stale

    if isinstance(exc, Stale | StaleDataError):
        return 409, STALE, {}
    assert isinstance(exc, Refused)
    return 422, exc.message, exc.fields
