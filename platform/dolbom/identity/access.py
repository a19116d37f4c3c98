"""Role and scope checks for routes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, g
from flask_login import current_user

from dolbom.identity.models import Role


def platform_role_required(role: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Operator and ministry pages: signed in, with exactly that platform role."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from dolbom.identity.current import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.platform_role != role:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def tenant_roles(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A tenant view for some roles only (membership itself is checked for every tenant route)."""

    allowed = {str(r) for r in roles}

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            membership = g.get("membership")
            if membership is None or membership.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate
