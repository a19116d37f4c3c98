"""The signed-in user as Flask-Login sees it."""

from __future__ import annotations

from flask import current_app
from flask_login import LoginManager, UserMixin
from sqlalchemy.orm import joinedload

from dolbom.identity import sessions
from dolbom.identity.models import Membership, User
from dolbom.web.context import db

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "로그인이 필요합니다."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # we rotate server-side tokens ourselves


class CurrentUser(UserMixin):
    def __init__(self, user: User, token: str) -> None:
        self.user_id = user.id
        self.email = user.email
        self.name = user.name
        self.platform_role = user.platform_role
        self.locale = user.locale
        self.token = token
        self._memberships = {m.tenant_id: m for m in user.memberships}

    def get_id(self) -> str:
        # The session token, not the user id: ending the token ends the session.
        return self.token

    def membership(self, tenant_id: int) -> Membership | None:
        return self._memberships.get(tenant_id)

    @property
    def memberships(self) -> list[Membership]:
        return list(self._memberships.values())


def idle_seconds() -> int:
    return int(current_app.config["SESSION_IDLE_SECONDS"])


@login_manager.user_loader
def load_user(token: str) -> CurrentUser | None:
    user_id = sessions.resolve(token, idle_seconds())
    if user_id is None:
        return None
    # One query for the user and their memberships (not one each).
    user = db().get(User, user_id, options=[joinedload(User.memberships)])
    if user is None or not user.active:
        sessions.end(token)
        return None
    return CurrentUser(user, token)
